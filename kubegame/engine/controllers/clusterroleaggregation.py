"""The ClusterRole aggregation controller: admin, edit and view gather the rules of labelled roles.

pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.go: a ClusterRole with an
`aggregationRule` gets, as its `rules`, the rules of every ClusterRole matched by one of its
`clusterRoleSelectors` (in name order, without duplicates). So `view` grows when a role labelled
`rbac.authorization.k8s.io/aggregate-to-view: "true"` is created, and edit and admin with it.
"""

from __future__ import annotations

from kubegame.engine.controllers.base import Controller
from kubegame.engine.errors import ApiError
from kubegame.engine.objects import KObject
from kubegame.engine.validation import selector_matches


class ClusterRoleAggregationController(Controller):
    name = "clusterrole-aggregation-controller"

    def __init__(self, cluster):
        super().__init__(cluster)
        self.store.subscribe("ClusterRole", self._on_role)

    def _on_role(self, event: str, role: KObject) -> None:
        self.enqueue(("", "*"))

    def aggregate_all(self) -> None:
        """Fill every aggregated role; repeat so that roles aggregating aggregated roles settle."""
        for _ in range(4):
            changed = False
            for role in self.store.list("ClusterRole"):
                rule = role.extra.get("aggregationRule")
                if isinstance(rule, dict):
                    changed |= self._aggregate(role, rule)
            if not changed:
                return

    def _aggregate(self, role: KObject, rule: dict) -> bool:
        rules: list[dict] = []
        for sel in rule.get("clusterRoleSelectors") or []:
            for other in self.store.list("ClusterRole"):
                if other is role or not selector_matches(sel, other.labels):
                    continue
                for r in other.extra.get("rules") or []:
                    if r not in rules:
                        rules.append(r)
        if role.extra.get("rules") == rules:
            return False
        role.extra["rules"] = rules
        self.store.modified(role)
        return True

    def sync(self) -> None:
        if self.queue and self.take():
            try:
                self.aggregate_all()
            except ApiError:
                self.enqueue(("", "*"))

"""k9s-style resource views: `:pods`, `:deploy`, `:svc`, `:nodes`, `:events` ... as a live table.

The table takes the board's place (time keeps running). Up/Down move the cursor; on the
selected row `d` describes it, `l` shows its logs, `y` its YAML, `e` edits it, `ctrl+d`
deletes it (after a confirmation), `s` opens a shell in a Pod, Enter drills down (a
Deployment, Service, Node ... to its Pods) and Esc goes back up, then to the board. Every
key is a Binding with an id, so `keymap.json` can remap it like any other.
The rows come from `kubegame.kubectl.views` (kubectl's own columns).
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from kubegame.kubectl import views


class ResourceView(DataTable):
    BINDINGS = [
        Binding("d", "act('describe')", "describe", id="view.describe"),
        Binding("l", "act('logs')", "logs", id="view.logs"),
        Binding("y", "act('yaml')", "yaml", id="view.yaml"),
        Binding("e", "act('edit')", "edit", id="view.edit"),
        Binding("ctrl+d", "act('delete')", "delete", id="view.delete"),
        Binding("s", "act('shell')", "shell", id="view.shell"),
        Binding("enter", "drill", "open", id="view.open"),
        Binding("escape", "back", "back", id="view.back"),
    ]

    class Action(Message):
        """A key on the selected row: the game screen runs the matching kubectl command."""

        def __init__(self, action: str, scope: views.Scope, namespace: str, name: str) -> None:
            super().__init__()
            self.action, self.scope, self.namespace, self.name = action, scope, namespace, name

    class Closed(Message):
        """Esc at the top of the view stack: back to the board."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kw)
        self.stack: list[views.Scope] = []
        self._shown: tuple | None = None
        self.rows_shown: list[views.Row] = []

    @property
    def scope(self) -> views.Scope | None:
        return self.stack[-1] if self.stack else None

    def open(self, scope: views.Scope, cluster: Any) -> None:
        """Show a view (replacing any stack: a new `:pods` starts afresh)."""
        self.stack = [scope]
        self.sync(cluster, force=True)

    def selected(self) -> views.Row | None:
        if not self.rows_shown or self.cursor_row is None or not 0 <= self.cursor_row < len(self.rows_shown):
            return None
        return self.rows_shown[self.cursor_row]

    def sync(self, cluster: Any, force: bool = False) -> None:
        """Refresh the rows from the cluster (each tick), keeping the cursor on the same object."""
        scope = self.scope
        if scope is None:
            return
        t = views.table(cluster, scope)
        key = (id(scope), tuple(t.columns), tuple((r.namespace, r.name, tuple(r.cells)) for r in t.rows))
        if key == self._shown and not force:
            return
        self._shown = key
        keep = self.selected()
        self.clear(columns=True)
        self.add_columns(*t.columns)
        for r in t.rows:
            self.add_row(*r.cells, key=f"{r.namespace}/{r.name}")
        self.rows_shown = t.rows
        self.border_title = f"{scope.label} ({len(t.rows)})"
        self.border_subtitle = "d describe · l logs · y yaml · e edit · ^d delete · s shell · ⏎ open · esc back"
        if keep is not None:
            for i, r in enumerate(t.rows):
                if (r.namespace, r.name) == (keep.namespace, keep.name):
                    self.move_cursor(row=i, animate=False)
                    break

    def action_act(self, action: str) -> None:
        r = self.selected()
        if r is None or self.scope is None:
            self.notify(f"nothing selected: {self.scope.label if self.scope else 'no view'} is empty", timeout=2)
            return
        self.post_message(self.Action(action, self.scope, r.namespace, r.name))

    def action_drill(self) -> None:
        r = self.selected()
        if r is None or self.scope is None:
            return
        cluster = getattr(self.screen, "game", None)
        sub = views.drill(cluster.cluster, self.scope, r.namespace, r.name) if cluster is not None else None
        if sub is None:
            self.post_message(self.Action("describe", self.scope, r.namespace, r.name))
            return
        self.stack.append(sub)
        self.sync(cluster.cluster, force=True)
        self.move_cursor(row=0, animate=False)

    def action_back(self) -> None:
        if len(self.stack) > 1:
            self.stack.pop()
            game = getattr(self.screen, "game", None)
            if game is not None:
                self.sync(game.cluster, force=True)
            return
        self.stack = []
        self.post_message(self.Closed())

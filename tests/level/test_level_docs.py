"""docs/level-format.md is the whole contract: every field the loader's schema accepts, every
event and objective type, every supported manifest kind is described there."""

from __future__ import annotations

import re
from pathlib import Path

from kubegame.level import loader
from kubegame.level.manifests import SUPPORTED
from kubegame.level.schema import F, ListOf, Struct, Tagged

DOC = (Path(__file__).resolve().parents[2] / "docs" / "level-format.md").read_text()


def fields(schema, path=()):
    """(dotted path, field name) for every field reachable from a schema node."""
    if isinstance(schema, F):
        schema = schema.schema
    if isinstance(schema, ListOf):
        yield from fields(schema.item, path)
    elif isinstance(schema, Struct):
        for name, f in schema.fields.items():
            yield ".".join(path + (name,)), name
            yield from fields(f, path + (name,))
    elif isinstance(schema, Tagged):
        for tag, variant in schema.variants.items():
            yield ".".join(path + (tag,)), tag
            yield from fields(variant, path + (tag,))


def documented(name: str) -> bool:
    """`name:` in a YAML example, `type: name` for an event or objective type, or `name` in backquotes."""
    return (re.search(rf"(?<![\w-]){re.escape(name)}:", DOC) is not None or f"`{name}`" in DOC
            or f"type: {name}" in DOC)


def test_every_field_of_the_level_schema_is_documented():
    missing = sorted({p for p, name in fields(loader.LEVEL) if not documented(name)})
    assert missing == [], "describe these in docs/level-format.md"


def test_the_walk_reaches_deep_fields():
    found = {p for p, _ in fields(loader.LEVEL)}
    for deep in ("spec.cluster.nodePool.template.kernel", "spec.events.NodeFailure.runningPods",
                 "spec.objectives.readyReplicas.allReady", "spec.images.crashOnKernels"):
        assert deep in found


def test_every_supported_kind_and_its_api_version_is_documented():
    for kind, api in SUPPORTED.items():
        assert kind in DOC and f"`{api}`" in DOC, kind

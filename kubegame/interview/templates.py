"""The pool of interview incidents: small level templates, each with its task and root-cause question.

A template is a YAML file in `pool/`: an `IncidentTemplate` document, then a level (its Level
document and manifests) in which `${name}` stands for a parameter drawn from the template's
`params` (docs/interview.md). Filling the parameters in gives ordinary level text, which the
level loader reads and checks like any other: a generated incident is a level.

    pool = load_pool()                       # every template, by name order
    inc = pool[0].instantiate(random.Random(7))
    inc.level, inc.task, inc.question, inc.options, inc.answer
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from kubegame.level.loader import load_text
from kubegame.level.model import Level
from kubegame.safeio import InputError
from kubegame.safeyaml import parse_text

POOL_DIR = Path(__file__).resolve().parent / "pool"
HEADER_KIND = "IncidentTemplate"


class TemplateError(Exception):
    """A template file that is not a well-formed incident template (a bug in the pool)."""


@dataclass(frozen=True)
class Incident:
    """One generated incident: a level, the one-line task as an exam words it, and its question."""

    template: str
    title: str
    task: str
    level: Level
    question: str
    options: tuple[str, ...]          # shuffled; options[answer] is the root cause
    answer: int
    weights: tuple[int, ...]          # one per objective of the level: its share of the credit
    params: dict[str, str] = field(default_factory=dict)
    text: str = ""                    # the level file it was loaded from


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    task: str
    question: str
    answer: str
    wrong: tuple[str, ...]
    weights: tuple[int, ...]
    params: dict[str, tuple[str, ...]]
    body: str                         # the level text, with ${name} placeholders
    path: str

    def fill(self, values: dict[str, str], text: str) -> str:
        try:
            return string.Template(text).substitute(values)
        except (KeyError, ValueError) as exc:
            raise TemplateError(f"{self.path}: cannot fill {text[:40]!r}: {exc}") from None

    def draw(self, rng: random.Random) -> dict[str, str]:
        """One value per parameter, drawn in name order (the same rng state gives the same values)."""
        return {k: rng.choice(self.params[k]) for k in sorted(self.params)}

    def instantiate(self, rng: random.Random, values: dict[str, str] | None = None) -> Incident:
        values = self.draw(rng) if values is None else values
        # a value may name another parameter (`v${tag}`): filled in once, from the drawn values
        values = {k: string.Template(v).safe_substitute(values) for k, v in values.items()}
        text = self.fill(values, self.body)
        level = load_text(text, f"<interview:{self.name}>", require_solution=True)
        if len(self.weights) != len(level.objectives):
            raise TemplateError(f"{self.path}: {len(self.weights)} weights for {len(level.objectives)} objectives")
        right = self.fill(values, self.answer)
        options = [right] + [self.fill(values, w) for w in self.wrong]
        rng.shuffle(options)
        return Incident(self.name, self.fill(values, self.title), self.fill(values, self.task), level,
                        self.fill(values, self.question), tuple(options), options.index(right), self.weights,
                        dict(values), text)

    def variants(self) -> list[dict[str, str]]:
        """Parameter sets that together use every value of every parameter at least once."""
        n = max((len(v) for v in self.params.values()), default=1)
        return [{k: v[i % len(v)] for k, v in sorted(self.params.items())} for i in range(n)]


def _strings(v: Any, what: str, path: str) -> tuple[str, ...]:
    if not isinstance(v, list) or not v or not all(isinstance(x, str) and x for x in v):
        raise TemplateError(f"{path}: {what} must be a list of non-empty strings")
    return tuple(v)


def parse_template(text: str, path: str) -> Template:
    head, sep, body = text.partition("\n---\n")
    if not sep:
        raise TemplateError(f"{path}: an IncidentTemplate document, then `---` and the level")
    try:
        doc = parse_text(head, path)[0].value
    except InputError as exc:
        raise TemplateError(str(exc)) from None
    if not isinstance(doc, dict) or doc.get("kind") != HEADER_KIND:
        raise TemplateError(f"{path}: the first document must be kind: {HEADER_KIND}")
    name = (doc.get("metadata") or {}).get("name")
    spec = doc.get("spec") or {}
    for key in ("title", "task", "question", "answer"):
        if not isinstance(spec.get(key), str) or not spec[key].strip():
            raise TemplateError(f"{path}: spec.{key} must be a non-empty string")
    wrong = _strings(spec.get("wrong"), "spec.wrong", path)
    if len(wrong) != 3:
        raise TemplateError(f"{path}: spec.wrong must hold three wrong answers")
    weights = spec.get("weights")
    if not isinstance(weights, list) or not all(isinstance(w, int) and not isinstance(w, bool) and w > 0
                                                for w in weights):
        raise TemplateError(f"{path}: spec.weights must be a list of positive integers")
    params = {str(k): _strings(v, f"spec.params.{k}", path) for k, v in (spec.get("params") or {}).items()}
    return Template(str(name), spec["title"].strip(), " ".join(spec["task"].split()),
                    " ".join(spec["question"].split()), " ".join(spec["answer"].split()),
                    tuple(" ".join(w.split()) for w in wrong), tuple(weights), params, body, path)


@cache
def load_pool(directory: str | None = None) -> tuple[Template, ...]:
    """Every template of the pool, sorted by name."""
    base = Path(directory) if directory else POOL_DIR
    out = [parse_template(p.read_text(encoding="utf-8"), str(p)) for p in sorted(base.glob("*.yaml"))]
    names = [t.name for t in out]
    if len(set(names)) != len(names):
        raise TemplateError(f"{base}: two templates share a name")
    return tuple(sorted(out, key=lambda t: t.name))

"""The import layering of DESIGN.md: tui -> game -> level, apiserver -> kubectl -> engine.

The engine imports no Textual, no YAML and no other kubegame package; nothing below
the TUI imports Textual. Checked on the source's import statements (AST), so a
violation anywhere in a module fails, even in a function body.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "kubegame"

# package -> what it may import from kubegame and from outside
ALLOWED_KUBEGAME = {
    "engine": {"engine"},
    "kubectl": {"engine", "kubectl", "safeio"},
    "level": {"engine", "level", "levels", "safeio"},
    "apiserver": {"engine", "kubectl", "apiserver", "safeio"},   # the HTTP API over the cluster (kubegame serve)
    "serve": {"engine", "kubectl", "apiserver", "serve", "progress", "safeio"},   # serve's runner (game layer)
    "game": {"engine", "kubectl", "apiserver", "level", "game", "progress", "pipeline", "debrief", "safeio"},
    "progress": {"progress", "safeio"},
    "safeio": {"safeio", "safeyaml"},             # reading and writing input with limits (below every layer)
    "safeyaml": {"safeio", "safeyaml"},           # its YAML half, imported on first use
    "pipeline": {"pipeline", "textools"},         # shell syntax on the command line (game layer)
    "textools": {"textools"},                     # grep, jq, ... for the pipes
    "debrief": {"debrief"},                       # what happened in a play (game layer)
    "replayfile": {"replayfile", "safeio"},       # reading replay files (game layer)
    "testing": {"engine", "kubectl", "level", "game", "testing", "progress"},
    "web": {"web", "serve", "progress"},
    "daily": {"daily", "modes", "game", "progress", "replayfile", "safeio"},   # the daily challenge (game layer)
    "interview": {"interview", "game", "level", "hindsight", "progress", "replayfile", "safeio", "safeyaml"},
    "hindsight": {"hindsight", "debrief", "game"},  # the play run again without each change (game layer)          # kubegame web: runs the TUI as a process per tab, never imports it
}
FORBIDDEN_EXTERNAL = {
    "engine": {"textual", "yaml", "rich"},
    "kubectl": {"textual"},
    "level": {"textual"},
    "apiserver": {"textual", "yaml"},
    "serve": {"textual"},
    "game": {"textual"},
    "progress": {"textual"},
    "safeio": {"textual"},
    "safeyaml": {"textual"},
    "pipeline": {"textual"},
    "textools": {"textual"},
    "debrief": {"textual"},
    "replayfile": {"textual"},
    "testing": {"textual"},
    "web": {"textual"},
    "daily": {"textual", "yaml"},
    "hindsight": {"textual", "yaml"},
    "interview": {"textual"},
}


def imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append(node.module)
    return out


def layer_of(path: Path) -> str:
    rel = path.relative_to(ROOT).parts
    return rel[0].removesuffix(".py") if rel else ""


def violations() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        layer = layer_of(path)
        if layer not in ALLOWED_KUBEGAME:
            continue
        for mod in imports(path):
            top = mod.split(".")[0]
            if top == "kubegame":
                parts = mod.split(".")
                target = parts[1] if len(parts) > 1 else ""
                if target and target not in ALLOWED_KUBEGAME[layer] and target != "__init__":
                    found.append(f"{path.relative_to(ROOT.parent)} imports {mod}")
            elif top in FORBIDDEN_EXTERNAL[layer]:
                found.append(f"{path.relative_to(ROOT.parent)} imports {mod}")
    return found


def test_layers_import_only_downwards():
    assert violations() == []


def test_the_check_catches_a_violation(tmp_path, monkeypatch):
    fake = tmp_path / "kubegame" / "engine"
    fake.mkdir(parents=True)
    (fake / "bad.py").write_text("import textual\nfrom kubegame.tui import app\n")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path / "kubegame")
    assert violations() == ["kubegame/engine/bad.py imports textual", "kubegame/engine/bad.py imports kubegame.tui"]

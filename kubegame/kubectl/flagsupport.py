"""Flags kubegame's kubectl accepts but does not act on, and why: nothing given is silently ignored.

kubectl takes every flag real kubectl 1.37 takes (data/commands.json). A flag here, when the
player gives it, adds a note on stderr that the game ran the command without it. Flags that only
change how kubectl talks to the server (--chunk-size, --use-protocol-buffers, --cache-dir, ...)
change nothing a player can see, so they are honoured by doing nothing and are not listed.
"""

from __future__ import annotations

from typing import Any

# (command path or "*" for every command, flag) -> why it is not simulated
NOT_SIMULATED: dict[tuple[str, str], str] = {
    ("diff", "force-conflicts"): "diff --server-side is not simulated",
    ("apply", "openapi-patch"): "the game always merges with the patch merge keys of its OpenAPI data",
    ("apply", "prune-allowlist"): "apply --prune is not simulated",
    ("apply", "prune"): "apply --prune is not simulated",
    ("diff", "prune-allowlist"): "diff --prune is not simulated",
    ("diff", "concurrency"): "objects are diffed one after the other",
    ("get", "server-print"): "the game always prints the server's table columns",
    ("edit", "output-patch"): "the editor does not print the patch it sends",
    ("*", "windows-line-endings"): "the editor keeps the lines it is given",
    ("delete", "interactive"): "the game's command line cannot ask for a confirmation",
    ("run", "leave-stdin-open"): "interactive sessions are not simulated",
    ("*", "detach-keys"): "interactive sessions are not simulated",
    ("run", "override-type"): "--overrides is not simulated",
    ("expose", "override-type"): "--overrides is not simulated",
    ("top node", "show-capacity"): "the game's nodes have no allocatable below their capacity",
    ("*", "show-swap"): "the game's machines have no swap",
    ("set env", "resolve"): "--list prints references without resolving them",
    ("api-resources", "cached"): "the game's discovery is never stale",
    ("debug", "keep-annotations"): "the copy keeps the pod's labels and annotations",
    ("debug", "keep-labels"): "the copy keeps the pod's labels and annotations",
    ("debug", "keep-liveness"): "the copy keeps the pod's probes",
    ("debug", "keep-readiness"): "the copy keeps the pod's probes",
    ("debug", "keep-startup"): "the copy keeps the pod's probes",
    ("debug", "keep-init-containers"): "the copy keeps the pod's init containers",
    ("config set-credentials", "exec-command"): "credential plugins are not simulated",
    ("config set-credentials", "auth-provider"): "auth providers are not simulated",
    ("*", "v"): "kubectl's -v request logs are not printed",
    ("*", "vmodule"): "kubectl's -v request logs are not printed",
    ("*", "warnings-as-errors"): "warnings stay warnings",
    ("*", "profile"): "kubectl's own profiling is not simulated",
}


def notes(p: Any) -> list[str]:
    """One `kubegame: ...` line per flag given that the game does not act on."""
    out = []
    spec = p.spec
    for name in p.flags:
        reason = NOT_SIMULATED.get((p.path, name)) or NOT_SIMULATED.get(("*", name))
        if reason is None:
            continue
        f = spec.flags.get(name) if spec is not None else None
        default = f.default if f is not None else None
        if default is not None and str(p.flags[name]).lower() == str(default).lower():
            continue                 # given with its default value: nothing to ignore
        shown = f"-{name}" if len(name) == 1 else f"--{name}"
        out.append(f"kubegame: {shown} is not simulated ({reason}); the command ran without it\n")
    return out


def markdown() -> str:
    """The table docs/kubectl.md carries (tests/kubectl/test_flagsupport_doc.py keeps them equal)."""
    rows = [f"| `{'kubectl ' + path if path != '*' else 'any command'}` | `--{flag}` | {why} |"
            for (path, flag), why in sorted(NOT_SIMULATED.items(), key=lambda kv: (kv[0][0] != "*", kv[0]))]
    return "| command | flag | why the game runs without it |\n| --- | --- | --- |\n" + "\n".join(rows) + "\n"

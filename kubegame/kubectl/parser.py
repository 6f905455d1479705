"""kubectl's command line: cobra's command tree and pflag's flag syntax.

The flags of every command come from real kubectl (data/commands.json, generated from
`kubectl <cmd> --help` v1.37.1, every command of its tree), so the game accepts and rejects the same flags. Parsing
follows spf13/pflag: `--flag=value`, `--flag value`, `-f value`, `-fvalue`, `-f=value`,
combined short booleans (`-it`), `--` ending the flags; cobra finds the command path
first (flags may come before the verb: `kubectl -n kube-system get pods`).
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"

# kubectl's root command list in the order cobra adds them (k8s.io/kubectl/pkg/cmd/cmd.go),
# which is the order of "Did you mean this?" suggestions.
ROOT_ORDER = ["create", "expose", "run", "set", "explain", "get", "edit", "delete", "rollout", "scale",
              "autoscale", "certificate", "cluster-info", "top", "cordon", "uncordon", "drain", "taint",
              "describe", "logs", "attach", "exec", "port-forward", "proxy", "cp", "auth", "debug", "events",
              "diff", "apply", "patch", "replace", "wait", "kustomize", "label", "annotate", "completion",
              "alpha", "api-resources", "api-versions", "config", "plugin", "version", "kuberc", "options"]
SUPPORTED_ROOT = {"create", "expose", "run", "set", "explain", "get", "edit", "delete", "rollout", "scale",
                  "autoscale", "cluster-info", "top", "cordon", "uncordon", "drain", "taint", "describe",
                  "logs", "exec", "events", "apply", "patch", "label", "annotate", "api-resources",
                  "version", "options", "config", "auth", "api-versions", "wait",
                  "port-forward", "replace", "diff", "completion", "attach", "cp", "debug", "certificate"}

# pflag NoOptDefVal: a value used when the flag is given without one
NO_OPT_DEFAULTS = {"dry-run": "unchanged", "cascade": "background"}
# deprecated flags that --help hides but kubectl 1.37 still takes, with the warning pflag prints
RECORD = ("apply", "scale", "set image", "set resources", "set selector", "set serviceaccount", "label",
          "annotate", "patch", "edit", "expose", "run", "autoscale", "create")
HIDDEN: dict[str, list[tuple[str, str, str]]] = {path: [("record", "false", "--record will be removed in the future")]
                                                for path in RECORD}
HIDDEN["autoscale"].append(("cpu-percent", "-1", "Use --cpu with percentage or resource quantity format (e.g., "
                                                "'70%' for utilization or '500m' for milliCPU)."))
# cobra MarkFlagRequired: `required flag(s) "image", "schedule" not set`
REQUIRED = {"create deployment": ["image"], "run": ["image"], "scale": ["replicas"], "autoscale": ["max"],
            "create cronjob": ["image", "schedule"], "create service externalname": ["external-name"],
            "create clusterrolebinding": ["clusterrole"]}


class UsageError(Exception):
    """A command-line mistake: printed as `error: MESSAGE` (plus a usage hint)."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass
class FlagSpec:
    name: str
    short: str
    default: str
    type: str            # bool | int | string | list | duration


@dataclass
class CommandSpec:
    path: str
    flags: dict[str, FlagSpec]
    shorts: dict[str, FlagSpec]
    aliases: list[str]
    subcommands: list[str]
    help: str


@dataclass
class Parsed:
    path: str                                    # "get", "rollout status", "create service nodeport"
    args: list[str] = field(default_factory=list)
    flags: dict[str, Any] = field(default_factory=dict)     # only the flags given
    spec: CommandSpec | None = field(default=None, repr=False)
    dash: int = -1                               # cobra ArgsLenAtDash: index in args where `--` was
    help: bool = False
    warnings: list[str] = field(default_factory=list)     # pflag's deprecation notices (stderr)
    order: list[tuple[str, str]] = field(default_factory=list)   # the flags as given: (name, value)

    def get(self, name: str, default: Any = None) -> Any:
        if name in self.flags:
            return self.flags[name]
        spec = self.spec.flags.get(name) if self.spec else None
        if spec is None:
            return default
        return typed_default(spec) if default is None else default

    def has(self, name: str) -> bool:
        return name in self.flags


def typed_default(spec: FlagSpec) -> Any:
    if spec.type == "bool":
        return spec.default == "true"
    if spec.type == "int":
        return int(spec.default)
    if spec.type == "list":
        inner = spec.default.strip("[]")
        return [x for x in inner.split(",") if x]
    return spec.default


@cache
def _data() -> dict:
    return json.loads((DATA / "commands.json").read_text())


@cache
def command_spec(path: str) -> CommandSpec:
    raw = _data()[path]
    flags: dict[str, FlagSpec] = {}
    for f in raw["flags"] + _data()["options"]["flags"]:
        flags.setdefault(f["name"], FlagSpec(f["name"], f["short"], f["default"], f["type"]))
    # flags kubectl has on every command that --help does not list as options
    flags.setdefault("help", FlagSpec("help", "h", "false", "bool"))
    for name, default, _ in HIDDEN.get(path, []):
        flags.setdefault(name, FlagSpec(name, "", default, "bool" if default in ("true", "false") else "int"))
    shorts = {f.short: f for f in flags.values() if f.short}
    subs = [s[0] for s in raw["subcommands"]] if path else ROOT_ORDER
    return CommandSpec(path, flags, shorts, raw["aliases"], subs, raw["help"])


def known_paths() -> list[str]:
    return [p for p in _data() if p != "options"]


def _child(path: str, word: str) -> str | None:
    """The subcommand of `path` named (or aliased) `word`, if kubegame knows it."""
    if not path and word == "options":
        return "options"                  # its entry in commands.json also holds the global flags
    for p in known_paths():
        if not p or p.count(" ") != (path.count(" ") + 1 if path else 0):
            continue
        if path and not p.startswith(path + " "):
            continue
        name = p.rsplit(" ", 1)[-1]
        if word == name or word in command_spec(p).aliases:
            return p
    return None


def levenshtein(a: str, b: str) -> int:
    """cobra's ld(s, t, ignoreCase=true)."""
    a, b = a.lower(), b.lower()
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def suggestions(word: str) -> list[str]:
    """cobra SuggestionsFor: distance <= 2 or a prefix match (SuggestionsMinimumDistance = 2)."""
    out = []
    for name in ROOT_ORDER:
        if name in ("options",):
            continue
        if levenshtein(word, name) <= 2 or name.lower().startswith(word.lower()):
            out.append(name)
    return out


def split_line(line: str) -> list[str]:
    """Shell words of a command line (POSIX quoting, as a shell would hand them to kubectl)."""
    try:
        return shlex.split(line)
    except ValueError as exc:
        msg = str(exc)
        if "quotation" in msg:
            raise UsageError("unexpected EOF while looking for matching quote", "shell") from None
        raise UsageError(msg, "shell") from None


def _takes_value(spec: FlagSpec) -> bool:
    return spec.type != "bool" and spec.name not in NO_OPT_DEFAULTS


def find_command(words: list[str]) -> tuple[str, list[str]]:
    """cobra Find: walk subcommands using the non-flag words; returns (path, remaining words)."""
    path = ""
    rest = list(words)
    while True:
        spec = command_spec(path)
        i = 0
        found = None
        while i < len(rest):
            w = rest[i]
            if w == "--":
                break
            if w.startswith("--") and "=" not in w:
                f = spec.flags.get(w[2:])
                i += 2 if f is not None and _takes_value(f) else 1
                continue
            if w.startswith("-") and len(w) == 2:
                f = spec.shorts.get(w[1])
                i += 2 if f is not None and _takes_value(f) else 1
                continue
            if w.startswith("-") and len(w) > 1:
                i += 1
                continue
            found = i
            break
        if found is None:
            return path, rest
        word = rest[found]
        child = _child(path, word)
        if child is None:
            if path == "":
                if word in ROOT_ORDER:
                    raise UsageError(f'kubegame does not simulate "kubectl {word}"', "")
                msg = f'unknown command "{word}" for "kubectl"'
                sugg = suggestions(word)
                if sugg:
                    msg += "\n\nDid you mean this?\n" + "".join(f"\t{s}\n" for s in sugg)
                raise UsageError(msg, "root")
            return path, rest
        path = child
        rest = rest[:found] + rest[found + 1:]


def _convert(spec: FlagSpec, raw: str, shown: str) -> Any:
    if spec.type == "bool":
        low = raw.lower()
        if low in ("1", "t", "true"):
            return True
        if low in ("0", "f", "false"):
            return False
        raise UsageError(f'invalid argument "{raw}" for "{shown}" flag: strconv.ParseBool: parsing "{raw}": invalid syntax',
                         "usage")
    if spec.type == "int":
        try:
            return int(raw, 10)
        except ValueError:
            raise UsageError(f'invalid argument "{raw}" for "{shown}" flag: strconv.ParseInt: parsing "{raw}": '
                             "invalid syntax", "usage") from None
    if spec.type == "duration":
        from kubegame.kubectl.util import KubectlError, go_duration
        try:
            go_duration(raw, spec.name)
        except KubectlError as exc:
            raise UsageError(exc.message.replace(f'"--{spec.name}"', f'"{shown}"'), "usage") from None
    return raw


def _shown(spec: FlagSpec) -> str:
    return f"-{spec.short}, --{spec.name}" if spec.short else f"--{spec.name}"


def parse(line_or_words: str | list[str]) -> Parsed:
    words = split_line(line_or_words) if isinstance(line_or_words, str) else list(line_or_words)
    if words and words[0] in ("kubectl", "k"):
        words = words[1:]
    path, rest = find_command(words)
    spec = command_spec(path)
    out = Parsed(path, spec=spec)

    hidden = {name: why for name, _, why in HIDDEN.get(path, [])}

    def set_flag(f: FlagSpec, raw: str) -> None:
        val = _convert(f, raw, _shown(f))
        out.order.append((f.name, raw))
        if f.name in hidden and f.name not in out.flags:
            out.warnings.append(f"Flag --{f.name} has been deprecated, {hidden[f.name]}\n")
        if f.type == "list":
            lst = out.flags.setdefault(f.name, [])
            if f.name in ("filename", "label-columns", "env", "from-literal", "from-file", "overrides"):
                lst.extend([raw] if f.name in ("from-literal", "env", "overrides") else raw.split(","))
            else:
                lst.append(raw)
        else:
            out.flags[f.name] = val

    i = 0
    while i < len(rest):
        w = rest[i]
        i += 1
        if w == "--":
            out.dash = len(out.args)
            out.args.extend(rest[i:])
            break
        if w.startswith("--") and len(w) > 2:
            name, eq, value = w[2:].partition("=")
            f = spec.flags.get(name)
            if f is None:
                raise UsageError(f"unknown flag: --{name}", "usage")
            if eq:
                set_flag(f, value)
            elif f.type == "bool":
                set_flag(f, "true")
            elif f.name in NO_OPT_DEFAULTS:
                set_flag(f, NO_OPT_DEFAULTS[f.name])
            elif i < len(rest):
                set_flag(f, rest[i])
                i += 1
            else:
                raise UsageError(f"flag needs an argument: --{name}", "usage")
            continue
        if w.startswith("-") and len(w) > 1:
            shorts = w[1:]
            while shorts:
                c = shorts[0]
                f = spec.shorts.get(c)
                if f is None:
                    raise UsageError(f"unknown shorthand flag: '{c}' in -{shorts}", "usage")
                if len(shorts) > 2 and shorts[1] == "=":
                    set_flag(f, shorts[2:])
                    shorts = ""
                elif f.type == "bool" or f.name in NO_OPT_DEFAULTS:
                    set_flag(f, "true" if f.type == "bool" else NO_OPT_DEFAULTS[f.name])
                    shorts = shorts[1:]
                elif len(shorts) > 1:
                    set_flag(f, shorts[1:])
                    shorts = ""
                elif i < len(rest):
                    set_flag(f, rest[i])
                    i += 1
                    shorts = ""
                else:
                    raise UsageError(f"flag needs an argument: '{c}' in -{c}", "usage")
            continue
        out.args.append(w)
    if out.flags.get("help"):
        out.help = True
        return out
    missing = [req for req in REQUIRED.get(path, []) if req not in out.flags]
    if missing:
        raise UsageError("required flag(s) " + ", ".join(f'"{m}"' for m in missing) + " not set", "")
    return out

"""Shell syntax after a kubectl command: pipes, `$(...)`, `&&`/`||`/`;`, `2>&1`.

People type `kubectl get pods | grep web`, `kubectl get secret db -o jsonpath='{.data.pw}' |
base64 -d` and `kubectl logs $(kubectl get pods -o name | head -1)` on real clusters. This
module gives the game's command line the same syntax without a real shell: the words are
split as POSIX sh splits them, and every stage of a pipeline is either the game's own
kubectl (or a game verb), or one of the text tools in `kubegame.textools` (grep, head,
tail, wc, sort, uniq, cut, awk, sed, tr, jq, base64, xargs, cat, echo, less). Nothing else
runs: anything else is an error that names what is supported.

    result = run_line(line, run_command)     # None when the line uses no shell syntax

`run_command(words, stdin)` runs one kubectl/game command and returns a `StageResult`.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kubegame import textools

MAX_DEPTH = 3                   # nested $(...) at most this deep
MAX_STAGES = 16                 # commands in one line at most
MAX_OUTPUT = 4 * 1024 * 1024    # characters one stage may hand to the next
OPERATORS = ("&&", "||", ">>", ">&", "|", "&", ";", "<", ">", "(", ")")
SHELL_CHARS = set("|&;<>$`()")


class ShellSyntaxError(Exception):
    """A line the game's shell cannot run: printed as `sh: MESSAGE`, exit code 2."""


@dataclass
class StageResult:
    output: str = ""
    error: str = ""
    exit_code: int = 0
    changed: bool = False           # a kubectl/game command in the line changed the cluster
    pager: bool = False             # the line ends in `| less` / `| more`: show it in a pager
    commands: list[str] = field(default_factory=list)   # the kubectl/game commands run, in order
    stream: Any = None              # the first command keeps running (`kubectl get pods -w | grep web`)
    filter: PipeFilter | None = None   # ... and the rest of the pipeline filters what it prints


RunCommand = Callable[[list[str], "str | None"], StageResult]
StreamHead = Callable[[list[str]], StageResult]

# tools that read and write a line at a time: behind a running command they print as it prints;
# the others (sort, wc, tail, jq, ...) wait for its end, as they wait for end of input in a shell
LINE_TOOLS = ("grep", "cut", "tr", "cat", "sed")


# -- words ------------------------------------------------------------------------------------

@dataclass
class Word:
    """A shell word: literal text and `$(...)` substitutions, each marked quoted or not."""

    parts: list[tuple[str, str, bool]] = field(default_factory=list)    # (kind, text, quoted)

    def add(self, kind: str, text: str, quoted: bool) -> None:
        self.parts.append((kind, text, quoted))

    @property
    def plain(self) -> str | None:
        """The word's text when it holds no substitution."""
        if any(k == "subst" for k, _, _ in self.parts):
            return None
        return "".join(t for _, t, _ in self.parts)


@dataclass
class Token:
    word: Word | None = None
    op: str = ""


def _matching_paren(s: str, i: int) -> int:
    """Index of the `)` that closes the `$(` whose `(` is at s[i]."""
    depth = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            j = s.find("'", i + 1)
            if j < 0:
                raise ShellSyntaxError("unexpected EOF while looking for matching `''")
            i = j + 1
            continue
        if c == '"':
            i = _closing_quote(s, i) + 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ShellSyntaxError("unexpected EOF while looking for matching `)'")


def _closing_quote(s: str, i: int) -> int:
    """Index of the `"` that closes the one at s[i] (skipping escapes and $(...))."""
    j = i + 1
    n = len(s)
    while j < n:
        c = s[j]
        if c == "\\":
            j += 2
            continue
        if c == '"':
            return j
        if c == "$" and j + 1 < n and s[j + 1] == "(":
            j = _matching_paren(s, j + 1) + 1
            continue
        j += 1
    raise ShellSyntaxError("unexpected EOF while looking for matching `\"'")


def tokenize(s: str) -> list[Token]:
    """POSIX sh word splitting and quoting, with operators and `$(...)` kept apart."""
    out: list[Token] = []
    word: Word | None = None
    lit: list[str] = []          # unquoted characters of the current word, not yet added to it

    def flush_lit() -> None:
        nonlocal word, lit
        if lit:
            if word is None:
                word = Word()
            word.add("lit", "".join(lit), False)
            lit = []

    def end_word() -> None:
        nonlocal word
        flush_lit()
        if word is not None:
            out.append(Token(word=word))
            word = None

    def part(kind: str, text: str, quoted: bool) -> None:
        nonlocal word
        flush_lit()
        if word is None:
            word = Word()
        word.add(kind, text, quoted)

    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c in " \t\n":
            end_word()
            i += 1
        elif c == "\\":
            if i + 1 < n:
                part("lit", s[i + 1], True)
            i += 2
        elif c == "'":
            j = s.find("'", i + 1)
            if j < 0:
                raise ShellSyntaxError("unexpected EOF while looking for matching `''")
            part("lit", s[i + 1:j], True)
            i = j + 1
        elif c == '"':
            j = _closing_quote(s, i)
            flush_lit()
            if word is None:
                word = Word()
            _double_quoted(s[i + 1:j], word)
            i = j + 1
        elif c == "$" and i + 1 < n and s[i + 1] == "(":
            j = _matching_paren(s, i + 1)
            part("subst", s[i + 2:j], False)
            i = j + 1
        elif c == "`":
            raise ShellSyntaxError("backquotes are not supported here: write $(...) instead")
        elif c in "|&;<>()":
            if c == ">" and lit == ["2"] and word is None:
                lit = []                 # `2>`: a redirection of standard error
                op = "2>&" if s.startswith(">&", i) else "2>"
                out.append(Token(op=op))
                i += 2 if op == "2>&" else 1
                continue
            end_word()
            op = next(o for o in OPERATORS if s.startswith(o, i))
            out.append(Token(op=op))
            i += len(op)
        else:
            lit.append(c)
            i += 1
    end_word()
    return out


def _double_quoted(body: str, word: Word) -> None:
    """The inside of "...": backslash escapes $ ` " \\ and newline; $(...) substitutes."""
    buf: list[str] = []
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c == "\\" and i + 1 < n and body[i + 1] in '$`"\\\n':
            buf.append(body[i + 1])
            i += 2
        elif c == "$" and i + 1 < n and body[i + 1] == "(":
            j = _matching_paren(body, i + 1)
            if buf:
                word.add("lit", "".join(buf), True)
                buf = []
            word.add("subst", body[i + 2:j], True)
            i = j + 1
        elif c == "`":
            raise ShellSyntaxError("backquotes are not supported here: write $(...) instead")
        else:
            buf.append(c)
            i += 1
    if buf or not word.parts:
        word.add("lit", "".join(buf), True)


def needs_shell(line: str) -> bool:
    """Does the line use shell syntax (an operator or a substitution outside quotes)?"""
    if not SHELL_CHARS & set(line):
        return False
    try:
        toks = tokenize(line)
    except ShellSyntaxError:
        return True
    return any(t.op or (t.word is not None and t.word.plain is None) for t in toks)


# -- the command list ---------------------------------------------------------------------------

@dataclass
class Command:
    words: list[Word]
    stderr: str = ""          # "" | "stdout" (2>&1) | "null" (2>/dev/null)
    stdout_null: bool = False


@dataclass
class Pipeline:
    commands: list[Command]


def parse(tokens: list[Token]) -> list[tuple[str, Pipeline]]:
    """`a | b && c; d` -> [("", a|b), ("&&", c), (";", d)]."""
    lists: list[tuple[str, Pipeline]] = []
    connector = ""
    cmds: list[Command] = []
    cur = Command([])
    i = 0

    def end_command() -> None:
        nonlocal cur
        if not cur.words:
            raise ShellSyntaxError("syntax error: a command is missing around `|'")
        cmds.append(cur)
        cur = Command([])

    while i < len(tokens):
        t = tokens[i]
        if t.word is not None:
            cur.words.append(t.word)
        elif t.op == "|":
            end_command()
        elif t.op in ("&&", "||", ";"):
            if cur.words or cmds:
                end_command()
                lists.append((connector, Pipeline(cmds)))
            elif t.op != ";" or not lists:
                raise ShellSyntaxError(f"syntax error near unexpected token `{t.op}'")
            cmds = []
            connector = t.op
        elif t.op in ("2>", "2>&"):
            target = tokens[i + 1].word.plain if i + 1 < len(tokens) and tokens[i + 1].word else None
            if t.op == "2>&" and target == "1":
                cur.stderr = "stdout"
            elif t.op == "2>" and target == "/dev/null":
                cur.stderr = "null"
            else:
                raise ShellSyntaxError(f"redirection `{t.op}{target or ''}' is not supported "
                                       "(only 2>&1 and 2>/dev/null)")
            i += 1
        elif t.op == ">":
            target = tokens[i + 1].word.plain if i + 1 < len(tokens) and tokens[i + 1].word else None
            if target != "/dev/null":
                raise ShellSyntaxError(f"cannot write to {target or 'a file'}: the game's command line does "
                                       "not write files (only > /dev/null)")
            cur.stdout_null = True
            i += 1
        elif t.op in ("&",):
            raise ShellSyntaxError("background jobs (&) are not supported: the cluster runs on the game clock")
        else:
            raise ShellSyntaxError(f"`{t.op}' is not supported here")
        i += 1
    if cur.words:
        cmds.append(cur)
    elif cmds:
        raise ShellSyntaxError("syntax error: a command is missing after `|'")
    if cmds:
        lists.append((connector, Pipeline(cmds)))
    elif connector and connector != ";":
        raise ShellSyntaxError(f"syntax error: a command is missing after `{connector}'")
    n_cmds = sum(len(p.commands) for _, p in lists)
    if n_cmds > MAX_STAGES:
        raise ShellSyntaxError(f"too many commands in one line ({n_cmds}; at most {MAX_STAGES})")
    return lists


# -- running ------------------------------------------------------------------------------------

GAME_COMMANDS = ("kubectl", "k", "node", "etcd")


def run_line(line: str, run_command: RunCommand, depth: int = 0,
             stream_head: StreamHead | None = None) -> StageResult | None:
    """Run a line that uses shell syntax; None when it uses none (the caller runs it as is).

    `stream_head`: runs the first command of a lone pipeline (`kubectl get pods -w | grep web`);
    when that command keeps running, the result carries its stream and a PipeFilter through which
    the caller feeds what it prints next."""
    if depth == 0 and not needs_shell(line):
        return None
    total = StageResult()
    try:
        lists = parse(tokenize(line))
        if stream_head is not None and depth == 0 and len(lists) == 1:
            streamed = _run_streaming(lists[0][1], run_command, stream_head, total)
            if streamed is not None:
                return streamed
        status = 0
        for connector, pipeline in lists:
            if (connector == "&&" and status != 0) or (connector == "||" and status == 0):
                continue
            res = _run_pipeline(pipeline, run_command, depth, total)
            total.output += res.output
            total.error += res.error
            total.pager = res.pager
            status = res.exit_code
        total.exit_code = status
    except ShellSyntaxError as exc:
        total.error += f"sh: {exc}\n"
        total.exit_code = 2
    return total


def _expand(words: list[Word], run_command: RunCommand, depth: int, total: StageResult) -> list[str]:
    """Words with their $(...) replaced by the command's output (unquoted: split into words)."""
    out: list[str] = []
    for w in words:
        pieces: list[str] = [""]
        have = False
        for kind, text, quoted in w.parts:
            if kind == "lit":
                pieces[-1] += text
                have = True
                continue
            if depth + 1 > MAX_DEPTH:
                raise ShellSyntaxError(f"$(...) nested more than {MAX_DEPTH} deep")
            res = run_line(text, run_command, depth + 1)
            if res is None:      # pragma: no cover - run_line always runs below depth 0
                res = StageResult()
            total.changed |= res.changed
            total.commands += res.commands
            total.error += res.error
            value = res.output.rstrip("\n")
            if quoted:
                pieces[-1] += value
                have = True
            else:
                split = value.split()
                if split:
                    pieces[-1] += split[0]
                    pieces.extend(split[1:])
                    have = True
        if have:
            out.extend(pieces)
    return out


def _run_streaming(pipeline: Pipeline, run_command: RunCommand, stream_head: StreamHead,
                   total: StageResult) -> StageResult | None:
    """`kubectl ... -w | tools`: run the head; if it keeps running, hand back its stream and the
    rest of the pipeline as a filter; if it returned at once, run the rest as usual."""
    cmds = pipeline.commands
    head = cmds[0]
    if len(cmds) < 2 or any(k == "subst" for w in head.words for k, _, _ in w.parts):
        return None
    argv = [w.plain or "" for w in head.words]
    if argv[0] not in ("kubectl", "k") or head.stdout_null:
        return None
    first = stream_head(argv)
    total.changed |= first.changed
    total.commands.append(shlex.join(argv))
    if first.stream is None:
        res = _run_pipeline(pipeline, run_command, 0, total, first=_redirect(head, first))
        res.changed, res.commands = total.changed, total.commands
        return res
    filt = PipeFilter(Pipeline(cmds[1:]), run_command, head.stderr)
    out, err = filt.feed(first.output, first.error)
    return StageResult(out, err, 0, total.changed, commands=total.commands, stream=first.stream, filter=filt)


class PipeFilter:
    """The rest of `kubectl get pods -w | grep web`: what the running command prints goes through
    it as it comes when every tool is a line tool (grep, sed, cut, tr, cat), else at the end."""

    def __init__(self, rest: Pipeline, run_command: RunCommand, head_stderr: str):
        self.rest = rest
        self.run_command = run_command
        self.head_stderr = head_stderr
        self.line_wise = all(c.words and (c.words[0].plain or "") in LINE_TOOLS for c in rest.commands)
        self.buffer = ""
        self.code = 1 if self.line_wise and self.rest.commands[-1].words[0].plain == "grep" else 0

    def _split(self, out: str, err: str) -> tuple[str, str]:
        if self.head_stderr == "stdout":
            return out + err, ""
        if self.head_stderr == "null":
            return out, ""
        return out, err

    def feed(self, out: str, err: str) -> tuple[str, str]:
        """What the head printed now -> what the pipeline prints now."""
        out, err = self._split(out, err)
        if not self.line_wise:
            self.buffer += out
            return "", err
        if not out:
            return "", err
        res = _run_pipeline(self.rest, self.run_command, 0, StageResult(), stdin=out)
        self.code = min(self.code, res.exit_code) if res.exit_code <= 1 else res.exit_code   # grep: 0 once any line matched
        return res.output, err + res.error

    def flush(self) -> tuple[str, str, int]:
        """The head returned: the tools that wait for the end of their input print now."""
        if self.line_wise:
            return "", "", self.code
        res = _run_pipeline(self.rest, self.run_command, 0, StageResult(), stdin=self.buffer)
        return res.output, res.error, res.exit_code


def _redirect(cmd: Command, res: StageResult) -> StageResult:
    if cmd.stderr == "stdout":
        res.output, res.error = res.output + res.error, ""
    elif cmd.stderr == "null":
        res.error = ""
    return res


def _run_pipeline(pipeline: Pipeline, run_command: RunCommand, depth: int, total: StageResult,
                  first: StageResult | None = None, stdin: str | None = None) -> StageResult:
    """`first`: the first command's result, already run; `stdin`: what the first command reads."""
    res = StageResult()
    errors = ""
    last = len(pipeline.commands) - 1
    for i, cmd in enumerate(pipeline.commands):
        if i == 0 and first is not None:
            res = first
            errors += res.error
            stdin = res.output
            continue
        argv = _expand(cmd.words, run_command, depth, total)
        if not argv:
            res = StageResult(output=stdin or "")
        elif argv[0] in GAME_COMMANDS:
            res = run_command(argv, stdin)
            total.changed |= res.changed
            total.commands.append(shlex.join(argv))
        elif argv[0] == "xargs":
            res = _xargs(argv[1:], stdin or "", run_command, total)
        elif argv[0] in ("less", "more"):
            res = StageResult(output=stdin or "", pager=i == last)
        else:
            tool = textools.TOOLS.get(argv[0])
            if tool is None:
                res = StageResult(error=textools.not_supported(argv[0]), exit_code=127)
            else:
                out, err, code = tool(argv[1:], stdin or "")
                res = StageResult(output=out, error=err, exit_code=code)
        if len(res.output) > MAX_OUTPUT:
            res.output = res.output[:MAX_OUTPUT]
            res.error += f"sh: the output of {argv[0] if argv else 'a command'} was cut at {MAX_OUTPUT} characters\n"
        if cmd.stderr == "stdout":
            res.output, res.error = res.output + res.error, ""
        elif cmd.stderr == "null":
            res.error = ""
        if cmd.stdout_null:
            res.output = ""
        errors += res.error
        stdin = res.output
    return StageResult(output=res.output, error=errors, exit_code=res.exit_code, pager=res.pager)


def _xargs(args: list[str], stdin: str, run_command: RunCommand, total: StageResult) -> StageResult:
    """`xargs [-n N] kubectl ...`: the game's commands with the input's words appended."""
    per = 0
    while args and args[0].startswith("-"):
        a = args.pop(0)
        if a in ("-n", "--max-args") and args:
            try:
                per = int(args.pop(0))
            except ValueError:
                return StageResult(error="xargs: invalid number for -n option\n", exit_code=1)
        elif a.startswith("-n") and a[2:].isdigit():
            per = int(a[2:])
        elif a in ("-r", "--no-run-if-empty"):
            continue
        else:
            return StageResult(error=f"xargs: option {a} is not supported here (only -n N and -r)\n", exit_code=1)
    if not args or args[0] not in GAME_COMMANDS:
        return StageResult(error="xargs: only kubectl (and the game's node/etcd commands) can be run by xargs "
                                 "here\n", exit_code=1)
    items = stdin.split()
    if not items:
        return StageResult()
    groups = [items[i:i + per] for i in range(0, len(items), per)] if per > 0 else [items]
    out = StageResult()
    for g in groups:
        r = run_command(args + g, None)
        total.changed |= r.changed
        total.commands.append(shlex.join(args + g))
        out.output += r.output
        out.error += r.error
        out.exit_code = r.exit_code if r.exit_code else out.exit_code
    if out.exit_code:
        out.exit_code = 123        # GNU xargs: a command exited with a status 1-125
    return out

"""Everything that reads the player's or an author's input, with limits: files, YAML, JSON.

Files: only regular files are read (never a device, a FIFO or a terminal: opening one is
refused before a byte is read, so nothing blocks), at most a given size; directories are
walked without following links out of them, up to a number of files. YAML: composed by
PyYAML's SafeLoader (no constructor for Python objects ever runs) and converted here into
plain values, with a line and column for every node, a bounded number of aliases and of
values after alias expansion (an alias bomb stops at once), no recursive alias, bounded
nesting, only the standard tags, no duplicate keys. JSON: no NaN or Infinity, bounded
nesting. Writes: atomic, only to regular files or new paths, temporary files always removed.

Every problem is an `InputError` that names the path, line and column and says what would
be accepted; nothing here raises anything else for bad input.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_BYTES = 1024 * 1024          # a level file, a manifest file: 1 MiB
MAX_ALIASES = 100                # alias uses per document
MAX_NODES = 100_000              # values after alias expansion, per file
MAX_DEPTH = 100                  # nesting of mappings and lists
MAX_FILES = 500                  # files read from one directory (kubectl apply -f DIR -R)
MAX_INT_DIGITS = 20              # an integer literal longer than this is no Kubernetes number


class InputError(Exception):
    """Bad input: `PATH:LINE:COL: error: WHAT (expected EXPECTED)`."""

    def __init__(self, path: str, line: int, col: int, what: str, expected: str = ""):
        super().__init__(what)
        self.path, self.line, self.col, self.what, self.expected = path, line, col, what, expected

    def __str__(self) -> str:
        exp = f" (expected {self.expected})" if self.expected else ""
        return f"{self.path}:{self.line}:{self.col}: error: {self.what}{exp}"


Path = tuple[Any, ...]

STD = "tag:yaml.org,2002:"
SCALAR_TAGS = {STD + t for t in ("str", "int", "float", "bool", "null", "timestamp", "binary")}
ALLOWED_TAGS = SCALAR_TAGS | {STD + "map", STD + "seq", STD + "merge", STD + "omap", STD + "set"}


@dataclass
class Document:
    """One YAML document: its value, and the (line, col) of each key and value by path."""

    value: Any
    start: tuple[int, int]
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    raw: dict[Path, str] = field(default_factory=dict)     # the text of scalars that are not strings

    def at(self, path: Path) -> tuple[int, int]:
        """Where the value at `path` starts, or its nearest existing ancestor."""
        p = tuple(path)
        while p:
            if p in self.values:
                return self.values[p]
            p = p[:-1]
        return self.start

    def key_at(self, path: Path) -> tuple[int, int]:
        """Where the key of `path` is written (for unknown fields), else its value."""
        p = tuple(path)
        if p in self.keys:
            return self.keys[p]
        return self.at(p)


def short_tag(tag: str) -> str:
    return "!!" + tag[len(STD):] if tag.startswith(STD) else tag


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Converter:
    def __init__(self, path: str, loader: yaml.SafeLoader):
        self.path = path
        self.loader = loader
        self.aliases = 0
        self.nodes = 0
        self.seen: set[int] = set()          # ids of nodes converted once (an alias repeats a node)
        self.stack: list[int] = []
        self.in_alias = 0                    # > 0 while expanding the target of an alias
        self.alias_site: Node | None = None  # the container of the outermost alias being expanded

    def err(self, node: Node, what: str, expected: str) -> InputError:
        line, col = _pos(node)
        return InputError(self.path, line, col, what, expected)

    def convert(self, node: Node, doc: Document, path: Path, parent: Node | None = None) -> Any:
        """Convert one node. `parent` (the containing node) locates an alias, which has no mark of its own."""
        where = parent if parent is not None else node
        self.nodes += 1
        if self.nodes > MAX_NODES:
            if self.in_alias and self.alias_site is not None:
                where = self.alias_site
            raise self.err(where, f"the document expands to more than {MAX_NODES} values (an alias bomb?)",
                           f"a level of at most {MAX_NODES} values after aliases are expanded")
        if id(node) in self.stack:
            raise self.err(where, "a recursive alias refers to the node that contains it",
                           "aliases that refer to complete, earlier nodes")
        if len(self.stack) >= MAX_DEPTH:
            raise self.err(where, f"the YAML nests more than {MAX_DEPTH} levels deep",
                           f"mappings and lists nested at most {MAX_DEPTH} deep")
        alias = id(node) in self.seen and self.in_alias == 0
        if alias:
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise self.err(where, f"more than {MAX_ALIASES} aliases (an alias bomb?)",
                               f"at most {MAX_ALIASES} uses of YAML aliases")
            if self.in_alias == 0:
                self.alias_site = where
            self.in_alias += 1
        try:
            return self._convert(node, doc, path)
        finally:
            if alias:
                self.in_alias -= 1

    def _convert(self, node: Node, doc: Document, path: Path) -> Any:
        self.seen.add(id(node))
        if node.tag not in ALLOWED_TAGS:
            raise self.err(node, f"the tag {short_tag(node.tag)} is not allowed",
                           "plain YAML: mappings, lists, strings, numbers, booleans and null")
        doc.values.setdefault(path, _pos(node))
        if isinstance(node, ScalarNode):
            value = self.scalar(node)
            if not isinstance(value, str):
                doc.raw[path] = node.value
            return value
        self.stack.append(id(node))
        try:
            if isinstance(node, SequenceNode):
                out = []
                for i, child in enumerate(node.value):
                    out.append(self.convert(child, doc, path + (i,), node))
                return out
            if isinstance(node, MappingNode):
                return self.mapping(node, doc, path)
        finally:
            self.stack.pop()
        raise self.err(node, "an unknown kind of YAML node", "a mapping, a list or a scalar")  # pragma: no cover

    def scalar(self, node: ScalarNode) -> Any:
        if node.tag in (STD + "timestamp", STD + "binary"):
            return node.value          # kept as the text written: Kubernetes reads it as a string
        if node.tag == STD + "str":
            return node.value
        if node.tag == STD + "int" and len(node.value) > MAX_INT_DIGITS:
            raise self.err(node, f"the number {node.value[:20]}... has more than {MAX_INT_DIGITS} digits",
                           "a number that fits in 64 bits")
        try:
            value = self.loader.construct_object(node)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:  # e.g. `!!int abc`
            raise self.err(node, f"cannot read {node.value[:40]!r} as {node.tag.rsplit(':', 1)[-1]}",
                           "a value of the tagged type") from exc
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise self.err(node, f"{node.value} is not a number JSON can hold (NaN and infinity are not)",
                           "a finite number")
        return value

    def mapping(self, node: MappingNode, doc: Document, path: Path) -> dict:
        out: dict = {}
        merged: dict = {}
        for knode, vnode in node.value:
            if knode.tag == STD + "merge":
                self.nodes += 1
                value = self.convert(vnode, doc, path + ("<<",), node)
                sources = value if isinstance(value, list) else [value]
                for src in sources:
                    if not isinstance(src, dict):
                        raise self.err(vnode, "a merge key `<<` needs a mapping or a list of mappings",
                                       "`<<: *anchor` where the anchor is a mapping")
                    for k, v in src.items():
                        merged.setdefault(k, v)
                continue
            if not isinstance(knode, ScalarNode):
                raise self.err(knode, "a mapping key must be a plain scalar", "a field name such as `name:`")
            self.nodes += 1
            if knode.tag not in SCALAR_TAGS:
                raise self.err(knode, f"the tag {short_tag(knode.tag)} is not allowed",
                               "plain YAML: mappings, lists, strings, numbers, booleans and null")
            key = self.scalar(knode)
            if isinstance(key, bool) or key is None:
                key = knode.value      # `on:`/`yes:`/`null:` as keys are field names, not booleans
            if key in out:
                raise self.err(knode, f'duplicate key "{key}"' , "each key at most once in a mapping")
            doc.keys[path + (key,)] = _pos(knode)
            out[key] = self.convert(vnode, doc, path + (key,), node)
        for k, v in merged.items():
            out.setdefault(k, v)
        return out


def _syntax_error(path: str, exc: yaml.YAMLError) -> InputError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    what = f"invalid YAML: {problem}" + (f" ({context})" if context and "expected" not in problem else "")
    what = what.replace("\n", " ")
    return InputError(path, line, col, what, "well-formed YAML")


def _reader_error(path: str, text: str, exc: yaml.reader.ReaderError) -> InputError:
    pos = max(0, int(getattr(exc, "position", 0) or 0))
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    char = getattr(exc, "character", "")
    if isinstance(char, str) and char:
        char = ord(char)
    code = f"#x{char:04x}" if isinstance(char, int) else "(unprintable)"
    return InputError(path, line, col, f"the text holds the control character {code}",
                      "printable text (YAML allows tabs and newlines, no other control characters)")


def parse_text(text: str, path: str) -> list[Document]:
    """Compose and convert every document of `text`; raise InputError on the first YAML problem."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:          # a control character: refused before parsing
        raise _reader_error(path, text, exc) from None
    docs: list[Document] = []
    conv = _Converter(path, loader)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:     # pragma: no cover - check_node said there is one
                break
            # anchors are per document; ids of the last document's nodes may be reused by this one's
            conv.seen.clear()
            conv.aliases = 0
            doc = Document(None, _pos(node))
            doc.value = conv.convert(node, doc, ())
            docs.append(doc)
    except yaml.reader.ReaderError as exc:
        raise _reader_error(path, text, exc) from None
    except yaml.YAMLError as exc:
        raise _syntax_error(path, exc) from None
    except RecursionError:
        raise InputError(path, 1, 1, "the YAML nests too deeply",
                         f"mappings and lists nested at most {MAX_DEPTH} deep") from None
    finally:
        loader.dispose()
    return docs


def read_regular(path: str | os.PathLike, max_bytes: int = MAX_BYTES, what: str = "file") -> bytes:
    """The bytes of a regular file of at most `max_bytes`. A directory, device, FIFO, socket or
    terminal is refused before anything is read (it is opened without blocking and checked)."""
    p = os.fspath(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(p, flags)
    except OSError as exc:
        raise InputError(p, 1, 1, f"cannot read the file: {exc.strerror or exc}", f"a readable {what}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = ("a directory" if stat.S_ISDIR(st.st_mode) else "a FIFO" if stat.S_ISFIFO(st.st_mode) else
                    "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
                    "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
            raise InputError(p, 1, 1, f"{p} is {kind}, not a regular file", f"a regular {what}")
        if st.st_size > max_bytes:
            raise InputError(p, 1, 1, f"the file is larger than {_size(max_bytes)}",
                             f"a {what} of at most {max_bytes} bytes")
        chunks = []
        total = 0
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:            # grew while being read
                raise InputError(p, 1, 1, f"the file is larger than {_size(max_bytes)}",
                                 f"a {what} of at most {max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(p, 1, 1, f"cannot read the {what}: {exc.strerror or exc}", f"a readable {what}") from None
    finally:
        os.close(fd)


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n >= 1024 * 1024 and n % (1024 * 1024) == 0 else f"{n} bytes"


def decode_utf8(data: bytes, path: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(path, line, col, "the file is not valid UTF-8", "a UTF-8 text file") from None
    return text[1:] if text.startswith("\ufeff") else text


def read_text(path: str | os.PathLike, max_bytes: int = MAX_BYTES, what: str = "file") -> str:
    """A regular UTF-8 text file of at most `max_bytes` (a leading BOM dropped)."""
    p = os.fspath(path)
    return decode_utf8(read_regular(p, max_bytes, what), p)


def read_level_text(path: str | os.PathLike) -> tuple[str, bytes]:
    """Read one level file (at most MAX_BYTES) as UTF-8; raise InputError otherwise."""
    p = os.fspath(path)
    data = read_regular(p, MAX_BYTES, "level file")
    return decode_utf8(data, p), data


def list_files(directory: str | os.PathLike, recursive: bool, suffixes: tuple[str, ...],
               max_files: int = MAX_FILES) -> list[str]:
    """The files with one of `suffixes` in `directory` (and below it with `recursive`), sorted,
    never leaving it through a symbolic link, at most `max_files` of them."""
    root = os.fspath(directory)
    out: list[str] = []
    for here, dirs, names in os.walk(root, followlinks=False):
        dirs.sort()
        for n in sorted(names):
            if n.endswith(suffixes):
                out.append(os.path.join(here, n))
                if len(out) > max_files:
                    raise InputError(root, 1, 1, f"more than {max_files} files in {root}",
                                     f"a directory of at most {max_files} manifest files")
        if not recursive:
            break
    return out


# -- JSON ------------------------------------------------------------------------------------------

def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def load_json(text: str, path: str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON: no NaN or Infinity, nesting at most `max_depth`; InputError otherwise."""
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise InputError(path, 1, 1, "the JSON nests too deeply", f"JSON nested at most {max_depth} deep") from None
    except ValueError as exc:
        line, col = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        msg = getattr(exc, "msg", None) or str(exc)
        raise InputError(path, line, col, f"invalid JSON: {msg}", "well-formed JSON") from None
    if _depth(value, max_depth) > max_depth:
        raise InputError(path, 1, 1, "the JSON nests too deeply", f"JSON nested at most {max_depth} deep")
    return value


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of plain data, without recursion (stops counting past `limit`)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, (dict, list)):
            deepest = max(deepest, d)
            if d > limit:
                return d
            stack.extend((x, d + 1) for x in (v.values() if isinstance(v, dict) else v))
    return deepest


# -- writing ----------------------------------------------------------------------------------------

def check_writable_target(path: str | os.PathLike) -> None:
    """Refuse to replace anything but a regular file (a device, FIFO, directory, socket)."""
    p = os.fspath(path)
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OSError(exc.errno, f"cannot write {p}: {exc.strerror}", p) from None
    if stat.S_ISLNK(st.st_mode):
        try:
            st = os.stat(p)
        except OSError:
            return                        # a dangling link is replaced by the new file, not followed
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise IsADirectoryError(21, f"{p} is {kind}; kubegame writes only regular files", p) \
            if stat.S_ISDIR(st.st_mode) else OSError(22, f"{p} is {kind}; kubegame writes only regular files", p)


def atomic_write(path: str | os.PathLike, text: str) -> None:
    """Write `text` to `path` atomically (temporary file + fsync + os.replace); the temporary file
    is removed whatever happens, and a target that is not a regular file is refused."""
    p = FsPath(path)
    check_writable_target(p)
    p.parent.mkdir(parents=True, exist_ok=True)
    for stale in p.parent.glob(f".{p.name}.*.tmp"):      # left by a writer that was killed
        try:
            stale.unlink()
        except OSError:
            pass
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable where the platform allows it
        dfd = os.open(p.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def write_new(path: str | os.PathLike, text: str) -> None:
    """Create a new file (never following a link, never replacing anything)."""
    p = os.fspath(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(p, flags, 0o644)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
    except BaseException:
        try:
            os.unlink(p)
        except OSError:
            pass
        raise

"""Safe YAML with a line and column for every node.

The file is composed into YAML nodes by PyYAML's SafeLoader (no constructor for
Python objects ever runs), then converted here into plain dicts, lists and scalars,
recording where each key and value starts. The conversion enforces the limits of
LEVEL_FORMAT.md: at most 1 MiB of input, a bounded number of aliases and of nodes
after alias expansion (so an alias bomb stops at once), only the standard YAML tags,
no recursive aliases, no duplicate keys. Nothing here opens a file but the one given.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kubegame.level.errors import LevelError

MAX_BYTES = 1024 * 1024          # LEVEL_FORMAT.md: a file over 1 MiB is rejected
MAX_ALIASES = 100                # alias uses per file
MAX_NODES = 100_000              # values after alias expansion, per file

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

    def err(self, node: Node, what: str, expected: str) -> LevelError:
        line, col = _pos(node)
        return LevelError(self.path, line, col, what, expected)

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
        try:
            return self.loader.construct_object(node)
        except yaml.YAMLError as exc:  # e.g. `!!int abc`
            raise self.err(node, f"cannot read {node.value!r} as {node.tag.rsplit(':', 1)[-1]}",
                           "a value of the tagged type") from exc

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


def _syntax_error(path: str, exc: yaml.YAMLError) -> LevelError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    what = f"invalid YAML: {problem}" + (f" ({context})" if context and "expected" not in problem else "")
    what = what.replace("\n", " ")
    return LevelError(path, line, col, what, "well-formed YAML")


def parse_text(text: str, path: str) -> list[Document]:
    """Compose and convert every document of `text`; raise LevelError on the first YAML problem."""
    loader = yaml.SafeLoader(text)
    docs: list[Document] = []
    conv = _Converter(path, loader)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:     # pragma: no cover - check_node said there is one
                break
            doc = Document(None, _pos(node))
            doc.value = conv.convert(node, doc, ())
            docs.append(doc)
    except yaml.YAMLError as exc:
        raise _syntax_error(path, exc) from None
    except RecursionError:
        raise LevelError(path, 1, 1, "the YAML nests too deeply", "a level nested at most a few dozen levels") from None
    finally:
        loader.dispose()
    return docs


def read_level_text(path: str | os.PathLike) -> tuple[str, bytes]:
    """Read one level file (at most MAX_BYTES) as UTF-8; raise LevelError otherwise."""
    p = os.fspath(path)
    try:
        with open(p, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise LevelError(p, 1, 1, f"cannot read the file: {exc.strerror or exc}", "a readable level file") from None
    if len(data) > MAX_BYTES:
        raise LevelError(p, 1, 1, "the file is larger than 1 MiB",
                         f"a level file of at most {MAX_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LevelError(p, line, col, "the file is not valid UTF-8", "a UTF-8 text file") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, data

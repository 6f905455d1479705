"""YAML with limits (kubegame/safeio.py says which), converted into plain values with a line and
column for every node.

Composed by libyaml through PyYAML's CSafeLoader (about ten times faster than the pure-Python
SafeLoader, and its marks carry the same lines and columns); when a text fails, it is read
again with the pure-Python SafeLoader, so every error is worded as PyYAML words it. Only the
parser differs: the resolver and constructors are PyYAML's own in both, and no constructor for
Python objects ever runs.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kubegame.safeio import MAX_ALIASES, MAX_DEPTH, MAX_INT_DIGITS, MAX_NODES, Document, InputError, Path  # noqa: F401

FAST_LOADER = getattr(yaml, "CSafeLoader", None)

STD = "tag:yaml.org,2002:"
SCALAR_TAGS = {STD + t for t in ("str", "int", "float", "bool", "null", "timestamp", "binary")}
ALLOWED_TAGS = SCALAR_TAGS | {STD + "map", STD + "seq", STD + "merge", STD + "omap", STD + "set"}


def short_tag(tag: str) -> str:
    return "!!" + tag[len(STD):] if tag.startswith(STD) else tag


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Converter:
    def __init__(self, path: str, loader: Any):
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
    if FAST_LOADER is not None:
        try:
            return _parse(text, path, FAST_LOADER)
        except (InputError, yaml.YAMLError, ValueError, TypeError):
            pass                # read again below, for PyYAML's own wording of the problem
    return _parse(text, path, yaml.SafeLoader)


def _parse(text: str, path: str, loader_class: Any) -> list[Document]:
    try:
        loader = loader_class(text)
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



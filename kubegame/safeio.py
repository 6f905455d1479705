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


def parse_text(text: str, path: str) -> list[Document]:
    """Compose and convert every document of `text`; raise InputError on the first YAML problem
    (kubegame/safeyaml.py: imported here on first use, so reading JSON never loads PyYAML)."""
    from kubegame.safeyaml import parse_text as parse
    return parse(text, path)


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

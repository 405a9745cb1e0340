"""Reading a large, valid catalog without PyYAML's node tree, and with PyYAML's values.

PyYAML composes a node per scalar (with its marks) before it makes a value: at 100,000 papers
that is most of a minute and gigabytes, paid only to locate problems a valid file does not have.
`parse` reads the file with yaml-rs (Rust, ~20x faster) and keeps the result only when it is
certain to equal PyYAML's: yaml-rs reads YAML 1.2, PyYAML 1.1, and they differ on some plain
scalars (`yes`, `on`, `010`, `0o17`, `1.0e3`, `12:30`, `2024-01-02`, `<<`, `=`). It never
resolves a quoted date (parse_datetime off: yaml-rs reads '2024-01-02' as a date otherwise).

What is checked, on the values and on the file's bytes:
- a string that YAML 1.1 would read as something else were it plain (`yes`, a date) must
  appear in the file only quoted (or inside a longer scalar);
- an integer may have been spelled with a leading zero or `0o`, where the two readings
  differ: no number in the file may start that way;
- a float (the schema has none) or any other type sends the file to PyYAML.
Anything else unusual (an alias, a tag, a directive, a duplicate key, a syntax error yaml-rs
refuses) goes to PyYAML too, which then reports the file as it always did. The returned
Document composes PyYAML's node tree only when a problem asks for a line.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bot.catalog import yamlfile
from bot.catalog.yamlfile import Document

MAX_AMBIGUOUS = 64  # distinct strings to look up in the file's bytes before PyYAML is cheaper


def _one_match(regexes: list[re.Pattern[str]]) -> Callable[[str], object]:
    """Whether any of the regexes matches, in one call: `_typed_strings` asks it of millions of strings."""
    if len(regexes) == 1:
        return regexes[0].match
    if len({r.flags for r in regexes}) == 1:
        return re.compile("|".join(f"(?:{r.pattern})" for r in regexes), regexes[0].flags).match
    return lambda text: any(r.match(text) for r in regexes)


# How YAML 1.1 (PyYAML) types a plain scalar, by its first character.
_RESOLVERS = {first: _one_match([regex for _, regex in found])
              for first, found in yaml.resolver.Resolver.yaml_implicit_resolvers.items()}
# Single bytes, each looked up as a one-byte slice (`b"x" in _QUOTES`; an empty slice, past
# the file's end, is never asked).
_QUOTES = b"'\""
_BEFORE_PLAIN = b" \t\n[{,"  # what may precede a plain scalar
_AFTER_PLAIN = b" \t\r\n,]}#:"  # ...and follow it
_SPACE_OR_FLOW = b" \t\r\n[]{},"
_INDICATORS = b":-?[{"
_LEADING_ZERO = re.compile(rb"0[0-9_oO]")
_OCTAL_LOOKING = re.compile(rb"[-+]?0(?:[0-9_]+|[oO][0-7_]+)")


def parse(raw: bytes, file: str, *, keep_bytes: bool = True) -> Document:
    """The file as `yamlfile.parse` reads it (same values, same problems), faster when it can.
    Without `keep_bytes`, a problem's line is found by reading `file` again (a large catalog's
    bytes are then not held while it is validated)."""
    data = _fast(raw)
    if data is None:
        return yamlfile.parse(raw, file)
    return Document(file, data, None, raw if keep_bytes else b"")  # the bytes, not a decoded copy (twice their size)


def read(path: Path) -> tuple[Document, str]:
    """`parse` of the file at `path` without keeping its bytes, and the SHA-256 of the bytes read.
    yaml-rs reads the bytes themselves: a decoded copy beside them (and the UTF-8 copy PyO3
    caches in a str that is not ASCII) were a third of the peak at 100,000 papers. OSError when
    the file cannot be read."""
    raw = path.read_bytes()
    return parse(raw, str(path), keep_bytes=False), hashlib.sha256(raw).hexdigest()


_BOM = "\ufeff".encode()


def _fast(raw: bytes) -> dict[str, Any] | None:
    """yaml-rs's reading of the file when it certainly equals PyYAML's, else None. The checks
    read the bytes: every character they look at is ASCII, which UTF-8 never uses inside a
    longer character."""
    try:
        import yaml_rs
    except ImportError:  # an install without it reads every file with PyYAML
        return None
    raw = raw.removeprefix(_BOM)
    if _unusual(raw):
        return None
    try:
        data = yaml_rs.load(raw, parse_datetime=False, encoder_errors="strict")
    except Exception:  # any refusal (not UTF-8, too): PyYAML reads it and says what is wrong, with the line
        return None
    if not isinstance(data, dict):
        return None
    found = _typed_strings(data)
    if found is None:
        return None
    typed, has_int = found
    ambiguous = _untyped_in_1_2(typed)
    if ambiguous is None or len(ambiguous) > MAX_AMBIGUOUS or any(_plain_in(raw, s.encode()) for s in ambiguous):
        return None
    if has_int and _leading_zero_number(raw):
        return None
    return data


def _unusual(text: bytes) -> bool:
    """An anchor or alias (refused, with its line, by yamlfile), a tag, a directive or a
    document marker may be in the file: PyYAML reads it. Looked for byte by byte (bytes.find
    is many times faster than a regular expression over 170 MB)."""
    if text.startswith((b"%", b"---", b"...")) or any(m in text for m in (b"\n%", b"\n---", b"\n...")):
        return True
    for mark in (b"&", b"*", b"!"):
        at = text.find(mark)
        while at >= 0:
            after = text[at + 1:at + 2] or b" "
            # (After `:`, `-` or `?` an indicator needs a space first: "**Affiliations:**" is text.)
            if after not in _SPACE_OR_FLOW and _may_start_scalar(text, at):
                return True
            at = text.find(mark, at + 1)
    return False


def _typed_strings(data: Any) -> tuple[set[str], bool] | None:
    """The strings that YAML 1.1 would type if they were plain, and whether any integer occurs;
    None when a value is of a type the two readings may disagree on (a float, for one)."""
    ambiguous: set[str] = set()
    has_int = False
    stack = [data]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is str:
            typed = _RESOLVERS.get(node[:1])
            if typed is not None and node and typed(node):
                ambiguous.add(node)
        elif kind is dict:
            stack.extend(node)
            stack.extend(node.values())
        elif kind is list:
            stack.extend(node)
        elif kind is int:
            has_int = True
        elif node is not None and kind is not bool:
            return None
    return ambiguous, has_int


def _untyped_in_1_2(strings: set[str]) -> set[str] | None:
    """Of strings YAML 1.1 would type if plain, those yaml-rs would read as strings even plain:
    only those may have been plain in the file. ('2305.10601' came quoted: plain, yaml-rs
    reads a float.) Asked of yaml-rs itself, all in one list; None when that list does not
    read back as one string or value per line."""
    import yaml_rs

    if not strings:
        return set()
    ordered = sorted(strings)
    if any("\n" in s or s != s.strip() for s in ordered):
        return None
    try:
        read = yaml_rs.loads("".join(f"- {s}\n" for s in ordered), parse_datetime=False)
    except Exception:
        return None
    if not isinstance(read, list) or len(read) != len(ordered):
        return None
    return {s for s, value in zip(ordered, read, strict=True) if isinstance(value, str)}


def _plain_in(text: bytes, value: bytes) -> bool:
    """Whether `value` may stand in the file as a whole plain scalar (not quoted, not part of
    a longer scalar). Erring towards yes only costs the slow path."""
    at = text.find(value)
    while at >= 0:
        before = text[at - 1:at] if at else b"\n"
        end = at + len(value)
        after = text[end:end + 1] or b"\n"
        if before not in _QUOTES and after in _AFTER_PLAIN and _may_start_scalar(text, at):
            return True
        at = text.find(value, at + 1)
    return False


def _may_start_scalar(text: bytes, at: int) -> bool:
    """Whether a value may begin at `at`: at a line's start (after its indentation), or after
    an indicator (`key:`, `- `, `? `) or a flow collection's bracket or comma, and spaces; a
    comma only on a line that may be in a flow collection (prose says "800,000" on a line
    `key: text`). Words before it ("Re-read 2026-12-02") make it part of a longer scalar."""
    if at and text[at - 1:at] not in _BEFORE_PLAIN:
        return False
    start = text.rfind(b"\n", 0, at) + 1
    before = text[start:at].rstrip(b" \t")
    if not before or before.lstrip(b" \t-") == b"":
        return True  # a line's first value, or a sequence entry's
    last = before[-1:]
    if last == b",":
        return b"[" in before or b"{" in before or b": " not in before
    return last in _INDICATORS


def _leading_zero_number(text: bytes) -> bool:
    """Whether a scalar may start with 0 and a digit, or 0o: octal in YAML 1.1, decimal or
    octal in 1.2 (010 is 8 to PyYAML, 10 to yaml-rs). Zeros inside ids and dates do not count."""
    for match in _LEADING_ZERO.finditer(text):
        at = match.start()
        if at and text[at - 1:at] in b"+-":
            at -= 1
        if not _may_start_scalar(text, at):
            continue
        end = at
        while end < len(text) and text[end:end + 1] not in _AFTER_PLAIN:
            end += 1
        if _OCTAL_LOOKING.fullmatch(text, at, end):
            return True
    return False

"""YAML reading that keeps line numbers, so every problem can be reported as FILE:LINE: message."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

# The C loader is ten times faster on large catalogs; fall back to pure Python where it is missing.
Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a data file, located by its 1-based line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class DataError(Exception):
    """A data file (catalog, keyword rules, digests) is invalid; `problems` lists every reason."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[DataError], tuple[list[Problem]]]:
        # Rebuilt from its problems, not its message: it crosses from a reload's worker process.
        return DataError, (self.problems,)


@dataclass(frozen=True)
class Document:
    """A parsed YAML file: its Python value and its node tree, for locating problems. A file read
    by `parse_fast` has no tree until a problem needs a line: PyYAML composes it then."""

    file: str
    data: Any
    composed: yaml.Node | None = None
    raw: bytes = field(default=b"", repr=False)   # the file's bytes, decoded again only for the tree

    @cached_property
    def root(self) -> yaml.Node:
        if self.composed is not None:
            return self.composed
        raw = self.raw or Path(self.file).read_bytes()
        loader = Loader(raw.decode("utf-8").removeprefix("\ufeff"))
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
        assert root is not None, "a document read by parse_fast is a mapping"
        return root

    def line(self, path: Sequence[str | int]) -> int:
        """The line of the deepest node on `path` (mapping keys and sequence indexes)."""
        node: yaml.Node = self.root
        for step in path:
            child = _child(node, step)
            if child is None:
                break
            node = child
        return node.start_mark.line + 1

    def problem(self, path: Sequence[str | int], message: str) -> Problem:
        return Problem(self.file, self.line(path), message)


def _child(node: yaml.Node, step: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(step):
                return value  # type: ignore[no-any-return]
    elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        return node.value[step]  # type: ignore[no-any-return]
    return None


def parse(raw: bytes, file: str) -> Document:
    """Decode and parse one YAML file; DataError (with the line) when that is impossible."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError([Problem(file, line, f"not UTF-8 text (byte 0x{raw[exc.start]:02x})")]) from None
    text = text.removeprefix("\ufeff")
    try:
        loader = Loader(text)
        try:
            root = loader.get_single_node()
            _refuse_aliases(text, root, file)  # before constructing: an alias bomb never expands
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        line = _line_to_edit(exc)
        raise DataError([Problem(file, line, f"invalid YAML: {exc.problem or exc.context}")]) from None
    except yaml.YAMLError as exc:
        raise DataError([Problem(file, 1, f"invalid YAML: {exc}")]) from None
    if root is None or data is None:
        raise DataError([Problem(file, 1, "empty file: expected a YAML mapping")])
    if not isinstance(data, dict):
        raise DataError([Problem(file, root.start_mark.line + 1,
                                 f"expected a mapping at the top, found {type(data).__name__}")])
    return Document(file, data, root)


def _line_to_edit(exc: yaml.MarkedYAMLError) -> int:
    """The line a person must fix. The scanner notices an unclosed quote or bracket, or a key
    without its colon, only on a later line (often the end of the file); the line where that
    quote, bracket or key began is the one to edit. A block's bad indentation is where it is found."""
    context = exc.context or ""
    starts = context.startswith(("while scanning a quoted scalar", "while scanning a simple key",
                                 "while parsing a flow"))
    mark = exc.context_mark if starts and exc.context_mark is not None else exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark else 1


# A cheap look for "&name" or "*name" where YAML allows them; only then is the tree walked.
_MAYBE_ALIAS = re.compile(r"(?:^|[\s\[{,:-])[&*][^\s\[\]{},]")


def _refuse_aliases(text: str, root: yaml.Node | None, file: str) -> None:
    match = _MAYBE_ALIAS.search(text)
    if match is None or root is None or _first_alias(root) is None:
        return
    line = text.count("\n", 0, match.start() + (match.group(0)[0] == "\n")) + 1
    raise DataError([Problem(file, line, "YAML anchors and aliases (&name / *name) are not allowed in data "
                                         "files: write the value out")])


def _first_alias(root: yaml.Node) -> yaml.Node | None:
    """The first node reached twice: how an alias looks once composed. One copy of a big value
    reused thousands of times through an alias would expand into gigabytes when constructed."""
    seen: set[int] = set()
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return node
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                stack += [value, key]
        elif isinstance(node, yaml.SequenceNode):
            stack += reversed(node.value)
    return None


def read(path: Path) -> Document:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError([Problem(str(path), 1, f"cannot read: {exc.strerror or exc}")]) from None
    return parse(raw, str(path))

"""Edits to existing papers in the catalog's YAML text, keeping everything else byte for byte.

`refresh` and `enrich` change a few fields of papers already in the file. Loading and dumping
the whole file would drop its comments and reflow its lines, so the edits are made on the text:
the node tree (with its line marks) says which lines hold a key's value; those lines are
replaced, and new keys or list items go after the paper's (or list's) last line. Callers
validate the result as a catalog before it replaces the file (`curate.replace_checked`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from bot.catalog.yamlfile import parse


class EditError(Exception):
    """The file's shape does not allow the edit (a flow-style paper, a paper id not found)."""


class Flow(dict[str, Any]):
    """A mapping written on one line, `{count: 1234, read: '2026-12-02'}`."""


@dataclass
class PaperChange:
    """What to change in one paper: values by key ("links.code" for a nested key), items to add
    at the end of its lists (errata, provenance)."""

    values: dict[str, Any] = field(default_factory=dict)
    append: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.values or self.append)


class _Dumper(yaml.SafeDumper):
    """Block mappings as the catalog writes them; tuples (author lists) and `Flow` inline."""




def _inline(dumper: yaml.SafeDumper, items: tuple[Any, ...]) -> yaml.Node:
    # Quoted like the catalog's own author lists: ["Hugo Touvron", "Thibaut Lavril"].
    nodes = [dumper.represent_scalar("tag:yaml.org,2002:str", x, style='"') if isinstance(x, str)
             else dumper.represent_data(x) for x in items]
    return yaml.SequenceNode("tag:yaml.org,2002:seq", nodes, flow_style=True)


_Dumper.add_representer(tuple, _inline)
_Dumper.add_representer(Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True))


def dump(value: Any, indent: str) -> str:
    text = yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                     width=100_000)
    return "".join(indent + line for line in text.splitlines(keepends=True))


@dataclass(frozen=True)
class _Span:
    start: int      # first line replaced (0-based)
    end: int        # first line kept after it; start == end inserts
    text: str
    depth: int      # the indentation: at one line, a nested key goes in before its parent's next sibling


def _end(node: yaml.Node, lines: list[str], floor: int) -> int:
    """The line after a node's last line, stepping back over the blank and comment lines that
    its end mark runs into (they belong to what follows)."""
    # A block collection's own end mark is where the next token starts (often the next key's
    # line): its last scalar's end is where its text stops.
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.value and not node.flow_style:
        node = node.value[-1][1] if isinstance(node, yaml.MappingNode) else node.value[-1]
    end = node.end_mark.line + (1 if node.end_mark.column else 0)
    while end > floor and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return end


def _entry(mapping: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    return next(((k, v) for k, v in mapping.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)


def _block(node: yaml.Node, what: str) -> None:
    if getattr(node, "flow_style", False):
        raise EditError(f"{what} is written in flow style ({{...}} or [...]): write it as a block to edit it")


def _set(mapping: yaml.MappingNode, key: str, value: Any, lines: list[str], end: int) -> _Span:
    """Replace `key: ...` in a block mapping, or add it after the mapping's last line (`end`)."""
    found = _entry(mapping, key)
    indent = " " * mapping.start_mark.column
    if found is None:
        return _Span(end, end, dump({key: value}, indent), len(indent))
    k, v = found
    return _Span(k.start_mark.line, _end(v, lines, k.start_mark.line + 1), dump({key: value}, indent), len(indent))


def _changes(paper: yaml.MappingNode, change: PaperChange, lines: list[str]) -> list[_Span]:
    end = _end(paper, lines, paper.start_mark.line + 1)
    spans = []
    for key, value in change.values.items():
        parent, dot, child = key.partition(".")
        if not dot:
            spans.append(_set(paper, key, value, lines, end))
            continue
        found = _entry(paper, parent)
        if found is None or not isinstance(found[1], yaml.MappingNode):
            spans.append(_set(paper, parent, {child: value}, lines, end))
        else:
            _block(found[1], parent)
            spans.append(_set(found[1], child, value, lines, _end(found[1], lines, found[0].start_mark.line + 1)))
    for key, items in change.append.items():
        found = _entry(paper, key)
        if found is None or not isinstance(found[1], yaml.SequenceNode) or not found[1].value:
            spans.append(_set(paper, key, list(items), lines, end))
            continue
        seq = found[1]
        _block(seq, key)
        at = _end(seq, lines, found[0].start_mark.line + 1)
        indent = seq.value[0].start_mark.column - 2
        spans.append(_Span(at, at, dump(items, " " * indent), indent + 1))
    return spans


def edit_papers(text: str, file: str, changes: Mapping[str, PaperChange]) -> str:
    """`text` with each paper's change applied; EditError when a paper is missing or not a block."""
    doc = parse(text.encode("utf-8"), file)
    papers = _entry(doc.root, "papers") if isinstance(doc.root, yaml.MappingNode) else None
    if papers is None or not isinstance(papers[1], yaml.SequenceNode):
        raise EditError(f"{file}: the catalog has no list of papers")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    spans: list[_Span] = []
    seen = set()
    for node in papers[1].value:
        pid = _entry(node, "id") if isinstance(node, yaml.MappingNode) else None
        if pid is None or pid[1].value not in changes or not changes[pid[1].value]:
            continue
        _block(node, f"paper {pid[1].value!r}")
        seen.add(pid[1].value)
        spans += _changes(node, changes[pid[1].value], lines)
    missing = [pid for pid, change in changes.items() if change and pid not in seen]
    if missing:
        raise EditError(f"{file}: no paper {', '.join(map(repr, missing))} to edit")
    return _apply(lines, spans)


def _apply(lines: list[str], spans: list[_Span]) -> str:
    # Inserts at a line go before a replacement starting there, the deepest first, then in the
    # order they were made.
    ordered = sorted(enumerate(spans), key=lambda p: (p[1].start, p[1].end != p[1].start, -p[1].depth, p[0]))
    out, at = [], 0
    for _, span in ordered:
        if span.start < at:
            raise EditError("two edits overlap")
        out += lines[at:span.start]
        out.append(span.text)
        at = span.end
    out += lines[at:]
    return "".join(out)

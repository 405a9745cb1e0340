"""`paperbot add`: papers into the catalog file by their arXiv ids.

The new entries are appended as YAML text at the end of the `papers:` list, so the file keeps
its comments, order and formatting; the result is validated as a whole before it replaces the
file in one atomic rename. Any failure leaves the file byte for byte as it was.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.catalog import catalog as catalog_mod
from bot.catalog.arxiv import ArxivEntry, ArxivError, Polite, fetch_entries, valid_id
from bot.catalog.catalog import Catalog
from bot.catalog.yamlfile import DataError, Problem, parse

_SLUG = re.compile(r"[^a-z0-9]+")


class CurateError(Exception):
    """Adding failed; the message is one line and the catalog file is unchanged."""


@dataclass(frozen=True)
class Added:
    added: tuple[tuple[str, str], ...]      # (paper id, title)
    present: tuple[tuple[str, str], ...]    # (arXiv id, paper id already holding it)


def slug_for(entry: ArxivEntry, taken: set[str]) -> str:
    """A catalog id from the paper's short name ("medusa" for "Medusa: Simple ..."), made unique."""
    head, sep, _ = entry.title.partition(":")
    name = head if sep and len(head) <= 40 else " ".join(entry.title.split()[:4])
    base = _SLUG.sub("-", name.lower()).strip("-")[:40].strip("-") or "paper"
    if not base[0].isalnum():
        base = "p-" + base
    slug, n = base, 2
    while slug in taken:
        slug = f"{base[:36]}-{entry.arxiv.replace('.', '')}" if n == 2 else f"{base[:34]}-{n}"
        n += 1
    taken.add(slug)
    return slug


def entry_for(entry: ArxivEntry, paper_id: str, section: str, orgs: list[str]) -> dict[str, Any]:
    """A catalog entry from arXiv's metadata: what arXiv cannot tell (impact, Chinese) stays out."""
    out: dict[str, Any] = {"id": paper_id, "title": entry.title}
    if entry.authors:
        out["authors"] = list(entry.authors)
    if entry.categories:
        out["categories"] = [c for c in entry.categories if re.match(r"^[a-z-]+(\.[A-Za-z-]+)?$", c)]
    out["arxiv"] = entry.arxiv
    out["date"] = entry.published[:7]
    out["section"] = section
    if orgs:
        out["orgs"] = orgs
    if entry.abstract:
        out["summary_en"] = entry.abstract
    return out


def entries_yaml(entries: list[dict[str, Any]]) -> str:
    """The entries as block YAML in the catalog's style: one item per paper, lists inline."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    blocks = [yaml.dump([e], Dumper=dumper, allow_unicode=True, sort_keys=False, default_flow_style=None,
                        width=100_000) for e in entries]
    return "\n".join(blocks)


def insert_papers(text: str, file: str, addition: str) -> str:
    """`text` with `addition` appended to its top-level `papers:` list (after its last item)."""
    doc = parse(text.encode("utf-8"), file)
    papers = next((value for key, value in doc.root.value if getattr(key, "value", None) == "papers"), None)
    if not isinstance(papers, yaml.SequenceNode) or papers.flow_style:
        raise CurateError(f"{file}: the catalog has no block list of papers to add to")
    lines = text.splitlines(keepends=True)
    if papers.value:
        last = papers.value[-1]
        end = last.end_mark.line + (1 if last.end_mark.column else 0)
    else:
        end = papers.start_mark.line + 1
    # The last item's node runs to the next key: step back over the blank and comment lines
    # that belong to what follows.
    while end > 0 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    head, tail = "".join(lines[:end]), "".join(lines[end:])
    if head and not head.endswith("\n"):
        head += "\n"
    return head + "\n" + addition + tail


def add_papers(path: Path, ids: list[str], section: str, orgs: list[str], *, api: str,
               delay: float = 3.0, timeout: float = 30.0, cache_dir: Path | None = None) -> Added:
    """Fetch the papers from arXiv and append them to the catalog at `path`, atomically."""
    wanted = []
    for raw in ids:
        arxiv = valid_id(raw.removeprefix("arXiv:").removeprefix("arxiv:"))
        if arxiv is None:
            raise CurateError(f"not an arXiv id: {raw!r} (expected the form 2401.10774)")
        wanted.append(arxiv)
    before, catalog = read_catalog(path, cache_dir)
    _check_references(catalog, section, orgs)
    known = {a: p.id for a in dict.fromkeys(wanted) if (p := catalog.with_arxiv(a)) is not None}
    present = tuple(known.items())
    new = [a for a in dict.fromkeys(wanted) if a not in known]
    if not new:
        return Added((), present)
    try:
        fetched = fetch_entries(new, api, timeout=timeout, polite=Polite(delay))
    except ArxivError as exc:
        raise CurateError(str(exc)) from None
    taken = set(catalog.ids)
    entries = [entry_for(fetched[a], slug_for(fetched[a], taken), section, orgs) for a in new]
    text = insert_papers(before.decode("utf-8"), str(path), entries_yaml(entries))
    replace_checked(path, before, text)
    return Added(tuple((e["id"], e["title"]) for e in entries), present)


def enrich(papers: list[dict[str, Any]], *, api: str, delay: float = 3.0, timeout: float = 30.0) -> int:
    """Fill `authors` and `categories` of imported entries from arXiv (the `add` path); how many."""
    wanted = [p for p in papers if p.get("arxiv") and not p.get("authors")]
    if not wanted:
        return 0
    try:
        fetched = fetch_entries([str(p["arxiv"]) for p in wanted], api, timeout=timeout, polite=Polite(delay))
    except ArxivError as exc:
        raise CurateError(str(exc)) from None
    for paper in wanted:
        entry = entry_for(fetched[str(paper["arxiv"])], str(paper["id"]), str(paper.get("section", "")), [])
        for key in ("authors", "categories"):
            if key in entry:
                paper[key] = entry[key]
    return len(wanted)


def read_catalog(path: Path, cache_dir: Path | None) -> tuple[bytes, Catalog]:
    """The file's bytes (to detect a change made meanwhile) and its catalog; CurateError when invalid."""
    try:
        before = path.read_bytes()
        return before, catalog_mod.load(path, cache_dir)
    except DataError as exc:
        raise CurateError(f"the catalog is invalid, fix it first: {exc.problems[0]}") from None
    except OSError as exc:
        raise CurateError(f"cannot read {path}: {exc.strerror or exc}") from None


def _check_references(catalog: Catalog, section: str, orgs: list[str]) -> None:
    if section not in catalog.section_by_id:
        known = ", ".join(s.id for s in catalog.sections)
        raise CurateError(f"unknown section {section!r} (known: {known})")
    for org in orgs:
        if org not in catalog.org_by_id:
            raise CurateError(f"unknown organisation {org!r}: add it to `organisations:` first")


def replace_checked(path: Path, before: bytes, text: str, what: str = "the new entries") -> None:
    """Write `text` beside `path`, validate it as a catalog, then rename it over `path`."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        try:
            catalog_mod.load(tmp, use_cache=False)
        except DataError as exc:
            first: Problem = exc.problems[0]
            raise CurateError(f"{what} would not validate: line {first.line}: {first.message}") from None
        if path.read_bytes() != before:
            raise CurateError(f"{path} changed while the papers were fetched; nothing was written")
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)

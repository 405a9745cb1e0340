"""`paperbot refresh`: the catalog's papers against arXiv's latest versions.

arXiv revises papers (authors added, titles reworded); the catalog was written from whichever
version its curator read. `compare` says, field by field, what the latest version changes;
`refresh` asks arXiv (batched and polite, as `add` does) and, with `write`, applies the changes
through the same comment-keeping, validated, atomic path, keeping each replaced value as an
erratum with the version it came from. A field someone corrected by hand (an erratum not
written by refresh) is never overwritten: its difference is reported as held.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.catalog.arxiv import ArxivEntry, ArxivError, fetch_entries, valid_id
from bot.catalog.catalog import display_name
from bot.catalog.curate import CurateError, read_catalog, replace_checked
from bot.catalog.schema import OTHERS, Erratum, Paper
from bot.catalog.web import Polite
from bot.catalog.yamledit import EditError, PaperChange, edit_papers

# The catalog fields arXiv's entry speaks for, by their catalog names.
FIELDS = ("title", "authors", "abstract_en")
_REFRESH_SOURCE = re.compile(r"^arXiv API v\d+$")

Value = str | tuple[str, ...]


def refresh_source(version: int) -> str:
    """The `source` of an erratum refresh writes: how a later refresh tells its own from a curator's."""
    return f"arXiv API v{version}"


@dataclass(frozen=True)
class FieldDiff:
    field: str
    catalog: Value
    arxiv: Value
    held: Erratum | None = None     # the hand correction that keeps the catalog's value


@dataclass(frozen=True)
class PaperDiff:
    paper_id: str
    arxiv: str
    catalog_version: int | None
    version: int
    fields: tuple[FieldDiff, ...]

    @property
    def changed(self) -> bool:
        return bool(self.fields) or self.catalog_version != self.version

    @property
    def applicable(self) -> tuple[FieldDiff, ...]:
        return tuple(f for f in self.fields if f.held is None)


def hand_correction(paper: Paper, field: str) -> Erratum | None:
    """An erratum on `field` that a person wrote (not an earlier refresh)."""
    return next((e for e in paper.errata if e.field == field and not _REFRESH_SOURCE.match(e.source)), None)


def arxiv_value(paper: Paper, entry: ArxivEntry, field: str) -> Value:
    if field == "title":
        return entry.title
    if field == "abstract_en":
        return entry.abstract
    if paper.authors_cut and len(entry.authors) > len(paper.named_authors):
        # A team of hundreds stays cut where the catalog cut it.
        return (*entry.authors[:len(paper.named_authors)], OTHERS)
    return entry.authors


def _shown_as(value: Value) -> Value:
    # The catalog may write a name family-first ("Canton Ferrer, Cristian") where arXiv writes
    # it as shown ("Cristian Canton Ferrer"): the same author, not a difference.
    return tuple(map(display_name, value)) if isinstance(value, tuple) else value


def compare(paper: Paper, entry: ArxivEntry) -> PaperDiff:
    diffs = []
    for field in FIELDS:
        ours: Value = getattr(paper, field)
        theirs = arxiv_value(paper, entry, field)
        if theirs and _shown_as(theirs) != _shown_as(ours):
            diffs.append(FieldDiff(field, ours, theirs, hand_correction(paper, field)))
    return PaperDiff(paper.id, entry.arxiv, paper.arxiv_version, entry.version, tuple(diffs))


def change_for(diff: PaperDiff, today: date) -> PaperChange:
    """The edit `--write` makes: the new values, and the old ones kept as errata."""
    change = PaperChange()
    if diff.catalog_version != diff.version:
        change.values["arxiv_version"] = diff.version
    for f in diff.applicable:
        change.values[f.field] = f.arxiv
        if f.catalog:
            was = f"v{diff.catalog_version}" if diff.catalog_version else "an earlier version"
            erratum: dict[str, Any] = {"field": f.field, "replaced": f.catalog}
            if diff.catalog_version:
                erratum["version"] = diff.catalog_version
            erratum["source"] = refresh_source(diff.version)
            erratum["note"] = f"arXiv v{diff.version} (read {today.isoformat()}) changed this; the value kept here followed {was}."
            change.append.setdefault("errata", []).append(erratum)
    return change


@dataclass(frozen=True)
class Refreshed:
    diffs: tuple[PaperDiff, ...]
    written: bool


def refresh(path: Path, ids: Sequence[str], *, api: str, write: bool = False, delay: float = 3.0,
            timeout: float = 30.0, cache_dir: Path | None = None, today: date | None = None,
            progress: Callable[[int, int], None] | None = None) -> Refreshed:
    """Compare the papers (all with an arXiv id when `ids` is empty) with arXiv; apply with `write`."""
    before, catalog = read_catalog(path, cache_dir)
    if ids:
        papers = []
        for raw in ids:
            arxiv = valid_id(raw.removeprefix("arXiv:").removeprefix("arxiv:"))
            paper = catalog.with_arxiv(arxiv) if arxiv else None
            if paper is None:
                raise CurateError(f"not in the catalog: {raw!r}" if arxiv else f"not an arXiv id: {raw!r}")
            papers.append(paper)
    else:
        papers = [p for p in catalog if p.arxiv]
    try:
        entries = fetch_entries([str(p.arxiv) for p in papers], api, timeout=timeout, polite=Polite(delay),
                                progress=progress)
    except ArxivError as exc:
        raise CurateError(str(exc)) from None
    diffs = tuple(compare(p, entries[str(p.arxiv)]) for p in papers)
    changes = {d.paper_id: change_for(d, today or date.today()) for d in diffs if d.changed}
    if not write or not any(changes.values()):
        return Refreshed(diffs, False)
    try:
        text = edit_papers(before.decode("utf-8"), str(path), changes)
    except EditError as exc:
        raise CurateError(str(exc)) from None
    replace_checked(path, before, text, "the refreshed values")
    return Refreshed(diffs, True)


# --- the report --------------------------------------------------------------------------

def _shown(value: Value, width: int = 100) -> str:
    text = ", ".join(value) if isinstance(value, tuple) else value
    return repr(text if len(text) <= width else text[:width - 1] + "…")


def _authors_change(old: tuple[str, ...], new: tuple[str, ...]) -> str:
    added = [a for a in new if a not in old]
    gone = [a for a in old if a not in new]
    parts = [f"{len(old)} → {len(new)} names"]
    for name in added:
        i = new.index(name)
        parts.append(f"+{name}" + (f" (after {new[i - 1]})" if i else " (first)"))
    parts += [f"-{name}" for name in gone]
    if not added and not gone:
        parts.append("the same names in a new order: " + _shown(new))
    return "; ".join(parts)


def describe(diff: PaperDiff) -> list[str]:
    """The lines `paperbot refresh` prints for one paper (nothing when it is as on arXiv)."""
    if not diff.changed:
        return []
    was = f"v{diff.catalog_version}" if diff.catalog_version else "version not recorded"
    lines = [f"{diff.paper_id} ({diff.arxiv}): {was} → arXiv v{diff.version}"]
    for f in diff.fields:
        name = "abstract" if f.field == "abstract_en" else f.field
        if isinstance(f.catalog, tuple) and isinstance(f.arxiv, tuple):
            what = _authors_change(f.catalog, f.arxiv)
        elif name == "abstract" and not f.catalog:
            what = f"none in the catalog → {_shown(f.arxiv, 60)}"
        else:
            what = f"{_shown(f.catalog)} → {_shown(f.arxiv)}"
        if f.held:
            src = f", source: {f.held.source}" if f.held.source else ""
            lines.append(f"  {name}: HELD, corrected by hand (erratum{src}: {f.held.note}); arXiv says {what}")
        else:
            lines.append(f"  {name}: {what}")
    return lines

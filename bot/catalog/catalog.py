"""The catalog: papers, sections and organisations, validated with YAML line numbers.

A Catalog is immutable once built; reloading builds a new one and the caller swaps a
reference. Loading goes through a compiled cache keyed by the file's content, because
parsing a 100,000-paper YAML file takes tens of seconds and a restart should not.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, overload

import numpy as np
from pydantic import TypeAdapter, ValidationError

from bot.arrays import distinct
from bot.catalog import curation_rules, paper_store, yaml_fast, yamlfile
from bot.catalog.mapped import KeyTable, Unusable
from bot.catalog.schema import CatalogFile, Organisation, Paper, Section, error_messages, field_paths
from bot.catalog.yamlfile import DataError, Document, Problem
from bot.text import normalise, normalise_many
from bot.workers import in_worker, run_in_worker

log = logging.getLogger(__name__)

# Bump when the cache's naming changes (the store's own format is versioned in paper_store).
CACHE_VERSION = 5
WORKER_BYTES = 32_000_000   # a catalog file this large is first parsed in a worker process (bot/workers.py)
MAX_SELECTIONS = 64      # filters' selections kept per catalog version (at most ~8 MB at 100,000 papers)
_PARTS: dict[str, TypeAdapter[Any]] = {
    "sections": TypeAdapter(Section), "organisations": TypeAdapter(Organisation), "papers": TypeAdapter(Paper)}
TRACEABLE = field_paths()


@dataclass(frozen=True)
class Catalog:
    # A tuple when built from YAML; `StoredPapers` (decoded on access) when opened from the cache.
    papers: Sequence[Paper]
    sections: tuple[Section, ...]
    organisations: tuple[Organisation, ...]
    source: str = ""
    digest_sha: str = ""
    store: paper_store.Store | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.papers)

    def __iter__(self) -> Iterator[Paper]:
        return iter(self.papers)

    @cached_property
    def ids(self) -> Sequence[str]:
        """Every paper's id, in catalog order (without decoding a stored paper)."""
        return self.store.papers.ids if self.store else tuple(p.id for p in self.papers)

    def get(self, paper_id: str) -> Paper | None:
        at = self._positions.get(paper_id)
        return None if at is None else self.papers[at]

    def with_arxiv(self, arxiv_id: str) -> Paper | None:
        at = self._arxiv.get(arxiv_id)
        return None if at is None else self.papers[at]

    @cached_property
    def _arxiv(self) -> dict[str, int]:
        return self.store.arxiv if self.store else {p.arxiv: i for i, p in enumerate(self.papers) if p.arxiv}

    @cached_property
    def section_by_id(self) -> dict[str, Section]:
        return {s.id: s for s in self.sections}

    @cached_property
    def org_by_id(self) -> dict[str, Organisation]:
        return {o.id: o for o in self.organisations}

    @cached_property
    def section_names(self) -> dict[str, str]:
        """Normalised section names and aliases -> section id."""
        return {normalise(name): s.id for s in self.sections for name in (s.id, s.zh, s.en, *s.aliases)}

    @cached_property
    def org_names(self) -> dict[str, str]:
        """Normalised organisation names and aliases -> organisation id."""
        return {normalise(n): o.id for o in self.organisations for n in (o.id, o.en, o.zh, *o.aliases) if n}

    @cached_property
    def groups(self) -> KeyTable:
        """`group_positions`, computed once per catalog (stored with a cached one)."""
        return self.store.groups if self.store else KeyTable.build(group_positions(self.papers))

    def _group(self, key: str) -> Selection:
        return Selection(self.papers, self.groups.array(key))

    def everything(self) -> Selection:
        return Selection(self.papers, range(len(self.papers)))

    def in_section(self, section_id: str) -> Selection:
        return self._group(f"s:{section_id}")

    def in_digest(self, digest_id: str, section_id: str) -> list[Paper]:
        """A digest's papers of one section, in the digest's order."""
        return [p for p in self._group(f"d:{digest_id}") if p.section == section_id]

    def by_author(self, key: str) -> Selection:
        """Papers with this author (`author_key` of the name)."""
        return self._group(f"a:{key}")

    @cached_property
    def authors(self) -> dict[str, str]:
        """Each author's key -> the name as the catalog writes it (first seen)."""
        return self.store.authors if self.store else author_names(self.papers)

    def by_org(self, org_id: str) -> Selection:
        return self._group(f"o:{org_id}")

    def in_month(self, year: int, month: int | None = None) -> Selection:
        """Papers dated in that month (or year), by the date their card shows."""
        return self._group(f"m:{year:04d}-{month:02d}" if month else f"y:{year:04d}")

    @cached_property
    def years(self) -> tuple[int, ...]:
        """Every year a paper is dated in, ascending."""
        return tuple(sorted(int(k[2:]) for k, _ in self.groups.starting_with("y:")))

    @property
    def latest_year(self) -> int:
        """"This year", as readers of the catalog mean it: the year of its newest paper."""
        return self.years[-1] if self.years else 0

    def in_months(self, year: int | None, months: range) -> Selection:
        """Papers dated in any of these months of that year (of any year when None), catalog order."""
        if year is not None and len(months) == 12:
            return self.in_month(year)
        found = [self.groups.array(f"m:{y:04d}-{m:02d}") for y in ((year,) if year is not None else self.years)
                 for m in months]
        return Selection(self.papers, distinct(np.concatenate(found)) if found else np.zeros(0, dtype=np.int32))

    def matching(self, selections: Sequence[Selection], *, without: Selection | None = None) -> Selection:
        """The papers in every one of the selections (all papers when none is given) but those
        `without`, in catalog order: sorted position arrays intersected in numpy, smallest first."""
        arrays = sorted((s.array() for s in selections), key=len)
        found = arrays[0] if arrays else np.arange(len(self.papers))
        for other in arrays[1:]:
            found = np.intersect1d(found, other, assume_unique=True)
        if without is not None:
            found = np.setdiff1d(found, without.array(), assume_unique=True)
        return Selection(self.papers, found)

    @cached_property
    def selections(self) -> dict[str, Selection]:
        """Selections already made of this catalog, by their filter's key: a list is counted,
        shown and remembered within one message, and computed once. Bounded by `remember`."""
        return {}

    def remember(self, key: str, selection: Selection) -> Selection:
        if len(self.selections) >= MAX_SELECTIONS:
            self.selections.clear()
        self.selections[key] = selection
        return selection

    def tagged(self, topic_id: str) -> Selection:
        """Papers whose `topics` list this topic."""
        return self._group(f"t:{topic_id}")

    @cached_property
    def venue_names(self) -> dict[str, str]:
        """Each venue name the catalog holds, normalised, to the short name its first paper gives
        it (one paper decoded per name, not every paper per message)."""
        out = {}
        for key, positions in self.groups.arrays_starting_with("v:"):
            venue = self.papers[int(positions[0])].venue
            if venue is not None:
                out[key[2:]] = venue.short or venue.name
        return out

    def at_venue_named(self, name: str) -> Selection:
        """Papers whose venue's short or full name has this normal form."""
        return self._group(f"v:{name}")

    def with_code(self, code: bool = True) -> Selection:
        """Papers with a code link (or, `code` False, without one)."""
        return self._group("c:code" if code else "c:none")

    @cached_property
    def months(self) -> tuple[str, ...]:
        """Every month ("YYYY-MM") a paper is dated in, ascending."""
        return tuple(sorted(k[2:] for k, _ in self.groups.starting_with("m:")))

    def between(self, first: str | None, last: str | None) -> Selection:
        """Papers dated from month `first` to month `last` ("YYYY-MM", both included; None: open)."""
        found = [i for m in self.months if (first is None or m >= first) and (last is None or m <= last)
                 for i in self.groups.get(f"m:{m}", ())]
        return Selection(self.papers, sorted(found))

    def posted_between(self, first: str | None, last: str | None) -> Selection:
        """Papers whose arXiv first posting (where it differs from their card's date) falls in
        these months: what a time filter tells the reader about, never what it lists."""
        found = [i for key, positions in self.groups.starting_with("x:")
                 if (first is None or key[2:] >= first) and (last is None or key[2:] <= last) for i in positions]
        return Selection(self.papers, sorted(found))

    @cached_property
    def date_rank(self) -> np.ndarray:
        """Each position's place in date order (the card's month, then catalog order): lists are
        shown oldest first, and "the second one" means the second shown."""
        order = [i for m in self.months for i in self.groups.get(f"m:{m}", ())]
        rank = np.empty(len(order), dtype=np.int64)
        rank[np.asarray(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int64)
        return rank

    def by_date(self, selection: Selection) -> Selection:
        """The same papers, oldest first (ties in catalog order)."""
        positions = selection.array()
        if len(positions) < 2:
            return selection
        ordered = positions[np.argsort(self.date_rank[positions], kind="stable")]
        return Selection(self.papers, ordered)   # an array: a list of 100,000 ints cost milliseconds, and a page reads 10

    def position(self, paper_id: str) -> int:
        """The paper's index in `papers` (its document number in the search index)."""
        return self._positions[paper_id]

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {pid: i for i, pid in enumerate(self.ids)}

    def org_label(self, paper: Paper, lang: str) -> str:
        sep = "、" if lang == "zh" else ", "
        return sep.join(self.org_by_id[o].name("zh" if lang == "zh" else "en")
                        for o in paper.orgs if o in self.org_by_id)

    def section_label(self, paper: Paper, lang: str) -> str:
        section = self.section_by_id.get(paper.section)
        if section is None:
            return paper.section
        return section.zh if lang == "zh" else section.en


class Selection(Sequence[Paper]):
    """Some of a catalog's papers, by position, read from it when asked: a list of 30,000
    papers costs its positions (an int array, or a range), and only the page shown is decoded
    from a stored catalog."""

    def __init__(self, papers: Sequence[Paper], positions: Sequence[int] | np.ndarray) -> None:
        self.papers, self.positions = papers, positions

    def __len__(self) -> int:
        return len(self.positions)

    def array(self) -> np.ndarray:
        """The positions as an int64 array (a range, such as every paper's, made in C: numpy
        reads a range one Python int at a time, milliseconds at 100,000 papers)."""
        if isinstance(self.positions, range):
            return np.arange(self.positions.start, self.positions.stop, self.positions.step, dtype=np.int64)
        return np.asarray(self.positions, dtype=np.int64)

    @overload
    def __getitem__(self, i: int) -> Paper: ...
    @overload
    def __getitem__(self, i: slice) -> Selection: ...
    def __getitem__(self, i: int | slice) -> Paper | Selection:
        if isinstance(i, slice):
            return Selection(self.papers, self.positions[i])
        return self.papers[int(self.positions[i])]

    def __iter__(self) -> Iterator[Paper]:
        return (self.papers[int(i)] for i in self.positions)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # mutable-looking, like a list

    def __repr__(self) -> str:
        return f"Selection({len(self)} papers)"


def group_positions(papers: Iterable[Paper]) -> dict[str, tuple[int, ...]]:
    """The positions of the papers of each "s:<section>", "o:<org>", "m:<YYYY-MM>", "y:<YYYY>",
    "d:<digest>", "a:<author key>", "t:<topic>", "c:code" / "c:none" (a code link or not) and
    "x:<YYYY-MM>" (arXiv's first posting, where it differs from the card's date), "v:<venue name>"
    (the normal form of its short or its full name), in catalog order:
    lists and pages stay cheap at 100,000 papers. A paper counts in the month (and year) its
    card shows (`date`), never silently in arXiv's: "2024's papers" are those dated 2024."""
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(papers):
        keys = {f"s:{p.section}", *(f"o:{o}" for o in p.orgs), f"d:{p.digest}",
                *(f"a:{author_key(a)}" for a in p.named_authors), *(f"t:{t}" for t in p.topics),
                f"m:{p.date}", f"y:{p.date[:4]}"}
        keys.add("c:code" if p.links.code else "c:none")
        if p.arxiv_date and p.arxiv_date != p.date:   # shown beside a time filter, never filtered by
            keys.add(f"x:{p.arxiv_date}")
        if p.venue:
            keys.update(f"v:{normalise(name)}" for name in (p.venue.short, p.venue.name) if name)
        for key in keys:
            groups.setdefault(key, []).append(i)
    return {k: tuple(v) for k, v in groups.items()}


def author_names(papers: Iterable[Paper]) -> dict[str, str]:
    """Each author's key -> the name as the catalog writes it (first seen)."""
    out: dict[str, str] = {}
    for p in papers:
        for a in p.named_authors:
            out.setdefault(author_key(a), display_name(a))
    return out


def display_name(author: str) -> str:
    """"Le Scao, Teven" (a surname of several words, written BibTeX's way) -> "Teven Le Scao"."""
    last, sep, first = author.partition(",")
    return f"{first.strip()} {last.strip()}" if sep else author


def author_key(author: str) -> str:
    """One form per author for lookups and callback data: the normal form, words joined by '+'."""
    return normalise(display_name(author)).replace(" ", "+")


def validate(doc: Document, *, consume: bool = False) -> Catalog:
    """Build a Catalog from a parsed file, or DataError listing every problem with its line.

    Entries are validated one by one, so one bad paper does not hide the problems of the
    others, and the cross-entry rules still run over the entries that are well formed.
    With `consume`, each entry's parsed value is let go once it is validated (the document is
    of no further use to the caller): at 100,000 papers the values and the papers made of them
    were together most of a gigabyte.
    """
    problems: list[Problem] = []
    parts: dict[str, list[Any]] = {}
    rows: dict[str, list[int]] = {}
    for key, adapter in _PARTS.items():
        value = doc.data.get(key, [] if key != "papers" else None)
        if not isinstance(value, list):
            what = "missing required field" if value is None else f"expected a list, found {type(value).__name__}"
            problems.append(doc.problem((key,), f"{key}: {what}"))
            parts[key], rows[key] = [], []
            continue
        parts[key], rows[key] = [], []
        for i, entry in enumerate(value):
            try:
                parts[key].append(adapter.validate_python(entry))
                rows[key].append(i)
                if consume:
                    value[i] = None
            except ValidationError as exc:
                problems.extend(doc.problem(loc, _with_entry(doc, (key, i), msg))
                                for loc, msg in error_messages(exc, prefix=(key, i)))
    for extra in sorted(set(doc.data) - set(_PARTS), key=str):
        problems.append(doc.problem((extra,), f"{extra}: unknown field"))
    parsed = CatalogFile(tuple(parts["papers"]), tuple(parts["sections"]), tuple(parts["organisations"]))
    problems.extend(cross_check(doc, parsed, rows["papers"]))
    if problems:
        raise DataError(problems)
    return Catalog(parsed.papers, parsed.sections, parsed.organisations, source=doc.file)


def _with_entry(doc: Document, loc: tuple[str | int, ...], message: str) -> str:
    """Prefix a message with the paper id, when the entry has one, for readers of long files."""
    if len(loc) >= 2 and loc[0] == "papers" and isinstance(loc[1], int):
        papers = doc.data.get("papers")
        if isinstance(papers, list) and loc[1] < len(papers) and isinstance(papers[loc[1]], dict):
            pid = papers[loc[1]].get("id")
            if isinstance(pid, str):
                return f"paper {pid!r}: {message}"
    return message


def cross_check(doc: Document, parsed: CatalogFile, rows: list[int]) -> Iterable[Problem]:
    """Rules across entries: unique ids, arXiv ids and aliases; known sections and organisations.

    `rows[i]` is the file position of `parsed.papers[i]`, for line numbers.
    """
    yield from _duplicates(doc, "sections", [s.id for s in parsed.sections], "section id")
    yield from _duplicates(doc, "organisations", [o.id for o in parsed.organisations], "organisation id")
    yield from _duplicates(doc, "papers", [p.id for p in parsed.papers], "paper id", rows)
    yield from _duplicates(doc, "papers", [p.arxiv for p in parsed.papers], "arXiv id", rows)
    sections = {s.id for s in parsed.sections}
    orgs = {o.id for o in parsed.organisations}
    owner: dict[str, tuple[int, str]] = {}
    # Every alias's normal form in one pass (one normalising pass over 100,000 aliases, not one each).
    alias_keys = normalise_many([alias for paper in parsed.papers for alias in paper.aliases])
    taken = 0
    for row, paper in enumerate(parsed.papers):
        i = rows[row]
        if paper.section not in sections:
            known = ", ".join(sorted(sections)) or "none defined"
            yield doc.problem(("papers", i, "section"),
                              f"paper {paper.id!r}: unknown section {paper.section!r} (known: {known})")
        for j, org in enumerate(paper.orgs):
            if org not in orgs:
                yield doc.problem(("papers", i, "orgs", j),
                                  f"paper {paper.id!r}: unknown organisation {org!r}")
        for where, message in curation_rules.problems(paper):
            yield doc.problem(("papers", i, *where), f"paper {paper.id!r}: {message}")
        for j, record in enumerate(paper.provenance):
            if record.field not in TRACEABLE:
                yield doc.problem(("papers", i, "provenance", j, "field"),
                                  f"paper {paper.id!r}: provenance of an unknown field {record.field!r}")
        keys, taken = alias_keys[taken:taken + len(paper.aliases)], taken + len(paper.aliases)
        for j, (alias, key) in enumerate(zip(paper.aliases, keys, strict=True)):
            first = owner.setdefault(key, (i, paper.id))
            if first[0] != i:
                yield doc.problem(("papers", i, "aliases", j),
                                  f"paper {paper.id!r}: alias {alias!r} is also an alias of "
                                  f"{first[1]!r} (line {doc.line(('papers', first[0]))})")


def _duplicates(doc: Document, key: str, values: list[Any], what: str,
                rows: list[int] | None = None) -> Iterable[Problem]:
    seen: dict[Any, int] = {}
    for row, value in enumerate(values):
        i = rows[row] if rows else row
        if value is None:
            continue
        if value in seen:
            first = doc.line((key, seen[value]))
            yield doc.problem((key, i), f"duplicate {what} {value!r} (first at line {first})")
        else:
            seen[value] = i


# --- loading, with the compiled cache ---------------------------------------------------


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "paperbot"


def load(path: Path, cache_dir: Path | None = None, *, use_cache: bool = True) -> Catalog:
    """Load and validate a catalog file; DataError when it is invalid.

    With the cache on, an unchanged file (same bytes) opens its compiled store instead of
    being parsed, and a parsed file is compiled into one and served from it, so a running
    bot never holds every paper as live objects. A cache that cannot be read or written is
    ignored: it only ever saves time and memory.
    """
    # One stat file per catalog path, and one store per path and content.
    path_key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    folder = cache_dir or default_cache_dir()
    stat_file = folder / f"catalog-v{CACHE_VERSION}-{path_key}.stat"
    if use_cache:
        # An unchanged file (same size, mtime and inode as when it was hashed) is not read or
        # hashed again: at 100,000 papers that is a fifth of a second of every start.
        digest = _known_digest(path, stat_file)
        cached = _open_store(paper_store.folder_for(folder, path_key, digest), path, digest) if digest else None
        if cached is not None:
            return cached
    try:
        if use_cache:
            # Hashed as a stream: a file whose store exists is never held in memory whole.
            with path.open("rb") as fh:
                digest = hashlib.file_digest(fh, "sha256").hexdigest()
            _remember_digest(path, stat_file, digest)
            cached = _open_store(paper_store.folder_for(folder, path_key, digest), path, digest)
            if cached is not None:
                return cached
            if path.stat().st_size >= WORKER_BYTES and not in_worker():
                cached = _compiled_in_worker(path, folder, path_key)
                if cached is not None:
                    return cached
    except OSError as exc:
        raise _unreadable(path, exc) from None
    catalog, digest = _parsed(path)
    if not use_cache:
        return catalog
    store = _stored(catalog, folder, path_key, digest)
    if store is None:
        return catalog
    stored = _open_store(store, path, digest)
    return stored if stored is not None else catalog   # (an empty catalog is falsy)


def _parsed(path: Path) -> tuple[Catalog, str]:
    """The file read and validated, and the digest of the bytes read."""
    try:
        # The digest is of the bytes parsed, should the file have changed meanwhile; they are not
        # held through the parse, validation and the store's writing (170 MB at 100,000 papers).
        doc, digest = yaml_fast.read(path)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    catalog = _validated(doc, path)
    del doc   # what is left of the parsed values, before the store is written
    return Catalog(catalog.papers, catalog.sections, catalog.organisations, source=str(path), digest_sha=digest), digest


def _unreadable(path: Path, exc: OSError) -> DataError:
    return DataError([Problem(str(path), 1, f"cannot read: {exc.strerror or exc}")])


def _stored(catalog: Catalog, folder: Path, path_key: str, digest: str) -> Path | None:
    """The catalog compiled into its store; None when it cannot be written (logged)."""
    store = paper_store.folder_for(folder, path_key, digest)
    try:
        paper_store.write(store, catalog.papers, catalog.sections, catalog.organisations,
                          group_positions(catalog.papers), catalog.authors)
    except OSError as exc:
        log.warning("catalog not cached (%s); the next start parses it again", exc)
        return None
    return store


def _compiled_in_worker(path: Path, folder: Path, path_key: str) -> Catalog | None:
    """A large file parsed, validated and compiled into its store by a worker process, and that
    store mapped: the parse's peak and the fragments it leaves go with the worker, and this
    process builds the index from a few dozen megabytes instead of from most of a gigabyte
    (100,000 papers: 1.1 GB peak, 945 MB with the parse in a worker). None when no worker can
    be had or the store was not written: then it is parsed here. A DataError comes back as the
    worker raised it, with its lines."""
    try:
        digest = run_in_worker(_compile_store, path, folder, path_key)
    except (OSError, BrokenProcessPool) as exc:
        log.warning("catalog parse worker unavailable (%s: %s); parsing in this process", type(exc).__name__, exc)
        return None
    return _open_store(paper_store.folder_for(folder, path_key, digest), path, digest) if digest else None


def _compile_store(path: Path, folder: Path, path_key: str) -> str | None:
    """In the worker: parse, validate and write the store; its digest, or None when it could not be written."""
    catalog, digest = _parsed(path)
    return digest if _stored(catalog, folder, path_key, digest) is not None else None


def _validated(doc: Document, path: Path) -> Catalog:
    """`validate`, the file read by the fast reader (`yaml_fast`: the same values, without
    PyYAML's node tree); a file with a problem is read again by PyYAML, whose tree locates every
    problem as it always did."""
    try:
        # The fast reading is read again by PyYAML should there be a problem, so its values can go.
        return validate(doc, consume=doc.composed is None)
    except DataError:
        if doc.composed is not None:
            raise   # PyYAML's reading already
        return validate(yamlfile.read(path))


def _open_store(store: Path, path: Path, digest: str) -> Catalog | None:
    if not store.is_dir():
        return None
    try:
        opened = paper_store.read(store)
    except Unusable as exc:
        log.warning("catalog cache %s is unusable (%s); parsing the catalog again", store.name, exc)
        shutil.rmtree(store, ignore_errors=True)
        return None
    return Catalog(opened.papers, opened.sections, opened.organisations, source=str(path), digest_sha=digest,
                   store=opened)


def _stat_key(path: Path) -> str | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


def _known_digest(path: Path, stat_file: Path) -> str | None:
    """The content hash recorded for this file, if it has not changed since (size, mtime, inode)."""
    key = _stat_key(path)
    try:
        recorded, digest = stat_file.read_text(encoding="utf-8").split()
    except (OSError, ValueError):
        return None
    return digest if key is not None and recorded == key else None


def _remember_digest(path: Path, stat_file: Path, digest: str) -> None:
    """Record the hash for this (size, mtime, inode), unless the file changed under two seconds
    ago: on a coarse-clock filesystem a second edit in the same tick would keep the same mtime
    ("racy clean", as git calls it), so such a file is hashed again next time."""
    key = _stat_key(path)
    if key is None or time.time() - int(key.split(":")[1]) / 1e9 < 2.0:
        return
    try:
        stat_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=stat_file.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"{key} {digest}\n")
        os.replace(tmp, stat_file)
    except OSError:
        pass

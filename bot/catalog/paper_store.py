"""The catalog's compiled form: every paper as one compact record in a mapped file.

At 100,000 papers, live `Paper` objects cost ~1 s to unpickle and ~300 MB; most of them are
never looked at between two restarts. So a loaded catalog keeps its papers here, decodes a
paper (~10 µs) when something asks for it, and forgets it again: the resident set is what is
being served. What catalog-wide lookups need (ids, arXiv ids, the papers of each section,
organisation, month, digest and author) is computed once when the folder is written.

Records are `marshal`ed tuples of plain values (its format is Python's own, so the folder is
keyed by the interpreter's version too); they were validated when the YAML was, so decoding
fills the dataclasses without validating again.
"""

from __future__ import annotations

import dataclasses
import marshal
import pickle
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from operator import attrgetter
from pathlib import Path
from typing import Any, overload

import numpy as np

from bot.catalog import mapped
from bot.catalog.schema import Citations, Erratum, Links, Organisation, Paper, Provenance, Section, Text, Venue

# 5: venue groups; 4: citations, venue, provenance; 3: papers carry topics; date groups read the card's
# date only; arXiv-date groups
STORE_VERSION = 5
FIELDS = tuple(f.name for f in dataclasses.fields(Paper))
_AT = {name: i for i, name in enumerate(FIELDS)}
_FORMAT = f"{STORE_VERSION}-py{sys.version_info.major}{sys.version_info.minor}"


# The fields holding one dataclass (or None), and those holding a tuple of them.
_ONE: dict[str, type[Any]] = {"impact": Text, "links": Links, "citations": Citations, "venue": Venue}
_MANY: dict[str, type[Any]] = {"errata": Erratum, "provenance": Provenance}
_NAMES = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in (*_ONE.values(), *_MANY.values())}
_GETTERS = {names: attrgetter(*names) for names in (FIELDS, *_NAMES.values())}


def _values(obj: Any, names: tuple[str, ...]) -> tuple[Any, ...]:
    # One C call for all of an object's fields (a generator of getattr was most of encoding).
    return _GETTERS[names](obj) if len(names) > 1 else (getattr(obj, names[0]),)


def _make(cls: type[Any], names: tuple[str, ...], values: Iterable[Any]) -> Any:
    obj = object.__new__(cls)
    obj.__dict__.update(zip(names, values, strict=True))
    return obj


def encode(paper: Paper) -> bytes:
    row = list(_values(paper, FIELDS))
    for name, cls in _ONE.items():
        value = row[_AT[name]]
        row[_AT[name]] = _values(value, _NAMES[cls]) if value is not None else None
    for name, cls in _MANY.items():
        row[_AT[name]] = tuple(_values(v, _NAMES[cls]) for v in row[_AT[name]])
    return marshal.dumps(tuple(row))


def decode(record: bytes) -> Paper:
    row = list(marshal.loads(record))
    for name, cls in _ONE.items():
        value = row[_AT[name]]
        row[_AT[name]] = _make(cls, _NAMES[cls], value) if value is not None else None
    for name, cls in _MANY.items():
        row[_AT[name]] = tuple(_make(cls, _NAMES[cls], v) for v in row[_AT[name]])
    paper: Paper = _make(Paper, FIELDS, row)
    return paper


class StoredPapers(Sequence[Paper]):
    """The papers of one store folder, decoded on each access (nothing is kept)."""

    def __init__(self, records: np.ndarray, ends: np.ndarray, ids: list[str]) -> None:
        self._records, self._ends, self.ids = records, ends, ids

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, i: int) -> Paper: ...
    @overload
    def __getitem__(self, i: slice) -> list[Paper]: ...
    def __getitem__(self, i: int | slice) -> Paper | list[Paper]:
        if isinstance(i, slice):
            return [self._decode(j) for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._decode(i)

    def __iter__(self) -> Iterator[Paper]:
        return (self._decode(i) for i in range(len(self)))

    def _decode(self, i: int) -> Paper:
        start = int(self._ends[i - 1]) if i else 0
        return decode(self._records[start:int(self._ends[i])].tobytes())


@dataclasses.dataclass(frozen=True)
class Store:
    """An opened store folder: the papers, and the lookups computed when it was written."""

    papers: StoredPapers
    sections: tuple[Section, ...]
    organisations: tuple[Organisation, ...]
    arxiv: dict[str, int]                 # arXiv id -> position
    groups: mapped.KeyTable               # as `Catalog.groups`: "s:<section>" etc. -> positions
    authors_pickle: bytes = dataclasses.field(repr=False)

    @cached_property
    def authors(self) -> dict[str, str]:
        """As `Catalog.authors`; unpickled when first asked (a question naming an author)."""
        authors: dict[str, str] = pickle.loads(self.authors_pickle)
        return authors


def folder_for(cache_dir: Path, path_key: str, digest: str) -> Path:
    return cache_dir / f"papers-{_FORMAT}-{path_key}-{digest}"


def write(folder: Path, papers: Sequence[Paper], sections: tuple[Section, ...],
          organisations: tuple[Organisation, ...], groups: Mapping[str, tuple[int, ...]],
          authors: dict[str, str]) -> None:
    # One growing buffer, not a list of records joined at the end: both at once were 400 MB of a
    # first start at 100,000 papers.
    records = bytearray()
    ends = np.empty(len(papers), dtype=np.int64)
    for i, paper in enumerate(papers):
        records += encode(paper)
        ends[i] = len(records)
    meta = pickle.dumps((sections, organisations, [p.id for p in papers], [p.arxiv or "" for p in papers]),
                        protocol=pickle.HIGHEST_PROTOCOL)
    arrays: dict[str, np.ndarray] = {"records": np.frombuffer(records, dtype=np.uint8), "ends": ends,
                                     **mapped.KeyTable.build(groups).arrays("groups_")}
    blobs = {"meta.pickle": meta, "authors.pickle": pickle.dumps(authors, protocol=pickle.HIGHEST_PROTOCOL)}
    if mapped.write(folder, {"format": _FORMAT, "papers": len(papers)}, arrays, blobs):
        # Older stores of this catalog path, in any format; and the pickle the cache used to be.
        path_key = folder.name.rsplit("-", 2)[1]
        for pattern in (f"papers-*-{path_key}-*", f"catalog-v*-{path_key}-*.pickle"):
            mapped.remove_others(folder, pattern)


def read(folder: Path) -> Store:
    """Open a store folder; `mapped.Unusable` when it is not sound."""
    found = mapped.read(folder, {"format": _FORMAT})
    sections, organisations, ids, arxivs = found.unpickle("meta.pickle")
    ends = found.arrays["ends"]
    if not len(ids) == len(ends) == found.header["papers"] or (len(ends) and ends[-1] != len(found.arrays["records"])):
        raise mapped.Unusable("inconsistent sizes")
    return Store(StoredPapers(found.arrays["records"], ends, ids), tuple(sections), tuple(organisations),
                 {a: i for i, a in enumerate(arxivs) if a}, found.key_table("groups_"), found.blobs["authors.pickle"])

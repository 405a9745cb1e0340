"""Building a search index over one catalog: every name's normal forms as exact-lookup keys,
the BM25 fields, and the words and names a typo may have meant. Pure: a catalog in, the parts
of a `SearchIndex` out (`bot/search/lookup.py` holds them)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate
from typing import NamedTuple

from bot.catalog.catalog import Catalog, display_name
from bot.catalog.mapped import KeyTable, Strings
from bot.catalog.schema import Paper
from bot.search.bm25 import BM25Index, Field
from bot.search.bm25 import build as build_bm25
from bot.text import STOPWORDS, is_cjk, normalise_many, squeeze

# Field weights: a word in a paper's names counts as much as three in its abstract.
NAME_WEIGHT = 3
DESCRIPTION_WEIGHT = 2


def paper_names(paper: Paper) -> list[str]:
    return [paper.id, paper.title, *_names_beside_title(paper)]


def _names_beside_title(paper: Paper) -> list[str]:
    return [paper.short_name, *paper.aliases, *([paper.arxiv] if paper.arxiv else [])]


def _impact_and_summary(paper: Paper) -> str:
    return f"{paper.impact_texts} {paper.summary_en}"


def _authors(paper: Paper) -> str:
    return " ".join(map(display_name, paper.named_authors))


def _description(paper: Paper) -> str:
    """The description field's whole text (the index holds it in two parts of one weight)."""
    return f"{_impact_and_summary(paper)} {_authors(paper)}"


def likeness_text(paper: Paper) -> str:
    """What the Similar button and "for you" compare papers by: title, impact and summary. The
    index keeps each paper's distinct terms of it (`BM25Index.kept`), from the fields that hold
    these texts: the title (a name) and the impact and summary (the description)."""
    return f"{paper.title} {_impact_and_summary(paper)}"


def _org_text(catalog: Catalog, paper: Paper) -> str:
    return " ".join(n for o in paper.orgs if (org := catalog.org_by_id.get(o)) for n in (org.en, org.zh, *org.aliases))


def _section_text(catalog: Catalog, paper: Paper) -> str:
    section = catalog.section_by_id.get(paper.section)
    return f"{section.zh} {section.en}" if section else ""


def content_words(normal: str) -> str:
    return " ".join(w for w in normal.split() if w not in STOPWORDS)


class Parts(NamedTuple):
    exact: KeyTable          # every normal name (and its compact and content-word forms) -> papers
    bm25: BM25Index
    latin_vocab: dict[tuple[str, int], list[str]]   # typo candidates by (first letter, length)
    name_buckets: dict[tuple[str, int], list[str]]  # compact names people type, the same way
    names: Strings           # each paper's normal names, a line each: scoring reads them per candidate


def build(catalog: Catalog, *, workers: int | None = None) -> Parts:
    """Build the index; `workers` as in `bm25.build` (None: parallel when that pays)."""
    papers = catalog.papers
    decoded: dict[tuple[int, int], Sequence[Paper]] = {}

    def chunk(lo: int, hi: int) -> Sequence[Paper]:
        """The papers lo .. hi - 1, decoded once for all of a chunk's fields (a stored
        catalog decodes a paper on each access)."""
        if (lo, hi) not in decoded:
            decoded.clear()
            decoded[(lo, hi)] = papers[lo:hi]
        return decoded[(lo, hi)]

    def normal_names(lo: int, hi: int) -> tuple[list[int], list[str], list[str], list[str]]:
        """For the papers lo .. hi - 1, counted beside their chunk (in a worker on a large
        catalog): every exact-lookup key with its paper (two flat lists: no tuple per name),
        the compact names people type, and each paper's normal names (one text, a line each)."""
        owners: list[int] = []
        every_name: list[str] = []
        firsts: list[bool] = []
        counts: list[int] = []
        for i, paper in enumerate(chunk(lo, hi), lo):
            own = paper_names(paper)
            counts.append(len(own))
            every_name.extend(own)
            owners.extend([i] * len(own))
            firsts.extend([True] + [False] * (len(own) - 1))
        key_owners: list[int] = []
        keys: list[str] = []
        typed: list[str] = []
        normals = normalise_many(every_name)
        ends = list(accumulate(counts))
        # Each name once: scoring takes the best of a paper's names, and a short name is often an alias too.
        per_paper = ["\n".join(dict.fromkeys(normals[a:b])) for a, b in zip([0, *ends], ends, strict=False)]
        for i, normal, first in zip(owners, normals, firsts, strict=True):
            squeezed = squeeze(normal)
            if not first and len(squeezed) >= 4 and squeezed[0].isalpha():
                typed.append(squeezed)  # not the id (always first): a name or an alias
            keys.append(normal)
            if squeezed != normal:
                keys.append(squeezed)
            if normal.count(" ") >= 3:
                # A title is also known by its content words, as people type it
                # ("improved baselines visual instruction tuning"), when three or more remain.
                content = content_words(normal)
                if content.count(" ") >= 2 and content != normal:
                    keys.append(content)
            key_owners.extend([i] * (len(keys) - len(key_owners)))
        return key_owners, keys, typed, per_paper

    # The fields' texts are made a chunk at a time, never all at once. A field split in two
    # parts of one weight (at a space) indexes as the whole did: a term's frequency is the
    # weighted sum over fields. The parts in `likeness_text` are kept fields.
    def titles(lo: int, hi: int) -> list[str]:
        return [p.title for p in chunk(lo, hi)]

    def names(lo: int, hi: int) -> list[str]:
        return [" ".join([p.id, *_names_beside_title(p)]) for p in chunk(lo, hi)]

    def impacts_and_summaries(lo: int, hi: int) -> list[str]:
        return [_impact_and_summary(p) for p in chunk(lo, hi)]

    def labels(lo: int, hi: int) -> list[str]:
        return [f"{_org_text(catalog, p)} {_section_text(catalog, p)}" for p in chunk(lo, hi)]

    def authors(lo: int, hi: int) -> list[str]:
        return [_authors(p) for p in chunk(lo, hi)]

    def abstracts(lo: int, hi: int) -> list[str]:
        return [p.abstract_zh for p in chunk(lo, hi)]

    bm25, named = build_bm25([Field(NAME_WEIGHT, titles, kept=True), Field(NAME_WEIGHT, names),
                              Field(DESCRIPTION_WEIGHT, labels, label=True),
                              Field(DESCRIPTION_WEIGHT, impacts_and_summaries, kept=True),
                              Field(DESCRIPTION_WEIGHT, authors), Field(1, abstracts)],
                             len(papers), workers=workers, also=normal_names)
    exact: dict[str, tuple[int, ...]] = {}
    typed: set[str] = set()   # compact names people type: not ids or arXiv ids
    normal_names_of: list[str] = []
    named.reverse()
    while named:  # each chunk's lists are freed once its keys are in the table
        owners, keys, chunk_typed, chunk_names = named.pop()
        typed.update(chunk_typed)
        normal_names_of += chunk_names
        for i, key in zip(owners, keys, strict=True):
            # Most keys name one paper, so a tuple beats a set (and this is a hot loop).
            have = exact.get(key)
            if have is None:
                if key:
                    exact[key] = (i,)
            elif i not in have:
                exact[key] = (*have, i)
    # Typo candidates bucketed by first letter and length: a misspelling rarely starts
    # wrong or changes the length by more than two, which keeps repair fast on large catalogs.
    latin: dict[tuple[str, int], list[str]] = {}
    for word in sorted(bm25.vocab):
        if word.isalpha() and len(word) >= 3 and not is_cjk(word):
            latin.setdefault((word[0], len(word)), []).append(word)
    # Compact names by first letter and length, for names typed with a slip.
    buckets: dict[tuple[str, int], list[str]] = {}
    for key in sorted(typed):
        buckets.setdefault((key[0], len(key)), []).append(key)
    return Parts(KeyTable.build(exact), bm25, latin, buckets, Strings.build(normal_names_of))

"""Search: from whatever a person types to the paper they mean, or an honest "nothing".

Pipeline, cheapest first:
1. exact lookup of the whole query (id, arXiv id, alias, title, short name; spaced or compact);
2. short queries (under 4 characters) match names and name prefixes only, never fuzzy scores;
3. otherwise BM25 over weighted fields (names > impact/summary > abstract) with English
   words and Chinese character bigrams, after repairing misspelled words against the
   catalog vocabulary (rapidfuzz, edit distance scaled by word length);
4. a re-rank of the shortlist by how much of the query each paper explains (coverage),
   names found inside the query, and fuzzy similarity to the paper's names;
5. a confidence verdict: one answer, "did you mean" (ambiguous), or none.
No I/O and no Telegram here: the handlers and the CLI call `search`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.bm25 import BM25Index
from bot.bm25 import build as build_bm25
from bot.catalog import Catalog
from bot.schema import Paper
from bot.text import compact, is_cjk, normalise, normalise_many, squeeze, tokens, words

Verdict = Literal["answer", "ambiguous", "none"]

# Field weights: a word in a paper's names counts as much as three in its abstract.
NAME_WEIGHT = 3
DESCRIPTION_WEIGHT = 2
SHORT_QUERY = 4          # compact length below which only names and prefixes match
MAX_QUERY_CHARS = 256    # longer input is cut: nobody names a paper in a paragraph
MIN_COVERAGE = 0.55      # a result must explain this much of the query
ANSWER_GAP = 0.12        # ...and beat the runner-up by this much to be the one answer
SHORTLIST = 12
ARXIV = re.compile(r"\b(\d{4}\.\d{4,5})(?:v\d+)?\b")


@dataclass(frozen=True)
class Hit:
    paper: Paper
    score: float
    why: str


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: tuple[Hit, ...]
    verdict: Verdict

    @property
    def best(self) -> Paper | None:
        return self.hits[0].paper if self.hits and self.verdict == "answer" else None


def allowed_edits(word: str) -> int:
    """Typos tolerated in a word: none under 4 letters, 1 up to 7, 2 from 8."""
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def paper_names(paper: Paper) -> list[str]:
    names = [paper.id, paper.title, paper.short_name, *paper.aliases]
    return names + ([paper.arxiv] if paper.arxiv else [])


def _description(paper: Paper) -> str:
    return " ".join([paper.impact.zh, paper.impact.en, paper.summary_en])


def _org_text(catalog: Catalog, paper: Paper) -> str:
    return " ".join(n for o in paper.orgs if (org := catalog.org_by_id.get(o)) for n in (org.en, org.zh, *org.aliases))


def _section_text(catalog: Catalog, paper: Paper) -> str:
    section = catalog.section_by_id.get(paper.section)
    return f"{section.zh} {section.en}" if section else ""


@dataclass
class SearchIndex:
    """An immutable index over one Catalog; build once per catalog version."""

    catalog: Catalog
    exact: dict[str, tuple[int, ...]]
    prefix_keys: list[str]
    bm25: BM25Index
    latin_vocab: dict[str, list[str]]

    @property
    def vocab(self) -> dict[str, int]:
        return self.bm25.vocab

    @classmethod
    def build(cls, catalog: Catalog, *, workers: int | None = None) -> SearchIndex:
        """Build the index; `workers` as in `bm25.build` (None: parallel when that pays)."""
        papers = catalog.papers
        def normal_names(lo: int, hi: int) -> tuple[list[int], list[str]]:
            """(paper, normalised name) for the papers lo .. hi - 1: counted beside their chunk."""
            owners: list[int] = []
            every_name: list[str] = []
            for i, paper in enumerate(papers[lo:hi], lo):
                own = paper_names(paper)
                every_name.extend(own)
                owners.extend([i] * len(own))
            return owners, normalise_many(every_name)

        # The fields' texts are made a chunk at a time, never all at once.
        def names(lo: int, hi: int) -> list[str]:
            return [" ".join(paper_names(p)) for p in papers[lo:hi]]

        def descriptions(lo: int, hi: int) -> list[str]:
            return [f"{_org_text(catalog, p)} {_section_text(catalog, p)} {_description(p)}" for p in papers[lo:hi]]

        def abstracts(lo: int, hi: int) -> list[str]:
            return [p.abstract_zh for p in papers[lo:hi]]

        bm25, named = build_bm25([(NAME_WEIGHT, names), (DESCRIPTION_WEIGHT, descriptions), (1, abstracts)],
                                 len(papers), workers=workers, also=normal_names)
        exact: dict[str, tuple[int, ...]] = {}
        for owners, normals in named:
            for i, normal in zip(owners, normals, strict=True):
                squeezed = squeeze(normal)
                for key in (normal, squeezed) if squeezed != normal else (normal,):
                    # Most keys name one paper, so a tuple beats a set (and this is a hot loop).
                    have = exact.get(key)
                    if have is None:
                        if key:
                            exact[key] = (i,)
                    elif i not in have:
                        exact[key] = (*have, i)
        # Typo candidates bucketed by first letter: a misspelling rarely starts wrong, and a
        # bucket is ~1/26 of the vocabulary, which keeps repair fast on large catalogs.
        latin: dict[str, list[str]] = {}
        for word in sorted(bm25.vocab):
            if word.isalpha() and len(word) >= 3 and not is_cjk(word):
                latin.setdefault(word[0], []).append(word)
        prefix = sorted(k for k in exact if " " not in k)
        return cls(catalog, exact, prefix, bm25, latin)

    def names_of(self, doc: int) -> list[str]:
        return [normalise(n) for n in paper_names(self.catalog.papers[doc])]

    # --- query side ---------------------------------------------------------------------

    def repair(self, word: str) -> str:
        """The catalog word a misspelled Latin word most likely meant, or the word itself."""
        if word in self.vocab or is_cjk(word) or not word.isalpha():
            return word
        edits = allowed_edits(word)
        if not edits:
            return word
        found = process.extractOne(word, self.latin_vocab.get(word[0], ()), scorer=OSA.distance, score_cutoff=edits)
        return found[0] if found else word

    def query_terms(self, normal: str) -> list[str]:
        """Search tokens after typo repair, plus joined neighbours that are catalog words
        ("flash attention" also looks for "flashattention")."""
        raw = tokens(normal)
        terms = [self.repair(t) for t in raw]
        latin = [t for t in terms if not is_cjk(t)]
        for a, b in pairwise(latin):
            if a + b in self.vocab:
                terms.append(a + b)
        return terms

    def names_in(self, normal: str) -> dict[int, float]:
        """Papers whose name appears as whole words inside the query, with the share it covers."""
        ws = words(normal)
        found: dict[int, float] = {}
        total = max(len(compact(normal)), 1)
        for n in range(min(len(ws), 5), 0, -1):
            for start in range(len(ws) - n + 1):
                key = squeeze("".join(ws[start:start + n]))
                if len(key) < 3 or key not in self.exact:
                    continue
                for i in self.exact[key]:
                    found[i] = max(found.get(i, 0.0), len(key) / total)
        return found


def search(query: str, index: SearchIndex, *, limit: int = 5) -> SearchResult:
    """Rank the catalog for a query; never raises on any string."""
    text = query[:MAX_QUERY_CHARS]
    return search_normalised(text, normalise(text), index, limit=limit)


def search_normalised(text: str, normal: str, index: SearchIndex, *, limit: int = 5) -> SearchResult:
    """`search` for a text already in the normal form (understanding normalises a message once)."""
    query = text
    key = squeeze(normal)
    papers = index.catalog.papers
    if not key:
        return SearchResult(query, (), "none")
    arxiv = ARXIV.search(text)
    if arxiv and arxiv.group(1) in index.catalog.by_arxiv:
        return SearchResult(query, (Hit(index.catalog.by_arxiv[arxiv.group(1)], 1.0, "arxiv"),), "answer")
    for candidate in (normal, key):
        if candidate in index.exact:
            ids = index.exact[candidate]
            hits = tuple(Hit(papers[i], 1.0, "name") for i in ids[:limit])
            return SearchResult(query, hits, "answer" if len(ids) == 1 else "ambiguous")
    if len(key) < SHORT_QUERY:
        return _prefix_search(query, key, index, limit)
    return _ranked_search(query, normal, index, limit)


def _prefix_search(query: str, key: str, index: SearchIndex, limit: int) -> SearchResult:
    from bisect import bisect_left

    start = bisect_left(index.prefix_keys, key)
    ids: list[int] = []
    for name in index.prefix_keys[start:]:
        if not name.startswith(key) or len(ids) > limit:
            break
        ids.extend(i for i in index.exact[name] if i not in ids)
    hits = tuple(Hit(index.catalog.papers[i], 0.5, "prefix") for i in ids[:limit])
    verdict: Verdict = "none" if not ids else "answer" if len(ids) == 1 else "ambiguous"
    return SearchResult(query, hits, verdict)


def _ranked_search(query: str, normal: str, index: SearchIndex, limit: int) -> SearchResult:
    terms = index.query_terms(normal)
    ids = {t: index.bm25.term(t) for t in dict.fromkeys(terms)}
    known = [i for i in ids.values() if i is not None]
    n_docs = len(index.catalog.papers)
    scores = index.bm25.scores(known)
    in_name = index.names_in(normal)
    candidates = set(in_name)
    if known and scores.any():
        k = min(SHORTLIST, n_docs)
        top = np.argpartition(-scores, k - 1)[:k] if n_docs > k else np.arange(n_docs)
        candidates.update(int(i) for i in top if scores[i] > 0)
    if not candidates:
        return SearchResult(query, (), "none")
    best_bm25 = max(float(scores.max()), 1e-9)
    ranked = sorted(((_score(i, terms, ids, normal, scores[i] / best_bm25, in_name.get(i, 0.0), index), i)
                     for i in candidates), reverse=True)
    hits = [Hit(index.catalog.papers[i], round(s, 4), "ranked") for s, i in ranked if s >= MIN_COVERAGE]
    if not hits:
        return SearchResult(query, (), "none")
    gap = hits[0].score - (hits[1].score if len(hits) > 1 else 0.0)
    verdict: Verdict = "answer" if gap >= ANSWER_GAP else "ambiguous"
    return SearchResult(query, tuple(hits[:limit]), verdict)


def coverage(terms: Iterable[str], ids: dict[str, int | None], doc: int, index: SearchIndex) -> float:
    """How much of the query a paper explains: Latin words by rarity, Chinese by characters.

    A Chinese character counts as covered when any query bigram holding it is in the paper,
    so bigrams that straddle two words (家模 in 混合专家模型) cost nothing.
    """
    have = want = 0.0
    cjk_chars: dict[int, bool] = {}
    position = 0
    idf, max_idf = index.bm25.idf, index.bm25.max_idf
    for term in terms:
        tid = ids.get(term)
        hit = tid is not None and index.bm25.contains(tid, doc)
        if is_cjk(term):
            for offset in range(len(term)):
                cjk_chars[position + offset] = cjk_chars.get(position + offset, False) or hit
            position += 1
            continue
        weight = 1.0 if tid is None else max(0.3, float(idf[tid]) / max_idf)
        want += weight
        have += weight if hit else 0.0
    if cjk_chars:
        want += 0.5 * len(cjk_chars)
        have += 0.5 * sum(cjk_chars.values())
    return have / want if want else 0.0


def _score(doc: int, terms: list[str], ids: dict[str, int | None], normal: str, bm25: float, name_share: float,
           index: SearchIndex) -> float:
    cover = coverage(terms, ids, doc, index)
    similarity = max((fuzz.token_set_ratio(normal, name) for name in index.names_of(doc)), default=0) / 100
    score = 0.45 * cover + 0.25 * bm25 + 0.15 * similarity + 0.15 * math.sqrt(name_share)
    if name_share >= 0.5:
        score += 0.2  # the query is mostly one of this paper's names
    return min(score, 1.0)

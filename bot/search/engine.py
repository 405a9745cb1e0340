"""Search: from whatever a person types to the paper they mean, or an honest "nothing".

Pipeline, cheapest first:
1. exact lookup of the whole query (id, arXiv id, alias, title, short name; spaced or compact);
2. short queries (under 4 characters) match names and name prefixes only, never fuzzy scores;
3. otherwise misspelled words are repaired against the catalog vocabulary (several
   candidates each, an adjacent swap preferred, then the commoner word), and a query that
   the repair turns into a name is that name;
4. BM25 over weighted fields (names > impact/summary > abstract) with English words and
   Chinese character bigrams, each script with its own statistics, for a shortlist;
5. a re-rank of the shortlist by how much of the query each paper explains (coverage), its
   names inside the query (also with a slip of a letter), the query's words in the order of a
   name or title (phrase evidence), and fuzzy similarity to the paper's names;
6. a confidence verdict: one answer only when the best paper explains most of the query's
   rare content and clearly beats the runner-up; else "did you mean" (ambiguous), or none.
No I/O and no Telegram here: the handlers and the CLI call `search`.
"""


from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np

from bot.catalog.schema import Paper
from bot.search import scoring
from bot.search.build import content_words
from bot.search.lookup import FUZZY_NAME_WORDS, repair_rank
from bot.search.lookup import SearchIndex as SearchIndex  # callers meet the index where they search
from bot.text import Normal, squeeze

Verdict = Literal["answer", "ambiguous", "none"]

SHORT_QUERY = 4          # compact length below which only names and prefixes match
MAX_QUERY_CHARS = 256    # longer input is cut: nobody names a paper in a paragraph
MIN_SCORE = 0.55         # a result must score this much to be shown at all
ANSWER_GAP = 0.12        # ...and beat the runner-up by this much to be the one answer
ANSWER_COVERAGE = 0.6    # ...and explain this much of the query's rare content
SHORTLIST = 24
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


def search(query: str, index: SearchIndex, *, limit: int = 5) -> SearchResult:
    """Rank the catalog for a query; never raises on any string."""
    text = query[:MAX_QUERY_CHARS]
    return search_normalised(text, Normal.of(text), index, limit=limit)


def search_normalised(text: str, q: Normal, index: SearchIndex, *, limit: int = 5) -> SearchResult:
    """`search` of a text given in its normal form (understanding normalises a message once)."""
    query = text
    key = q.compact
    if not key:
        return SearchResult(query, (), "none")
    arxiv = ARXIV.search(text)
    if arxiv and (paper := index.catalog.with_arxiv(arxiv.group(1))) is not None:
        return SearchResult(query, (Hit(paper, 1.0, "arxiv"),), "answer")
    for candidate in (q.text, key, content_words(q.text)):  # a name as typed: no repair needed
        if (owners := index.exact.get(candidate)) is not None:
            return _named(query, owners, 1.0, index, limit)
    fixes = index.fixes(q)
    slips = SlipMemo(index)
    named = _by_name(query, q, fixes, index, limit, slips)
    if named:
        return named
    if len(key) < SHORT_QUERY:
        return _prefix_search(query, key, index, limit)
    return _ranked_search(query, q, fixes, index, limit, slips)


class SlipMemo(dict[str, list[tuple[str, float]]]):
    """One query's `slipped_names`, each key searched once: the whole query is tried as a
    slipped name, and again as the longest run of its words inside it."""

    def __init__(self, index: SearchIndex) -> None:
        super().__init__()
        self.index = index

    def __missing__(self, key: str) -> list[tuple[str, float]]:
        found = self[key] = self.index.slipped_names(key)
        return found


def _by_name(query: str, q: Normal, fixes: dict[str, tuple[str, ...]], index: SearchIndex,
             limit: int, slips: SlipMemo) -> SearchResult | None:
    """The query as a whole is a paper's name once its misspelled words are repaired, or (a
    short query) with one slip of a letter in the whole name. (`search_normalised` has already
    looked the name up as typed.)"""
    key = q.compact
    if len(key) >= SHORT_QUERY:
        repaired = index.repaired(q, fixes)
        for candidate in (repaired, squeeze(repaired)):
            if (owners := index.exact.get(candidate)) is not None:
                return _named(query, owners, 0.95, index, limit)
    df = index.bm25.document_frequency
    # Only a query with an unknown or rare word is a slipped name: "meta llama" is two
    # well-known words, not a slip of MentalLlaMa.
    if (len(key) >= 5 and len(q.words) <= FUZZY_NAME_WORDS and q.script == "latin"
            and any(index.maybe_slip(w) for w in q.words)):
        ranked = [(repair_rank(cost, df(name)), name) for name, cost in slips[key]]
        if ranked:
            # Only the likeliest names count; they must all name the same paper(s).
            least = min(rank for rank, _ in ranked)
            ids = tuple(dict.fromkeys(i for rank, name in ranked if rank == least for i in index.exact[name]))
            return _named(query, ids, 0.9, index, limit)
    return None


def _named(query: str, ids: tuple[int, ...], score: float, index: SearchIndex, limit: int) -> SearchResult:
    hits = tuple(Hit(index.catalog.papers[i], score, "name") for i in ids[:limit])
    return SearchResult(query, hits, "answer" if len(ids) == 1 else "ambiguous")


def _prefix_search(query: str, key: str, index: SearchIndex, limit: int) -> SearchResult:
    ids: list[int] = []
    for name, owners in index.exact.starting_with(key):
        if len(ids) > limit:
            break
        if " " not in name:  # a compact name, as a short query is typed
            ids.extend(i for i in owners if i not in ids)
    hits = tuple(Hit(index.catalog.papers[i], 0.5, "prefix") for i in ids[:limit])
    verdict: Verdict = "none" if not ids else "answer" if len(ids) == 1 else "ambiguous"
    return SearchResult(query, hits, verdict)


def _round4(score: float) -> float:
    """`score` to 4 decimals as numpy rounds a float64, the number scores were always shown
    with (numpy's scalar `round` costs ~5 µs): the same double operations, times 10^4, half to
    even, divided back (Python's `round` of a float to an integer is exact)."""
    return round(score * 10000.0) / 10000.0


def _ranked_search(query: str, q: Normal, fixes: dict[str, tuple[str, ...]], index: SearchIndex,
                   limit: int, slips: SlipMemo) -> SearchResult:
    slots = index.query_terms(q, fixes)
    ids = {t: index.bm25.term(t) for slot in slots for t in slot}
    n_docs = len(index.catalog.papers)
    # A slot's first form counts fully, its other candidate repairs half: they widen the
    # shortlist, and the re-rank decides which reading of the query a paper matches.
    weights: dict[int, float] = {}
    for slot in slots:
        for rank, term in enumerate(slot):
            tid = ids[term]
            if tid is not None:
                weights[tid] = max(weights.get(tid, 0.0), 1.0 if rank == 0 else 0.5)
    gathered = index.bm25.gather(weights, weights=list(weights.values()))
    scores = gathered.scores()
    in_name = index.names_in(q, slips)
    candidates = set(in_name)
    if weights and scores.any():
        k = min(SHORTLIST, n_docs)
        top = np.argpartition(-scores, k - 1)[:k] if n_docs > k else np.arange(n_docs)
        candidates.update(top[scores[top] > 0].tolist())
    if not candidates:
        return SearchResult(query, (), "none")
    best_bm25 = max(float(scores.max()), 1e-9)
    query_words = scoring.weighted_words(q, fixes, index)
    held = gathered.holding(candidates)   # the terms of `ids`, each once
    weighed = scoring.weigh(slots, ids, index)
    shortlist = list(candidates)
    names = index.names_of_each(shortlist)
    shares = (scores[shortlist] / best_bm25).tolist()   # one division; Python floats blend faster than numpy's
    ranked = []
    for i, similarity, share, ordered, (cover, explained) in zip(
            shortlist, scoring.similarities(q.text, names), shares, scoring.best_phrases(query_words, names),
            scoring.coverages(weighed, shortlist, held), strict=True):
        name_share = in_name.get(i, 0.0)
        score = scoring.blend(ordered, similarity, cover, share, name_share)
        # A name inside the query explains its words, even typed with a slip ("lmm in a flash").
        ranked.append((score, max(explained, name_share), i))
    ranked.sort(reverse=True)
    shown = [(_round4(s), i) for s, _, i in ranked if s >= MIN_SCORE]
    if not shown:
        return SearchResult(query, (), "none")
    gap = shown[0][0] - (shown[1][0] if len(shown) > 1 else 0.0)
    # One answer only when the paper explains the query's rare content: "tacotron text to
    # speech" is not a text-to-speech paper that lacks the word tacotron.
    sure = gap >= ANSWER_GAP and ranked[0][1] >= ANSWER_COVERAGE
    hits = tuple(Hit(index.catalog.papers[i], s, "ranked") for s, i in shown[:limit])  # only these are decoded
    return SearchResult(query, hits, "answer" if sure else "ambiguous")


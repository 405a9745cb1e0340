"""Scoring a shortlisted paper against a query: how much of the query it explains (coverage),
the query's words in the order of one of its names (phrase evidence), fuzzy similarity to its
names, and the blend of these with BM25 that ranks the shortlist."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from rapidfuzz import fuzz, process

from bot.search.lookup import SearchIndex
from bot.text import STOPWORDS, Normal, is_cjk

WHOLE_RUN = 0.999        # phrase evidence of a query that is one unbroken run of a name
Slot = tuple[str, ...]


def word_weight(term: str, tid: int | None, index: SearchIndex) -> float:
    """How much a query word says about which paper is meant: rare words more, unknown words fully."""
    if term in STOPWORDS:
        return 0.1
    if tid is None:
        # An unknown word weighs as much as the rarest known one; an unknown number ("4bit") is weak.
        return 0.3 if any(c.isdigit() for c in term) else 1.0
    return max(0.3, float(index.bm25.idf[tid]) / index.bm25.max_idf)


@dataclass(frozen=True)
class Weighed:
    """A query slot as coverage counts it, the same for every paper: computed once per query."""

    terms: tuple[int | None, ...]   # the slot's forms as term numbers, likeliest first
    chars: int                      # Chinese characters it spans (0: a Latin word)
    weight: float
    unknown: float                  # extra weight of an unknown word in the rare-content share


def weigh(slots: Iterable[Slot], ids: dict[str, int | None], index: SearchIndex) -> list[Weighed]:
    out = []
    for slot in slots:
        terms = tuple(ids.get(term) for term in slot)
        if is_cjk(slot[0]):
            out.append(Weighed(terms, len(slot[0]), 0.0, 0.0))
            continue
        weight = word_weight(slot[0], ids.get(slot[0]), index)
        out.append(Weighed(terms, 0, weight, 0.5 * weight if weight == 1.0 and ids.get(slot[0]) is None else 0.0))
    return out


def coverage(slots: Sequence[Weighed], doc: int, held: Mapping[int, AbstractSet[int]]) -> tuple[float, float]:
    """How much of the query a paper explains: Latin words by rarity, Chinese by characters;
    and how much of its rare content, where an unknown word weighs more than any known one
    (likely a name the catalog lacks: "tacotron text to speech").

    A slot is covered when the paper has its likeliest form, and partly by another repair.
    A Chinese character counts as covered when any query bigram holding it is in the paper,
    so bigrams that straddle two words (家模 in 混合专家模型) cost nothing. `held` is, for each
    term, the shortlisted papers that have it (`BM25Index.holding`, once per query).
    """
    have = want = unknown = 0.0
    cjk_chars: dict[int, bool] = {}
    position = 0
    for slot in slots:
        found = next((rank for rank, tid in enumerate(slot.terms) if tid is not None and doc in held[tid]), None)
        if slot.chars:
            for offset in range(slot.chars):
                cjk_chars[position + offset] = cjk_chars.get(position + offset, False) or found is not None
            position += 1
            continue
        want += slot.weight
        unknown += slot.unknown
        # A paper that has only a less likely repair of the word explains it less.
        have += 0.0 if found is None else slot.weight if found == 0 else 0.6 * slot.weight
    if cjk_chars:
        want += 0.5 * len(cjk_chars)
        have += 0.5 * sum(cjk_chars.values())
    return (have / want, have / (want + unknown)) if want else (0.0, 0.0)


def coverages(slots: Sequence[Weighed], docs: Sequence[int],
              held: Mapping[int, AbstractSet[int]]) -> list[tuple[float, float]]:
    """`coverage` of each of `docs`, the same numbers, computed slot by slot over the papers that
    hold a slot's terms (a shortlisted paper holds few of them) instead of paper by paper."""
    want = unknown = 0.0
    have = dict.fromkeys(docs, 0.0)
    covering: dict[int, set[int]] = {}   # a Chinese character's position -> the papers covering it
    position = 0
    for slot in slots:
        found: dict[int, int] = {}   # paper -> the likeliest form of the slot it has
        for rank, tid in enumerate(slot.terms):
            if tid is not None:
                for doc in held[tid]:
                    found.setdefault(doc, rank)
        if slot.chars:
            for offset in range(slot.chars):
                covering.setdefault(position + offset, set()).update(found)
            position += 1
            continue
        want += slot.weight
        unknown += slot.unknown
        # Papers lacking the slot add nothing: x + 0.0 is x, so each sum is `coverage`'s.
        for doc, rank in found.items():
            have[doc] += slot.weight if rank == 0 else 0.6 * slot.weight
    if covering:
        want += 0.5 * len(covering)
        chars = dict.fromkeys(docs, 0)
        for holders in covering.values():
            for doc in holders:
                chars[doc] += 1
        for doc in docs:
            have[doc] += 0.5 * chars[doc]
    if not want:
        return [(0.0, 0.0)] * len(docs)
    return [(have[doc] / want, have[doc] / (want + unknown)) for doc in docs]


def weighted_words(q: Normal, fixes: dict[str, tuple[str, ...]], index: SearchIndex) -> list[tuple[str, float]]:
    """The query's Latin words (repaired) with their weights, in order, for phrase evidence."""
    terms = [fixes[w][0] for w in q.words if w in fixes]
    return [(term, word_weight(term, index.bm25.term(term), index)) for term in terms]


PHRASE_WINDOW = 2        # two query words count as a phrase when the name has them this close, in order


def phrase(query: list[tuple[str, float]], name: list[str]) -> float:
    """How much of the query a name holds as a phrase: half its longest common run of words,
    half its neighbouring query words that the name has in the same order, at most
    PHRASE_WINDOW apart (ordered-window bigrams); both weighted by the words' rarity.

    "open foundation language models" is a run of LLaMA's title but for one skipped word; a
    title holding those words far apart or in another order scores less. Both sides come
    without stopwords; one word in common is no phrase.
    """
    total = sum(w for _, w in query)
    if not total or not name or len(query) < 2:
        return 0.0
    where: dict[str, list[int]] = {}
    for at, word in enumerate(name):
        where.setdefault(word, []).append(at)
    if sum(word in where for word, _ in query) < 2:
        return 0.0  # neither a pair nor a run without two query words in the name (the usual case)
    pairs = want = 0.0
    for (a, wa), (b, wb) in pairwise(query):
        weight = (wa + wb) / 2
        want += weight
        if a in where and b in where and any(0 < q - p <= PHRASE_WINDOW for p in where[a] for q in where[b]):
            pairs += weight
    longest = run = 0.0
    count = best_count = 0
    previous: set[int] = set()
    for word, weight in query:  # the longest run: query words at consecutive name positions
        if word not in where:   # (the usual word: the run ends, as an empty `here` ends it below)
            run, count, previous = 0.0, 0, set()
            continue
        here = set(where[word])
        if previous and any(p - 1 in previous for p in here):
            run, count = run + weight, count + 1
            here = {p for p in here if p - 1 in previous}
        else:
            run, count = (weight, 1) if here else (0.0, 0)
        if count > 1 and run > longest:
            longest, best_count = run, count
        previous = here
    return (0.5 * (longest if best_count > 1 else 0.0) + 0.5 * pairs / want * total) / total


def best_phrase(query: list[tuple[str, float]], names: Iterable[str]) -> float:
    """The best `phrase` evidence among a paper's names (stopwords left out of them)."""
    return best_phrases(query, [names])[0]


def best_phrases(query: list[tuple[str, float]], papers: Iterable[Iterable[str]]) -> list[float]:
    """`best_phrase` of each paper's names, what the query needs worked out once."""
    if len(query) < 2:
        return [0.0 for _ in papers]
    wanted = {word for word, _ in query}
    repeated = len(wanted) < len(query)
    out = []
    for names in papers:
        best = 0.0
        if not repeated and len(wanted.intersection(" ".join(names).split())) < 2:
            out.append(best)   # no name of it has two query words if all of them together lack them
            continue
        for name in names:
            words = name.split()
            # Most names share fewer than two of the query's words, and `phrase` is 0 for them.
            if repeated or len(wanted.intersection(words)) >= 2:
                best = max(best, phrase(query, [w for w in words if w not in STOPWORDS]))
        out.append(best)
    return out


def similarities(normal: str, names: Sequence[Sequence[str]]) -> list[float]:
    """Each shortlisted paper's best fuzzy similarity (0..1) of its names to the query: one
    rapidfuzz call over every name of the shortlist."""
    flat = [name for own in names for name in own]
    if not flat:
        return [0.0] * len(names)
    ratios = process.cdist([normal], flat, scorer=fuzz.token_set_ratio, dtype=np.float64)[0]
    sizes = np.fromiter(map(len, names), dtype=np.int64, count=len(names))
    starts = (np.cumsum(sizes) - sizes)[sizes > 0]   # reduceat's groups: the papers that have names
    best = np.zeros(len(names))
    best[sizes > 0] = np.maximum.reduceat(ratios, starts) / 100
    return best.tolist()


def score(names: list[str], similarity: float, cover: float, query_words: list[tuple[str, float]], bm25: float,
          name_share: float) -> float:
    """The blend that ranks a shortlisted paper; `similarity` as `similarities` gives it."""
    return blend(best_phrase(query_words, names), similarity, cover, bm25, name_share)


def blend(ordered: float, similarity: float, cover: float, bm25: float, name_share: float) -> float:
    """`score` given the paper's phrase evidence (`best_phrases`)."""
    # Phrase evidence is a bonus on top: descriptions rarely follow a title's word order.
    score = 0.45 * cover + 0.25 * bm25 + 0.15 * similarity + 0.15 * math.sqrt(name_share) + 0.2 * ordered
    if name_share >= 0.5:
        score += 0.2  # the query is mostly one of this paper's names
    if ordered >= WHOLE_RUN:
        score += 0.1  # the whole query is a run of one of its names: a title fragment
    return score


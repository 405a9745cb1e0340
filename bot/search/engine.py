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

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

from bot.catalog.catalog import Catalog, display_name
from bot.catalog.mapped import KeyTable
from bot.catalog.schema import Paper
from bot.search.bm25 import BM25Index, Field
from bot.search.bm25 import build as build_bm25
from bot.text import STOPWORDS, Normal, is_cjk, normalise, normalise_many, squeeze

Verdict = Literal["answer", "ambiguous", "none"]

# Field weights: a word in a paper's names counts as much as three in its abstract.
NAME_WEIGHT = 3
DESCRIPTION_WEIGHT = 2
SHORT_QUERY = 4          # compact length below which only names and prefixes match
MAX_QUERY_CHARS = 256    # longer input is cut: nobody names a paper in a paragraph
MIN_SCORE = 0.55         # a result must score this much to be shown at all
ANSWER_GAP = 0.12        # ...and beat the runner-up by this much to be the one answer
ANSWER_COVERAGE = 0.6    # ...and explain this much of the query's rare content
SHORTLIST = 24
FUZZY_NAME_WORDS = 4     # names with a slipped letter are looked for in queries this short
REPAIRS = 3              # candidate corrections kept per misspelled word
WHOLE_RUN = 0.999        # phrase evidence of a query that is one unbroken run of a name
RARE = 2                 # a word in at most this many papers may be a slip of a name
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


def slip_cost(typed: str, meant: str) -> float:
    """Edits from `typed` to `meant`, an adjacent swap counting less than other edits.

    A swap has one way to happen, a wrong letter twenty-five, so of two candidates one
    edit away the swapped one is the likelier meaning ("gpqt" is GPTQ, not GPQA).
    """
    osa = OSA.distance(typed, meant)
    swaps = Levenshtein.distance(typed, meant) - osa  # each adjacent swap: 2 Levenshtein edits, 1 OSA
    if not swaps and sorted(typed) == sorted(meant):
        return 0.75 * osa  # the right letters misplaced ("lamma" for llama): a slip, not another word
    return osa - 0.25 * swaps


def repair_rank(cost: float, frequency: int) -> float:
    """A noisy-channel ordering of candidate words: fewer, likelier edits first, and of similar
    edits the word more papers use (a famous name is likelier meant than an obscure one)."""
    return cost - 0.5 * math.log10(1 + frequency)


_DIGITS = re.compile(r"\d+")


def same_numbers(a: str, b: str) -> bool:
    """Versions are not typos: "gemini 2" never slips into "gemini"."""
    return _DIGITS.findall(a) == _DIGITS.findall(b)


def paper_names(paper: Paper) -> list[str]:
    names = [paper.id, paper.title, paper.short_name, *paper.aliases]
    return names + ([paper.arxiv] if paper.arxiv else [])


def _description(paper: Paper) -> str:
    return " ".join([paper.impact_texts, paper.summary_en, *map(display_name, paper.named_authors)])


def _org_text(catalog: Catalog, paper: Paper) -> str:
    return " ".join(n for o in paper.orgs if (org := catalog.org_by_id.get(o)) for n in (org.en, org.zh, *org.aliases))


def _section_text(catalog: Catalog, paper: Paper) -> str:
    section = catalog.section_by_id.get(paper.section)
    return f"{section.zh} {section.en}" if section else ""


@dataclass
class SearchIndex:
    """An immutable index over one Catalog; build once per catalog version."""

    catalog: Catalog
    exact: KeyTable          # every normal name (and its compact and content-word forms) -> papers
    bm25: BM25Index
    latin_vocab: dict[tuple[str, int], list[str]]
    name_buckets: dict[tuple[str, int], list[str]]

    @property
    def vocab(self) -> dict[str, int]:
        return self.bm25.vocab

    @classmethod
    def build(cls, catalog: Catalog, *, workers: int | None = None) -> SearchIndex:
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

        def normal_names(lo: int, hi: int) -> tuple[list[int], list[str], list[str]]:
            """For the papers lo .. hi - 1, counted beside their chunk (in a worker on a large
            catalog): every exact-lookup key with its paper (two flat lists: no tuple per name),
            and the compact names people type."""
            owners: list[int] = []
            every_name: list[str] = []
            firsts: list[bool] = []
            for i, paper in enumerate(chunk(lo, hi), lo):
                own = paper_names(paper)
                every_name.extend(own)
                owners.extend([i] * len(own))
                firsts.extend([True] + [False] * (len(own) - 1))
            key_owners: list[int] = []
            keys: list[str] = []
            typed: list[str] = []
            for i, normal, first in zip(owners, normalise_many(every_name), firsts, strict=True):
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
            return key_owners, keys, typed

        # The fields' texts are made a chunk at a time, never all at once.
        def names(lo: int, hi: int) -> list[str]:
            return [" ".join(paper_names(p)) for p in chunk(lo, hi)]

        def labels(lo: int, hi: int) -> list[str]:
            return [f"{_org_text(catalog, p)} {_section_text(catalog, p)}" for p in chunk(lo, hi)]

        def descriptions(lo: int, hi: int) -> list[str]:
            return [_description(p) for p in chunk(lo, hi)]

        def abstracts(lo: int, hi: int) -> list[str]:
            return [p.abstract_zh for p in chunk(lo, hi)]

        bm25, named = build_bm25([Field(NAME_WEIGHT, names), Field(DESCRIPTION_WEIGHT, labels, label=True),
                                  Field(DESCRIPTION_WEIGHT, descriptions), Field(1, abstracts)],
                                 len(papers), workers=workers, also=normal_names)
        exact: dict[str, tuple[int, ...]] = {}
        typed: set[str] = set()   # compact names people type: not ids or arXiv ids
        named.reverse()
        while named:  # each chunk's lists are freed once its keys are in the table
            owners, keys, chunk_typed = named.pop()
            typed.update(chunk_typed)
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
        return cls(catalog, KeyTable.build(exact), bm25, latin, buckets)

    def names_of(self, doc: int) -> list[str]:
        return [normalise(n) for n in paper_names(self.catalog.papers[doc])]

    # --- query side ---------------------------------------------------------------------

    def repairs(self, word: str) -> tuple[str, ...]:
        """The catalog words a Latin word may have meant, likeliest first (the word itself when
        the catalog has it and no far commoner word is one swap away)."""
        if is_cjk(word) or not word.isalpha() or not allowed_edits(word):
            return (word,)
        df = self.bm25.document_frequency
        if word in self.vocab:
            # A known word is kept unless a swap of two letters gives a word ten times commoner:
            # a typo printed in one title ("specualtive") still means the common word.
            own = df(word)
            swapped = (word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1))
            better = sorted((-df(w), w) for w in swapped if w != word and df(w) >= 10 * max(own, 1))
            return (better[0][1], word) if better else (word,)
        edits = allowed_edits(word)
        reach = max(edits, 2)
        found = [w for size in range(len(word) - reach, len(word) + reach + 1)
                 for w, _, _ in process.extract(word, self.latin_vocab.get((word[0], size), ()), scorer=OSA.distance,
                                                score_cutoff=reach, limit=None)]
        costs = ((slip_cost(word, w), w) for w in found)
        # Misplaced letters may cost half an edit more than the word's allowance.
        ranked = sorted((repair_rank(cost, df(w)), w) for cost, w in costs if cost <= edits + 0.5)
        return tuple(w for _, w in ranked[:REPAIRS]) or (word,)

    def fixes(self, q: Normal) -> dict[str, tuple[str, ...]]:
        """`repairs` of each word of a query, computed once per query."""
        return {w: self.repairs(w) for w in q.words if not is_cjk(w) and w not in STOPWORDS}

    def query_terms(self, q: Normal, fixes: dict[str, tuple[str, ...]]) -> list[tuple[str, ...]]:
        """One slot per search token: the token's likeliest catalog forms, best first; plus
        joined neighbours that are catalog words ("flash attention" also looks for "flashattention")."""
        slots = [fixes.get(t, (t,)) for t in q.tokens]
        latin = [slot[0] for slot in slots if not is_cjk(slot[0])]
        for a, b in pairwise(latin):
            if a + b in self.vocab:
                slots.append((a + b,))
        return slots

    @staticmethod
    def repaired(q: Normal, fixes: dict[str, tuple[str, ...]]) -> str:
        """The query with each misspelled word replaced by its likeliest repair."""
        return " ".join(fixes[w][0] if w in fixes else w for w in q.words)

    def slipped_names(self, key: str) -> list[tuple[str, float]]:
        """Compact names one slip away from `key` (two for long keys), with their cost.

        A four-letter key only matches across a swap of two letters; numbers must agree.
        """
        edits = 0 if len(key) < 4 else 1 if len(key) < 8 else 2
        if not edits:
            return []
        out = []
        for size in range(len(key) - edits, len(key) + edits + 1):
            for name, _, _ in process.extract(key, self.name_buckets.get((key[0], size), ()), scorer=OSA.distance,
                                              score_cutoff=edits + 1, limit=None):
                cost = slip_cost(key, name)
                if cost <= edits + 0.5 and same_numbers(key, name) and (len(key) > 4 or cost < 1):
                    out.append((name, cost))
        return out

    def maybe_slip(self, word: str) -> bool:
        """An unknown or rare Latin word may be a slip of a name ("bilp", "lama"); a common one is not."""
        return not is_cjk(word) and word not in STOPWORDS and self.bm25.document_frequency(word) <= RARE

    def names_in(self, q: Normal) -> dict[int, float]:
        """Papers whose name appears as whole words inside the query, with the share it covers;
        in a short query, also a name typed with a slip (its share a little smaller)."""
        ws = q.words
        found: dict[int, float] = {}
        total = max(len(q.compact), 1)
        # A slipped name is looked for in a short query, among n-grams holding a rare word or
        # spanning several words ("lmm in a flash"): one common word alone is no slip.
        short = len(ws) <= FUZZY_NAME_WORDS
        rare = [short and self.maybe_slip(w) for w in ws]
        for n in range(min(len(ws), 5), 0, -1):
            for start in range(len(ws) - n + 1):
                key = squeeze("".join(ws[start:start + n]))
                if len(key) < 3:
                    continue
                matches = [(key, 0.0)] if key in self.exact else (
                    self.slipped_names(key) if (any(rare[start:start + n]) or (short and n > 1)) and not is_cjk(key)
                    else [])
                for name, cost in matches:
                    share = len(key) / total * (1 - 0.15 * cost)
                    for i in self.exact[name]:
                        found[i] = max(found.get(i, 0.0), share)
        return found


def content_words(normal: str) -> str:
    return " ".join(w for w in normal.split() if w not in STOPWORDS)


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
        if candidate in index.exact:
            return _named(query, index.exact[candidate], 1.0, index, limit)
    fixes = index.fixes(q)
    named = _by_name(query, q, fixes, index, limit)
    if named:
        return named
    if len(key) < SHORT_QUERY:
        return _prefix_search(query, key, index, limit)
    return _ranked_search(query, q, fixes, index, limit)


def _by_name(query: str, q: Normal, fixes: dict[str, tuple[str, ...]], index: SearchIndex,
             limit: int) -> SearchResult | None:
    """The query as a whole is a paper's name once its misspelled words are repaired, or (a
    short query) with one slip of a letter in the whole name. (`search_normalised` has already
    looked the name up as typed.)"""
    key = q.compact
    if len(key) >= SHORT_QUERY:
        repaired = index.repaired(q, fixes)
        for candidate in (repaired, squeeze(repaired)):
            if candidate in index.exact:
                return _named(query, index.exact[candidate], 0.95, index, limit)
    df = index.bm25.document_frequency
    # Only a query with an unknown or rare word is a slipped name: "meta llama" is two
    # well-known words, not a slip of MentalLlaMa.
    if (len(key) >= 5 and len(q.words) <= FUZZY_NAME_WORDS and q.script == "latin"
            and any(index.maybe_slip(w) for w in q.words)):
        slips = [(repair_rank(cost, df(name)), name) for name, cost in index.slipped_names(key)]
        if slips:
            # Only the likeliest names count; they must all name the same paper(s).
            least = min(rank for rank, _ in slips)
            ids = tuple(dict.fromkeys(i for rank, name in slips if rank == least for i in index.exact[name]))
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


Slot = tuple[str, ...]


def _ranked_search(query: str, q: Normal, fixes: dict[str, tuple[str, ...]], index: SearchIndex,
                   limit: int) -> SearchResult:
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
    scores = index.bm25.scores(weights, weights=list(weights.values()))
    in_name = index.names_in(q)
    candidates = set(in_name)
    if weights and scores.any():
        k = min(SHORTLIST, n_docs)
        top = np.argpartition(-scores, k - 1)[:k] if n_docs > k else np.arange(n_docs)
        candidates.update(int(i) for i in top if scores[i] > 0)
    if not candidates:
        return SearchResult(query, (), "none")
    best_bm25 = max(float(scores.max()), 1e-9)
    query_words = _weighted_words(q, fixes, index)
    ranked = []
    for i in candidates:
        cover, explained = coverage(slots, ids, i, index)
        score = _score(i, cover, q.text, query_words, scores[i] / best_bm25, in_name.get(i, 0.0), index)
        # A name inside the query explains its words, even typed with a slip ("lmm in a flash").
        ranked.append((score, max(explained, in_name.get(i, 0.0)), i))
    ranked.sort(reverse=True)
    hits = [Hit(index.catalog.papers[i], round(s, 4), "ranked") for s, _, i in ranked if s >= MIN_SCORE]
    if not hits:
        return SearchResult(query, (), "none")
    gap = hits[0].score - (hits[1].score if len(hits) > 1 else 0.0)
    # One answer only when the paper explains the query's rare content: "tacotron text to
    # speech" is not a text-to-speech paper that lacks the word tacotron.
    sure = gap >= ANSWER_GAP and ranked[0][1] >= ANSWER_COVERAGE
    return SearchResult(query, tuple(hits[:limit]), "answer" if sure else "ambiguous")


def _weight(term: str, tid: int | None, index: SearchIndex) -> float:
    """How much a query word says about which paper is meant: rare words more, unknown words fully."""
    if term in STOPWORDS:
        return 0.1
    if tid is None:
        # An unknown word weighs as much as the rarest known one; an unknown number ("4bit") is weak.
        return 0.3 if any(c.isdigit() for c in term) else 1.0
    return max(0.3, float(index.bm25.idf[tid]) / index.bm25.max_idf)


def coverage(slots: Iterable[Slot], ids: dict[str, int | None], doc: int, index: SearchIndex) -> tuple[float, float]:
    """How much of the query a paper explains: Latin words by rarity, Chinese by characters;
    and how much of its rare content, where an unknown word weighs more than any known one
    (likely a name the catalog lacks: "tacotron text to speech").

    A slot is covered when the paper has its likeliest form, and partly by another repair.
    A Chinese character counts as covered when any query bigram holding it is in the paper,
    so bigrams that straddle two words (家模 in 混合专家模型) cost nothing.
    """
    have = want = unknown = 0.0
    cjk_chars: dict[int, bool] = {}
    position = 0
    for slot in slots:
        found = next((rank for rank, term in enumerate(slot)
                      if (tid := ids.get(term)) is not None and index.bm25.contains(tid, doc)), None)
        if is_cjk(slot[0]):
            for offset in range(len(slot[0])):
                cjk_chars[position + offset] = cjk_chars.get(position + offset, False) or found is not None
            position += 1
            continue
        weight = _weight(slot[0], ids.get(slot[0]), index)
        want += weight
        unknown += 0.5 * weight if weight == 1.0 and ids.get(slot[0]) is None else 0.0
        # A paper that has only a less likely repair of the word explains it less.
        have += 0.0 if found is None else weight if found == 0 else 0.6 * weight
    if cjk_chars:
        want += 0.5 * len(cjk_chars)
        have += 0.5 * sum(cjk_chars.values())
    return (have / want, have / (want + unknown)) if want else (0.0, 0.0)


def _weighted_words(q: Normal, fixes: dict[str, tuple[str, ...]], index: SearchIndex) -> list[tuple[str, float]]:
    """The query's Latin words (repaired) with their weights, in order, for phrase evidence."""
    terms = [fixes[w][0] for w in q.words if w in fixes]
    return [(term, _weight(term, index.bm25.term(term), index)) for term in terms]


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
    pairs = want = 0.0
    for (a, wa), (b, wb) in pairwise(query):
        weight = (wa + wb) / 2
        want += weight
        if any(0 < q - p <= PHRASE_WINDOW for p in where.get(a, ()) for q in where.get(b, ())):
            pairs += weight
    longest = run = 0.0
    count = best_count = 0
    previous: set[int] = set()
    for word, weight in query:  # the longest run: query words at consecutive name positions
        here = set(where.get(word, ()))
        if here and previous and any(p - 1 in previous for p in here):
            run, count = run + weight, count + 1
            here = {p for p in here if p - 1 in previous}
        else:
            run, count = (weight, 1) if here else (0.0, 0)
        if count > 1 and run > longest:
            longest, best_count = run, count
        previous = here
    return (0.5 * (longest if best_count > 1 else 0.0) + 0.5 * pairs / want * total) / total


def _score(doc: int, cover: float, normal: str, query_words: list[tuple[str, float]], bm25: float,
           name_share: float, index: SearchIndex) -> float:
    names = index.names_of(doc)
    similarity = max((fuzz.token_set_ratio(normal, name) for name in names), default=0) / 100
    ordered = max((phrase(query_words, [w for w in name.split() if w not in STOPWORDS]) for name in names),
                  default=0.0) if len(query_words) > 1 else 0.0
    # Phrase evidence is a bonus on top: descriptions rarely follow a title's word order.
    score = 0.45 * cover + 0.25 * bm25 + 0.15 * similarity + 0.15 * math.sqrt(name_share) + 0.2 * ordered
    if name_share >= 0.5:
        score += 0.2  # the query is mostly one of this paper's names
    if ordered >= WHOLE_RUN:
        score += 0.1  # the whole query is a run of one of its names: a title fragment
    return score

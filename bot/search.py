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

from bot.catalog import Catalog
from bot.schema import Paper
from bot.text import compact, is_cjk, normalise, tokens, words

Verdict = Literal["answer", "ambiguous", "none"]

# Field weights: a word in a paper's names counts as much as three in its abstract.
NAME_WEIGHT = 3
DESCRIPTION_WEIGHT = 2
SHORT_QUERY = 4          # compact length below which only names and prefixes match
MAX_QUERY_CHARS = 256    # longer input is cut: nobody names a paper in a paragraph
MIN_COVERAGE = 0.55      # a result must explain this much of the query
ANSWER_GAP = 0.12        # ...and beat the runner-up by this much to be the one answer
SHORTLIST = 12
_ARXIV = re.compile(r"\b(\d{4}\.\d{4,5})(?:v\d+)?\b")


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


@dataclass
class SearchIndex:
    """An immutable index over one Catalog; build once per catalog version."""

    catalog: Catalog
    exact: dict[str, tuple[int, ...]]
    prefix_names: list[tuple[str, int]]
    vocab: dict[str, int]
    idf: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    latin_vocab: dict[str, list[str]]
    names: list[list[str]]
    doc_words: list[frozenset[int]]

    @classmethod
    def build(cls, catalog: Catalog) -> SearchIndex:
        import bm25s  # heavy import, only where an index is built

        papers = catalog.papers
        exact: dict[str, set[int]] = {}
        names: list[list[str]] = []
        corpus: list[list[str]] = []
        for i, paper in enumerate(papers):
            own = paper_names(paper)
            names.append([normalise(n) for n in own])
            for name in own:
                for key in {normalise(name), compact(name)}:
                    if key:
                        exact.setdefault(key, set()).add(i)
            orgs = " ".join(n for o in paper.orgs if (org := catalog.org_by_id.get(o))
                            for n in (org.en, org.zh, *org.aliases))
            section = catalog.section_by_id.get(paper.section)
            label = f"{section.zh} {section.en}" if section else ""
            doc = (tokens(normalise(" ".join(own))) * NAME_WEIGHT
                   + tokens(normalise(f"{orgs} {label} {_description(paper)}")) * DESCRIPTION_WEIGHT
                   + tokens(normalise(paper.abstract_zh)))
            corpus.append(doc or [""])
        retriever = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
        retriever.index(corpus, show_progress=False)
        scores = retriever.scores
        indptr = np.asarray(scores["indptr"], dtype=np.int64)
        n_docs = max(len(papers), 1)
        df = np.diff(indptr).astype(np.float64)
        idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        vocab: dict[str, int] = dict(retriever.vocab_dict)
        # Typo candidates bucketed by first letter: a misspelling rarely starts wrong, and a
        # bucket is ~1/26 of the vocabulary, which keeps repair fast on large catalogs.
        latin: dict[str, list[str]] = {}
        for t in sorted(vocab):
            if t and not is_cjk(t) and t.isalpha() and len(t) >= 3:
                latin.setdefault(t[0], []).append(t)
        prefix = sorted((k, i) for k, ids in exact.items() for i in ids if " " not in k)
        doc_words = [frozenset(vocab[t] for t in set(doc) if t in vocab) for doc in corpus]
        return cls(catalog, {k: tuple(sorted(v)) for k, v in exact.items()}, prefix, vocab, idf,
                   indptr, np.asarray(scores["indices"]), np.asarray(scores["data"], dtype=np.float64),
                   latin, names, doc_words)

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
                key = "".join(ws[start:start + n]).replace(".", "")
                if len(key) < 3 or key not in self.exact:
                    continue
                for i in self.exact[key]:
                    found[i] = max(found.get(i, 0.0), len(key) / total)
        return found


def search(query: str, index: SearchIndex, *, limit: int = 5) -> SearchResult:
    """Rank the catalog for a query; never raises on any string."""
    text = query[:MAX_QUERY_CHARS]
    normal = normalise(text)
    key = compact(text)
    papers = index.catalog.papers
    if not key:
        return SearchResult(query, (), "none")
    arxiv = _ARXIV.search(text)
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

    start = bisect_left(index.prefix_names, (key, -1))
    ids: list[int] = []
    for name, i in index.prefix_names[start:]:
        if not name.startswith(key):
            break
        if i not in ids:
            ids.append(i)
    hits = tuple(Hit(index.catalog.papers[i], 0.5, "prefix") for i in ids[:limit])
    verdict: Verdict = "none" if not ids else "answer" if len(ids) == 1 else "ambiguous"
    return SearchResult(query, hits, verdict)


def _ranked_search(query: str, normal: str, index: SearchIndex, limit: int) -> SearchResult:
    terms = index.query_terms(normal)
    known = [index.vocab[t] for t in dict.fromkeys(terms) if t in index.vocab]
    n_docs = len(index.catalog.papers)
    scores = np.zeros(n_docs)
    for t in known:
        lo, hi = index.indptr[t], index.indptr[t + 1]
        scores[index.indices[lo:hi]] += index.data[lo:hi]
    in_name = index.names_in(normal)
    candidates = set(in_name)
    if known and scores.any():
        k = min(SHORTLIST, n_docs)
        top = np.argpartition(-scores, k - 1)[:k] if n_docs > k else np.arange(n_docs)
        candidates.update(int(i) for i in top if scores[i] > 0)
    if not candidates:
        return SearchResult(query, (), "none")
    best_bm25 = max(float(scores.max()), 1e-9)
    ranked = sorted(((_score(i, terms, normal, scores[i] / best_bm25, in_name.get(i, 0.0), index), i)
                     for i in candidates), reverse=True)
    hits = [Hit(index.catalog.papers[i], round(s, 4), "ranked") for s, i in ranked if s >= MIN_COVERAGE]
    if not hits:
        return SearchResult(query, (), "none")
    gap = hits[0].score - (hits[1].score if len(hits) > 1 else 0.0)
    verdict: Verdict = "answer" if gap >= ANSWER_GAP else "ambiguous"
    return SearchResult(query, tuple(hits[:limit]), verdict)


def coverage(terms: Iterable[str], doc: int, index: SearchIndex) -> float:
    """How much of the query a paper explains: Latin words by rarity, Chinese by characters.

    A Chinese character counts as covered when any query bigram holding it is in the paper,
    so bigrams that straddle two words (家模 in 混合专家模型) cost nothing.
    """
    own = index.doc_words[doc]
    have = want = 0.0
    cjk_chars: dict[int, bool] = {}
    position = 0
    max_idf = float(index.idf.max()) if len(index.idf) else 1.0
    for term in terms:
        tid = index.vocab.get(term)
        hit = tid is not None and tid in own
        if is_cjk(term):
            for offset in range(len(term)):
                cjk_chars[position + offset] = cjk_chars.get(position + offset, False) or hit
            position += 1
            continue
        weight = 1.0 if tid is None else max(0.3, float(index.idf[tid]) / max_idf)
        want += weight
        have += weight if hit else 0.0
    if cjk_chars:
        want += 0.5 * len(cjk_chars)
        have += 0.5 * sum(cjk_chars.values())
    return have / want if want else 0.0


def _score(doc: int, terms: list[str], normal: str, bm25: float, name_share: float,
           index: SearchIndex) -> float:
    cover = coverage(terms, doc, index)
    similarity = max((fuzz.token_set_ratio(normal, name) for name in index.names[doc]), default=0) / 100
    score = 0.45 * cover + 0.25 * bm25 + 0.15 * similarity + 0.15 * math.sqrt(name_share)
    if name_share >= 0.5:
        score += 0.2  # the query is mostly one of this paper's names
    return min(score, 1.0)

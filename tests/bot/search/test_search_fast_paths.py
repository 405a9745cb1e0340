"""The search's fast paths give the numbers of the plain definitions they replace: coverage of a
whole shortlist at once, phrase evidence with the query's work done once, the BM25 postings
gathered in one pass, and numpy's rounding of a score without numpy's scalar."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.search import engine, scoring
from bot.search.engine import SearchIndex
from bot.text import STOPWORDS, Normal

QUERIES = ["open foundation language models", "specualtive decoding with medusa heads", "美杜莎 推理加速",
           "混合专家模型 mixtral", "tacotron text to speech", "flash attention 2 io aware", "gorrilla apibench",
           "数据配比 data mixing laws", "visual instruction tuning llava", "the the language the",
           "medusa simple", "bilp-2 captioning"]   # (bilp: blip, or less likely bill)


def _query_parts(index: SearchIndex, text: str) -> tuple[list[scoring.Weighed], dict[str, int | None]]:
    q = Normal.of(text)
    slots = index.query_terms(q, index.fixes(q))
    ids = {t: index.bm25.term(t) for slot in slots for t in slot}
    return scoring.weigh(slots, ids, index), ids


@pytest.mark.parametrize("text", QUERIES)
def test_coverage_of_a_shortlist_is_each_papers_coverage(index: SearchIndex, text: str) -> None:
    weighed, ids = _query_parts(index, text)
    docs = list(range(len(index.catalog)))
    held = index.bm25.holding((t for t in ids.values() if t is not None), docs)
    expected = [scoring.coverage(weighed, doc, held) for doc in docs]
    assert scoring.coverages(weighed, docs, held) == expected
    assert any(cover for cover, _ in expected)   # the queries name catalog papers: not all zero
    if text.startswith("bilp"):   # some paper has only the less likely repair, which counts less
        assert any(0 < cover < 1 for cover, _ in expected)


@pytest.mark.parametrize("text", QUERIES)
def test_gathered_postings_score_and_hold_as_term_by_term(index: SearchIndex, text: str) -> None:
    _, ids = _query_parts(index, text)
    terms = list(dict.fromkeys(t for t in ids.values() if t is not None))
    weights = [1.0 if k % 2 == 0 else 0.5 for k in range(len(terms))]
    bm25 = index.bm25
    expected = np.zeros(bm25.n_docs)
    for t, w in zip(terms, weights, strict=True):   # the definition: each term's postings added in turn
        lo, hi = int(bm25.indptr[t]), int(bm25.indptr[t + 1])
        expected[bm25.indices[lo:hi]] += bm25.data[lo:hi] if w == 1.0 else w * bm25.data[lo:hi]
    gathered = bm25.gather(terms, weights)
    assert np.array_equal(gathered.scores(), expected) and np.array_equal(bm25.scores(terms, weights), expected)
    shortlist = [d for d in range(bm25.n_docs) if d % 3 != 1]
    assert gathered.holding(shortlist) == bm25.holding(terms, shortlist)
    assert bm25.gather([]).holding(shortlist) == {} and not bm25.gather([]).scores().any()


@pytest.mark.parametrize("text", QUERIES)
def test_phrase_evidence_of_a_shortlist_is_each_papers_best(index: SearchIndex, text: str) -> None:
    q = Normal.of(text)
    query = scoring.weighted_words(q, index.fixes(q), index)
    papers = [index.names_of(doc) for doc in range(len(index.catalog))]
    expected = [max((scoring.phrase(query, [w for w in name.split() if w not in STOPWORDS]) for name in names),
                    default=0.0) for names in papers]
    assert scoring.best_phrases(query, papers) == expected
    assert index.names_of_each(range(len(index.catalog))) == papers


def test_a_papers_names_are_each_kept_once(index: SearchIndex) -> None:
    # Medusa's short name is also its id and an alias: scored once, the best of its names unchanged.
    doc = next(i for i, p in enumerate(index.catalog.papers) if p.id == "medusa")
    names = index.names_of(doc)
    assert len(names) == len(set(names)) and "medusa" in names


@given(st.floats(0, 3))
def test_a_shown_score_is_rounded_as_numpy_rounds(score: float) -> None:
    assert engine._round4(score) == round(np.float64(score), 4)


def test_a_tie_at_the_fifth_decimal_is_rounded_as_numpy_rounds() -> None:
    # Python's round(0.53835, 4) rounds the decimal it prints (0.5383); numpy multiplies first.
    assert engine._round4(0.53835) == round(np.float64(0.53835), 4) == 0.5384


def test_a_query_searches_each_slipped_key_once(index: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    # The whole query is tried as a slipped name, then again as the longest run of its words.
    asked: list[str] = []
    slipped = SearchIndex.slipped_names
    monkeypatch.setattr(SearchIndex, "slipped_names", lambda self, key: asked.append(key) or slipped(self, key))
    result = engine.search("gorrilla apibench", index)
    assert "gorrillaapibench" in asked and len(asked) == len(set(asked))
    assert result.hits and result.hits[0].paper.id == "gorilla"

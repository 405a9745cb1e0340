"""The vectorised BM25 index against a plain, obviously-correct implementation."""

from __future__ import annotations

import math
import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.search import bm25
from bot.text import normalise, normalise_many, tokens

WORDS = ["medusa", "decoding", "llama", "two", "the", "flash", "attention", "2", "1.5", "投机解码", "多模态大模型", "量"]


def of_lists(fields: list[tuple[int, list[str]]]) -> list[tuple[int, bm25.Texts]]:
    return [(weight, lambda lo, hi, texts=texts: texts[lo:hi]) for weight, texts in fields]


def script(token: str) -> int:
    return 0 if "\u3400" <= token[0] <= "\ufaff" else 1


def naive(fields: list[tuple[int, list[str]]], n_docs: int, k1: float = 1.2, b: float = 0.75) -> dict[tuple[str, int], float]:
    """Textbook BM25 with its statistics per script: a Chinese token's idf and length
    normalisation count only the documents (and tokens) in Chinese, a Latin word's the Latin ones."""
    tf: list[Counter[str]] = [Counter() for _ in range(n_docs)]
    for weight, texts in fields:
        for doc, text in enumerate(texts):
            for token in tokens(normalise(text)):
                tf[doc][token] += weight
    lengths = [[sum(f for t, f in c.items() if script(t) == s) for c in tf] for s in (0, 1)]
    having = [[n for n in lengths[s] if n] for s in (0, 1)]
    avg = [sum(h) / len(h) if h else 1.0 for h in having]
    df = Counter(t for c in tf for t in c)
    out = {}
    for doc, counts in enumerate(tf):
        for token, f in counts.items():
            s, n = script(token), len(having[script(token)])
            idf = math.log(1 + (n - df[token] + 0.5) / (df[token] + 0.5))
            out[(token, doc)] = idf * f * (k1 + 1) / (f + k1 * (1 - b + b * lengths[s][doc] / avg[s]))
    return out


def test_english_papers_leave_chinese_weights_as_they_were() -> None:
    chinese = ["投机解码 推理加速", "多模态大模型 视觉", "量化 推理加速 模型"]
    alone, _ = bm25.build(of_lists([(1, chinese)]), 3)
    english = [f"speculative decoding paper number {i} with a long abstract about attention" for i in range(50)]
    mixed, _ = bm25.build(of_lists([(1, chinese + english)]), 53)
    for token in ("投机", "加速", "视觉"):
        a, m = alone.term(token), mixed.term(token)
        assert a is not None and m is not None
        assert np.allclose(alone.scores([a])[:3], mixed.scores([m])[:3], rtol=1e-5), token


@pytest.mark.parametrize(("n_docs", "workers"), [(1, 1), (7, 1), (300, 1), (300, 2)])
def test_weights_match_the_plain_formula(n_docs: int, workers: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bm25, "CHUNK", 64)  # several chunks, so the scatter is exercised
    monkeypatch.setattr(bm25, "_CHUNK_BITS", 6)
    rng = random.Random(n_docs)
    fields = [(w, [" ".join(rng.choices(WORDS, k=rng.randint(0, 12))) for _ in range(n_docs)]) for w in (3, 2, 1)]
    index, _ = bm25.build(of_lists(fields), n_docs, workers=workers)
    expected = naive(fields, n_docs)
    got = {}
    for token in {t for t, _ in expected}:
        term = index.term(token)
        assert term is not None, token
        lo, hi = index.indptr[term], index.indptr[term + 1]
        docs = index.indices[lo:hi]
        assert list(docs) == sorted(docs)
        got.update({(token, int(d)): float(w) for d, w in zip(docs, index.data[lo:hi], strict=True)})
    assert got.keys() == expected.keys()
    assert all(math.isclose(got[k], expected[k], rel_tol=1e-4) for k in expected)
    assert index.term("nowhere") is None and index.term("the") is None  # unknown; stopword
    assert index.term("two") == index.term("2")


def test_scores_and_membership() -> None:
    index, _ = bm25.build(of_lists([(1, ["medusa heads", "flash attention", "medusa medusa"])]), 3)
    term = index.term("medusa")
    assert term is not None
    scores = index.scores([term])
    assert scores[1] == 0 and scores[2] > scores[0] > 0
    assert index.contains(term, 0) and not index.contains(term, 1)
    # The shortlist's membership, found once per term, agrees with one look per (term, document).
    terms = [t for t in (term, index.term("flash"), index.term("heads")) if t is not None]
    held = index.holding(terms, [2, 0, 1, 1])
    assert held == {t: frozenset(d for d in range(3) if index.contains(t, d)) for t in terms}
    assert index.holding(terms, []) == {t: frozenset() for t in terms}


def test_an_empty_corpus() -> None:
    index, _ = bm25.build(of_lists([(1, ["", "!!!"])]), 2)
    assert index.term("x") is None and not np.any(index.scores([]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=20))
def test_batch_normalisation_equals_one_by_one(texts: list[str]) -> None:
    assert normalise_many(texts) == [normalise(t) for t in texts]


def test_side_results_come_back_in_order_serial_and_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bm25, "CHUNK", 64)
    monkeypatch.setattr(bm25, "_CHUNK_BITS", 6)
    texts = [f"paper {i} medusa" for i in range(300)]
    for workers in (1, 2):
        _, extras = bm25.build(of_lists([(1, texts)]), 300, workers=workers, also=lambda lo, hi: (lo, hi))
        assert extras == [(0, 64), (64, 128), (128, 192), (192, 256), (256, 300)]


def test_kept_fields_give_each_documents_distinct_terms_serial_and_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bm25, "CHUNK", 64)
    monkeypatch.setattr(bm25, "_CHUNK_BITS", 6)
    rng = random.Random(7)
    n = 300
    texts = [" ".join(rng.choices(WORDS, k=rng.randrange(0, 6))) for _ in range(n)]
    titles = [f"{rng.choice(WORDS)} medusa medusa" if i % 5 else "" for i in range(n)]
    others = [f"{w} heads" for w in texts]

    def field(weight: int, values: list[str], **flags: bool) -> bm25.Field:
        return bm25.Field(weight, lambda lo, hi: values[lo:hi], **flags)

    whole, _ = bm25.build([field(2, [f"{t} {o}" for t, o in zip(titles, others, strict=True)]), field(1, texts)], n)
    for workers in (1, 2):
        index, _ = bm25.build([field(2, titles, kept=True), field(2, others), field(1, texts, kept=True)], n,
                              workers=workers)
        assert len(index.kept_indptr) == n + 1
        for doc in range(n):
            # Each term of the kept fields once, ascending; "heads" is only in a field not kept.
            want = sorted({t for w in tokens(normalise(f"{titles[doc]} {texts[doc]}")) if (t := index.term(w)) is not None})
            assert index.kept(doc).tolist() == want, (workers, doc)
        # A field split in two of one weight indexes as the whole did.
        for word in ("medusa", "heads", "llama", "投机"):
            a, b = whole.term(word), index.term(word)
            assert a is not None and b is not None
            assert np.array_equal(whole.scores([a]), index.scores([b])), word
    assert whole.kept(3).tolist() == []   # nothing kept unless asked

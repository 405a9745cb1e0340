"""The for-you ranking is the exact one over every catalog paper: on a synthetic catalog of
thousands, its order, scores and "close to" equal a brute-force reference that sums each
save's Similar scores (`likeness.similarity`, paper by paper over the whole catalog), with the
recency weights written out here and the saved papers left out.

The catalog is made to reach every path: words drawn Zipf-like, so the commonest terms are
dense rows and the rest are scattered; Chinese impact lines (bigram terms); papers with the same
text (exact ties, in catalog order); a paper of no known word.
"""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest

from bot.catalog.catalog import Catalog
from bot.catalog.schema import Paper, Text
from bot.conversation.answer import similar
from bot.search import accumulate, likeness
from bot.search.lookup import SearchIndex

SIZE = 3_000
SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "so", "ta", "vi", "ze", "po", "fu", "da")
WORDS = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES[:4]]  # 576 words
ZIPF = [1 / (rank + 1) for rank in range(len(WORDS))]
HANZI = "模型语言视觉推理训练数据检索增强生成量化蒸馏稀疏专家对齐"


def _text(rng: random.Random, k: int) -> str:
    return " ".join(rng.choices(WORDS, weights=ZIPF, k=k))


def synthetic(size: int = SIZE, seed: int = 25) -> Catalog:
    rng = random.Random(seed)
    papers = []
    for i in range(size):
        if i % 500 == 7:  # the same text as the paper before it: equal scores, catalog order decides
            prev = papers[-1]
            papers.append(replace(prev, id=f"p-{i}"))  # an id of the same length
            continue
        summary = _text(rng, rng.randint(15, 60))
        zh = "".join(rng.choices(HANZI, k=10))
        papers.append(
            Paper(
                id=f"p-{i}",
                title=_text(rng, rng.randint(3, 8)).title(),
                section="foundation",
                date=f"20{rng.randint(18, 25)}-{rng.randint(1, 12):02d}",
                impact=Text(zh=zh, en=_text(rng, 8)),
                summary_en=summary,
            )
        )
    papers.append(Paper(id="wordless", title="Xq", section="foundation", date="2024-01"))
    return Catalog(tuple(papers), (), ())


@pytest.fixture(scope="module")
def big() -> SearchIndex:
    return SearchIndex.build(synthetic())


def reference(index: SearchIndex, saved: list[int]) -> tuple[list[int], np.ndarray, np.ndarray]:
    """Brute force: every unsaved paper's score and closest save, from each save's Similar
    scores weighted 1 for the newest save, halving every HALF_LIFE saves back."""
    total = np.zeros(len(index.catalog))
    best = np.zeros(len(total))
    near = np.zeros(len(total), dtype=np.int64)
    for age, s in enumerate(reversed(saved)):
        paper = index.catalog.papers[s]
        terms = likeness.likeness_terms(paper, index)
        share = likeness.similarity(paper, index) * 0.5 ** (age / likeness.HALF_LIFE) / float(index.bm25.idf[terms].sum())
        total += share
        near = np.where(share >= best, s, near)  # newest first here: the oldest of equals ends up named
        best = np.maximum(best, share)
    ranked = sorted((c for c in range(len(total)) if c not in set(saved) and total[c] > 0), key=lambda c: (-total[c], c))
    return ranked, total, near


def check(index: SearchIndex, saved: list[int], limit: int) -> None:
    picks = likeness.Recommender(index).rank(saved, limit=limit)
    want, total, near = reference(index, saved)
    assert [p.position for p in picks] == want[:limit]
    assert [p.score for p in picks] == pytest.approx([total[c] for c in want[:limit]], rel=1e-12)
    assert [p.near for p in picks] == [int(near[p.position]) for p in picks]


def test_the_catalog_reaches_dense_rows_scattered_terms_and_ties(big: SearchIndex) -> None:
    dense = likeness.Recommender(big).accumulator.dense
    lengths = np.diff(big.bm25.indptr)
    assert 0 < len(dense.terms) < int((lengths > 1).sum())
    assert big.catalog.papers[507].summary_en == big.catalog.papers[506].summary_en


@pytest.mark.parametrize(("seed", "saves"), [(1, 1), (2, 5), (3, 50), (4, 50), (5, 120)])
def test_the_top_thirty_are_the_brute_force_ones(big: SearchIndex, seed: int, saves: int) -> None:
    check(big, random.Random(seed).sample(range(len(big.catalog)), saves), likeness.MOST)


def test_the_whole_ranking_is_the_brute_force_one(big: SearchIndex) -> None:
    saved = random.Random(9).sample(range(len(big.catalog)), 50)
    check(big, saved, len(big.catalog))


def test_twins_tie_and_go_in_catalog_order(big: SearchIndex) -> None:
    saved = random.Random(10).sample(range(len(big.catalog)), 50)
    picks = likeness.Recommender(big).rank(saved, limit=len(big.catalog))
    at = {p.position: i for i, p in enumerate(picks)}
    assert picks[at[506]].score == picks[at[507]].score > 0 and at[507] == at[506] + 1


def test_the_order_of_the_saves_is_their_recency(big: SearchIndex) -> None:
    saved = random.Random(11).sample(range(len(big.catalog)), 30)
    forward = likeness.Recommender(big).rank(saved)
    backward = likeness.Recommender(big).rank(saved[::-1])
    assert [p.position for p in forward] != [p.position for p in backward]
    check(big, saved[::-1], likeness.MOST)


def test_float32_sums_are_within_their_error_of_the_exact_ones(big: SearchIndex) -> None:
    rng = np.random.default_rng(3)
    terms = np.unique(rng.choice(len(big.bm25.idf), 400, replace=False))
    weights = rng.random(len(terms))
    scores = likeness.Recommender(big).accumulator.scores(terms, weights)
    exact = sum((w * big.bm25.scores([t]) for t, w in zip(terms.tolist(), weights.tolist(), strict=True)), np.zeros(len(big.catalog)))
    assert np.abs(scores.values - exact).max() <= scores.error
    assert 0 < scores.error < 1e-3 * exact.max()
    docs = np.sort(rng.choice(len(big.catalog), 40, replace=False))
    at = accumulate.Accumulator(big.bm25).weights_at(terms, docs)
    assert weights @ at == pytest.approx(exact[docs], rel=1e-12)


def test_near_top_keeps_whatever_float32_may_have_misordered() -> None:
    # 1 and 2 are within the error of each other: either may be the better by the exact sums.
    scores = accumulate.Scores(np.array([0.5, 1.0, 1.0 - 1e-7, 0.0, 0.9], dtype=np.float32), error=1e-6)
    assert accumulate.near_top(scores, 1).tolist() == [1, 2]
    assert accumulate.near_top(scores, 3).tolist() == [1, 2, 4]
    assert accumulate.near_top(scores, 4).tolist() == [0, 1, 2, 4]
    assert accumulate.near_top(scores, 5).tolist() == [0, 1, 2, 4]  # never a paper of score 0


@pytest.mark.parametrize("seed", range(3))
def test_one_save_ranks_as_its_similar_button(big: SearchIndex, seed: int) -> None:
    at = random.Random(seed).randrange(len(big.catalog))
    picks = likeness.Recommender(big).rank([at], limit=10)
    assert [big.catalog.papers[p.position].id for p in picks] == [p.id for p in similar(big.catalog.papers[at], big, limit=10)]

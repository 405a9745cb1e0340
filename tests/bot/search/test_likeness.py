"""For-you ranking on the catalog the bot ships: the merged query ranks as the per-save Similar
scoring (the reference); newer saves weigh more; saved papers are never recommended. The same
on a synthetic catalog of thousands: tests/bot/search/test_foryou_exact.py."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest

from bot.catalog.catalog import Catalog
from bot.conversation.answer import similar
from bot.search import likeness
from bot.search.lookup import SearchIndex


def positions(catalog: Catalog, *ids: str) -> list[int]:
    return [catalog.position(i) for i in ids]


@pytest.mark.parametrize("seed", range(6))
def test_the_ranking_is_the_per_save_baseline(index: SearchIndex, seed: int) -> None:
    catalog = index.catalog
    saved = random.Random(seed).sample(range(len(catalog)), 1 + seed * 2)
    picks = likeness.Recommender(index).rank(saved, limit=len(catalog))
    total, near = likeness.naive_scores(index, saved)
    want = [int(i) for i in np.argsort(-total, kind="stable") if total[i] > 0]
    assert [p.position for p in picks] == sorted(want, key=lambda i: (-total[i], i))
    assert [p.near for p in picks] == [int(near[p.position]) for p in picks]  # the save it is closest to
    assert [p.score for p in picks] == pytest.approx([total[p.position] for p in picks], rel=1e-5)
    assert not {p.position for p in picks} & set(saved)


def test_the_newest_save_weighs_most(index: SearchIndex) -> None:
    rec = likeness.Recommender(index)
    catalog = index.catalog

    def score_of(paper: str, saved: list[int]) -> float:
        return next(p.score for p in rec.rank(saved) if p.position == catalog.position(paper))

    medusa_last = positions(catalog, "gemini", "medusa")
    gemini_last = positions(catalog, "medusa", "gemini")
    # SpecInfer is Medusa's neighbour, Kosmos-2 Gemini's: each scores more when its save is the newer.
    assert score_of("specinfer", medusa_last) > score_of("specinfer", gemini_last)
    assert score_of("kosmos-2", gemini_last) > score_of("kosmos-2", medusa_last)
    weights = likeness.recency(1 + likeness.HALF_LIFE)
    assert weights[-1] == 1.0 and weights[0] == pytest.approx(0.5)


def test_a_single_save_ranks_as_its_similar_button(index: SearchIndex) -> None:
    medusa = index.catalog.get("medusa")
    assert medusa is not None
    picks = likeness.Recommender(index).rank(positions(index.catalog, "medusa"), limit=5)
    assert [index.catalog.papers[p.position].id for p in picks] == [p.id for p in similar(medusa, index)]


def test_no_saves_and_saves_without_words_find_nothing(index: SearchIndex) -> None:
    assert likeness.Recommender(index).rank([]) == ()


def test_the_terms_are_the_papers_own_words_as_a_query_reads_them(index: SearchIndex) -> None:
    # The index keeps each paper's terms of its title, summary and impact (tokenised as the
    # index reads texts); on the shipped catalog they are the terms a query of that text looks
    # up, word by word, and a paper the catalog does not hold has none.
    from bot.search.build import likeness_text
    from bot.text import normalise, tokens

    for paper in index.catalog:
        want = {t for w in tokens(normalise(likeness_text(paper))) if (t := index.bm25.term(w)) is not None}
        got = likeness.likeness_terms(paper, index).tolist()
        assert got == sorted(want), paper.id
    read = likeness.Recommender(index).queries(range(len(index.catalog)))
    assert [t.tolist() for t, _ in read] == [likeness.likeness_terms(p, index).tolist() for p in index.catalog]
    stranger = replace(index.catalog.papers[0], id="not-in-the-catalog")
    assert len(likeness.likeness_terms(stranger, index)) == 0


def test_a_ranking_is_kept_for_the_same_saves_and_never_for_others(index: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    rec = likeness.Recommender(index)
    catalog = index.catalog
    saved = positions(catalog, "medusa", "gemini")
    first = rec.rank(saved)
    assert rec.rank(saved) is first  # the next page: a lookup, not a second ranking
    # One more save, or the same saves in another order (another recency), is a new ranking,
    # equal to what a fresh recommender ranks.
    for other in (saved + positions(catalog, "specinfer"), saved[::-1], saved[:1]):
        assert rec.rank(other) == likeness.Recommender(index).rank(other) != first
    assert rec.rank(saved, limit=3) == first[:3]
    monkeypatch.setattr(likeness, "RANKINGS_KEPT", 2)
    for n in range(1, 6):
        rec.rank(list(range(n)))
    assert len(rec._rankings) == 2  # bounded: the oldest rankings go

"""For you: ranking the catalog against a reader's saves, beside the naive baseline measured in
the same run (each save's Similar query scored over the whole catalog, one after another).

    python benchmarks/foryou.py [SIZES ...]      (default: 100000 26 lookalikes)

Each reader saves 50 papers drawn with a fixed seed (all but five on the 26-paper catalog).
"first ask" is a reader's first /foryou (the saves' query terms read from their papers, after one
unmeasured reader has made the lookup tables a running bot already has), "again"
the same reader paging or asking again (the terms kept); wall time, and the process's CPU time
beside it since the machine may be shared. The last columns say how often the fast ranking's
top 3 and top 30, and the saved paper each pick is "close to", are the baseline's. The
"lookalikes" row is the 26 papers plus 7,415 real ML papers (../shared/eval/real_distractors.jsonl,
skipped when absent); its second line caps the postings budget at the share of the catalog's
postings the 100,000 row can afford, to show what the budget costs on real abstracts.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.lookalikes import DEFAULT as LOOKALIKES  # noqa: E402
from benchmarks.speed import catalog_at  # noqa: E402
from bot.search import likeness  # noqa: E402
from bot.search.index_cache import load_or_build  # noqa: E402
from bot.search.lookup import SearchIndex  # noqa: E402

SAVES = 50
CACHE = ROOT / "benchmarks" / "_generated" / "cache"


def p(values: list[float], q: int) -> float:
    """The q-th percentile in ms (the largest for a sample too small to have one)."""
    if len(values) < 2:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def readers_of(index: SearchIndex, count: int, seed: int = 25) -> list[list[int]]:
    n = len(index.catalog)
    rng = random.Random(seed)
    return [rng.sample(range(n), min(SAVES, n - 5)) for _ in range(count)]


def fast(index: SearchIndex, readers: list[list[int]], again: int, budget: int) -> tuple[list[float], ...]:
    rec = likeness.Recommender(index)
    # A running bot has searched before anyone asks for recommendations: its lookup tables are
    # made, so one reader not measured makes them here.
    rec.rank(readers_of(index, 1, seed=1)[0], budget=budget)
    first, later, first_cpu, later_cpu = [], [], [], []
    for saved in readers:
        for n in range(1 + again):
            t, c = time.perf_counter(), time.process_time()
            rec.rank(saved, budget=budget)
            (first if n == 0 else later).append(time.perf_counter() - t)
            (first_cpu if n == 0 else later_cpu).append(time.process_time() - c)
    return first, later, first_cpu, later_cpu


def naive(index: SearchIndex, readers: list[list[int]]) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for saved in readers:
        t, c = time.perf_counter(), time.process_time()
        total, _ = likeness.naive_scores(index, saved)
        np.argsort(-total)[: likeness.MOST]
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return wall, cpu


def agreement(index: SearchIndex, readers: list[list[int]], budget: int) -> tuple[float, float, float]:
    rec = likeness.Recommender(index)
    top3, top30, near = [], [], []
    for saved in readers:
        picks = rec.rank(saved, budget=budget)
        total, closest = likeness.naive_scores(index, saved)
        want = [int(i) for i in np.argsort(-total, kind="stable")[: likeness.MOST] if total[i] > 0]
        got = [q.position for q in picks]
        top3.append(len(set(got[:3]) & set(want[:3])) / max(1, len(want[:3])))
        top30.append(len(set(got) & set(want)) / max(1, len(want)))
        near.append(float(np.mean([closest[q.position] == q.near for q in picks])) if picks else 1.0)
    return float(np.mean(top3)), float(np.mean(top30)), float(np.mean(near))


def postings(index: SearchIndex) -> int:
    return int(index.bm25.indptr[-1])


def main(sizes: list[str]) -> None:
    print(
        "| catalog | papers | saves | ranking | first ask p50 / p99 (ms) | again p50 / p99 (ms) | CPU p99 first / again (ms) "
        '| top 3 as baseline | top 30 as baseline | same "close to" |'
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    share_at_100k = None
    for size in sizes:
        if size == "lookalikes" and not LOOKALIKES.exists():
            print(f"| lookalikes | — | — | skipped: {LOOKALIKES} is absent | | | | | | |")
            continue
        catalog = catalog_at(size, CACHE)
        index = load_or_build(catalog, CACHE)
        n = len(catalog)
        count = 20 if n > 10_000 else 30
        readers = readers_of(index, count)
        budgets = [("fast", likeness.POSTINGS_BUDGET)]
        if size == "lookalikes":
            share = share_at_100k or 0.05
            budgets.append((f"fast, budget {share:.1%} of postings", max(1, int(share * postings(index)))))
        else:
            share_at_100k = share_at_100k or (likeness.POSTINGS_BUDGET / postings(index) if n >= 100_000 else None)
        for label, budget in budgets:
            first, later, first_cpu, later_cpu = fast(index, readers, 5, budget)
            top3, top30, near = agreement(index, readers[:10], budget)
            print(
                f"| {size} | {n:,} | {len(readers[0])} | {label} | {p(first, 50):.1f} / {p(first, 99):.1f} "
                f"| {p(later, 50):.1f} / {p(later, 99):.1f} | {p(first_cpu, 99):.1f} / {p(later_cpu, 99):.1f} "
                f"| {top3:.0%} | {top30:.0%} | {near:.0%} |"
            )
        wall, cpu = naive(index, readers[: 10 if n > 10_000 else count])
        print(
            f"| {size} | {n:,} | {len(readers[0])} | naive (baseline) | {p(wall, 50):.1f} / {p(wall, 99):.1f} "
            f"| — | {p(cpu, 99):.1f} / — | 100% | 100% | 100% |"
        )


if __name__ == "__main__":
    main(sys.argv[1:] or ["100000", "26", "lookalikes"])

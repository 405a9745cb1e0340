"""For you: the exact ranking of the catalog against a reader's saves, beside the budgeted
approximation it replaced (benchmarks/foryou_budgeted.py) and the brute force it must equal
(each save's Similar scores over the whole catalog, one save after another), all in one run.

    python benchmarks/foryou.py [SIZES ...]      (default: 26 10000 100000; also: lookalikes)

Each reader saves 50 papers drawn with a fixed seed (all but five on the 26-paper catalog).
"first ask" is a reader's first /foryou (the saves' terms read from the index's kept terms), after
one unmeasured reader has made the tables a running bot has made by then (the lookup tables,
the dense rows of the commonest terms: their one-time cost is the line under each catalog);
"again" the same reader paging or asking again (the ranking kept); "one more ⭐" the same
reader asking after saving one more paper (a new ranking). CPU time of the process,
since the machine may be shared; wall time beside it, with the load average. The last columns:
how many readers get exactly the brute-force top 30 (order, and the saved paper each pick is
"close to"), and the mean share of the brute-force top 3 among the ranking's top 3. "lookalikes"
is the 26 papers plus 7,415 real ML papers (../shared/eval/real_distractors.jsonl, skipped
when absent).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as bot/__init__.py sets it, before numpy loads
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.foryou_budgeted import budgeted_rank  # noqa: E402
from benchmarks.lookalikes import DEFAULT as LOOKALIKES  # noqa: E402
from benchmarks.speed import catalog_at  # noqa: E402
from bot.search import likeness  # noqa: E402
from bot.search.index_cache import load_or_build  # noqa: E402
from bot.search.lookup import SearchIndex  # noqa: E402

SAVES = 50
CACHE = ROOT / "benchmarks" / "_generated" / "cache"
Rank = Callable[[likeness.Recommender, Sequence[int]], tuple[likeness.Pick, ...]]


def p(values: list[float], q: int) -> float:
    """The q-th percentile in ms (the largest for a sample too small to have one)."""
    if len(values) < 2:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def readers_of(index: SearchIndex, count: int, seed: int = 25) -> list[list[int]]:
    n = len(index.catalog)
    rng = random.Random(seed)
    return [rng.sample(range(n), min(SAVES, n - 5)) for _ in range(count)]


def timed(index: SearchIndex, readers: list[list[int]], rank: Rank, again: int) -> dict[str, list[float]]:
    rec = likeness.Recommender(index)
    rank(rec, readers_of(index, 1, seed=1)[0])  # the tables a running bot has made by now
    out: dict[str, list[float]] = {"first": [], "again": [], "wall": [], "more": []}
    n = len(index.catalog)
    for r, saved in enumerate(readers):
        for k in range(1 + again):
            t, c = time.perf_counter(), time.process_time()
            rank(rec, saved)
            out["first" if k == 0 else "again"].append(time.process_time() - c)
            if k == 0:
                out["wall"].append(time.perf_counter() - t)
        # then a ⭐ more (a paper not yet saved) and /foryou: a new ranking
        start = r * 7919 % n
        more = [*saved, next(at for k in range(n) if (at := (start + k) % n) not in saved)]
        c = time.process_time()
        rank(rec, more)
        out["more"].append(time.process_time() - c)
    return out


def brute_force(index: SearchIndex, saved: Sequence[int]) -> list[tuple[int, int]]:
    """The top 30 (position, closest save) from `likeness.naive_scores`, ties in catalog order."""
    total, near = likeness.naive_scores(index, saved)
    top = sorted((int(i) for i in np.argsort(-total, kind="stable")[: 4 * likeness.MOST] if total[i] > 0), key=lambda i: (-total[i], i))[
        : likeness.MOST
    ]
    return [(i, int(near[i])) for i in top]


def load() -> str:
    return "load average " + " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main(sizes: list[str]) -> None:
    print(f"{os.cpu_count()} cores, {load()} at the start")
    print(
        "| catalog | papers | saves | ranking | CPU first ask p50 / p99 (ms) | CPU again p50 / p99 (ms) "
        "| CPU after one more ⭐ p50 / p99 (ms) | wall first p50 / p99 (ms) | exactly the brute-force top 30 | top 3 as brute force |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    notes = []
    for size in sizes:
        if size == "lookalikes" and not LOOKALIKES.exists():
            print(f"| lookalikes | — | — | skipped: {LOOKALIKES} is absent | | | | | |")
            continue
        catalog = catalog_at(size, CACHE)
        index = load_or_build(catalog, CACHE)
        n = len(catalog)
        readers = readers_of(index, 20 if n > 10_000 else 30)
        checked = readers[: 10 if n > 10_000 else len(readers)]
        c = time.process_time()
        dense = likeness.Recommender(index).accumulator.dense
        notes.append(
            f"{size}: dense rows of the commonest terms made once in {time.process_time() - c:.2f} s CPU, "
            f"{len(dense.terms)} rows, {dense.matrix.nbytes / 2**20:.0f} MiB"
        )
        wall, cpu = [], []
        truth = []
        for saved in checked:
            t, c = time.perf_counter(), time.process_time()
            truth.append(brute_force(index, saved))
            wall.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        rankings: list[tuple[str, Rank]] = [
            ("exact", lambda rec, saved: rec.rank(saved)),
            ("budgeted (before)", lambda rec, saved: budgeted_rank(rec, saved)),
        ]
        for label, rank in rankings:
            times = timed(index, readers, rank, 5)
            rec = likeness.Recommender(index)
            got = [[(q.position, q.near) for q in rank(rec, saved)] for saved in checked]
            same = sum(g == w for g, w in zip(got, truth, strict=True))
            top3 = np.mean(
                [len({i for i, _ in g[:3]} & {i for i, _ in w[:3]}) / max(1, len(w[:3])) for g, w in zip(got, truth, strict=True)]
            )
            print(
                f"| {size} | {n:,} | {len(readers[0])} | {label} | {p(times['first'], 50):.1f} / {p(times['first'], 99):.1f} "
                f"| {p(times['again'], 50):.1f} / {p(times['again'], 99):.1f} | {p(times['more'], 50):.1f} / {p(times['more'], 99):.1f} "
                f"| {p(times['wall'], 50):.1f} / {p(times['wall'], 99):.1f} "
                f"| {same} of {len(checked)} | {top3:.0%} |"
            )
        print(
            f"| {size} | {n:,} | {len(readers[0])} | brute force | {p(cpu, 50):.1f} / {p(cpu, 99):.1f} | — | — "
            f"| {p(wall, 50):.1f} / {p(wall, 99):.1f} | {len(checked)} of {len(checked)} | 100% |"
        )
    print()
    for note in notes:
        print(note)
    print(f"{load()} at the end")


if __name__ == "__main__":
    main(sys.argv[1:] or ["26", "10000", "100000"])

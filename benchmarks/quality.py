"""Search quality: hit@1, hit@3 and negatives rejected, for paperbot and two plain baselines.

    python benchmarks/quality.py [TSV ...]

Default sets: ../shared/eval/search-queries.tsv (if present) and benchmarks/queries.tsv.
Baselines, same run: rapidfuzz.process.extractOne(query, titles, scorer=WRatio) with
default_process and a cutoff of 60, and difflib.get_close_matches over titles.
"""

from __future__ import annotations

import difflib
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import fuzz, process, utils

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import catalog as catalog_mod  # noqa: E402
from bot.search import SearchIndex, search  # noqa: E402

Ranker = Callable[[str], list[str]]


def read(path: Path) -> list[tuple[str, set[str] | None]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            query, expected = line.split("\t")
            rows.append((query, None if expected.strip() == "-" else set(expected.strip().split(","))))
    return rows


def score(rows: list[tuple[str, set[str] | None]], rank: Ranker) -> tuple[float, float, str, float]:
    hit1 = hit3 = pos = neg = neg_ok = 0
    start = time.perf_counter()
    for query, expected in rows:
        got = rank(query)
        if expected is None:
            neg += 1
            neg_ok += not got
        else:
            pos += 1
            hit1 += bool(got) and got[0] in expected
            hit3 += any(g in expected for g in got[:3])
    ms = (time.perf_counter() - start) * 1000 / max(len(rows), 1)
    return hit1 / max(pos, 1), hit3 / max(pos, 1), f"{neg_ok}/{neg}", ms


def main(paths: list[Path]) -> None:
    cat = catalog_mod.load(ROOT / "data" / "papers.yaml", use_cache=False)
    index = SearchIndex.build(cat)
    titles = [p.title for p in cat]
    arxiv = [p.arxiv or "" for p in cat]

    def paperbot(q: str) -> list[str]:
        return [h.paper.arxiv or "" for h in search(q, index, limit=3).hits]

    def rf(q: str) -> list[str]:
        best = process.extractOne(q, titles, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=60)
        return [arxiv[best[2]]] if best else []

    def dl(q: str) -> list[str]:
        return [arxiv[titles.index(t)] for t in difflib.get_close_matches(q, titles, n=3, cutoff=0.3)]

    print("| set | queries | engine | hit@1 | hit@3 | negatives rejected | ms/query |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for path in paths:
        rows = read(path)
        for name, rank in (("paperbot", paperbot), ("rapidfuzz extractOne (WRatio)", rf), ("difflib", dl)):
            h1, h3, negs, ms = score(rows, rank)
            print(f"| {path.name} | {len(rows)} | {name} | {h1:.1%} | {h3:.1%} | {negs} | {ms:.2f} |")


if __name__ == "__main__":
    given = [Path(p) for p in sys.argv[1:]]
    shared = ROOT.parent / "shared" / "eval" / "search-queries.tsv"
    main(given or [p for p in (shared, ROOT / "benchmarks" / "queries.tsv") if p.exists()])

"""Search quality: hit@1, hit@3 and negatives rejected, for paperbot and two plain baselines.

    python benchmarks/quality.py [TSV ...]

Then, on the queries containing Chinese, plain BM25 with character bigrams against plain BM25
with jieba word segmentation (a dev dependency), to show why the index uses bigrams.

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


def plain_bm25(docs: list[list[str]], query: list[str], k1: float = 1.2, b: float = 0.75) -> list[float]:
    """Textbook BM25 scores of every document for a query."""
    import math
    from collections import Counter

    df = Counter(t for d in docs for t in set(d))
    avg = sum(map(len, docs)) / len(docs)
    out = []
    for doc in docs:
        counts = Counter(doc)
        total = 0.0
        for t in query:
            f = counts.get(t, 0)
            if f:
                idf = math.log(1 + (len(docs) - df[t] + 0.5) / (df[t] + 0.5))
                total += idf * f * (k1 + 1) / (f + k1 * (1 - b + b * len(doc) / avg))
        out.append(total)
    return out


def chinese_tokenisation(paths: list[Path]) -> None:
    """Character bigrams against jieba word segmentation, each in a plain BM25 over the same
    weighted fields, on the queries that contain Chinese: the measurement behind using bigrams."""
    import logging

    import jieba

    from bot.search import _description, paper_names
    from bot.text import STOPWORDS, is_cjk, normalise, tokens

    jieba.setLogLevel(logging.WARNING)

    def by_jieba(text: str) -> list[str]:
        return [w for w in jieba.lcut(normalise(text)) if w.strip() and w not in STOPWORDS]

    def by_bigrams(text: str) -> list[str]:
        return tokens(normalise(text))

    cat = catalog_mod.load(ROOT / "data" / "papers.yaml", use_cache=False)
    rows = [(q, e) for path in paths for q, e in read(path) if e is not None and is_cjk(q)]
    print("\n| Chinese queries | tokens | plain BM25 hit@1 | hit@3 |\n|---:|---|---:|---:|")
    for name, tokenise in (("character bigrams (paperbot)", by_bigrams), ("jieba words", by_jieba)):
        docs = [tokenise(" ".join(paper_names(p))) * 3 + tokenise(_description(p)) * 2 + tokenise(p.abstract_zh)
                for p in cat]
        hit1 = hit3 = 0
        for query, expected in rows:
            scores = plain_bm25(docs, tokenise(query))
            ranked = sorted(range(len(docs)), key=lambda i: -scores[i])[:3]
            got = [cat.papers[i].arxiv for i in ranked if scores[i] > 0]
            hit1 += bool(got) and got[0] in expected
            hit3 += any(g in expected for g in got)
        print(f"| {len(rows)} | {name} | {hit1 / len(rows):.1%} | {hit3 / len(rows):.1%} |")


if __name__ == "__main__":
    given = [Path(p) for p in sys.argv[1:]]
    shared = ROOT.parent / "shared" / "eval" / "search-queries.tsv"
    sets = given or [p for p in (shared, ROOT / "benchmarks" / "queries.tsv") if p.exists()]
    main(sets)
    chinese_tokenisation(sets)

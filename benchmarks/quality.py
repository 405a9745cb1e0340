"""Search quality: hit@1, hit@3 and negatives rejected, for paperbot and two plain baselines.

    python benchmarks/quality.py [TSV ...]
    python benchmarks/quality.py --distractors ../shared/eval/real_distractors.jsonl [TSV ...]

A set is query<TAB>accepted arXiv ids ("-": nothing should match), optionally <TAB>kind
(name, description or negative; without it a row is name-like or negative). Each set runs
against the 26-paper catalog and, with --distractors, again among the real look-alikes of
that file (read from there, never copied). hit@1 is the first result, "answered" also asks
for a confident verdict; a negative passes on "nothing" or "did you mean", never on an answer.

Then, on the queries containing Chinese, plain BM25 with character bigrams against plain BM25
with jieba word segmentation (a dev dependency), to show why the index uses bigrams.

Default sets: ../shared/eval/search-queries.tsv (if present), benchmarks/queries.tsv and,
with --distractors, benchmarks/lookalike_queries.tsv. Baselines, same run:
rapidfuzz.process.extractOne(query, titles, scorer=WRatio) with default_process and a cutoff of
60, and difflib.get_close_matches over titles.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process, utils

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.lookalikes import lookalike_catalog  # noqa: E402
from bot.catalog import catalog as catalog_mod  # noqa: E402
from bot.catalog.catalog import Catalog  # noqa: E402
from bot.search.engine import SearchIndex, search  # noqa: E402

KINDS = ("name", "description", "negative")


@dataclass(frozen=True)
class Query:
    text: str
    expected: frozenset[str]   # empty for a negative
    kind: str


@dataclass(frozen=True)
class Ranked:
    ids: list[str]             # arXiv ids, best first
    confident: bool            # an answer, not "did you mean"


Ranker = Callable[[str], Ranked]


def read(path: Path) -> list[Query]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            query, expected, *kind = line.split("\t")
            ids = frozenset() if expected.strip() == "-" else frozenset(expected.strip().split(","))
            rows.append(Query(query, ids, kind[0].strip() if kind else "name" if ids else "negative"))
    return rows


@dataclass
class Tally:
    right: int = 0
    answered: int = 0
    top3: int = 0
    total: int = 0

    def share(self, n: int) -> str:
        return f"{n / self.total:.1%}" if self.total else "-"


def score(rows: list[Query], rank: Ranker) -> tuple[dict[str, Tally], float]:
    tallies = {kind: Tally() for kind in KINDS}
    start = time.perf_counter()
    for query in rows:
        got = rank(query.text)
        tally = tallies[query.kind]
        tally.total += 1
        if not query.expected:
            tally.right += not (got.ids and got.confident)
        else:
            first = bool(got.ids) and got.ids[0] in query.expected
            tally.right += first
            tally.answered += first and got.confident
            tally.top3 += any(g in query.expected for g in got.ids[:3])
    return tallies, (time.perf_counter() - start) * 1000 / max(len(rows), 1)


def engines(cat: Catalog) -> list[tuple[str, Ranker]]:
    index = SearchIndex.build(cat)
    titles = [p.title for p in cat]
    arxiv = [p.arxiv or "" for p in cat]

    def paperbot(q: str) -> Ranked:
        result = search(q, index, limit=3)
        return Ranked([h.paper.arxiv or h.paper.id for h in result.hits], result.verdict == "answer")

    def rf(q: str) -> Ranked:
        best = process.extractOne(q, titles, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=60)
        return Ranked([arxiv[best[2]]] if best else [], True)

    by_title = {t: i for i, t in reversed(list(enumerate(titles)))}

    def dl(q: str) -> Ranked:
        return Ranked([arxiv[by_title[t]] for t in difflib.get_close_matches(q, titles, n=3, cutoff=0.3)], True)

    return [("paperbot", paperbot), ("rapidfuzz extractOne (WRatio)", rf), ("difflib", dl)]


def main(paths: list[Path], distractors: Path | None) -> None:
    base = catalog_mod.load(ROOT / "data" / "papers.yaml", use_cache=False)
    catalogs = [("26 papers", base)]
    if distractors:
        catalogs.append((f"{len(base) + sum(1 for _ in distractors.open()):,} with look-alikes",
                         lookalike_catalog(base, distractors)))
    print("| set | catalog | engine | name-like hit@1 | descriptive hit@1 | overall hit@1 | answered right "
          "| hit@3 | negatives rejected | ms/query |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, cat in catalogs:
        ranked = engines(cat)
        for path in paths:
            rows = read(path)
            for name, rank in ranked:
                t, ms = score(rows, rank)
                pos = Tally(sum(t[k].right for k in KINDS[:2]), sum(t[k].answered for k in KINDS[:2]),
                            sum(t[k].top3 for k in KINDS[:2]), sum(t[k].total for k in KINDS[:2]))
                neg = t["negative"]
                print(f"| {path.name} ({len(rows)}) | {label} | {name} | {t['name'].share(t['name'].right)} | "
                      f"{t['description'].share(t['description'].right)} | {pos.share(pos.right)} | "
                      f"{pos.share(pos.answered)} | {pos.share(pos.top3)} | {neg.right}/{neg.total} | {ms:.2f} |")


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

    from bot.search.build import _description, paper_names
    from bot.text import STOPWORDS, is_cjk, normalise, tokens

    jieba.setLogLevel(logging.WARNING)

    def by_jieba(text: str) -> list[str]:
        return [w for w in jieba.lcut(normalise(text)) if w.strip() and w not in STOPWORDS]

    def by_bigrams(text: str) -> list[str]:
        return tokens(normalise(text))

    cat = catalog_mod.load(ROOT / "data" / "papers.yaml", use_cache=False)
    rows = [(q.text, q.expected) for path in paths for q in read(path) if q.expected and is_cjk(q.text)]
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
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="*", type=Path)
    parser.add_argument("--distractors", type=Path, help="real_distractors.jsonl: run again among look-alikes")
    args = parser.parse_args()
    if args.distractors and not args.distractors.exists():
        print(f"skipped: {args.distractors} is absent (it lives in ../shared/eval/, beside the project)")
        sys.exit(0)
    shared = ROOT.parent / "shared" / "eval" / "search-queries.tsv"
    own = [ROOT / "benchmarks" / "queries.tsv"] + ([ROOT / "benchmarks" / "lookalike_queries.tsv"]
                                                  if args.distractors else [])
    sets = args.sets or [p for p in (shared, *own) if p.exists()]
    main(sets, args.distractors)
    chinese_tokenisation(sets)

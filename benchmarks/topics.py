"""Topic lists: precision and recall per labelled topic, for paperbot and plain-BM25 baselines.

    python benchmarks/topics.py [--set tests/data/topics_labelled.yaml] [--show-misses]

Each query of the labelled set (tests/data/topics_labelled.yaml: a topic's queries in both
languages and its relevant papers, labelled by someone who had not read the bot) is asked as a
reader asks for a topic's papers ("<query> 相关的论文" / "papers on <query>") through the real
understanding and answering, and the papers the answer lists are scored against `relevant`.
Precision and recall are pooled per topic (papers listed / relevant, over its queries), and
over every query for the overall row.

Baselines, same run, on the bare query words:
- BM25 > 0: every paper the query's words score above zero (what a plain BM25 list shows);
- BM25 cut: the papers within RANKED_SHARE of the best BM25 score, at most RANKED_MAX (the bot's
  fallback for a topic its vocabulary lacks, used alone).
Then the cut-off's calibration: F1 of the fallback alone for a range of shares.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.conversation.answer import Answer, CompareAnswer, ListAnswer, PaperAnswer, answer_text  # noqa: E402
from bot.conversation.library import Library, load_library  # noqa: E402
from bot.conversation.list_answers import (  # noqa: E402
    RANKED_MAX,
    RANKED_SHARE,
    OthersAnswer,
    RankedAnswer,
    SuperlativeAnswer,
    ranked_positions,
)
from bot.settings import Settings  # noqa: E402
from bot.text import cjk_share, normalise, tokens  # noqa: E402

Lister = Callable[[str], set[str]]


def as_list_question(query: str) -> str:
    """How a reader asks for a topic's papers, in the query's language."""
    return f"{query} 相关的论文" if cjk_share(query) > 0 else f"papers on {query}"


def listed(answer: Answer | None, library: Library) -> set[str]:
    """The paper ids an answer shows."""
    if isinstance(answer, ListAnswer):
        return {p.id for p in answer.filter.papers(library.catalog)}
    if isinstance(answer, RankedAnswer | SuperlativeAnswer | OthersAnswer | CompareAnswer):
        return {p.id for p in answer.papers}
    if isinstance(answer, PaperAnswer):
        return {answer.paper.id}
    return set()


def paperbot(library: Library) -> Lister:
    return lambda q: listed(answer_text(as_list_question(q), library, private=True), library)


def bm25_positive(library: Library) -> Lister:
    def run(query: str) -> set[str]:
        bm25 = library.index.bm25
        ids = [i for term in dict.fromkeys(tokens(normalise(query))) if (i := bm25.term(term)) is not None]
        if not ids:
            return set()
        scores = bm25.scores(ids)
        return {library.catalog.ids[i] for i in range(len(scores)) if scores[i] > 0}
    return run


def bm25_cut(library: Library, share: float = RANKED_SHARE) -> Lister:
    return lambda q: {library.catalog.ids[i] for i in ranked_positions(q, library.index, share, RANKED_MAX)}


def pooled(rows: list[tuple[set[str], set[str]]]) -> tuple[float, float]:
    """(precision, recall) over (listed, relevant) pairs, pooled."""
    hits = sum(len(a & r) for a, r in rows)
    shown = sum(len(a) for a, _ in rows)
    wanted = sum(len(r) for _, r in rows)
    return (hits / shown if shown else 0.0), (hits / wanted if wanted else 0.0)


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", type=Path, default=ROOT / "tests" / "data" / "topics_labelled.yaml")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    topics = yaml.safe_load(args.set.read_text(encoding="utf-8"))["topics"]
    library = load_library(Settings())
    systems = {"paperbot": paperbot(library), "BM25 > 0": bm25_positive(library), "BM25 cut": bm25_cut(library)}
    results: dict[str, dict[str, list[tuple[set[str], set[str]]]]] = {name: {} for name in systems}
    misses = []
    for topic in topics:
        relevant = set(topic["relevant"])
        for name, system in systems.items():
            rows = results[name].setdefault(topic["id"], [])
            for query in topic["queries"]:
                found = system(str(query))
                rows.append((found, relevant))
                if name == "paperbot" and found != relevant:
                    misses.append(f"  {topic['id']}: {query!r} extra {sorted(found - relevant)} missing "
                                  f"{sorted(relevant - found)}")
    names = list(systems)
    print("| topic | queries | " + " | ".join(f"{n} P | {n} R" for n in names) + " |")
    print("|---|---:|" + "---:|---:|" * len(names))
    for topic in topics:
        cells = []
        for name in names:
            p, r = pooled(results[name][topic["id"]])
            cells += [f"{p:.0%}", f"{r:.0%}"]
        print(f"| {topic['id']} | {len(topic['queries'])} | " + " | ".join(cells) + " |")
    cells = []
    for name in names:
        p, r = pooled([row for rows in results[name].values() for row in rows])
        cells += [f"**{p:.1%}**", f"**{r:.1%}**"]
    print(f"| **all** | {sum(len(t['queries']) for t in topics)} | " + " | ".join(cells) + " |")
    print(f"\ntargets: recall >= 95%, precision >= 90% ({len(topics)} topics)")

    print("\n| fallback share of best BM25 | precision | recall | F1 |\n|---:|---:|---:|---:|")
    for share in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        system = bm25_cut(library, share)
        rows = [(system(str(q)), set(t["relevant"])) for t in topics for q in t["queries"]]
        p, r = pooled(rows)
        mark = " (used)" if share == RANKED_SHARE else ""
        print(f"| {share:.1f}{mark} | {p:.1%} | {r:.1%} | {f1(p, r):.3f} |")
    if args.show_misses and misses:
        print("\nmisses:\n" + "\n".join(misses))


if __name__ == "__main__":
    main()

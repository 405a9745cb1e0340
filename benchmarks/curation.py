"""What `paperbot enrich --citations` costs, against a local fake Semantic Scholar, beside the
obvious alternatives, on the shipped catalog and larger synthetic ones.

    python benchmarks/curation.py [SIZES ...]      (default: 26 1000)

Table 1, asking: the batch endpoint, 100 papers a request (what enrich does), against one
request per paper. "at 1 request/s" is the time at the pace Semantic Scholar grants an API key
(requests × 1 s), since the local fake answers at once.
Table 2, writing the counts into the catalog: the text edits of `yamledit` (what enrich does)
against loading the YAML, setting the values and dumping it again. "comments kept" counts the
file's comment lines that survive; "lines changed" counts lines of the file that differ, beyond
the lines the counts themselves add.
"""

from __future__ import annotations

import difflib
import sys
import time
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.synthetic import generated  # noqa: E402
from bot.catalog.s2 import fetch_papers  # noqa: E402
from bot.catalog.web import Polite  # noqa: E402
from bot.catalog.yamledit import Flow, PaperChange, edit_papers  # noqa: E402
from tests.fakes.s2 import S2Fake, s2_paper  # noqa: E402
from tests.fakes.server import serving  # noqa: E402


def catalog_for(n: int) -> Path:
    return ROOT / "data" / "papers.yaml" if n <= 26 else generated(n)


def ask(ids: list[str]) -> list[tuple[str, int, float]]:
    rows = []
    with serving(S2Fake({a: s2_paper(a, i) for i, a in enumerate(ids)})) as fake:
        start = time.perf_counter()
        found = fetch_papers(ids, fake.api, polite=Polite(0))
        rows.append(("batch of 100 (enrich)", len(fake.requests), time.perf_counter() - start))
        assert len(found) == len(ids)
        asked = len(fake.requests)
        start = time.perf_counter()
        for a in ids:
            fetch_papers([a], fake.api, polite=Polite(0))
        rows.append(("one per paper (baseline)", len(fake.requests) - asked, time.perf_counter() - start))
    return rows


def comments(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.lstrip().startswith("#"))


def changed(before: str, after: str) -> int:
    return sum(1 for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-")


def write(text: str, ids: list[str]) -> list[tuple[str, float, int, int]]:
    values = {pid: Flow(count=100 + i, influential=1, read=date(2026, 12, 2).isoformat(), source="Semantic Scholar")
              for i, pid in enumerate(ids)}
    start = time.perf_counter()
    edited = edit_papers(text, "papers.yaml", {pid: PaperChange({"citations": v}) for pid, v in values.items()})
    edit_time = time.perf_counter() - start
    start = time.perf_counter()
    data = yaml.load(text, Loader=yaml.CSafeLoader)
    for p in data["papers"]:
        if p["id"] in values:
            p["citations"] = dict(values[p["id"]])
    dumped = yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, width=10000)
    dump_time = time.perf_counter() - start
    added = len(ids)     # one `citations:` line per paper is the change itself
    return [("text edits (enrich)", edit_time, comments(edited), changed(text, edited) - added),
            ("load + dump (baseline)", dump_time, comments(dumped), changed(text, dumped) - added)]


def main(sizes: list[int]) -> None:
    print("Semantic Scholar: asking for every paper's count (local fake, no delay)")
    print(f"| {'papers':>7} | {'way':<26} | {'requests':>8} | {'time (s)':>8} | {'at 1 request/s (s)':>18} |")
    print(f"|{'-' * 9}|{'-' * 28}|{'-' * 10}|{'-' * 10}|{'-' * 20}|")
    texts = {}
    for n in sizes:
        path = catalog_for(n)
        texts[n] = path.read_text(encoding="utf-8")
        data = yaml.load(texts[n], Loader=yaml.CSafeLoader)
        ids = [str(p["arxiv"]) for p in data["papers"] if p.get("arxiv")][:n]
        for way, requests, seconds in ask(ids):
            print(f"| {len(ids):>7} | {way:<26} | {requests:>8} | {seconds:>8.2f} | {requests * 1.0:>18.0f} |")
    print()
    print("Writing the counts into the catalog file")
    print(f"| {'papers':>7} | {'way':<26} | {'time (ms)':>9} | {'comments kept':>13} | {'lines changed':>13} |")
    print(f"|{'-' * 9}|{'-' * 28}|{'-' * 11}|{'-' * 15}|{'-' * 15}|")
    for n in sizes:
        data = yaml.load(texts[n], Loader=yaml.CSafeLoader)
        ids = [p["id"] for p in data["papers"]][:n]
        total = comments(texts[n])
        for way, seconds, kept, extra in write(texts[n], ids):
            print(f"| {len(ids):>7} | {way:<26} | {seconds * 1000:>9.0f} | {f'{kept}/{total}':>13} | {extra:>13} |")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [26, 1000])

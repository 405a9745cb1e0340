"""Speed: catalog load (cold and cached), index build, query latency, peak memory, at several
catalog sizes, beside a plain rapidfuzz extractOne over the same titles; and `paperbot ask`
as a whole process at 26 papers.

    python benchmarks/speed.py [SIZES ...]      (default: 26 10000 100000)

Each size runs in a fresh subprocess so its peak memory is its own. On a large catalog the index
is built with forked worker processes; the largest worker's peak is shown apart (much of it is
memory shared with the parent by fork).
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = ["medusa", "medsua", "flash attention 2", "how to train an llm on a 100k budget", "投机解码",
           "gorrilla apibench", "美杜莎 推理加速", "specualtive decoding", "bitcoin price", "llava 1.5",
           "visual language model for gui agents", "數據配比", "fa2", "qwen vl chat", "stable diffusion"]


def cold_load(n: int, cache: Path) -> dict[str, float]:
    """Parse and validate the YAML (no cache yet), filling the cache as a first start does."""
    from benchmarks.synthetic import generated
    from bot import catalog as catalog_mod

    path = ROOT / "data" / "papers.yaml" if n <= 26 else generated(n)
    t = time.perf_counter()
    catalog_mod.load(path, cache)
    return {"cold": time.perf_counter() - t}


def measure(n: int, cache: Path) -> dict[str, float]:
    """A restart: load from the cache, build the index, answer queries. Its own peak memory."""
    from rapidfuzz import fuzz, process, utils

    from benchmarks.synthetic import generated
    from bot import catalog as catalog_mod
    from bot.search import SearchIndex, search

    path = ROOT / "data" / "papers.yaml" if n <= 26 else generated(n)
    t = time.perf_counter()
    cat = catalog_mod.load(path, cache)
    warm = time.perf_counter() - t
    t = time.perf_counter()
    index = SearchIndex.build(cat)
    build = time.perf_counter() - t
    times, base = [], []
    titles = [p.title for p in cat]
    for _ in range(3 if n > 10000 else 10):
        for q in QUERIES:
            t = time.perf_counter()
            search(q, index)
            times.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            process.extractOne(q, titles, scorer=fuzz.WRatio, processor=utils.default_process)
            base.append((time.perf_counter() - t) * 1000)
    q = statistics.quantiles
    return {"papers": len(cat), "warm": warm, "build": build,
            "p50": statistics.median(times), "p99": q(times, n=100)[98], "base50": statistics.median(base),
            "base99": q(base, n=100)[98], "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "workers": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def ask_process() -> float:
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "ask", "/paper medusa", "--json"], capture_output=True,
                       check=True, cwd=ROOT)
        runs.append(time.perf_counter() - t)
    return min(runs)


def main(sizes: list[int]) -> None:
    print("| papers | first load, YAML (s) | restart load, cached (s) | index build (s) | query p50 (ms) "
          "| query p99 (ms) | extractOne p50 (ms) | extractOne p99 (ms) | peak RSS of a restart (MB) "
          "| largest build worker's peak RSS (MB) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        cache = tempfile.mkdtemp()
        r = {}
        for step in ("--cold", "--one"):
            out = subprocess.run([sys.executable, __file__, step, str(n), cache], capture_output=True, text=True,
                                 cwd=ROOT)
            if out.returncode != 0:
                print(f"| {n} | failed: {out.stderr.strip().splitlines()[-1:]} |")
                break
            r.update(json.loads(out.stdout.strip().splitlines()[-1]))
        else:
            print(f"| {r['papers']:,} | {r['cold']:.2f} | {r['warm']:.2f} | {r['build']:.2f} | {r['p50']:.2f} | "
                  f"{r['p99']:.2f} | {r['base50']:.2f} | {r['base99']:.2f} | {r['rss']:.0f} | "
                  f"{r['workers']:.0f} |")
    print(f"\n`paperbot ask '/paper medusa' --json` as a whole process (26 papers, best of 3): {ask_process():.2f} s")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] in ("--cold", "--one"):
        step = cold_load if sys.argv[1] == "--cold" else measure
        print(json.dumps(step(int(sys.argv[2]), Path(sys.argv[3]))))
    else:
        main([int(a) for a in sys.argv[1:]] or [26, 10_000, 100_000])

"""Speed: catalog load (cold and cached), index build, query latency, peak memory, at several
catalog sizes, beside a plain rapidfuzz extractOne over the same titles; and `paperbot ask`
as a whole process at 26 papers.

    python benchmarks/speed.py [SIZES ...]      (default: 26 lookalikes 10000 100000)

"lookalikes" is the 26 papers plus the real look-alike papers of ../shared/eval/real_distractors.jsonl
(read from there; the row is skipped when the file is absent).

Each size runs in a fresh subprocess so its peak memory is its own. "Restart load, cached" opens
the catalog's compiled store (papers decoded on access); "index build" builds the index over it.
"Restart to first answer" is `paperbot search medusa --json` as a whole process with the catalog
and index caches warm (both memory-mapped, nothing parsed or built), best of 3, with that
process's peak RSS. On a large catalog the index is built with forked worker processes; the
largest worker's peak is shown apart (much of it is memory shared with the parent by fork).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from bot.catalog.catalog import Catalog

QUERIES = ["medusa", "medsua", "flash attention 2", "how to train an llm on a 100k budget", "投机解码",
           "gorrilla apibench", "美杜莎 推理加速", "specualtive decoding", "bitcoin price", "llava 1.5",
           "visual language model for gui agents", "數據配比", "fa2", "qwen vl chat", "stable diffusion",
           "bilp-2", "lmm in a flash", "open foundation language models", "yolo object detection",
           "inference with limited memory"]


def catalog_at(size: str, cache: Path | None, *, use_cache: bool = True) -> Catalog:
    """The catalog of a row: the real one, the look-alikes, or a synthetic one of that size."""
    from benchmarks.lookalikes import lookalike_catalog
    from benchmarks.synthetic import generated
    from bot.catalog import catalog as catalog_mod

    real = ROOT / "data" / "papers.yaml"
    if size == "lookalikes":
        return lookalike_catalog(catalog_mod.load(real, cache, use_cache=use_cache))
    return catalog_mod.load(real if int(size) <= 26 else generated(int(size)), cache, use_cache=use_cache)


def cold_load(size: str, cache: Path) -> dict[str, float]:
    """Parse and validate the YAML (no cache yet), filling the cache as a first start does."""
    t = time.perf_counter()
    catalog_at(size, cache)
    return {"cold": time.perf_counter() - t}


def measure(size: str, cache: Path) -> dict[str, float]:
    """A restart: load from the cache, build the index, answer queries. Its own peak memory."""
    from rapidfuzz import fuzz, process, utils

    from bot.search.engine import SearchIndex, search

    t = time.perf_counter()
    cat = catalog_at(size, cache)
    warm = time.perf_counter() - t
    n = len(cat)
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


def restart(size: str, cache: Path) -> tuple[float, float] | None:
    """`paperbot search medusa --json --catalog PATH` as a whole process with warm caches (the
    catalog's and the index's): seconds to its answer and its peak RSS in MB."""
    from benchmarks.synthetic import generated

    if size == "lookalikes":
        return None  # built in memory from the look-alike file, not a catalog file
    path = ROOT / "data" / "papers.yaml" if int(size) <= 26 else generated(int(size))
    script = ("import atexit, resource, runpy, sys; sys.argv = ['bot', 'search', 'medusa', '--json', '--catalog', "
              "sys.argv[1]]; atexit.register(lambda: print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
              "file=sys.stderr)); runpy.run_module('bot', run_name='__main__')")
    env = dict(os.environ, PAPERBOT_CACHE_DIR=str(cache))
    cmd = [sys.executable, "-c", script, str(path)]
    subprocess.run(cmd, capture_output=True, env=env, cwd=ROOT, check=True)  # warms both caches
    best: tuple[float, float] | None = None
    for _ in range(3):
        t = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, check=True)
        took = time.perf_counter() - t
        peak = next(int(line.split()[1]) / 1024 for line in out.stderr.splitlines() if line.startswith("PEAK "))
        assert '"id": "medusa"' in out.stdout
        best = (took, peak) if best is None or took < best[0] else best
    return best


def understanding(size: str, cache: Path) -> dict[str, float]:
    """Every message of the conversation set (each case in a fresh chat, dialogues turn by turn),
    timed as CPU time twice: through the app as `paperbot ask` runs it (`LocalBot.say`: the
    update parsed, handlers, understanding, answer, rendering, the reply recorded), and the core
    alone (`answer_text`: understanding and the answer, no Telegram) as the baseline."""
    import asyncio

    from benchmarks.conversation import load_set
    from bot.conversation.answer import answer_text
    from bot.conversation.library import load_library
    from bot.conversation.understand import ChatContext
    from bot.settings import Settings
    from bot.telegram.local import LocalBot

    env: dict[str, object] = {"PAPERBOT_CACHE_DIR": cache}
    if size != "26":
        from benchmarks.synthetic import generated
        env["PAPERBOT_CATALOG"] = generated(int(size))
    settings = Settings(**env)  # type: ignore[arg-type]
    cases = load_set(ROOT / "tests" / "data" / "conversations.yaml")
    app: list[float] = []

    async def play() -> None:
        for _, group, turns in cases:
            async with LocalBot(settings, with_store=False) as bot:
                for turn in turns:
                    t = time.process_time()
                    await bot.say(turn["text"], group=group)
                    app.append((time.process_time() - t) * 1000)

    asyncio.run(play())  # warm: the library loaded, the caches mapped
    app.clear()
    asyncio.run(play())
    library = load_library(settings)
    core = []
    for _, group, turns in cases:
        for turn in turns:
            t = time.process_time()
            answer_text(turn["text"], library, ChatContext(), private=not group)
            core.append((time.process_time() - t) * 1000)
    q = statistics.quantiles
    return {"messages": len(app), "app50": statistics.median(app), "app99": q(app, n=100)[98],
            "core50": statistics.median(core), "core99": q(core, n=100)[98]}


def ask_process() -> float:
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "ask", "/paper medusa", "--json"], capture_output=True,
                       check=True, cwd=ROOT)
        runs.append(time.perf_counter() - t)
    return min(runs)


def main(sizes: list[str]) -> None:
    print("| papers | first load, YAML (s) | restart load, cached (s) | index build (s) | query p50 (ms) "
          "| query p99 (ms) | extractOne p50 (ms) | extractOne p99 (ms) | peak RSS of load + build (MB) "
          "| largest build worker's peak RSS (MB) | restart to first answer (s) | RSS of a restart (MB) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        if n == "lookalikes" and not (ROOT.parent / "shared" / "eval" / "real_distractors.jsonl").exists():
            print("| look-alikes | skipped: ../shared/eval/real_distractors.jsonl is absent |")
            continue
        cache = tempfile.mkdtemp()
        r = {}
        for step in ("--cold", "--one"):
            out = subprocess.run([sys.executable, __file__, step, n, cache], capture_output=True, text=True,
                                 cwd=ROOT)
            if out.returncode != 0:
                print(f"| {n} | failed: {out.stderr.strip().splitlines()[-1:]} |")
                break
            r.update(json.loads(out.stdout.strip().splitlines()[-1]))
        else:
            again = restart(n, Path(cache))
            tail = f"{again[0]:.2f} | {again[1]:.0f} |" if again else "- | - |"
            print(f"| {r['papers']:,} | {r['cold']:.2f} | {r['warm']:.2f} | {r['build']:.2f} | {r['p50']:.2f} | "
                  f"{r['p99']:.2f} | {r['base50']:.2f} | {r['base99']:.2f} | {r['rss']:.0f} | "
                  f"{r['workers']:.0f} | {tail}")
    print(f"\n`paperbot ask '/paper medusa' --json` as a whole process (26 papers, best of 3): {ask_process():.2f} s")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] in ("--cold", "--one", "--understand"):
        step = {"--cold": cold_load, "--one": measure, "--understand": understanding}[sys.argv[1]]
        print(json.dumps(step(sys.argv[2], Path(sys.argv[3]))))
    else:
        main(sys.argv[1:] or ["26", "lookalikes", "10000", "100000"])

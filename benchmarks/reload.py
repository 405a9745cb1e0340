"""Live reload of an edited catalog, as the serving process feels it: how long until the new
version is served, the serving process's peak and final RSS, and how queries fare meanwhile.

    python benchmarks/reload.py [SIZES ...]      (default: 10000 100000)

Two ways side by side, each in a fresh serving process that starts on warm caches and then sees
its catalog edited: "worker" is what `BotState.refresh` does (the new version is parsed and
indexed in a spawned worker process, the serving process maps the result); "thread" is the
baseline, the same `load_library` in a thread of the serving process. Every 20 ms during the
reload the serving process answers a search on the version it still serves, and the latency of
those answers (waiting for the interpreter included) is shown.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The edit: the first synthetic paper gets a word no other paper has.
EDIT = (b"- id: syn-1\n  title: '", b"- id: syn-1\n  title: 'Zyxwvut ")


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


async def serve_and_reload(way: str, catalog: Path, cache: Path) -> dict[str, float]:
    from bot.conversation.library import load_library
    from bot.search.engine import search
    from bot.settings import Settings
    from bot.telegram.state import BotState

    settings = Settings(PAPERBOT_CATALOG=catalog, PAPERBOT_CACHE_DIR=cache)  # type: ignore[call-arg]
    state = BotState(settings, load_library(settings))
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)          # the catalog has been edited
    latencies: list[float] = []
    done = asyncio.Event()

    async def query() -> None:
        while not done.is_set():
            t = time.perf_counter()
            await asyncio.sleep(0.02)
            search("medusa", state.library.index)
            latencies.append((time.perf_counter() - t - 0.02) * 1000)

    ticker = asyncio.create_task(query())
    t = time.perf_counter()
    if way == "worker":
        assert await state.refresh(force=True) == []
    else:
        state.library = await asyncio.to_thread(load_library, settings)
    took = time.perf_counter() - t
    done.set()
    await ticker
    best = search("zyxwvut", state.library.index).best
    assert best is not None and best.id == "syn-1"
    return {"took": took, "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "after": rss_mb(),
            "p50": statistics.median(latencies), "max": max(latencies), "n": len(latencies)}


def row(way: str, size: int) -> dict[str, float]:
    from benchmarks.synthetic import generated

    folder = Path(tempfile.mkdtemp())
    try:
        catalog, cache = folder / "papers.yaml", folder / "cache"
        shutil.copy(generated(size), catalog)
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        warm = "from pathlib import Path; import sys; from bot.catalog import catalog as c; from bot.search.index_cache import " \
               "load_or_build; load_or_build(c.load(Path(sys.argv[1]), Path(sys.argv[2])), Path(sys.argv[2]))"
        subprocess.run([sys.executable, "-c", warm, str(catalog), str(cache)], check=True, env=env, cwd=ROOT)
        past = time.time() - 60      # settled: the start trusts the cached content hash
        os.utime(catalog, (past, past))
        proc = subprocess.Popen([sys.executable, __file__, "--one", way, str(catalog), str(cache)], cwd=ROOT, env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert proc.stdin is not None and proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        raw = catalog.read_bytes()
        assert EDIT[0] in raw
        catalog.write_bytes(raw.replace(EDIT[0], EDIT[1], 1))
        del raw
        proc.stdin.write("go\n")
        proc.stdin.flush()
        out, _ = proc.communicate(timeout=1800)
        if proc.returncode != 0:
            raise RuntimeError(f"the {way} reload failed")
        result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(sizes: list[int]) -> None:
    print("| papers | reload by | new version served after (s) | serving process peak RSS (MB) "
          "| its RSS after (MB) | queries answered meanwhile | query delay p50 (ms) | query delay max (ms) |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        for way in ("worker", "thread"):
            r = row(way, size)
            label = "worker process (paperbot)" if way == "worker" else "thread (baseline)"
            print(f"| {size:,} | {label} | {r['took']:.1f} | {r['peak']:.0f} | {r['after']:.0f} | {r['n']:.0f} "
                  f"| {r['p50']:.1f} | {r['max']:.0f} |", flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--one":
        print(json.dumps(asyncio.run(serve_and_reload(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])))))
    else:
        main([int(n) for n in sys.argv[1:]] or [10000, 100000])

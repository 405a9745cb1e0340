"""Speed: catalog load (cold and cached), index build, query latency, peak memory, at several
catalog sizes, beside a plain rapidfuzz extractOne over the same titles; and `paperbot ask`
as a whole process at 26 papers.

    python benchmarks/speed.py [SIZES ...]      (default: 26 lookalikes 10000 100000)
    python benchmarks/speed.py --targets [SIZES ...]   (only the targets' table)
    python benchmarks/speed.py --ask      (only `paperbot ask` as a whole process)
    python benchmarks/speed.py --first-start   (only the first start at 100,000 papers and the restart)

After the table, every target of issue #22 (and #20's understanding rows) is printed beside its
baseline measured in the same run: search mean and p99 beside extractOne, understanding's p99
through the app (`LocalBot.say`, what `ask` runs) beside the core alone over both conversation
sets, a cold first start at 100,000 papers (load + index build, peak RSS) beside the same start
with the PyYAML reader, the warm restart, and `paperbot ask` as a whole process (CPU and wall
clock, beside `python -c pass` measured in the same run).

"lookalikes" is the 26 papers plus the real look-alike papers of ../shared/eval/real_distractors.jsonl
(read from there; the row is skipped when the file is absent).

Each size runs in a fresh subprocess so its peak memory is its own. "Restart load, cached" opens
the catalog's compiled store (papers decoded on access); "index build" builds the index over it.
Query times are CPU time after one unmeasured pass over the queries (the hot tables a running
bot has materialised by then); the first query after the build is printed apart. "Restart to
first answer" is `paperbot search medusa --json` as a whole process with the catalog
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
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from bot.catalog.catalog import Catalog

QUERIES = ["medusa", "medsua", "flash attention 2", "how to train an llm on a 100k budget", "投机解码",
           "gorrilla apibench", "美杜莎 推理加速", "specualtive decoding", "bitcoin price", "llava 1.5",
           "visual language model for gui agents", "數據配比", "fa2", "qwen vl chat", "stable diffusion",
           "bilp-2", "lmm in a flash", "open foundation language models", "yolo object detection",
           "inference with limited memory"]
CONVERSATION_SETS = ("conversations.yaml", "conversations_next.yaml")


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
    # One pass unmeasured, as a running bot has answered by then: the first queries after a start
    # materialise the hot tables of the mapped catalog and index (lazily, once; what that costs a
    # restart is "restart to first answer"). The first query is printed apart.
    t = time.process_time()
    search(QUERIES[0], index)
    first = (time.process_time() - t) * 1000
    for q in QUERIES:
        search(q, index)
        process.extractOne(q, titles, scorer=fuzz.WRatio, processor=utils.default_process)
    # CPU time: on a shared machine wall time measures the neighbours. Each in its own loop:
    # interleaved, every extractOne scan of the titles evicts the index from the CPU caches (at
    # 10,000 papers that doubles search's mean); the interleaved mean is printed beside.
    rounds = 3 if n > 10000 else 10
    for _ in range(rounds):
        for q in QUERIES:
            t = time.process_time()
            search(q, index)
            times.append((time.process_time() - t) * 1000)
    for _ in range(rounds):
        for q in QUERIES:
            t = time.process_time()
            process.extractOne(q, titles, scorer=fuzz.WRatio, processor=utils.default_process)
            base.append((time.process_time() - t) * 1000)
    mixed = []
    for q in QUERIES:
        t = time.process_time()
        search(q, index)
        mixed.append((time.process_time() - t) * 1000)
        process.extractOne(q, titles, scorer=fuzz.WRatio, processor=utils.default_process)
    q = statistics.quantiles
    return {"papers": len(cat), "warm": warm, "build": build, "mean": statistics.fmean(times), "first": first,
            "mixed": statistics.fmean(mixed),
            "base_mean": statistics.fmean(base),
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
    cases = [case for name in CONVERSATION_SETS for case in load_set(ROOT / "tests" / "data" / name)]
    app: list[float] = []
    # Each case gets a fresh bot (a fresh chat) over what one running bot keeps for all its
    # chats: the library with its per-version tables (the gazetteer), the bundle built once per
    # version and the file_ids Telegram gave its parts. Those are a start's cost, not a message's.
    library = load_library(settings)
    kept: dict[str, Any] = {"bundles": {}, "file_ids": {}}

    async def play() -> None:
        for _, group, turns in cases:
            async with LocalBot(settings, with_store=False, library=library) as bot:
                bot.state.bundles, bot.state.file_ids = kept["bundles"], kept["file_ids"]
                for turn in turns:
                    t = time.process_time()
                    await bot.say(turn["text"], group=group)
                    app.append((time.process_time() - t) * 1000)
                kept.update(bundles=bot.state.bundles, file_ids=bot.state.file_ids)

    asyncio.run(play())  # warm: the library loaded, the caches mapped
    app.clear()
    asyncio.run(play())
    core = []
    for _, group, turns in cases:
        for turn in turns:
            t = time.process_time()
            answer_text(turn["text"], library, ChatContext(), private=not group)
            core.append((time.process_time() - t) * 1000)
    q = statistics.quantiles
    return {"messages": len(app), "app50": statistics.median(app), "app99": q(app, n=100)[98],
            "core50": statistics.median(core), "core99": q(core, n=100)[98]}


def cold_start(size: str, cache: Path, reader: str) -> dict[str, float]:
    """A first start with empty caches: the catalog read, validated and compiled, and the search
    index built and written, as `paperbot run` does before it answers. `reader` "pyyaml" turns the
    fast reader off (the path before #22), for the baseline of the same run. Peak RSS counts this
    process and, apart, its largest worker (the catalog's parse, or an index build's)."""
    from bot.catalog import catalog as catalog_mod
    from bot.catalog import yaml_fast
    from bot.search import index_cache

    if reader == "pyyaml":
        yaml_fast._fast = lambda raw: None  # type: ignore[assignment]
        catalog_mod.WORKER_BYTES = 1 << 62   # parsed here, as before #22 (a worker would read it fast)
    path = ROOT / "data" / "papers.yaml" if int(size) <= 26 else _generated(int(size))
    t, cpu = time.perf_counter(), time.process_time()
    catalog = catalog_mod.load(path, cache)
    loaded, loaded_cpu = time.perf_counter() - t, time.process_time() - cpu
    index_cache.load_or_build(catalog, cache)
    took = time.perf_counter() - t
    # A large catalog is parsed in a worker forked by the fork server (bot/workers.py): its peak
    # and CPU reach RUSAGE_CHILDREN once the fork server, which waited for it, is stopped and reaped.
    from multiprocessing import forkserver

    forkserver._forkserver._stop()  # type: ignore[attr-defined]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": took, "load": loaded, "build": took - loaded, "load_cpu": loaded_cpu,
            "cpu": time.process_time() - cpu + children.ru_utime + children.ru_stime,
            "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "workers": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def _generated(n: int) -> Path:
    from benchmarks.synthetic import generated

    return generated(n)


def _step(step: str, size: str, *extra: str) -> dict[str, float] | str:
    """One measurement in a fresh process (its peak memory its own): its result, or why it failed."""
    out = subprocess.run([sys.executable, __file__, step, size, *extra], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        return f"failed: {out.stderr.strip().splitlines()[-1:]}"
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def targets(sizes: list[str], measured: dict[str, dict[str, float]] | None = None) -> None:
    """Each target of #22 (and #20's understanding rows) beside its baseline of the same run;
    `measured`: the search rows of the main table, by size, not measured again."""
    print("\n| target | size | measured | baseline, same run | goal | met |")
    print("|---|---:|---:|---:|---:|---|")
    for n in sizes:
        if n == "lookalikes":
            continue
        r = (measured or {}).get(n) or _step("--one", n, tempfile.mkdtemp())
        if isinstance(r, str):
            print(f"| search | {n} | {r} | | | |")
            continue
        ratio = r["base_mean"] / r["mean"]
        print(f"| search, mean per query (ms) | {r['papers']:,} | {r['mean']:.2f} | extractOne {r['base_mean']:.2f} "
              f"| {'≤ 0.6' if r['papers'] == 10_000 else '-'} | {_met(r['mean'] <= 0.6, r['papers'] == 10_000)} |")
        print(f"| search, times faster than extractOne | {r['papers']:,} | {ratio:.0f}× | 1× "
              f"| {'≥ 30×' if r['papers'] == 10_000 else '-'} | {_met(ratio >= 30, r['papers'] == 10_000)} |")
        print(f"| search, p99 per query (ms) | {r['papers']:,} | {r['p99']:.2f} | extractOne {r['base99']:.2f} "
              f"| {'< 10' if r['papers'] == 100_000 else '-'} | {_met(r['p99'] < 10, r['papers'] == 100_000)} |")
        print(f"| search, mean per query interleaved with extractOne, one pass (ms) | {r['papers']:,} | {r['mixed']:.2f} "
              f"| - | - | - |")
        print(f"| search, the first query after the build, unmeasured above (ms) | {r['papers']:,} | {r['first']:.2f} "
              f"| - | - | - |")
    for n in ("26", "100000"):
        if n not in sizes and not (n == "26" and sizes):
            continue
        u = _step("--understand", n, tempfile.mkdtemp())
        goal = 5.0 if n == "26" else 25.0
        if isinstance(u, str):
            print(f"| understanding p99 | {n} | {u} | | | |")
            continue
        print(f"| understanding p99 through the app, {u['messages']:.0f} messages (ms) | {int(n):,} | {u['app99']:.2f} "
              f"| core alone {u['core99']:.2f} | < {goal:g} | {_met(u['app99'] < goal)} |")
    if "100000" in sizes:
        first_start_rows((measured or {}).get("100000", {}))
    ask_rows()


def first_start_rows(known: dict[str, float]) -> None:
    """A cold first start at 100,000 papers beside the PyYAML reader's, and the warm restart."""
    fast = _step("--cold-start", "100000", tempfile.mkdtemp(), "fast")
    slow = _step("--cold-start", "100000", tempfile.mkdtemp(), "pyyaml")
    if isinstance(fast, str) or isinstance(slow, str):
        print(f"| cold first start | 100,000 | {fast} | {slow} | | |")
    else:
        print(f"| cold first start, load + index build, wall (s) | 100,000 | {fast['seconds']:.1f} "
              f"(load {fast['load']:.1f}, build {fast['build']:.1f}) | PyYAML reader {slow['seconds']:.1f} "
              f"(load {slow['load']:.1f}) | < 20 | {_met(fast['seconds'] < 20)} |")
        print(f"| cold first start, CPU of it and its workers (s) | 100,000 | {fast['cpu']:.1f} "
              f"(the load's in this process {fast['load_cpu']:.1f}) | PyYAML reader {slow['cpu']:.1f} "
              f"(load {slow['load_cpu']:.1f}) | - | - |")
        print(f"| cold first start, peak RSS (MB) | 100,000 | {fast['rss']:.0f} (largest worker {fast['workers']:.0f}) "
              f"| PyYAML reader {slow['rss']:.0f} | < 1,024 | {_met(fast['rss'] < 1024)} |")
    again = (known["restart"], known["restart_rss"]) if "restart" in known else restart("100000", Path(tempfile.mkdtemp()))
    if again:
        print(f"| restart to first answer, warm caches (s) | 100,000 | {again[0]:.2f} | - | < 1 | {_met(again[0] < 1)} |")
        print(f"| restart's peak RSS (MB) | 100,000 | {again[1]:.0f} | - | < 200 | {_met(again[1] < 200)} |")


def ask_rows() -> None:
    """`paperbot ask` as a whole process, beside an empty Python process of the same run."""
    ask, bare = process_time(ASK), process_time([sys.executable, "-c", "pass"])
    load = os.getloadavg()[0]
    print(f"| `paperbot ask '/paper medusa' --json`, whole process, CPU (s) | 26 | {ask[0]:.2f} "
          f"| `python -c pass` {bare[0]:.3f} | < 1 | {_met(ask[0] < 1)} |")
    print(f"| the same, wall clock (s), load average {load:.1f} | 26 | {ask[1]:.2f} | `python -c pass` {bare[1]:.3f} "
          f"| < 1 | {_met(ask[1] < 1)} |")


def _met(ok: bool, applies: bool = True) -> str:
    return "-" if not applies else "yes" if ok else "**no**"


ASK = [sys.executable, "-m", "bot", "ask", "/paper medusa", "--json"]


def process_time(command: list[str], runs: int = 5) -> tuple[float, float]:
    """A whole process's CPU time (user + system) and wall clock, each the median of `runs`
    (after one unmeasured run, so the catalog and index caches are warm, as for a deployed bot)."""
    subprocess.run(command, capture_output=True, check=True, cwd=ROOT)
    cpu, wall = [], []
    for _ in range(runs):
        before, t = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, cwd=ROOT)
        wall.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(cpu), statistics.median(wall)


def main(sizes: list[str]) -> None:
    print("| papers | first load, YAML (s) | restart load, cached (s) | index build (s) | query p50 (ms) "
          "| query p99 (ms) | extractOne p50 (ms) | extractOne p99 (ms) | peak RSS of load + build (MB) "
          "| largest build worker's peak RSS (MB) | restart to first answer (s) | RSS of a restart (MB) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    measured: dict[str, dict[str, float]] = {}
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
            measured[n] = r | ({"restart": again[0], "restart_rss": again[1]} if again else {})
            tail = f"{again[0]:.2f} | {again[1]:.0f} |" if again else "- | - |"
            print(f"| {r['papers']:,} | {r['cold']:.2f} | {r['warm']:.2f} | {r['build']:.2f} | {r['p50']:.2f} | "
                  f"{r['p99']:.2f} | {r['base50']:.2f} | {r['base99']:.2f} | {r['rss']:.0f} | "
                  f"{r['workers']:.0f} | {tail}")
    targets(sizes, measured)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] in ("--cold", "--one", "--understand"):
        step = {"--cold": cold_load, "--one": measure, "--understand": understanding}[sys.argv[1]]
        print(json.dumps(step(sys.argv[2], Path(sys.argv[3]))))
    elif len(sys.argv) == 5 and sys.argv[1] == "--cold-start":
        print(json.dumps(cold_start(sys.argv[2], Path(sys.argv[3]), sys.argv[4])))
    elif sys.argv[1:2] == ["--first-start"]:
        print("| target | size | measured | baseline, same run | goal | met |\n|---|---:|---:|---:|---:|---|")
        first_start_rows({})
        print(f"(load average {os.getloadavg()[0]:.1f})")
    elif sys.argv[1:2] == ["--ask"]:
        print("| target | size | measured | baseline, same run | goal | met |\n|---|---:|---:|---:|---:|---|")
        ask_rows()
    elif sys.argv[1:2] == ["--targets"]:
        targets(sys.argv[2:] or ["26", "10000", "100000"])
    else:
        main(sys.argv[1:] or ["26", "lookalikes", "10000", "100000"])

"""Abuse, replayed on loopback and bounded: the bot before the hardening (git revision REV, in a
temporary worktree) beside the bot now.

    python benchmarks/abuse.py [--rev REV]

1. Unauthenticated big bodies on the webhook: 6 parallel POSTs of 40 MB without the secret,
   then the bot's peak RSS and whether it still answers a real update.
2. A catalog that reuses one big abstract through YAML aliases (2 MB abstract x 400 uses,
   about 800 MB once expanded): `paperbot check`'s verdict, time and peak RSS (capped at 3 GB).
3. Shutdown under a backlog: 200 updates accepted by the webhook, SIGTERM, and SIGKILL 3 s later
   (as Docker does after its stop timeout), then a restart: how many accepted updates were never
   answered.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.botapi import BotAPIServer  # noqa: E402  (the tests' loopback Bot API, reused)
from tests.e2e.conftest import TOKEN, free_port, message, wait_for_port  # noqa: E402

BEFORE = "1b1dbf7"   # the last revision before the hardening issue's work
SECRET = "abuse-secret-1"


def peak_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def start(tree: Path, api: BotAPIServer, port: int, workdir: Path, **env: str) -> subprocess.Popen[bytes]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PAPERBOT_", "WEBHOOK_"))}
    base.update(PYTHONPATH=str(tree), TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url,
                WEBHOOK_URL=f"http://127.0.0.1:{port}/hook", WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port),
                WEBHOOK_SECRET=SECRET, PAPERBOT_CACHE_DIR=str(workdir / "cache"), XDG_DATA_HOME=str(workdir / "data"),
                PAPERBOT_STATS_DB=str(workdir / "stats.sqlite3"), DATABASE_URL=f"sqlite:///{workdir / 'store.db'}",
                PAPERBOT_RELOAD_INTERVAL="0", **env)
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], env=base, cwd=workdir,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def post(http: aiohttp.ClientSession, port: int, body: bytes, secret: bool) -> int:
    headers = {"Content-Type": "application/json", **({"X-Telegram-Bot-Api-Secret-Token": SECRET} if secret else {})}
    try:
        async with http.post(f"http://127.0.0.1:{port}/hook", data=body, headers=headers) as response:
            return response.status
    except (aiohttp.ClientError, ConnectionError):
        return 0


@contextlib.asynccontextmanager
async def serving(tree: Path, workdir: Path) -> AsyncIterator[tuple[BotAPIServer, int, subprocess.Popen[bytes]]]:
    """A loopback Bot API and the bot at `tree` in webhook mode, up and listening."""
    api = BotAPIServer(TOKEN)
    await api.start()
    port = free_port()
    proc = start(tree, api, port, workdir)
    try:
        await api.wait_for("setWebhook", timeout=60)
        await wait_for_port(port)
        yield api, port, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)
        await api.stop()


async def big_bodies(tree: Path, workdir: Path) -> tuple[float, float, bool]:
    async with serving(tree, workdir) as (api, port, proc):
        before = peak_mb(proc.pid)
        big = b"x" * (40 << 20)
        async with aiohttp.ClientSession() as http:
            await asyncio.gather(*(post(http, port, big, False) for _ in range(6)))
            after = peak_mb(proc.pid)
            mark = api.mark()
            await post(http, port, json.dumps(dict(message("/paper gptq"), update_id=5)).encode(), True)
        try:
            await api.wait_for("sendMessage", timeout=20, since=mark)
            answered = True
        except AssertionError:
            answered = False
        return before, after, answered


def alias_bomb(tree: Path, workdir: Path) -> tuple[str, float, float]:
    abstract = "长" * (2 << 20)
    lines = ["sections:", "- {id: s, zh: 基座, en: Base}", "organisations:", "- {id: o, en: Org}", "papers:"]
    for n in range(400):
        value = f"&big '{abstract}'" if n == 0 else "*big"
        lines += [f"- id: p{n}", f"  title: Paper {n}", "  section: s", "  orgs: [o]", "  date: 2023-01",
                  "  impact: {zh: 影响}", f"  abstract_zh: {value}"]
    path = workdir / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(tree), PAPERBOT_CACHE_DIR=str(workdir / "cache"))

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    t = time.perf_counter()
    script = ("import atexit, resource, runpy, sys; sys.argv = ['bot', 'check', sys.argv[1]]; "
              "atexit.register(lambda: print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
              "file=sys.stderr)); runpy.run_module('bot', run_name='__main__')")
    proc = subprocess.run([sys.executable, "-c", script, str(path)], env=env, cwd=workdir, capture_output=True,
                          text=True, preexec_fn=cap, timeout=600)
    took = time.perf_counter() - t
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    peaks = [int(line.split()[1]) / 1024 for line in lines if line.startswith("PEAK ")]
    said = [line for line in lines if not line.startswith("PEAK ")]
    if proc.returncode == 0:
        verdict = "passed"
    elif any("MemoryError" in line for line in said):
        verdict = "out of memory (3 GB cap)"
    else:
        verdict = "refused: " + (said[0].split(": ", 1)[-1][:60] if said else f"exit {proc.returncode}")
    return verdict, took, peaks[0] if peaks else float("nan")


async def backlog(tree: Path, workdir: Path, total: int = 200) -> tuple[int, int]:
    async with serving(tree, workdir) as (api, port, proc):
        accepted = 0
        async with aiohttp.ClientSession() as http:
            for n in range(total):
                body = json.dumps(dict(message(f"/paper gptq {n}"), update_id=10_000 + n)).encode()
                accepted += await post(http, port, body, True) == 200
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        restarted = start(tree, api, port, workdir)  # the same store: what was journalled comes back
        try:
            await wait_for_port(port)
            await asyncio.sleep(45)  # past the replay's pick-up time, at the bot's send rate
        finally:
            restarted.terminate()
            restarted.wait(timeout=30)
        replies = sum(1 for m, _ in api.calls if m == "sendMessage")  # one reply per accepted /paper
        return accepted, accepted - min(replies, accepted)


def main(rev: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "before"
        made = subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old), rev],
                              capture_output=True, text=True)
        if made.returncode != 0:
            print(f"no worktree at {rev}: {made.stderr.strip()[-200:]}")
            return
        try:
            rows = []
            for label, tree in ((f"before ({rev})", old), ("now", ROOT)):
                work = Path(tmp) / label.split()[0]
                for sub in ("a", "b", "c"):
                    (work / sub).mkdir(parents=True, exist_ok=True)
                before, after, answered = asyncio.run(big_bodies(tree, work / "a"))
                verdict, took, peak = alias_bomb(tree, work / "b")
                accepted, lost = asyncio.run(backlog(tree, work / "c"))
                rows.append((label, before, after, answered, verdict, took, peak, accepted, lost))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], capture_output=True)
            shutil.rmtree(old, ignore_errors=True)
    print("| bot | 1. peak RSS before the attack (MB) | 1. peak RSS after 6 x 40 MB unauthenticated (MB) "
          "| 1. still answers | 2. `check` on the alias bomb | 2. time (s) | 2. peak RSS (MB) "
          "| 3. updates accepted | 3. accepted but never answered |")
    print("|---|---:|---:|---|---|---:|---:|---:|---:|")
    for label, before, after, answered, verdict, took, peak, accepted, lost in rows:
        print(f"| {label} | {before:.0f} | {after:.0f} | {'yes' if answered else 'no'} | {verdict} | {took:.1f} | "
              f"{peak:.0f} | {accepted} | {lost} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rev", default=BEFORE)
    main(parser.parse_args().rev)

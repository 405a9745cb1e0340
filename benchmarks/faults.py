"""Faults: issue #18's rows against the real `paperbot run` and the strict local Bot API server
(tests/e2e/botapi.py), polling and webhook, SQLite and a throwaway PostgreSQL 15 on 127.0.0.1.

    python benchmarks/faults.py [--updates 400] [--chats 100] [--clients 50] [--freeze 20] [--no-postgres]

Each row: updates sent, updates answered, answered twice, lost, p50/p99 from an update's
arrival at the Bot API server to its reply, the bot's peak RSS, and the store's trouble in the
bot's log (journal commits or closes that failed, "database is locked"). Every update is a
`/paper gptq` in one of `--chats` private chats, so a chat's replies are counted against the
updates it sent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from benchmarks.abuse import peak_mb  # noqa: E402
from bot.telegram.app import CONCURRENT_UPDATES  # noqa: E402
from tests.e2e.botapi import BotAPIServer  # noqa: E402
from tests.e2e.conftest import TOKEN, RunningBot, free_port, message, wait_for_port  # noqa: E402

FIRST_CHAT = 30_000
SECRET = "faults-secret"
TROUBLE = re.compile(
    r"closing a journal entry failed|database is locked|journal's commit failed|"
    r"SQL statements in progress|journalling update \d+ failed"
)

WINDOW = re.compile(r"answered mark: \d+ replies, p50 (?P<p50>\d+) ms, p99 (?P<p99>\d+) ms, widest (?P<widest>\d+) ms")


class Stamped(list[tuple[str, dict[str, Any]]]):
    """The server's call log, each call with the moment it arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.at: list[float] = []

    def append(self, item: tuple[str, dict[str, Any]]) -> None:
        self.at.append(time.monotonic())
        super().append(item)


@dataclass
class Row:
    name: str
    store: str
    sent: int
    answered: int
    twice: int
    lost: int
    p50: float
    p99: float
    rss: float
    trouble: int
    last: float = 0.0  # seconds from the first update to the last reply
    window: str = "–"  # the bot's own reading at its clean stop (handlers/journal.py's report)
    unmarked: str = "–"  # kills: rows not marked answered whose reply Telegram had received

    def line(self) -> str:
        return (
            f"| {self.name} | {self.store} | {self.sent:,} | {self.answered:,} | {self.twice:,} | {self.lost:,} "
            f"| {self.p50:.2f} | {self.p99:.2f} | {self.last:.1f} | {self.rss:.0f} | {self.trouble} | {self.window} | {self.unmarked} |"
        )


def updates(count: int, chats: int) -> list[dict[str, Any]]:
    return [message("/paper gptq", chat={"id": FIRST_CHAT + n % chats, "type": "private", "first_name": "Ann"}) for n in range(count)]


async def until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def drained(server: BotAPIServer, want: int, args: argparse.Namespace) -> None:
    """Until every update is answered, or no reply came for --quiet seconds (a bot that lost
    some goes quiet; a slow drain does not), never a fixed time (--timeout is only a safety cap)."""

    def replies() -> int:
        return sum(m == "sendMessage" for m, _ in server.calls)

    last, seen = time.monotonic(), replies()
    deadline = last + args.timeout
    while replies() < want and time.monotonic() - last < args.quiet and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        if replies() != seen:
            last, seen = time.monotonic(), replies()


def score(
    name: str, store: str, server: BotAPIServer, sent: list[dict[str, Any]], pushed: dict[int, float], rss: float, logs: list[Path]
) -> Row:
    """Replies per chat against updates per chat; latency from each chat's first update to its first reply."""
    wanted = Counter(int(u["message"]["chat"]["id"]) for u in sent)
    calls = server.calls
    got: Counter[int] = Counter()
    first: dict[int, float] = {}
    at = calls.at if isinstance(calls, Stamped) else [0.0] * len(calls)
    for (method, params), when in zip(calls, at, strict=True):
        if method == "sendMessage" and int(params["chat_id"]) in wanted:
            chat = int(params["chat_id"])
            got[chat] += 1
            first.setdefault(chat, when)
    twice = sum(max(0, got[c] - n) for c, n in wanted.items())
    lost = sum(max(0, n - got[c]) for c, n in wanted.items())
    latency = sorted((first[c] - pushed[c]) * 1000 for c in first if c in pushed) or [0.0]
    p99 = statistics.quantiles(latency, n=100)[98] if len(latency) > 1 else latency[0]
    trouble = sum(len(TROUBLE.findall(p.read_text(errors="replace"))) for p in logs if p.exists())
    replied = [when for (method, _), when in zip(calls, at, strict=True) if method == "sendMessage"]
    last = max(replied) - min(pushed.values()) if replied and pushed else 0.0
    window = "–"
    for found in WINDOW.finditer(logs[-1].read_text(errors="replace") if logs and logs[-1].exists() else ""):
        window = f"{found['p50']} / {found['p99']} / {found['widest']}"
    return Row(name, store, len(sent), len(sent) - lost, twice, lost, statistics.median(latency), p99, rss, trouble, last, window)


async def stop(running: RunningBot) -> float:
    rss = peak_mb(running.proc.pid)
    await asyncio.to_thread(running.stop)
    return rss


def push_all(server: BotAPIServer, batch: list[dict[str, Any]], pushed: dict[int, float]) -> None:
    now = time.monotonic()
    for update in batch:
        pushed.setdefault(int(update["message"]["chat"]["id"]), now)
        server.push(update)


async def polling_backlog(server: BotAPIServer, work: Path, url: str, store: str, args: argparse.Namespace) -> Row:
    running = RunningBot(server, work, DATABASE_URL=url, PAPERBOT_LOG_LEVEL="INFO")
    await server.wait_for("setMyCommands", count=2, timeout=60)
    batch, pushed = updates(args.updates, args.chats), {}
    push_all(server, batch, pushed)
    await drained(server, len(batch), args)
    await asyncio.sleep(args.settle)  # anything sent twice has its time to arrive
    rss = await stop(running)
    return score(
        f"polling, {len(batch):,} updates from {args.chats:,} chats at once", store, server, batch, pushed, rss, [running.log_path]
    )


async def webhook_backlog(server: BotAPIServer, work: Path, url: str, store: str, args: argparse.Namespace) -> Row:
    port = free_port()
    running = RunningBot(
        server,
        work,
        DATABASE_URL=url,
        PAPERBOT_LOG_LEVEL="INFO",
        WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        WEBHOOK_SECRET=SECRET,
    )
    await wait_for_port(port, 60)
    batch = [dict(u, update_id=900_000 + n) for n, u in enumerate(updates(args.updates, args.chats))]
    pushed: dict[int, float] = {}
    statuses: Counter[int] = Counter()
    limit = asyncio.Semaphore(args.clients)

    async def post(http: aiohttp.ClientSession, update: dict[str, Any]) -> None:
        async with limit:
            pushed.setdefault(int(update["message"]["chat"]["id"]), time.monotonic())
            async with http.post(
                f"http://127.0.0.1:{port}/hook",
                data=json.dumps(update),
                headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET},
            ) as response:
                statuses[response.status] += 1

    async with aiohttp.ClientSession() as http:
        await asyncio.gather(*(post(http, u) for u in batch))
    await drained(server, len(batch), args)
    await asyncio.sleep(args.settle)
    rss = await stop(running)
    codes = ", ".join(f"{n} × {code}" for code, n in sorted(statuses.items()))
    return score(
        f"webhook, {len(batch):,} POSTs from {args.clients} clients ({codes})", store, server, batch, pushed, rss, [running.log_path]
    )


async def kills(server: BotAPIServer, work: Path, url: str, store: str, args: argparse.Namespace, times: int) -> Row:
    """SIGKILL with a backlog accepted (and, with times=2, again in the middle of the replay)."""
    env = {"DATABASE_URL": url, "PAPERBOT_LOG_LEVEL": "INFO"}
    batch, pushed = updates(args.updates, args.updates), {}  # one chat per update: a reply is its update's
    logs = []
    running = RunningBot(server, work / "run0", **env)
    logs.append(running.log_path)
    await server.wait_for("setMyCommands", count=2, timeout=60)
    server.hold("sendMessage", after=len(batch) // 5)
    push_all(server, batch, pushed)
    await until(lambda: server.held >= CONCURRENT_UPDATES // 2, args.timeout)
    await asyncio.sleep(0.5)
    kill(running)
    seen = [await at_kill(server, url, batch)]
    for n in range(1, times):
        server.hold("sendMessage", after=len(batch) // 5)
        running = RunningBot(server, work / f"run{n}", **env)
        logs.append(running.log_path)
        await until(lambda: server.held >= CONCURRENT_UPDATES // 2, args.timeout)
        await asyncio.sleep(0.5)
        kill(running)
        seen.append(await at_kill(server, url, batch))
    server.release()
    running = RunningBot(server, work / f"run{times}", **env)
    logs.append(running.log_path)
    await drained(server, len(batch), args)
    await asyncio.sleep(args.settle)
    rss = await stop(running)
    name = "SIGKILL with a backlog accepted, restart" if times == 1 else "a second SIGKILL during the replay"
    for n, (what, _) in enumerate(seen, 1):
        print(f"  {store}, {name}: kill {n} left {what}", file=sys.stderr, flush=True)
    row = score(f"{name} ({len(batch):,} updates)", store, server, batch, pushed, rss, logs)
    row.unmarked = " + ".join(str(received) for _, received in seen)
    return row


async def journal_rows(url: str) -> list[tuple[int, str, str]]:
    """(update_id, status, owner) of the journal's rows, read as a restart would find them."""
    import sqlalchemy as sa

    from bot.store.engine import Database
    from bot.store.tables import journal

    db = Database(url)
    await db.open()
    try:
        async with db.read() as conn:
            result = await conn.execute(sa.select(journal.c.update_id, journal.c.status, journal.c.owner))
            return [(r[0], r[1], r[2]) for r in result]
    finally:
        await db.close()


async def at_kill(server: BotAPIServer, url: str, batch: list[dict[str, Any]]) -> tuple[str, int]:
    """What a kill left: the journal's rows by status, and how many rows not marked answered
    have a reply Telegram received (the window no journal can close: those are sent again)."""
    rows = await journal_rows(url)
    chat_of = {int(u["update_id"]): int(u["message"]["chat"]["id"]) for u in batch}
    replied = {int(p["chat_id"]) for m, p in server.calls if m == "sendMessage"}
    statuses = Counter(status for _, status, _ in rows)
    received = sum(1 for update_id, status, _ in rows if status != "answered" and chat_of.get(update_id) in replied)
    return f"{dict(sorted(statuses.items()))}, {received} received but not marked", received


def kill(running: RunningBot) -> None:
    running.proc.send_signal(signal.SIGKILL)
    running.proc.wait(timeout=30)
    running._log.close()


async def frozen_postgres(server: BotAPIServer, work: Path, url: str, server_url: str, args: argparse.Namespace) -> Row:
    """Cards sent one after another while PostgreSQL is stopped (SIGSTOP) for --freeze seconds."""
    from tests.e2e.test_store_freeze import frozen, server_processes

    running = RunningBot(server, work, DATABASE_URL=url, PAPERBOT_LOG_LEVEL="INFO")
    await server.wait_for("setMyCommands", count=2, timeout=60)
    warm = server.mark()  # started and answering (not frozen in the middle of its start)
    server.push(message("/paper medusa", chat={"id": FIRST_CHAT - 1, "type": "private", "first_name": "Ann"}))
    await server.wait_for("sendMessage", since=warm, timeout=60)
    sent: list[dict[str, Any]] = []
    pushed: dict[int, float] = {}
    pids = await server_processes(server_url)
    with frozen(pids):
        start = time.monotonic()
        while time.monotonic() - start < args.freeze:
            update = updates(1, 1)[0]
            update["message"]["chat"]["id"] = FIRST_CHAT + len(sent)
            push_all(server, [update], pushed)
            sent.append(update)
            before = sum(m == "sendMessage" for m, _ in server.calls)
            await until(lambda before=before: sum(m == "sendMessage" for m, _ in server.calls) > before, 5)
            await asyncio.sleep(0.25)
    await drained(server, len(sent), args)
    await asyncio.sleep(args.settle)
    rss = await stop(running)
    return score(
        f"PostgreSQL frozen {args.freeze:.0f} s (SIGSTOP), a card every 0.25 s", "PostgreSQL", server, sent, pushed, rss, [running.log_path]
    )


async def one(row: Callable[[BotAPIServer], Awaitable[Row]]) -> Row:
    server = BotAPIServer(TOKEN)
    server.calls = Stamped()
    await server.start()
    try:
        return await row(server)
    finally:
        await server.stop()


Kind = Callable[[BotAPIServer, Path, str, str, argparse.Namespace], Awaitable[Row]]
ROWS: list[tuple[str, Kind]] = [
    ("poll", polling_backlog),
    ("hook", webhook_backlog),
    ("kill1", lambda s, w, u, store, a: kills(s, w, u, store, a, 1)),
    ("kill2", lambda s, w, u, store, a: kills(s, w, u, store, a, 2)),
]


async def run_row(kind: Kind, work: Path, url: str, store: str, args: argparse.Namespace) -> Row:
    return await one(lambda server: kind(server, work, url, store, args))


async def main(args: argparse.Namespace) -> None:
    from benchmarks.load import postgres
    from tests.postgres import fresh_database

    work = Path(tempfile.mkdtemp(prefix="paperbot-faults-"))
    print(
        f"sizes: {args.updates:,} updates, {args.chats:,} chats, {args.clients} webhook clients, PostgreSQL frozen "
        f"{args.freeze:.0f} s; `paperbot run` against tests/e2e/botapi.py on 127.0.0.1, {os.cpu_count()} shared cores"
    )
    print(
        "| test | store | sent | answered | answered twice | lost | p50 (ms) | p99 (ms) | last reply (s) | peak RSS (MB) "
        "| store errors logged | first request to answered mark p50 / p99 / widest (ms) | received, not marked at the kill(s) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    with postgres(not args.no_postgres and "PostgreSQL" in args.stores) as server_url:
        for store in ("SQLite", "PostgreSQL"):
            if store not in args.stores:
                continue
            if store == "PostgreSQL" and not server_url:
                continue
            for name, kind in ROWS:
                if args.rows and name not in args.rows:
                    continue
                folder = work / f"{store}-{name}"
                if store == "SQLite":
                    url = f"sqlite:///{folder / 'store.sqlite3'}"
                else:
                    assert server_url is not None
                    url = await fresh_database(server_url, f"faults_{name}")
                print((await run_row(kind, folder, url, store, args)).line(), flush=True)
        if server_url and (not args.rows or "frozen" in args.rows):
            url = await fresh_database(server_url, "faults_frozen")
            pg_url = server_url
            row = await one(lambda server: frozen_postgres(server, work / "frozen", url, pg_url, args))
            print(row.line(), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=400)
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--freeze", type=float, default=20.0)
    parser.add_argument("--settle", type=float, default=3.0, help="seconds to wait for late duplicates")
    parser.add_argument("--quiet", type=float, default=20.0, help="seconds without a reply after which a backlog counts as drained")
    parser.add_argument("--timeout", type=float, default=900.0, help="a safety cap on any one wait")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--rows", nargs="*", choices=[name for name, _ in ROWS] + ["frozen"], help="only these rows")
    parser.add_argument("--stores", nargs="*", default=["SQLite", "PostgreSQL"], choices=["SQLite", "PostgreSQL"])
    asyncio.run(main(parser.parse_args()))

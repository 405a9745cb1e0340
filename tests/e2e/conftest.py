"""Fixtures for end-to-end tests: a local Bot API server and the real `paperbot run` process."""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.botapi import BotAPIServer

TOKEN = "987654321:AAE2eTestTokenNeverLoggedAnywhere123"
ANN = {"id": 555, "is_bot": False, "first_name": "Ann", "language_code": "en"}
PRIVATE = {"id": 555, "type": "private", "first_name": "Ann"}
GROUP = {"id": -100777, "type": "supergroup", "title": "Readers"}


def message(text: str, chat: dict[str, Any] = PRIVATE, **extra: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {"message_id": int(time.time() * 1000) % 1_000_000, "date": int(time.time()),
                           "chat": chat, "from": ANN, "text": text, **extra}
    if text.startswith("/"):
        msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"message": msg}


def unmarked(store: Path) -> int:
    """Journal rows of a SQLite store not marked answered (a reply not known to have gone out),
    read through a connection closed again at once."""
    db = sqlite3.connect(store, timeout=5)
    try:
        return int(db.execute("SELECT count(*) FROM journal WHERE status != 'answered'").fetchone()[0])
    finally:
        db.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RunningBot:
    """`paperbot run` as a child process, with its log kept for the token check."""

    cache_dir: Path | None = None   # the worker's catalog cache (see `shared_catalog_cache`)

    def __init__(self, server: BotAPIServer, tmp_path: Path, **env: str) -> None:
        base = {k: v for k, v in os.environ.items()
                if not k.startswith(("TELEGRAM_", "PAPERBOT_", "WEBHOOK_")) and k != "DATABASE_URL"}
        base.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url, PAPERBOT_LOG_LEVEL="DEBUG",
                    PAPERBOT_CACHE_DIR=str(self.cache_dir or tmp_path / "cache"), PAPERBOT_STATS_DB=str(tmp_path / "stats.sqlite3"),
                    DATABASE_URL=f"sqlite:///{tmp_path / 'store.sqlite3'}", PYTHONUNBUFFERED="1")
        base.update(env)  # a test's own settings win
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.log_path = tmp_path / "bot.log"
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=base, cwd=tmp_path, stdout=self._log,
                                     stderr=subprocess.STDOUT, text=True)

    def stop(self, *, signal_sent: bool = False) -> int:
        if self.proc.poll() is None and not signal_sent:
            self.proc.terminate()
        try:
            code = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self._log.close()
        text = self.log_path.read_text()
        assert TOKEN not in text and TOKEN.split(":")[1] not in text, "the token leaked into the logs"
        return code


@pytest.fixture(scope="session", autouse=True)
def shared_catalog_cache(catalog_cache: Path) -> Iterator[None]:
    RunningBot.cache_dir = catalog_cache
    yield
    RunningBot.cache_dir = None


@pytest.fixture()
async def server() -> AsyncIterator[BotAPIServer]:
    api = BotAPIServer(TOKEN)
    await api.start()
    yield api
    await api.stop()


@pytest.fixture()
async def bot(server: BotAPIServer, tmp_path: Path) -> AsyncIterator[subprocess.Popen[str]]:
    running = RunningBot(server, tmp_path)
    try:
        await server.wait_for("setMyCommands", count=2, timeout=30)
        yield running.proc
    finally:
        # In a thread: the server on this loop must answer the bot's last calls (the getUpdates
        # that confirms the offset) for its stop to end at once, not at a read timeout.
        await asyncio.to_thread(running.stop)


async def wait_for_port(port: int, timeout: float = 20.0) -> None:
    """Telegram is told the webhook URL just before the local server listens: wait for it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)

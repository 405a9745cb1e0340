"""The real `paperbot run` under the faults of issue #18's table that are not about the journal
(those are tests/e2e/test_durability.py): a store that refuses or is not there at start, a
SQLite file lost or its -shm broken while running, an update the library cannot read, webhook
bodies that are no update, a webhook secret too short to be found by its value."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.e2e.botapi import BotAPIServer
from tests.e2e.conftest import TOKEN, RunningBot, free_port, message, unmarked, wait_for_port
from tests.fakes.pg_refuser import refusing_server

pytestmark = [pytest.mark.asyncio, pytest.mark.e2e]
ADMIN = 999


def texts(server: BotAPIServer, since: int = 0, chat: int | None = None) -> list[str]:
    return [str(p.get("text", "")) for m, p in server.calls[since:] if m == "sendMessage" and (chat is None or int(p["chat_id"]) == chat)]


async def until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.02)


async def ask(server: BotAPIServer, text: str, timeout: float = 20) -> str:
    """The reply to `text` in the reader's chat (an admin's warning may come first, elsewhere)."""
    since = server.mark()
    update = message(text)
    server.push(update)
    chat = update["message"]["chat"]["id"]
    await until(lambda: texts(server, since, chat), timeout, f"a reply to {text!r}")
    return texts(server, since, chat)[0]


async def test_a_refused_password_is_one_line_and_exit_1(server: BotAPIServer, tmp_path: Path) -> None:
    refuser, port = await refusing_server()
    try:
        running = RunningBot(server, tmp_path, DATABASE_URL=f"postgresql://bot:hunter2-pw@127.0.0.1:{port}/paperbot")
        code = await asyncio.to_thread(running.proc.wait, 60)
        running._log.close()
    finally:
        refuser.close()
    log = running.log_path.read_text()
    errors = [line for line in log.splitlines() if " ERROR " in line or " CRITICAL " in line]
    assert code == 1 and "Traceback" not in log and "hunter2-pw" not in log
    assert len(errors) == 1 and "refused the bot: password authentication failed" in errors[0], errors


async def test_an_unreachable_database_at_start_is_retried(server: BotAPIServer, tmp_path: Path) -> None:
    running = RunningBot(server, tmp_path, DATABASE_URL=f"postgresql://bot:pw-secret@127.0.0.1:{free_port()}/paperbot")
    await until(lambda: "unreachable (attempt 2" in running.log_path.read_text(), 30, "a second attempt")
    assert running.proc.poll() is None  # still waiting for it, no traceback exit
    running.proc.send_signal(signal.SIGTERM)
    await asyncio.to_thread(running.stop, signal_sent=True)
    log = running.log_path.read_text()
    assert "Traceback" not in log and "pw-secret" not in log


async def test_a_removed_sqlite_directory_is_detected_admins_warned_follows_refused(server: BotAPIServer, tmp_path: Path) -> None:
    folder = tmp_path / "db"
    running = RunningBot(server, tmp_path / "run", DATABASE_URL=f"sqlite:///{folder / 'store.sqlite3'}", PAPERBOT_ADMIN_IDS=str(ADMIN))
    try:
        await server.wait_for("setMyCommands", count=2, timeout=30)
        assert "agent" in (await ask(server, "/subscribe agent")).lower()
        shutil.rmtree(folder)
        refused = await ask(server, "/subscribe gptq")
        assert "try again" in refused  # not confirmed into a deleted file
        await until(lambda: texts(server, chat=ADMIN), 10, "the admins told")
        [warning] = texts(server, chat=ADMIN)
        assert "was removed" in warning and "store.sqlite3" in warning
        assert "2401.10774" in await ask(server, "/paper medusa")  # cards go on
        await asyncio.sleep(1.5)  # a few more checks: told once
        assert len(texts(server, chat=ADMIN)) == 1
    finally:
        assert await asyncio.to_thread(running.stop) == 0
    assert "store: the store's file" in running.log_path.read_text()


async def test_a_broken_shm_file_cannot_kill_the_bot(server: BotAPIServer, tmp_path: Path) -> None:
    """WAL maps store.sqlite3-shm into memory, and a -shm truncated under it kills the process
    with SIGBUS, no log line: the bot must survive it, or keep no -shm at all."""
    store = tmp_path / "store.sqlite3"
    running = RunningBot(server, tmp_path)
    try:
        await server.wait_for("setMyCommands", count=2, timeout=30)
        assert "agent" in (await ask(server, "/subscribe agent")).lower()
        # The guard's one window is a statement running at the truncation (the module's docstring):
        # truncate once the reply's `answered` mark has committed, not while it is being written.
        await until(lambda: unmarked(store) == 0, 20, "the reply's answered mark")
        shm = Path(f"{store}-shm")
        if shm.exists():  # a store in WAL mode: what the probe did
            os.truncate(shm, 0)
        else:
            shm.write_bytes(b"")
        shm.chmod(0o000)
        assert "gptq" in (await ask(server, "/subscribe gptq")).lower()
        assert "2401.10774" in await ask(server, "/paper medusa")
        assert running.proc.poll() is None
        listed = (await ask(server, "/subscriptions")).lower()
        assert "agent" in listed and "gptq" in listed  # both follows kept, before and after
    finally:
        assert await asyncio.to_thread(running.stop) == 0
    assert "-shm was truncated under the bot" in running.log_path.read_text()


async def test_an_update_the_library_cannot_read_is_logged_once_and_polling_goes_on(server: BotAPIServer, tmp_path: Path) -> None:
    server.redeliver = True  # Telegram sends an unconfirmed update again, and again
    running = RunningBot(server, tmp_path)
    try:
        await server.wait_for("setMyCommands", count=2, timeout=30)
        server.push({"poll": {"id": "5"}})  # none of the fields python-telegram-bot requires
        assert "2401.10774" in await ask(server, "/paper medusa")
        server.push({"poll": {"id": "6", "question": "q"}})
        assert "GPTQ" in await ask(server, "/paper gptq")
    finally:
        assert await asyncio.to_thread(running.stop) == 0
    log = running.log_path.read_text()
    assert log.count("cannot be read") == 2, log.count("cannot be read")
    assert log.count("Error while parsing updates") <= 2  # PTB's own line, once per bad batch


async def test_webhook_bodies_that_are_no_update_get_400_and_a_short_secret_never_shows(server: BotAPIServer, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    running = RunningBot(server, tmp_path, WEBHOOK_URL=url, WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port), WEBHOOK_SECRET="q7")
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "q7"}
    try:
        await wait_for_port(port)
        async with aiohttp.ClientSession() as http:
            for body in ("[]", "[1, 2]", "1", '"x"', "null", "true", '{"update_id": 5, "poll": {"id": "1"}}'):
                async with http.post(url, data=body, headers=headers) as refused:
                    assert refused.status == 400, body
            since = server.mark()
            async with http.post(url, data=json.dumps(dict(message("/paper medusa"), update_id=77)), headers=headers) as ok:
                assert ok.status == 200
        [card] = await server.wait_for("sendMessage", since=since, timeout=20)
        assert "2401.10774" in card["text"]
    finally:
        assert await asyncio.to_thread(running.stop) == 0
    log = running.log_path.read_text()
    assert "setWebhook" in log and "'secret_token': '<redacted>'" in log and "'q7'" not in log
    assert "500" not in [line.split()[-1] for line in log.splitlines() if "webhook:" in line]


@pytest.mark.parametrize("secret", ["has space", "x" * 257, "ünïcode", "a/b"])
async def test_a_webhook_secret_telegram_would_refuse_is_refused_at_start(tmp_path: Path, secret: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PAPERBOT_", "WEBHOOK_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN, WEBHOOK_URL="https://example.invalid/hook", WEBHOOK_SECRET=secret, PAPERBOT_CACHE_DIR=str(tmp_path)
    )
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "bot", "run"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "WEBHOOK_SECRET is not one Telegram accepts" in done.stderr
    assert secret not in done.stderr + done.stdout

"""An in-process Bot API backend: `paperbot chat` and `ask` run the real Application and
handlers against it, so what they print is exactly what Telegram would receive."""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import re
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.settings import Settings

LOCAL_TOKEN = "123456:LOCAL-paperbot-no-network-needed-000"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "paperbot", "username": "PaperLocalBot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}
USER = {"id": 1001, "is_bot": False, "first_name": "You"}
PRIVATE_CHAT = {"id": 1001, "type": "private", "first_name": "You"}
GROUP_CHAT = {"id": -1001234, "type": "supergroup", "title": "Local group"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, int]] = field(default_factory=dict)


class RecordingRequest(BaseRequest):
    """Answers every Bot API call locally and records it."""

    def __init__(self, *, keep: bool = True) -> None:
        self.calls: list[Call] = []
        self.count = 0
        self.keep = keep  # a load test counts calls instead of keeping them
        self._ids = itertools.count(1000)

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None, connect_timeout: Any = None,
                         pool_timeout: Any = None) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files: dict[str, tuple[str, int]] = {}
        if request_data and request_data.contains_files:
            for key, value in request_data.multipart_data.items():
                filename, content = value[0], value[1]
                files[key] = (filename or key, len(content) if isinstance(content, bytes) else 0)
        self.count += 1
        if self.keep:
            self.calls.append(Call(name, params, files))
        return 200, json.dumps({"ok": True, "result": self._result(name, params, files)}).encode()

    def _result(self, name: str, params: dict[str, Any], files: dict[str, tuple[str, int]]) -> Any:
        if name == "getMe":
            return BOT_USER
        if name in ("sendMessage", "sendDocument", "editMessageText"):
            if name == "editMessageText" and "inline_message_id" in params:
                return True
            chat_id = params.get("chat_id", PRIVATE_CHAT["id"])
            chat = GROUP_CHAT if str(chat_id) == str(GROUP_CHAT["id"]) else PRIVATE_CHAT
            message: dict[str, Any] = {"message_id": params.get("message_id") or next(self._ids),
                                       "date": int(time.time()), "chat": chat, "from": BOT_USER}
            if name == "sendDocument":
                doc = params.get("document")
                file_id = doc if isinstance(doc, str) else f"local-file-{next(self._ids)}"
                filename, size = files.get("document", (str(doc), 0))
                message["document"] = {"file_id": file_id, "file_unique_id": file_id,
                                       "file_name": filename, "file_size": size}
            else:
                message["text"] = re.sub(r"<[^>]+>", "", str(params.get("text", "")))
            return message
        return True


def message_update(text: str, *, group: bool, update_id: int = 1, language_code: str | None = None,
                   bot_username: str = BOT_USER["username"]) -> dict[str, Any]:  # type: ignore[assignment]
    user = dict(USER, **({"language_code": language_code} if language_code else {}))
    message: dict[str, Any] = {"message_id": update_id, "date": int(time.time()),
                               "chat": GROUP_CHAT if group else PRIVATE_CHAT, "from": user, "text": text}
    command = re.match(r"^/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if command:
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command.group(0))}]
    return {"update_id": update_id, "message": message}


def replies_of(calls: list[Call]) -> list[dict[str, Any]]:
    """The contract's JSON shape for what the bot sent."""
    out = []
    for call in calls:
        if call.method not in ("sendMessage", "sendDocument", "editMessageText"):
            continue
        markup = call.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        buttons = [[{"text": b.get("text", ""), "data": b.get("callback_data"), "url": b.get("url")}
                    for b in row] for row in markup.get("inline_keyboard", [])]
        document = None
        if call.method == "sendDocument":
            filename, size = call.files.get("document", (str(call.params.get("document")), 0))
            document = {"filename": filename, "bytes": size}
        text = call.params.get("text") if call.method != "sendDocument" else call.params.get("caption", "")
        out.append({"text": text or "", "parse_mode": call.params.get("parse_mode"), "buttons": buttons,
                    "document": document})
    return out


class LocalBot:
    """The real Application over a RecordingRequest; feed it updates, read what it sent."""

    def __init__(self, settings: Settings, *, keep_calls: bool = True, with_store: bool = True) -> None:
        from bot.telegram.app import build_application, new_state

        self.request = RecordingRequest(keep=keep_calls)
        # `ask` answers one message and exits: it keeps no readers' state (and skips loading it).
        self.state = new_state(settings, with_store=with_store)
        self.app = build_application(self.state, LOCAL_TOKEN, request=self.request, rate_limit=False)
        self._update_ids = itertools.count(1)

    async def __aenter__(self) -> LocalBot:
        await self.app.initialize()
        if self.state.stats is not None:
            await self.state.stats.open()
        if self.state.store is not None:
            await self.state.store.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.state.stats is not None:
            await self.state.stats.close()
        if self.state.store is not None:
            await self.state.store.close()
        await self.app.shutdown()

    async def process(self, data: dict[str, Any]) -> list[Call]:
        start = len(self.request.calls)
        await self.app.process_update(Update.de_json(data, self.app.bot))
        return self.request.calls[start:]

    async def say(self, text: str, *, group: bool = False, language_code: str | None = None) -> list[Call]:
        return await self.process(message_update(text, group=group, update_id=next(self._update_ids),
                                                 language_code=language_code))


def run_ask(settings: Settings, text: str, *, group: bool, as_json: bool) -> int:
    async def main() -> list[Call]:
        async with LocalBot(settings, with_store=bool(settings.database_url)) as bot:
            return await bot.say(text, group=group)

    replies = replies_of(asyncio.run(main()))
    if as_json:
        print(json.dumps({"replies": replies}, ensure_ascii=False))
    else:
        for reply in replies:
            print(show(reply))
    return 0


def show(reply: dict[str, Any]) -> str:
    """A reply as a person would read it: markup removed, buttons under it, documents named."""
    lines = []
    if reply.get("document"):
        doc = reply["document"]
        lines.append(f"📎 {doc['filename']} ({doc['bytes']:,} bytes)")
    text = html.unescape(re.sub(r"<[^>]+>", "", reply.get("text") or ""))
    if text:
        lines.append(text)
    for row in reply.get("buttons") or []:
        lines.append("  ".join(f"[ {b['text']} ]" for b in row))
    return "\n".join(lines) + "\n"


def run_chat(settings: Settings, *, group: bool, as_json: bool = False) -> int:
    """A terminal chat: each line is a message; `!N` presses the N-th button of the last reply.

    With `as_json`, no prompt or banner: one `{"replies": [...]}` line per input line (the contract's
    form for multi-turn checks; context carries over from line to line as in a real chat)."""

    async def main() -> None:
        async with LocalBot(settings) as bot:
            if not as_json:
                where = "group" if group else "private"
                print(f"paperbot — local {where} chat (no token, no network). Try: /help, /paper medusa, "
                      "LLM论文, Medusa 是谁发表的. `!N` presses button N; Ctrl-D quits.\n")
            buttons: list[str] = []
            presses = itertools.count(1)
            loop = asyncio.get_running_loop()
            while True:
                line = await loop.run_in_executor(None, _read_line, "" if as_json else "you> ")
                if line is None:
                    return
                if not line.strip() and not as_json:
                    continue
                press = re.fullmatch(r"!(\d+)", line.strip())
                if press and 0 < int(press.group(1)) <= len(buttons):
                    calls = await bot.process(_callback_update(buttons[int(press.group(1)) - 1], group,
                                                               next(presses)))
                elif line.strip():
                    calls = await bot.say(line, group=group)
                else:
                    calls = []
                replies = replies_of(calls)
                if replies:
                    buttons = [b["data"] for r in replies[-1:] for row in r["buttons"] for b in row if b["data"]]
                if as_json:
                    print(json.dumps({"replies": replies}, ensure_ascii=False), flush=True)
                else:
                    for reply in replies:
                        print(show(reply))

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
    return 0


def _callback_update(data: str, group: bool, n: int) -> dict[str, Any]:
    return {"update_id": 100000 + n, "callback_query": {
        "id": str(n), "from": USER, "chat_instance": "local", "data": data,
        "message": {"message_id": 1, "date": int(time.time()), "chat": GROUP_CHAT if group else PRIVATE_CHAT,
                    "from": BOT_USER, "text": "…"}}}


def _read_line(prompt: str) -> str | None:
    try:
        sys.stdout.write(prompt)
        sys.stdout.flush()
        line = sys.stdin.readline()
    except (EOFError, KeyboardInterrupt):
        return None
    return line.rstrip("\n") if line else None

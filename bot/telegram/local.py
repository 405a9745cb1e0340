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
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.conversation.library import Library

LOCAL_TOKEN = "123456:LOCAL-paperbot-no-network-needed-000"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "paperbot", "username": "PaperLocalBot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}
USER = {"id": 1001, "is_bot": False, "first_name": "You"}
PRIVATE_CHAT = {"id": 1001, "type": "private", "first_name": "You"}
GROUP_CHAT = {"id": -1001234, "type": "supergroup", "title": "Local group"}


SHOWN = ("sendMessage", "sendDocument", "editMessageText", "editMessageReplyMarkup")  # calls that change what a chat shows


@dataclass(frozen=True)
class Shown:
    """A message as the chat shows it after a call: its text as sent (HTML), buttons, document."""

    chat_id: int
    message_id: int
    text: str
    parse_mode: str | None
    markup: dict[str, Any]
    document: tuple[str, int] | None = None


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, int]] = field(default_factory=dict)
    shown: Shown | None = None  # the message this call sent or changed
    uploads: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # each file's MIME type and bytes


class RecordingRequest(BaseRequest):
    """Answers every Bot API call locally and records it."""

    def __init__(self, *, keep: bool = True) -> None:
        self.calls: list[Call] = []
        self.count = 0
        self.keep = keep  # a load test counts calls instead of keeping them
        self._ids = itertools.count(1000)
        self._messages: dict[tuple[int, int], Shown] = {}
        self._files: dict[str, tuple[str, int]] = {}  # file_id -> (name, size), as Telegram keeps them

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
        uploads: dict[str, tuple[str, bytes]] = {}
        if request_data and request_data.contains_files:
            for key, value in request_data.multipart_data.items():
                filename, content = value[0], value[1]
                files[key] = (filename or key, len(content) if isinstance(content, bytes) else 0)
                if isinstance(content, bytes):
                    uploads[key] = (value[2] if len(value) > 2 else "", content)
        self.count += 1
        result = self._result(name, params, files)
        if self.keep:
            shown = self._remember(name, params, result)
            self.calls.append(Call(name, params, files, shown, uploads))
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _remember(self, name: str, params: dict[str, Any], result: Any) -> Shown | None:
        """Keep each message as the chat shows it, so an edit of its buttons alone can be shown
        whole and a button press can carry the message it was pressed on."""
        if name == "editMessageText" and result is True:  # a card sent through inline mode: no chat
            return Shown(0, 0, str(params.get("text") or ""), params.get("parse_mode"), _markup(params))
        if not isinstance(result, dict) or name not in SHOWN:
            return None
        key = (int(result["chat"]["id"]), int(result["message_id"]))
        if name == "editMessageReplyMarkup":  # its result was built from the message kept
            shown = replace(self._messages[key], markup=_markup(params))
        else:
            doc = result.get("document")
            shown = Shown(key[0], key[1], str(params.get("text") or params.get("caption") or ""),
                          params.get("parse_mode"), _markup(params), (doc["file_name"], doc["file_size"]) if doc else None)
        self._messages[key] = shown
        return shown

    def _result(self, name: str, params: dict[str, Any], files: dict[str, tuple[str, int]]) -> Any:
        if name == "getMe":
            return BOT_USER
        if name == "editMessageReplyMarkup" and "inline_message_id" not in params:
            before = self._messages.get((int(params.get("chat_id", 0)), int(params.get("message_id", 0))))
            if before is not None:
                chat = GROUP_CHAT if before.chat_id == GROUP_CHAT["id"] else PRIVATE_CHAT
                return {"message_id": before.message_id, "date": int(time.time()), "chat": chat, "from": BOT_USER,
                        "text": re.sub(r"<[^>]+>", "", before.text)}
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
                # A file sent again by its file_id is the file Telegram kept from the first upload.
                filename, size = files.get("document") or self._files.get(file_id, (str(doc), 0))
                self._files[file_id] = (filename, size)
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
    """The contract's JSON shape for what the bot sent (an edit shows the whole message edited)."""
    return [_reply(call.shown) for call in calls if call.shown is not None]


def _markup(params: dict[str, Any]) -> dict[str, Any]:
    markup = params.get("reply_markup") or {}
    return json.loads(markup) if isinstance(markup, str) else dict(markup)


def _reply(shown: Shown) -> dict[str, Any]:
    buttons = [[{"text": b.get("text", ""), "data": b.get("callback_data"), "url": b.get("url")} for b in row]
               for row in shown.markup.get("inline_keyboard", [])]
    document = {"filename": shown.document[0], "bytes": shown.document[1]} if shown.document else None
    return {"text": shown.text, "parse_mode": shown.parse_mode, "buttons": buttons, "document": document}


class LocalBot:
    """The real Application over a RecordingRequest; feed it updates, read what it sent."""

    def __init__(self, settings: Settings, *, keep_calls: bool = True, with_store: bool = True,
                 library: Library | None = None) -> None:
        from bot.telegram.app import build_application, new_state

        self.request = RecordingRequest(keep=keep_calls)
        # `ask` answers one message and exits: it keeps no readers' state (and skips loading it).
        self.state = new_state(settings, with_store=with_store, library=library)
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
            username = bot.app.bot.username
            if not as_json:
                print(banner(username, group=group))
            last: Shown | None = None  # the last reply: `!N` presses its buttons
            presses = itertools.count(1)
            loop = asyncio.get_running_loop()
            while True:
                line = await loop.run_in_executor(None, _read_line, "" if as_json else "you> ")
                if line is None:
                    print("" if as_json else "\n", end="")  # the shell's prompt starts on a line of its own
                    return
                if not line.strip() and not as_json:
                    continue
                press = re.fullmatch(r"!(\d+)", line.strip())
                calls: list[Call] = []
                if press:
                    data = pressable(last)
                    n = int(press.group(1))
                    if 0 < n <= len(data):
                        calls = await bot.process(_callback_update(data[n - 1], group, next(presses), last))
                    else:
                        print(no_button(n, len(data)), file=sys.stderr if as_json else sys.stdout)
                elif line.strip():
                    calls = await bot.say(line, group=group)
                shown = [c.shown for c in calls if c.shown is not None]
                last = shown[-1] if shown else last
                if as_json:
                    print(json.dumps({"replies": replies_of(calls)}, ensure_ascii=False), flush=True)
                else:
                    print(transcript(calls) or silence(line, username, group=group), end="", flush=True)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
    return 0


def banner(username: str, *, group: bool) -> str:
    if not group:
        return ("paperbot — local private chat (no token, no network). Try: /help, /paper medusa, LLM论文, "
                "Medusa 是谁发表的. `!N` presses button N; Ctrl-D quits.\n")
    return (f"paperbot — local group chat, the bot is @{username} (no token, no network). In a group it "
            f"answers commands (/paper medusa), messages that mention it (@{username} who made medusa) and "
            "the exact keyword LLM论文; other chatter gets silence. `!N` presses button N; Ctrl-D quits.\n")


def pressable(shown: Shown | None) -> list[str]:
    """The callback data of a message's buttons, in order (link buttons open a page instead)."""
    rows = shown.markup.get("inline_keyboard", []) if shown else []
    return [b["callback_data"] for row in rows for b in row if b.get("callback_data")]


def no_button(n: int, count: int) -> str:
    if count == 0:
        return f"(no button {n}: the last reply has no buttons to press)\n"
    return f"(no button {n}: the last reply has {count}, !1 to !{count})\n"


def transcript(calls: list[Call]) -> str:
    """What a person sees after a message or a press: replies, edits, and a button's notice."""
    out = []
    for call in calls:
        if call.method == "answerCallbackQuery" and call.params.get("text"):
            out.append(f"💬 {call.params['text']}\n")
        elif call.shown is not None:
            out.append(("(edited)\n" if call.method.startswith("edit") else "") + show(_reply(call.shown)) + "\n")
    return "".join(out)


def silence(line: str, username: str, *, group: bool) -> str:
    """Nothing was sent; in a group a mention of another name is the likely reason, so say so."""
    mention = re.match(r"\s*@(\w+)", line)
    if group and mention and mention.group(1).casefold() != username.casefold():
        return f"(no reply: @{mention.group(1)} is not this bot; address it as @{username})\n"
    return ""


def _callback_update(data: str, group: bool, n: int, message: Shown | None = None) -> dict[str, Any]:
    """A press of a button on `message` (the bot's own message, as the chat shows it)."""
    chat = GROUP_CHAT if group else PRIVATE_CHAT
    pressed: dict[str, Any] = {"message_id": 1, "date": int(time.time()), "chat": chat, "from": BOT_USER, "text": "…"}
    if message is not None and message.message_id:
        pressed.update(message_id=message.message_id, text=re.sub(r"<[^>]+>", "", message.text) or "…",
                       reply_markup=message.markup)
    return {"update_id": 100000 + n, "callback_query": {
        "id": str(n), "from": USER, "chat_instance": "local", "data": data, "message": pressed}}


def _read_line(prompt: str) -> str | None:
    try:
        sys.stdout.write(prompt)
        sys.stdout.flush()
        line = sys.stdin.readline()
    except (EOFError, KeyboardInterrupt):
        return None
    if prompt and line and not sys.stdin.isatty():  # piped input: echo it, so the output reads as a chat
        sys.stdout.write(line if line.endswith("\n") else line + "\n")
    return line.rstrip("\n") if line else None

"""A small Bot API server on 127.0.0.1 that enforces Telegram's documented rules.

It serves getUpdates from a queue the test fills, records every call, and refuses what
Telegram refuses: text over 4096 characters after entity parsing, HTML that does not parse
under the allowed tags, callback data over 64 bytes, unknown tokens and methods.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from aiohttp import web

from tests.html_rules import html_problem, visible_length

BOT = {"id": 424242, "is_bot": True, "first_name": "paperbot", "username": "PaperE2EBot",
       "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}


@dataclass
class BotAPIServer:
    token: str
    updates: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    errors_injected: list[str] = field(default_factory=list)
    port: int = 0
    faults: dict[str, list[str]] = field(default_factory=dict)  # method -> faults to answer with, in order
    delivered: int = 0                                            # updates handed out by getUpdates
    confirmed: int = 0                                            # the highest offset a getUpdates asked for
    # method -> how many more calls are answered before the rest are held, unrecorded (as a slow
    # network would), and then lost: a process killed meanwhile never delivered them
    hold_after: dict[str, int] = field(default_factory=dict)
    held: int = 0
    # As Telegram does: updates handed out stay and come again until an offset above them confirms
    # them (off by default: most tests count each delivery once)
    redeliver: bool = False
    _unconfirmed: list[dict[str, Any]] = field(default_factory=list)
    _released: asyncio.Event = field(default_factory=asyncio.Event)
    # a "timeout" fault's call is over: answered late, or given up by the bot (its handler cancelled)
    abandoned: asyncio.Event = field(default_factory=asyncio.Event)
    _next_id: int = 1
    _runner: web.AppRunner | None = None
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("POST", "/bot{token}/{method}", self.handle)
        app.router.add_route("GET", "/bot{token}/{method}", self.handle)
        # A stopped test cancels the long polls in flight instead of waiting out their timeout.
        self._runner = web.AppRunner(app, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def push(self, update: dict[str, Any]) -> None:
        update.setdefault("update_id", self._take_id())
        self.updates.put_nowait(update)

    def _take_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def hold(self, method: str, after: int = 0) -> None:
        """Answer `after` more calls of `method`, then hold the rest (see `hold_after`)."""
        self._released.clear()
        self.held = 0
        self.hold_after[method] = after

    def release(self) -> None:
        """Calls flow again; the held ones are lost (never recorded)."""
        self.hold_after.clear()
        self._released.set()

    def mark(self) -> int:
        """Where the call log stands now, for a `wait_for` that must count calls made while the test awaited."""
        return len(self.calls)

    async def wait_for(self, method: str, count: int = 1, timeout: float = 15.0,
                       since: int | None = None) -> list[dict[str, Any]]:
        """Wait until `count` calls of `method` arrived after `since` (by default, after this call started).

        A test that awaits something else first (an HTTP post to the webhook) takes a `mark()` before it:
        the bot may answer before the await returns, and a call made then must still count.
        """
        start = len(self.calls) if since is None else since
        deadline = time.monotonic() + timeout
        async with self._arrived:
            while True:
                found = [p for m, p in self.calls[start:] if m == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {method} within {timeout}s; calls: {[m for m, _ in self.calls[start:]]}")
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), left)

    async def handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        if self.faults.get(method):
            return await self._fault(request, method, self.faults[method].pop(0))
        if method == "getUpdates":
            return await self._get_updates(params)
        if method in self.hold_after:
            if self.hold_after[method] > 0:
                self.hold_after[method] -= 1
            else:
                self.held += 1
                await self._released.wait()
                return web.json_response({"ok": False, "error_code": 502, "description": "lost"}, status=502)
        async with self._arrived:
            self.calls.append((method, params))
            self._arrived.notify_all()
        problem = self._check(method, params)
        if problem:
            self.errors.append(f"{method}: {problem}")
            return web.json_response({"ok": False, "error_code": 400, "description": f"Bad Request: {problem}"},
                                     status=400)
        return web.json_response({"ok": True, "result": self._result(method, params)})

    async def _fault(self, request: web.Request, method: str, kind: str) -> web.Response:
        """Answer as a struggling Telegram would: flood control, a server error, silence, a cut."""
        self.errors_injected.append(f"{method}:{kind}")
        if kind == "429":
            return web.json_response({"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                                      "parameters": {"retry_after": 1}}, status=429)
        if kind == "500":
            return web.json_response({"ok": False, "error_code": 500, "description": "Internal Server Error"},
                                     status=500)
        if kind == "timeout":
            try:
                await asyncio.sleep(6)  # longer than the client's read timeout (5 s)
                return web.json_response({"ok": False, "error_code": 500, "description": "too late"}, status=500)
            finally:
                self.abandoned.set()
        assert kind == "drop", kind
        if request.transport is not None:
            request.transport.close()
        raise ConnectionResetError("dropped by the test server")

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "multipart/form-data":
            # Parsed whole by the standard library: aiohttp's part reader warns (unread_data is
            # deprecated) on a body whose chunks cross a part's boundary.
            head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
            form = BytesParser(policy=HTTP).parsebytes(head + await request.read())
            out: dict[str, Any] = {}
            for part in form.iter_parts():
                name, data = part.get_param("name", header="content-disposition"), part.get_payload(decode=True)
                assert isinstance(name, str) and isinstance(data, bytes), part
                if part.get_filename():
                    out[name] = {"filename": part.get_filename(), "bytes": len(data)}
                else:
                    out[name] = _maybe_json(data.decode())
            return out
        if request.can_read_body:
            if request.content_type == "application/json":
                return dict(await request.json())
            form = await request.post()
            return {k: _maybe_json(str(v)) for k, v in form.items()}
        return {}

    async def _get_updates(self, params: dict[str, Any]) -> web.Response:
        # The offset asked for confirms every update below it: the bot has them in hand.
        self.confirmed = max(self.confirmed, int(params.get("offset", 0) or 0))
        timeout = float(params.get("timeout", 0) or 0)
        self._unconfirmed = [u for u in self._unconfirmed if u["update_id"] >= self.confirmed]
        if self.redeliver and self._unconfirmed:
            return web.json_response({"ok": True, "result": self._unconfirmed})
        batch: list[dict[str, Any]] = []
        try:
            batch.append(await asyncio.wait_for(self.updates.get(), timeout=max(timeout, 0.05)))
            while not self.updates.empty():
                batch.append(self.updates.get_nowait())
        except asyncio.TimeoutError:
            pass
        self.delivered += len(batch)
        if self.redeliver:
            self._unconfirmed = batch
        return web.json_response({"ok": True, "result": batch})

    def _check(self, method: str, params: dict[str, Any]) -> str | None:
        known = {"getMe", "deleteWebhook", "setWebhook", "setMyCommands", "sendMessage", "editMessageText", "sendDocument",
                 "editMessageReplyMarkup",
                 "sendChatAction", "answerCallbackQuery", "answerInlineQuery", "close", "logOut"}
        if method not in known:
            return f"method {method} not found"
        text = params.get("text") if method in ("sendMessage", "editMessageText") else params.get("caption")
        if method in ("sendMessage", "editMessageText") and not text:
            return "message text is empty"
        if text is not None:
            limit = 4096 if method != "sendDocument" else 1024
            if params.get("parse_mode") == "HTML":
                bad = html_problem(str(text))
                if bad:
                    return f"can't parse entities: {bad}"
                if visible_length(str(text)) > limit:
                    return "message is too long"
            elif len(str(text)) > limit:
                return "message is too long"
        markup = params.get("reply_markup")
        for row in (markup or {}).get("inline_keyboard", []) if isinstance(markup, dict) else []:
            for button in row:
                if len(str(button.get("callback_data", "")).encode()) > 64:
                    return "BUTTON_DATA_INVALID"
        if method == "answerInlineQuery":
            results = params.get("results") or []
            if len(results) > 50:
                return "RESULTS_TOO_MUCH"
            for result in results:
                content = result.get("input_message_content", {})
                bad = html_problem(content.get("message_text", "")) if content.get("parse_mode") == "HTML" else None
                if bad:
                    return f"can't parse entities in inline result: {bad}"
        return None

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT
        if method in ("sendMessage", "sendDocument") or (method == "editMessageText" and "chat_id" in params):
            chat_id = int(params.get("chat_id", 0))
            chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup",
                    **({"first_name": "Ann"} if chat_id > 0 else {"title": "Group"})}
            message: dict[str, Any] = {"message_id": int(params.get("message_id") or self._take_id()),
                                       "date": int(time.time()), "chat": chat, "from": BOT}
            if method == "sendDocument":
                doc = params.get("document")
                file_id = doc if isinstance(doc, str) else f"file-{self._take_id()}"
                message["document"] = {"file_id": file_id, "file_unique_id": file_id}
            else:
                message["text"] = str(params.get("text", ""))
            return message
        return True


def _maybe_json(value: str) -> Any:
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value

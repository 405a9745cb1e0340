"""Every update through the journal, answered exactly once (see bot/store/journal.py).

- `JournalQueue` is the application's update queue: an update is journalled as it arrives and
  handed to the handlers once its row is durable (or, in polling mode, after ACCEPT_WAIT if the
  store is slow: a card never waits for the database). One already journalled (Telegram's
  retry, or an update a replay took) is skipped. The next getUpdates, which confirms the
  offset to Telegram, waits until the rows of the batch before it are durable (`SettlingRequest`);
  the webhook's 200 waits for its row.
- `JournalledApplication.process_update` runs an update's handlers with its id in context and
  closes its row afterwards. The rate limiter calls `before_call` just before each Bot API
  request: an update's first request may go at once when no other process can have taken its
  row (`Owners.owns`: the heartbeats held since before it was journalled); otherwise it asks
  the journal whether this process may answer it (the decision and the `answering` mark are
  one statement). `after_call` marks the row answered once a reply went out, so a replay after
  a crash does not send it again.
- `replay_dead` hands this process the rows of dead owners: at start, before polling or the
  webhook take anything new, and on every heartbeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import Application
from telegram.request import HTTPXRequest, RequestData

from bot.store.records import guarded, logged
from handlers.common import PaperContext

if TYPE_CHECKING:
    from bot.store.store import Store

log = logging.getLogger(__name__)

ACCEPT_WAIT = 1.0    # polling: seconds an update waits for its row before it is handled anyway
ANSWER_WAIT = 2.0    # seconds a reply waits for its decision from a slow store that is not hung
DURABLE_WAIT = 5.0   # webhook: seconds the 200 waits for the row (then 503: Telegram retries)
SETTLE_WAIT = 5.0    # polling: seconds the next getUpdates waits for the rows before it
# A store call in flight this long means a hung store (a frozen database): a card stops waiting
# for its row or its answer decision at once, and getUpdates for the rows after SETTLE_STALL.
STALL = 0.25
SETTLE_STALL = 1.0

MAX_BODIES = 10_000  # updates' bodies kept from getUpdates until their update is admitted
NOT_A_REPLY = frozenset({"sendChatAction", "getFile", "getMe", "getChatMember"})

CURRENT_UPDATE: contextvars.ContextVar[int | None] = contextvars.ContextVar("paperbot_update", default=None)


class AlreadyAnswered(Exception):
    """This update's reply is not this process's to send (answered before, or taken over)."""


class JournalQueue(asyncio.Queue[object]):
    """The application's update queue; `store` None: a plain queue (chat, ask, tests)."""

    def __init__(self, store: Store | None) -> None:
        super().__init__()
        self.store = store
        self._decisions: dict[int, asyncio.Future[bool]] = {}
        self._sent: set[int] = set()   # updates in flight whose reply went out
        self._began: dict[int, float] = {}   # updates in flight: when their first request went
        self._undecided: set[int] = set()
        self._bodies: dict[int, str] = {}   # updates as Telegram sent them, journalled as they came
        self._journalled: dict[int, float] = {}   # updates in flight: when their row was queued (monotonic)
        self.undecided = 0        # replies sent without a durable decision (a hung store)
        self.skipped = 0          # updates journalled before: not handled again
        self.unjournalled = 0     # updates handled without a durable row (a slow or broken store)

    async def put(self, item: object) -> None:
        """PTB's updater (polling) puts each update here; the stop signal comes last, after the
        updates still waiting for their rows."""
        if self.store is None:
            await super().put(item)
        elif isinstance(item, Update):
            self._admit(item, fallback=True)
        else:
            await self.store.journal.settled(ACCEPT_WAIT)
            await asyncio.sleep(0)   # the rows' callbacks queue their updates first
            await super().put(item)

    def remember(self, answer: bytes) -> None:
        """A getUpdates answer: each update's own JSON is its journal row's body, so no update
        is serialised again from python-telegram-bot's objects (`to_json`, 0.2 ms an update:
        a fifth of what the journal cost a card)."""
        if self.store is None:
            return
        try:
            updates = json.loads(answer)["result"]
        except (ValueError, KeyError, TypeError):
            return
        if len(self._bodies) > MAX_BODIES:   # bodies of updates never admitted (unreadable ones)
            self._bodies.clear()
        for item in updates if isinstance(updates, list) else []:
            if isinstance(item, dict) and isinstance(item.get("update_id"), int):
                self._bodies[item["update_id"]] = json.dumps(item)

    async def put_durable(self, update: Update, body: str | None = None) -> bool:
        """Webhook: True once the update's row is durable (or it was journalled before); `body`:
        the update as Telegram posted it."""
        if self.store is None:
            await super().put(update)
            return True
        if self.store.db.gone is not None:   # never durable again until a restart: answer without a row
            self.unjournalled += 1
            await super().put(update)
            return True
        if body is not None:
            self._bodies[update.update_id] = body
        accepted = self._admit(update, fallback=False)
        try:
            await asyncio.wait_for(asyncio.shield(accepted), DURABLE_WAIT)
        except Exception as exc:
            self._journalled.pop(update.update_id, None)
            log.warning("store: journalling update %d failed (%s); answering 503", update.update_id,
                        type(exc).__name__ if isinstance(exc, TimeoutError) else exc)
            return False
        return True

    def requeue(self, update: Update) -> None:
        """An update whose row this process holds already (a replay)."""
        self.put_nowait(update)

    def _admit(self, update: Update, *, fallback: bool) -> asyncio.Future[bool]:
        assert self.store is not None
        queued = False

        def hand_over() -> None:
            nonlocal queued
            if not queued:
                queued = True
                self.put_nowait(update)

        def journalled(future: asyncio.Future[bool]) -> None:
            if future.cancelled() or future.exception() is not None:
                if fallback:   # polling: no sender retries it; answer without a row
                    self.unjournalled += 1
                    hand_over()
            elif future.result():
                hand_over()
            elif not queued:
                self._journalled.pop(update.update_id, None)
                self.skipped += 1
                log.debug("update %d is journalled already: not handled again", update.update_id)

        try:
            body = self._bodies.pop(update.update_id, None) or update.to_json()
            self._journalled[update.update_id] = time.monotonic()
            accepted = self.store.journal.accept(update.update_id, body)
        except RuntimeError:   # the store never opened: answered, not journalled
            self.unjournalled += 1
            hand_over()
            done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
            done.set_result(True)
            return done
        accepted.add_done_callback(journalled)
        if fallback:
            loop = asyncio.get_running_loop()
            began = loop.time()

            def slow() -> None:
                if accepted.done() or queued:
                    return
                if loop.time() - began >= ACCEPT_WAIT or self.store is None or self.store.db.stalled() >= STALL:
                    self.unjournalled += 1
                    hand_over()
                else:
                    loop.call_later(STALL, slow)
            loop.call_later(STALL, slow)
        return accepted

    async def settle(self) -> None:
        """Before getUpdates confirms an offset: the rows of the updates before it are durable."""
        if self.store is None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_WAIT
        while not await self.store.journal.settled(STALL):
            if loop.time() >= deadline or self.store.db.stalled() >= SETTLE_STALL:
                log.warning("store: the journal is slow; confirming updates to Telegram without their rows")
                return

    async def before_call(self, endpoint: str) -> None:
        """Just before a Bot API request made while handling an update. When no other process
        can have taken its row (`Owners.owns`), it goes at once: nothing of the store on a
        card's path. Otherwise (a replayed update, or heartbeats that lapsed since its row was
        journalled) its first request waits for the journal's durable decision (the row
        `answering`, this process its owner), so a reply goes out only with its row saying it
        may have; a hung store (a call in flight STALL seconds) is not waited for: the card goes
        without (counted in `undecided`)."""
        update_id = CURRENT_UPDATE.get()
        if update_id is None or self.store is None:
            return
        decision = self._decisions.get(update_id)
        journalled = self._journalled.get(update_id)
        if decision is None and journalled is not None and self.store.owners.owns(journalled):
            self._began.setdefault(update_id, time.monotonic())   # its row is this process's: no question to ask
            return
        if decision is None:
            decision = self._decisions[update_id] = self.store.journal.answer(update_id)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + ANSWER_WAIT
        # In slices: a store that hangs while this reply waits is noticed within STALL seconds.
        while not decision.done() and self.store.db.stalled() < STALL and loop.time() < deadline:
            with contextlib.suppress(Exception):   # a timeout, or the decision's own failure (read below)
                await asyncio.wait_for(asyncio.shield(decision), min(STALL, deadline - loop.time()))
        if not decision.done() or decision.cancelled() or decision.exception() is not None:
            # A slow or broken store: this process accepted the update and is alive, so no one
            # else replays it; the reply goes.
            if update_id not in self._undecided:
                self._undecided.add(update_id)
                self.undecided += 1
            log.debug("store: no answer decision for update %d", update_id)
        elif not decision.result():
            raise AlreadyAnswered(f"update {update_id} is answered elsewhere")
        self._began.setdefault(update_id, time.monotonic())

    def after_call(self, endpoint: str) -> None:
        """A request of an update's reply went out (or may have: a timeout): its row is marked
        answered, the mark's commit timed from the first request (the window a kill can hit)."""
        update_id = CURRENT_UPDATE.get()
        if update_id is None or self.store is None or endpoint in NOT_A_REPLY or update_id in self._sent:
            return
        self._sent.add(update_id)
        with contextlib.suppress(RuntimeError):
            self.store.journal.answered(update_id, since=self._began.get(update_id))

    def handled(self, update_id: int) -> None:
        self._sent.discard(update_id)
        self._undecided.discard(update_id)
        self._began.pop(update_id, None)
        self._decisions.pop(update_id, None)
        self._journalled.pop(update_id, None)
        if self.store is not None:
            with contextlib.suppress(RuntimeError):   # the store closed under a late update
                self.store.journal.close(update_id)


async def call(queue: JournalQueue | None, endpoint: str, request: Callable[..., Awaitable[Any]],
               *args: Any, **kwargs: Any) -> Any:
    """One Bot API request, between the journal's word before it and its mark after."""
    if queue is None:
        return await request(*args, **kwargs)
    await queue.before_call(endpoint)
    try:
        return await request(*args, **kwargs)
    finally:
        queue.after_call(endpoint)


class SettlingRequest(HTTPXRequest):
    """The getUpdates connection: the offset it sends confirms every update before it to
    Telegram, so it goes only once their rows are durable.

    It also keeps polling alive past an update python-telegram-bot cannot read (a `poll`
    without the fields the library requires): the whole batch fails to parse, and PTB asks for
    the same offset again, forever. A getUpdates asking again for the offset of a batch that
    held updates is that case: this time each update is parsed on its own, and one that cannot
    be is logged and handed on as its bare id (handled as nothing, and the offset moves past
    it). Only the retried batch pays for the parse."""

    queue: JournalQueue | None = None
    _asked: tuple[object, bool] | None = None   # the last offset asked for, whether updates came

    async def do_request(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        if not url.endswith("/getUpdates"):
            return await super().do_request(url, *args, **kwargs)
        if self.queue is not None:
            await self.queue.settle()
        data = kwargs.get("request_data") or next((a for a in args if isinstance(a, RequestData)), None)
        offset = data.parameters.get("offset") if data is not None else None
        again = self._asked is not None and self._asked == (offset, True)
        code, body = await super().do_request(url, *args, **kwargs)
        self._asked = (offset, b'"update_id"' in body)
        body = readable(body) if again else body
        if self.queue is not None and code == 200:
            self.queue.remember(body)   # what PTB reads is what the journal keeps
        return code, body


def readable(body: bytes) -> bytes:
    """A getUpdates answer with each update PTB cannot parse replaced by its bare id."""
    try:
        answer = json.loads(body)
        updates = answer["result"]
    except (ValueError, KeyError, TypeError):
        return body
    changed = False
    for n, item in enumerate(updates if isinstance(updates, list) else []):
        try:
            Update.de_json(item, None)
        except Exception as exc:
            update_id = item.get("update_id") if isinstance(item, dict) else None
            log.warning("update %s cannot be read (%s: %s); skipped", update_id, type(exc).__name__,
                        str(exc)[:200])
            updates[n] = {"update_id": update_id} if isinstance(update_id, int) else None
            changed = True
    if changed:
        answer["result"] = [u for u in updates if u is not None]
    return json.dumps(answer).encode() if changed else body


class JournalledApplication(Application[Any, PaperContext, Any, Any, Any, Any]):
    async def process_update(self, update: object) -> None:
        queue = self.update_queue
        if not isinstance(update, Update) or not isinstance(queue, JournalQueue) or queue.store is None:
            await super().process_update(update)
            return
        token = CURRENT_UPDATE.set(update.update_id)
        try:
            await super().process_update(update)
        finally:
            CURRENT_UPDATE.reset(token)
            queue.handled(update.update_id)


def report(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """At a stop: how wide the window a kill could hit was, and what went without the journal."""
    queue = app.update_queue
    if isinstance(queue, JournalQueue) and queue.store is not None:
        log.info("journal: from a reply's first request to its answered mark: %s; %d repl(ies) sent without a "
                 "durable decision, %d update(s) handled without a row (a slow store)",
                 queue.store.journal.in_flight(), queue.undecided, queue.unjournalled)


async def replay_dead(app: Application[Any, Any, Any, Any, Any, Any], store: Store) -> int:
    """The updates of dead processes (accepted, or claimed by a replayer that died), to handle
    now; answered ones are only removed."""
    queue = app.update_queue
    if not isinstance(queue, JournalQueue) or queue.store is None:
        return 0
    view = await guarded("reading which processes are alive", store.owners.liveness())
    if view is None:
        return 0
    # No deadline: a claim cancelled after its commit would leave the rows this process's,
    # never handled (PostgreSQL's statement timeout and SQLite's busy timeout bound it).
    rows = await logged("claiming a dead process's updates", store.journal.claim_dead(view), [])
    await guarded("forgetting dead processes", store.owners.prune(view))
    for body in rows:
        try:
            update = Update.de_json(json.loads(body), app.bot)
        except (ValueError, TypeError, KeyError):
            continue
        if update is not None:
            queue.requeue(update)
    if rows:
        log.info("replaying %d update(s) a stopped process accepted and did not answer", len(rows))
    return len(rows)

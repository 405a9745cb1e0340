"""The push job: new papers to their followers, at Telegram's broadcast limits.

Each run takes the chats with pending deliveries, claims one chat at a time in the store (so
another replica never sends the same push), sends one message listing that chat's new papers
and marks them sent. At most `push_rate` messages a second overall and one per chat per run;
flood control gives the claim back for a later run; a chat that blocked the bot or is gone
loses its follows.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.conversation.follow import Pacer, Patience
from bot.render.locale import Lang
from bot.render.renderer import Renderer
from bot.store.records import Claim, guarded, logged
from handlers.common import markup

if TYPE_CHECKING:
    from bot.store.store import Store
    from handlers.common import PaperContext

log = logging.getLogger(__name__)
PER_RUN = 2000   # chats taken per run; the rest wait for the next run


Send = Callable[[int, str, object], Awaitable[object]]


@dataclass
class Broadcast:
    """One run's outcome, for logs and the benchmark."""

    sent: int = 0
    dropped: int = 0
    deferred: int = 0


async def push_pending(store: Store, renderer_for: Callable[[Lang], Renderer], language: Callable[[int], Awaitable[Lang]],
                       send: Send, pacer: Pacer, catalog_get: Callable[[str], object], patience: Patience) -> Broadcast:
    """Send every pending push this replica can claim. Pure of Telegram but for `send`."""
    outcome = Broadcast()
    for chat_id in await store.pending_chats(PER_RUN):
        taken = await store.claim(chat_id)
        if taken is None:
            continue  # another replica took it
        found = {i: p for i in taken.paper_ids if (p := catalog_get(i)) is not None}
        unknown = [i for i in taken.paper_ids if i not in found]
        if gone := tuple(i for i in unknown if patience.given_up(i)):
            await store.finish(Claim(chat_id, gone), "dropped")
        if waiting := tuple(i for i in unknown if i not in gone):
            await store.release(Claim(chat_id, waiting))   # this replica's reload has not come yet
        if not found:
            continue
        claim, papers = Claim(chat_id, tuple(found)), list(found.values())
        reply = renderer_for(await language(chat_id)).lists.push(papers)  # type: ignore[arg-type]
        await pacer.wait()
        try:
            await send(chat_id, reply.text, markup(reply))
        except RetryAfter as exc:
            await store.release(claim)
            outcome.deferred += 1
            wait = exc.retry_after  # a timedelta: bot/telegram opts in to PTB's coming type
            seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
            log.info("push: flood control, waiting %.0f s before the next run", seconds)
            await asyncio.sleep(seconds)
            break
        except (Forbidden, BadRequest) as exc:
            await _drop(store, claim, exc)
            outcome.dropped += 1
            continue
        except TelegramError as exc:
            await store.release(claim)
            outcome.deferred += 1
            log.warning("push to %s deferred: %s", chat_id, exc)
            continue
        await store.finish(claim, "sent")
        outcome.sent += 1
    return outcome


async def _drop(store: Store, claim: Claim, exc: Exception) -> None:
    """Blocked by the reader, kicked from the group, or the chat is gone: stop pushing there."""
    log.info("push: chat %s unreachable (%s); its follows are removed", claim.chat_id, exc)
    await store.finish(claim, "dropped")
    await store.drop_chat(claim.chat_id)


def paced_sender(context: PaperContext) -> tuple[Pacer, Send]:
    """What a push or roundup run sends with: the one pacer both share (so together they keep the
    push rate) and the bot's sendMessage."""
    state = context.state
    if state.push_pacer is None:
        state.push_pacer = Pacer(state.settings.push_rate)

    async def send(chat_id: int, text: str, reply_markup: object) -> object:
        return await context.bot.send_message(chat_id, text, reply_markup=reply_markup)  # type: ignore[arg-type]

    return state.push_pacer, send


async def push_job(context: object) -> None:
    """JobQueue entry: one run of pushes, never raising (a store outage is logged)."""
    from handlers.common import PaperContext, renderer

    assert isinstance(context, PaperContext)
    state = context.state
    store = state.store
    if store is None:
        return
    pacer, send = paced_sender(context)

    async def language(chat_id: int) -> Lang:
        chosen = await guarded("reading a language", store.chat_language(chat_id))
        return "en" if chosen == "en" else "zh"

    outcome = await logged("pushing new papers", push_pending(
        store, lambda lang: renderer(context, lang), language, send, pacer, state.library.catalog.get,
        state.push_patience))
    if outcome is not None and (outcome.sent or outcome.dropped):
        log.info("push: %d sent, %d chats dropped, %d deferred", outcome.sent, outcome.dropped, outcome.deferred)
    log.debug("push: run done")

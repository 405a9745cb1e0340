"""The roundup job: each daily or weekly follow gets one message per period that collected papers.

A run reads the follows with collected papers, finds for each the period its oldest paper fell
in (on the reader's clock: /tz, else guessed from the follow's language) and, once that period
has ended, claims it in the delivery log: the claim is the log row's unique key (follow,
period), so across replicas and restarts each period is sent once; a period with no papers
has no row and no message; a bot that was down when a period ended sends it on its next run.
Flood control or another refusal gives the claim back (the message was not sent, so the next
run sends it); a timed-out send may have gone through and stays logged (never twice); a chat
that blocked the bot loses its follows.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from telegram import Update
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut

from bot.catalog.schema import Paper
from bot.conversation.cadence import guessed_zone, tz_of, window_of
from bot.conversation.follow import Pacer
from bot.render.locale import Lang
from bot.render.renderer import Renderer
from bot.render.reply import Reply
from bot.store.records import guarded, logged
from handlers.common import markup
from handlers.push import Broadcast, paced_sender

if TYPE_CHECKING:
    from bot.store.store import Store

log = logging.getLogger(__name__)
PER_RUN = 2000   # follows looked at per run; the rest wait for the next run

Send = Callable[[int, str, object], Awaitable[object]]


async def send_roundups(store: Store, now: float, renderer_for: Callable[[Lang], Renderer], send: Send, pacer: Pacer,
                        catalog_get: Callable[[str], Paper | None]) -> Broadcast:
    """Send every ended period's roundup this replica can claim. Pure of Telegram but for `send`."""
    outcome = Broadcast()
    for waiting in await store.roundups.waiting(PER_RUN):
        sub = waiting.sub
        chosen = await store.language(sub.user_id)   # the reader's /lang, else the language they followed in
        lang: Lang = "en" if (chosen or sub.lang) == "en" else "zh"
        window = window_of(waiting.oldest, sub.cadence, tz_of(waiting.zone or guessed_zone(lang)))
        if window.end > now:
            continue   # the period is still under way
        # A follow made instant with papers still collected: everything collected until now goes at once.
        end = math.nextafter(now, math.inf) if sub.cadence == "instant" else window.end
        roundup = await store.roundups.claim(sub, window.key, end, now)
        if roundup is None:
            continue   # sent already, by another replica or before a restart
        papers = [p for i in roundup.paper_ids if (p := catalog_get(i)) is not None]
        if not papers:
            await store.roundups.finish(roundup, "dropped")
            continue
        reply = renderer_for(lang).roundups.roundup(sub, roundup.period, papers, roundup.id)
        await pacer.wait()
        try:
            await send(sub.chat_id, reply.text, markup(reply))
        except (Forbidden, BadRequest) as exc:
            log.info("roundup: chat %s unreachable (%s); its follows are removed", sub.chat_id, exc)
            await store.roundups.finish(roundup, "dropped")
            await store.drop_chat(sub.chat_id)
            outcome.dropped += 1
            continue
        except TimedOut:
            # It may have gone through: logged as sent, never sent twice (as replies and pushes do).
            log.warning("roundup %s to %s timed out; not sent again", roundup.period, sub.chat_id)
        except RetryAfter as exc:
            await store.roundups.release(roundup)   # refused, so not sent: the next run sends it
            outcome.deferred += 1
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
            log.info("roundups: flood control, waiting %.0f s before the next run", seconds)
            await asyncio.sleep(seconds)
            break
        except TelegramError as exc:
            await store.roundups.release(roundup)
            outcome.deferred += 1
            log.warning("roundup %s to %s deferred: %s", roundup.period, sub.chat_id, exc)
            continue
        await store.roundups.finish(roundup, "sent")
        outcome.sent += 1
    return outcome


async def roundup_job(context: object) -> None:
    """JobQueue entry: one run of roundups, never raising (a store outage is logged)."""
    from handlers.common import PaperContext, renderer

    assert isinstance(context, PaperContext)
    state = context.state
    store = state.store
    if store is None:
        return
    pacer, send = paced_sender(context)
    now = state.now()
    await guarded("settling roundups a stopped replica left", store.roundups.settle_stale(now))
    outcome = await logged("sending roundups", send_roundups(
        store, now, lambda lang: renderer(context, lang), send, pacer, state.library.catalog.get))
    if outcome is not None and (outcome.sent or outcome.dropped or outcome.deferred):
        log.info("roundups: %d sent, %d chats dropped, %d not delivered", outcome.sent, outcome.dropped,
                 outcome.deferred)
    log.debug("roundups: run done")


async def roundup_page(update: Update, context: object, roundup_id: str, page: int, lang: Lang) -> Reply | None:
    """A roundup's Prev/Next: its papers read back from the log; only in the chat it was sent to."""
    from handlers.common import PaperContext, renderer

    assert isinstance(context, PaperContext)
    store = context.state.store
    chat = update.effective_chat
    if store is None or chat is None or not roundup_id.isdigit():
        return None
    found = await guarded("reading a roundup", store.roundups.papers_of(int(roundup_id)))
    if found is None:
        return None
    follow, chat_id, period, paper_ids = found
    if chat_id != chat.id:
        return None
    subs = await guarded("reading follows", store.subscriptions_of(follow[0]), [])
    sub = next((s for s in subs if s.follow == follow), None)   # a follow since stopped: a stale button
    catalog = context.state.library.catalog
    papers = [p for i in paper_ids if (p := catalog.get(i)) is not None]
    if sub is None or not papers:
        return None
    return renderer(context, lang).roundups.roundup(sub, period, papers, int(roundup_id), page)

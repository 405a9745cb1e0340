"""Plays conversations through one source tree's own `bot.local.LocalBot` (the real Application
and handlers over a recording request) and prints the replies as JSON.

Run by `benchmarks/conversation.py`, both in-process for this tree and as a subprocess with
PYTHONPATH at another git revision, so the old template parser is measured on the same set in
the same run. It uses only what LocalBot has always offered (`say`, `process`, `replies_of`).
Reads {"cases": [{"group": bool, "turns": [str, ...]}]} on stdin; writes [[replies per turn], ...].
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any


async def play(cases: list[dict[str, Any]], cache_dir: Path) -> list[list[list[dict[str, Any]]]]:
    """Each case in a fresh bot (a fresh chat): no context leaks from one case into the next."""
    from bot.settings import Settings
    from bot.telegram.local import LocalBot, _callback_update, replies_of

    settings = Settings(PAPERBOT_CACHE_DIR=cache_dir)  # type: ignore[call-arg]
    out = []
    for case in cases:
        async with LocalBot(settings) as bot:
            buttons: list[str] = []
            turns = []
            for n, text in enumerate(case["turns"], 1):
                press = re.fullmatch(r"!(\d+)", text.strip())
                if press and 0 < int(press.group(1)) <= len(buttons):
                    calls = await bot.process(_callback_update(buttons[int(press.group(1)) - 1], case["group"], n))
                else:
                    calls = await bot.say(text, group=case["group"])
                replies = replies_of(calls)
                buttons = [b["data"] for r in replies[-1:] for row in r["buttons"] for b in row if b["data"]]
                turns.append(replies)
            out.append(turns)
    return out


def main() -> None:
    import logging

    logging.disable(logging.CRITICAL)
    cases = json.load(sys.stdin)["cases"]
    with tempfile.TemporaryDirectory() as cache:
        json.dump(asyncio.run(play(cases, Path(cache))), sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()

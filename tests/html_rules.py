"""Telegram's HTML parse rules, shared by unit and e2e tests.

TDLib, Telegram's own client library (the `tdjson` wheel, a dev dependency), parses
parse_mode=HTML offline and decides: what it refuses, Telegram refuses, and the length that
counts is the parsed text's in UTF-16 units. Where tdjson is not installed, a hand-written
approximation of the same rules stands in (allowed tags, balanced, escaped).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _tdlib() -> Any:
    try:
        import tdjson
    except ImportError:
        return None
    tdjson.td_execute(json.dumps({"@type": "setLogVerbosityLevel", "new_verbosity_level": 0}).encode())
    return tdjson


def tdlib_parse(text: str) -> dict[str, Any] | None:
    """TDLib's parse of `text` as Telegram HTML (a formattedText or an error), or None without TDLib."""
    td = _tdlib()
    if td is None:
        return None
    raw = td.td_execute(json.dumps({"@type": "parseTextEntities", "text": text,
                                    "parse_mode": {"@type": "textParseModeHTML"}}).encode())
    return json.loads(raw) if raw else None

TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
        "code", "pre", "blockquote", "tg-emoji"}
TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:=\"[^\"<>]*\"|='[^'<>]*')?)*)\s*>"
                   r"|&(?:lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);|[<>&]")


def html_problem(text: str) -> str | None:
    """Why Telegram would refuse this text with parse_mode HTML, or None."""
    parsed = tdlib_parse(text)
    if parsed is not None:
        return str(parsed["message"]) if parsed.get("@type") == "error" else None
    return _approximate_problem(text)


def _approximate_problem(text: str) -> str | None:
    stack: list[str] = []
    for m in TOKEN.finditer(text):
        token = m.group(0)
        if token in "<>&":
            return f"unescaped {token!r} near {text[max(0, m.start() - 20):m.start() + 20]!r}"
        if not m.group(2):
            continue
        name = m.group(2).lower()
        if name not in TAGS:
            return f"unsupported tag <{name}>"
        if m.group(1):
            if not stack or stack.pop() != name:
                return f"unbalanced </{name}>"
        else:
            stack.append(name)
    return f"unclosed <{stack[-1]}>" if stack else None


def visible_length(text: str) -> int:
    """Length Telegram counts: the text after entity parsing, in UTF-16 code units."""
    parsed = tdlib_parse(text)
    if parsed is not None and parsed.get("@type") == "formattedText":
        plain = str(parsed["text"])
    else:
        import html

        plain = html.unescape(re.sub(r"<[^>]+>", "", text))
    return len(plain.encode("utf-16-le")) // 2

"""Telegram's HTML parse rules (allowed tags, balanced, escaped), shared by unit and e2e tests."""

from __future__ import annotations

import re

TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
        "code", "pre", "blockquote", "tg-emoji"}
TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:=\"[^\"<>]*\"|='[^'<>]*')?)*)\s*>"
                   r"|&(?:lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);|[<>&]")


def html_problem(text: str) -> str | None:
    """Why Telegram would refuse this text with parse_mode HTML, or None."""
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
    """Length Telegram counts: the text after entity parsing."""
    import html

    return len(html.unescape(re.sub(r"<[^>]+>", "", text)))

"""The formatting toolkit every renderer shares: escaping, clipping and splitting HTML under
Telegram's 4,096-character limit, never cutting inside a tag or an entity."""

from __future__ import annotations

import html
import re

MAX_TEXT = 4096


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def esc_clip(text: str, limit: int) -> str:
    """Escaped text of at most `limit` characters *after* escaping, never cut inside an entity."""
    escaped = esc(text)
    if len(escaped) <= limit:
        return escaped
    return escaped[:_safe_cut(escaped, limit - 1)].rstrip() + "…"


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?。；;])\s", text, maxsplit=1)[0]


def clip_html(text: str, limit: int = MAX_TEXT) -> str:
    """Keep a rendered message under Telegram's limit by dropping whole lines from the end.

    Our markup never spans lines, so cutting between lines can never break a tag.
    """
    if len(text) <= limit:
        return text
    out: list[str] = []
    size = 0
    for line in text.split("\n"):
        if size + len(line) + 1 > limit - 1:
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(out) + "\n…"


def split_html(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a long rendered text into messages on paragraph, then line, boundaries."""
    if len(text) <= limit:
        return [text]
    pieces = [piece for para in text.split("\n\n")
              for piece in ([para] if len(para) <= limit else _pack(_lines(para, limit), "\n", limit))]
    return _pack(pieces, "\n\n", limit)


def _lines(para: str, limit: int) -> list[str]:
    """The lines of a paragraph, an enormous line cut outside any tag or entity."""
    out: list[str] = []
    for line in para.split("\n"):
        while len(line) > limit:
            cut = _safe_cut(line, limit)
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return out


def _pack(pieces: list[str], sep: str, limit: int) -> list[str]:
    """Join pieces (each within the limit) into as few messages as fit."""
    out: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{sep}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            out.append(current)
            current = piece
    if current:
        out.append(current)
    return out


def _safe_cut(line: str, limit: int) -> int:
    cut = limit
    lt, gt = line.rfind("<", 0, cut), line.rfind(">", 0, cut)
    if lt > gt:
        cut = lt
    amp, semi = line.rfind("&", 0, cut), line.rfind(";", 0, cut)
    if amp > semi:
        cut = amp
    return max(cut, 1)

"""What a renderer returns: Replies with buttons, documents to send, and the callback data of
buttons, `verb:paper_id[:arg]` of at most 64 bytes, encoded and decoded only here.
Only handlers turn Replies into Telegram objects."""

from __future__ import annotations

from dataclasses import dataclass

MAX_CALLBACK = 64


@dataclass(frozen=True)
class Button:
    text: str
    data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Document:
    """A file to send; `kind`+`key` name it for reuse of Telegram's file_id."""

    kind: str
    key: str
    filename: str
    data: bytes | None = None   # the file itself, when it is made for one reader (not the bundle)


@dataclass(frozen=True)
class Reply:
    text: str = ""
    buttons: tuple[tuple[Button, ...], ...] = ()
    document: Document | None = None
    caption: str = ""
    part_caption: str = ""   # for a document sent in parts: "{n}" and "{total}" are filled in


@dataclass(frozen=True)
class Callback:
    verb: str
    paper_id: str = ""
    arg: str = ""


VERBS = ("card", "abs", "bib", "sim", "ls", "dg", "pick", "save", "sub", "svd")


def encode(verb: str, paper_id: str = "", arg: str = "") -> str:
    data = ":".join([verb, paper_id, arg]).rstrip(":")
    if verb not in VERBS or len(data.encode()) > MAX_CALLBACK:
        raise ValueError(f"callback data {data!r} is not valid")
    return data


def decode(data: str | None) -> Callback | None:
    """Parse callback data; None for anything forged, stale in format, or oversized."""
    if not data or len(data.encode()) > MAX_CALLBACK:
        return None
    verb, _, rest = data.partition(":")
    paper_id, _, arg = rest.partition(":")
    return Callback(verb, paper_id, arg) if verb in VERBS else None

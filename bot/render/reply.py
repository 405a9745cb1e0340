"""What a renderer returns: Replies with buttons, documents to send, and the callback data of
buttons, `verb:paper_id[:arg][|lang]` of at most 64 bytes, encoded and decoded only here.
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
    mime: str = ""              # its MIME type, where the file name alone does not tell it (.ris)


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
    lang: str = ""   # the language of the message the button is on: its answer keeps it


VERBS = ("card", "abs", "bib", "sim", "ls", "dg", "pick", "save", "sub", "svd",
         "abp",   # abp: a page of a paper's whole abstract (render/asked.py)
         "rp",    # rp: a page of a follow's roundup (render/roundups.py)
         "fy")    # fy: a page of /foryou (render/foryou.py)
LANGS = ("zh", "en")
LANG_BYTES = 3   # "|zh": what a button's language adds to its data


def encode(verb: str, paper_id: str = "", arg: str = "", lang: str = "") -> str:
    data = ":".join([verb, paper_id, arg]).rstrip(":") + (f"|{lang}" if lang else "")
    if verb not in VERBS or (lang and lang not in LANGS) or len(data.encode()) > MAX_CALLBACK:
        raise ValueError(f"callback data {data!r} is not valid")
    return data


def decode(data: str | None) -> Callback | None:
    """Parse callback data; None for anything forged, stale in format, or oversized."""
    if not data or len(data.encode()) > MAX_CALLBACK:
        return None
    body, bar, lang = data.partition("|")
    verb, _, rest = body.partition(":")
    paper_id, _, arg = rest.partition(":")
    if verb not in VERBS or (bar and lang not in LANGS):
        return None
    return Callback(verb, paper_id, arg, lang)

"""arXiv's API: read its Atom feed, fetch metadata and PDFs politely.

The Atom parser is pure (bytes in, entries out) so it is tested on real-shaped feeds without a
network. Fetching takes the endpoint from settings (PAPERBOT_ARXIV_API, PAPERBOT_ARXIV_PDF):
tests point it at a local server. Every failure becomes one ArxivError with one clear line.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from bot import __version__
from bot.catalog.web import Polite as Polite  # re-exported: callers of the arXiv client space requests with it
from bot.catalog.web import ServiceError, fetch

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV_NS = "{http://arxiv.org/schemas/atom}"
USER_AGENT = f"paperbot/{__version__} (a Telegram bot's catalog tool; one request per 3 s)"
BATCH = 50                  # ids per API request
MAX_FEED_BYTES = 10 << 20   # a feed for BATCH papers is far smaller; anything bigger is not arXiv
MAX_PDF_BYTES = 200 << 20
_ID = re.compile(r"^(\d{4}\.\d{4,5})(v\d+)?$")
_ID_IN_URL = re.compile(r"/abs/(\d{4}\.\d{4,5})(?:v(\d+))?$")
_SPACES = re.compile(r"\s+")


class ArxivError(ServiceError):
    """A request to arXiv failed; the message is one line a person can act on."""


@dataclass(frozen=True)
class ArxivEntry:
    arxiv: str                    # without a version
    title: str
    authors: tuple[str, ...]
    abstract: str
    published: str                # YYYY-MM-DD, the first version's date
    categories: tuple[str, ...]   # the primary category first
    comment: str = ""
    doi: str = ""
    version: int = 1              # the latest version's number, which the entry describes


def valid_id(text: str) -> str | None:
    """The id without its version ("2401.10774v3" -> "2401.10774"), or None when it is no new-style id."""
    m = _ID.match(text.strip())
    return m.group(1) if m else None


def _text(node: ET.Element | None) -> str:
    return _SPACES.sub(" ", node.text or "").strip() if node is not None else ""


def parse_feed(data: bytes) -> list[ArxivEntry]:
    """The entries of an arXiv Atom feed; ArxivError for malformed XML or an error entry.

    Titles and abstracts come line-wrapped: white space is collapsed. A missing field stays
    empty rather than failing the feed; a missing id or title fails it.
    """
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ArxivError(f"arXiv answered with malformed XML ({exc})") from None
    if root.tag != f"{ATOM}feed":
        raise ArxivError("arXiv answered with something that is not an Atom feed")
    entries = []
    for entry in root.iter(f"{ATOM}entry"):
        raw_id = _text(entry.find(f"{ATOM}id"))
        title = _text(entry.find(f"{ATOM}title"))
        if "/api/errors" in raw_id or title == "Error":
            raise ArxivError(f"arXiv refused the request: {_text(entry.find(f'{ATOM}summary')) or raw_id}")
        m = _ID_IN_URL.search(raw_id)
        if not m or not title:
            raise ArxivError(f"arXiv sent an entry without an id or a title ({raw_id or 'no id'})")
        primary = entry.find(f"{ARXIV_NS}primary_category")
        categories = [c.get("term", "") for c in entry.findall(f"{ATOM}category")]
        first = primary.get("term", "") if primary is not None else ""
        ordered = tuple(dict.fromkeys(c for c in [first, *categories] if c))
        entries.append(ArxivEntry(
            arxiv=m.group(1), title=title,
            authors=tuple(n for a in entry.findall(f"{ATOM}author") if (n := _text(a.find(f"{ATOM}name")))),
            abstract=_text(entry.find(f"{ATOM}summary")), published=_text(entry.find(f"{ATOM}published"))[:10],
            categories=ordered, comment=_text(entry.find(f"{ARXIV_NS}comment")),
            doi=_text(entry.find(f"{ARXIV_NS}doi")), version=int(m.group(2) or 1)))
    return entries


def _batches(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start:start + BATCH]


def fetch_entries(ids: Sequence[str], api: str, *, timeout: float = 30.0, polite: Polite | None = None,
                  client: httpx.Client | None = None, progress: Callable[[int, int], None] | None = None
                  ) -> dict[str, ArxivEntry]:
    """Metadata for every id (batched, politely); ArxivError if arXiv fails or lacks one of them."""
    polite = polite or Polite()
    found: dict[str, ArxivEntry] = {}
    with client or httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT}) as http:
        for batch in _batches(ids):
            polite.wait()
            params = {"id_list": ",".join(batch), "max_results": str(len(batch))}
            data = _get(http, api, params, MAX_FEED_BYTES, "the arXiv API")
            for entry in parse_feed(data):
                found[entry.arxiv] = entry
            if progress:
                progress(len(batch), len(ids))
    missing = [i for i in ids if i not in found]
    if missing:
        raise ArxivError(f"arXiv has no paper {', '.join(missing)}")
    return found


def _get(http: httpx.Client, url: str, params: dict[str, str] | None, limit: int, what: str) -> bytes:
    data = fetch(http, "GET", url, what=what, limit=limit, params=params, error=ArxivError)
    assert data is not None  # a 404 is an error here
    return data


# --- PDFs -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PdfResult:
    arxiv: str
    status: str          # "downloaded", "present" or "failed"
    detail: str = ""


def pdf_name(arxiv: str) -> str:
    return f"{arxiv}.pdf"


def is_pdf(path: Path) -> bool:
    """A whole PDF: the %PDF- header and the %%EOF trailer near the end."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(5)
            f.seek(max(0, size - 1024))
            tail = f.read()
    except OSError:
        return False
    return head == b"%PDF-" and b"%%EOF" in tail


def fetch_pdfs(ids: Iterable[str], base: str, dest: Path, *, timeout: float = 60.0, polite: Polite | None = None,
               progress: Callable[[int, int, PdfResult], None] | None = None,
               client: httpx.Client | None = None) -> list[PdfResult]:
    """Download each paper's PDF into `dest`; a verified file already there is kept (resumable).

    Each download goes to a `.part` file and is renamed only once verified, so an interrupted
    run never leaves a broken PDF behind. A failed paper is reported and the rest continue.
    """
    wanted = list(ids)
    dest.mkdir(parents=True, exist_ok=True)
    polite = polite or Polite()
    results: list[PdfResult] = []
    with client or httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT},
                                follow_redirects=True) as http:
        for n, arxiv in enumerate(wanted, 1):
            target = dest / pdf_name(arxiv)
            if is_pdf(target):
                result = PdfResult(arxiv, "present")
            else:
                polite.wait()
                result = _download(http, base.rstrip("/") + "/" + arxiv, target)
            results.append(result)
            if progress:
                progress(n, len(wanted), result)
    return results


def _download(http: httpx.Client, url: str, target: Path) -> PdfResult:
    arxiv = target.stem
    part = target.with_suffix(".pdf.part")
    try:
        part.write_bytes(_get(http, url, None, MAX_PDF_BYTES, "the PDF server"))
        if not is_pdf(part):
            part.unlink(missing_ok=True)
            return PdfResult(arxiv, "failed", f"{url} did not send a whole PDF")
        part.replace(target)
        return PdfResult(arxiv, "downloaded", f"{target.stat().st_size:,} bytes")
    except ArxivError as exc:
        part.unlink(missing_ok=True)
        return PdfResult(arxiv, "failed", str(exc))

"""A local stand-in for arXiv on 127.0.0.1: the Atom API and the PDF server, with their failures.

`ArxivFake.papers` holds what the API knows (each paper at its latest `version`); `api_mode`
makes it answer as a struggling arXiv would ("ok", "500", "404", "slow", "garbage",
"error-entry", "429", "429-once"); `pdfs` maps ids to PDF sizes, and `broken_pdfs` to ids that
get an HTML page instead. Requests are recorded as (method, path, headers, body).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from tests.fakes.server import Answer, failing, serving

__all__ = ["ArxivFake", "FakePaper", "serving"]


@dataclass
class FakePaper:
    arxiv: str
    title: str
    authors: list[str]
    abstract: str
    published: str = "2022-05-27T17:53:09Z"
    categories: list[str] = field(default_factory=lambda: ["cs.LG", "cs.CL"])
    version: int = 2


def entry_xml(p: FakePaper) -> str:
    # Shaped like arXiv's own: line-wrapped title and summary, versioned id, namespaced extras.
    title = p.title.replace(" ", "\n  ", 1) if len(p.title) > 40 else p.title
    authors = "".join(f"\n    <author>\n      <name>{escape(a)}</name>\n    </author>" for a in p.authors)
    cats = "".join(f'\n    <category term="{c}" scheme="http://arxiv.org/schemas/atom"/>' for c in p.categories)
    primary = (f'\n    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="{p.categories[0]}" '
               'scheme="http://arxiv.org/schemas/atom"/>') if p.categories else ""
    return f"""  <entry>
    <id>http://arxiv.org/abs/{p.arxiv}v{p.version}</id>
    <updated>2022-06-23T17:53:09Z</updated>
    <published>{p.published}</published>
    <title>{escape(title)}</title>
    <summary>  {escape(p.abstract)}
</summary>{authors}
    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">Code at https://github.com/example</arxiv:comment>
    <link href="http://arxiv.org/abs/{p.arxiv}v2" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/{p.arxiv}v2" rel="related" type="application/pdf"/>{primary}{cats}
  </entry>
"""


def feed_xml(entries: list[str]) -> bytes:
    return ("""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: id_list</title>
  <id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>
  <updated>2024-06-15T00:00:00-04:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">"""
            + str(len(entries)) + "</opensearch:totalResults>\n" + "".join(entries) + "</feed>\n").encode()


def pdf_bytes(arxiv: str, size: int) -> bytes:
    """A small real PDF padded to `size` bytes (the padding is a PDF comment-free stream)."""
    head = b"%PDF-1.4\n1 0 obj << /Title (" + arxiv.encode() + b") >> endobj\n"
    tail = b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return head + b"0" * max(0, size - len(head) - len(tail)) + tail


@dataclass
class ArxivFake:
    papers: dict[str, FakePaper] = field(default_factory=dict)
    api_mode: str = "ok"
    pdfs: dict[str, int] = field(default_factory=dict)
    broken_pdfs: set[str] = field(default_factory=set)
    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    port: int = 0

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/query"

    @property
    def pdf_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/pdf/"

    def answer(self, method: str, path: str, query: str, body: bytes) -> Answer:
        if path == "/api/query" and self.api_mode != "garbage":   # arXiv's garbage is broken XML, below
            asked = sum(1 for r in self.requests if r[1].startswith("/api/query")) - 1
            if (fail := failing(self.api_mode, asked)) is not None:
                return fail
        status, kind, reply = self._answer(path, query)
        return status, {"Content-Type": kind}, reply

    def _answer(self, path: str, query: str) -> tuple[int, str, bytes]:
        if path == "/api/query":
            mode = self.api_mode
            if mode == "garbage":
                return 200, "application/atom+xml", b"<feed><entry><title>unclosed"
            ids = parse_qs(query).get("id_list", [""])[0].split(",")
            if mode == "error-entry":
                err = (f"  <entry>\n    <id>http://arxiv.org/api/errors#incorrect_id_format_for_{ids[0]}</id>\n"
                       f"    <title>Error</title>\n    <summary>incorrect id format for {ids[0]}</summary>\n  </entry>\n")
                return 200, "application/atom+xml", feed_xml([err])
            return 200, "application/atom+xml", feed_xml([entry_xml(self.papers[i]) for i in ids if i in self.papers])
        if path.startswith("/pdf/"):
            arxiv = path.removeprefix("/pdf/")
            if arxiv in self.broken_pdfs:
                return 200, "text/html", b"<html>Please verify you are human</html>"
            if arxiv in self.pdfs:
                return 200, "application/pdf", pdf_bytes(arxiv, self.pdfs[arxiv])
        return 404, "text/plain", b"not found"

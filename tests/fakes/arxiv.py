"""A local stand-in for arXiv on 127.0.0.1: the Atom API and the PDF server, with their failures.

`ArxivFake.papers` holds what the API knows; `api_mode` makes it answer as a struggling arXiv
would ("ok", "500", "404", "slow", "garbage", "error-entry"); `pdfs` maps ids to PDF sizes, and
`broken_pdfs` to ids that get an HTML page instead. Requests are recorded with their headers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape


@dataclass
class FakePaper:
    arxiv: str
    title: str
    authors: list[str]
    abstract: str
    published: str = "2022-05-27T17:53:09Z"
    categories: list[str] = field(default_factory=lambda: ["cs.LG", "cs.CL"])


def entry_xml(p: FakePaper) -> str:
    # Shaped like arXiv's own: line-wrapped title and summary, versioned id, namespaced extras.
    title = p.title.replace(" ", "\n  ", 1) if len(p.title) > 40 else p.title
    authors = "".join(f"\n    <author>\n      <name>{escape(a)}</name>\n    </author>" for a in p.authors)
    cats = "".join(f'\n    <category term="{c}" scheme="http://arxiv.org/schemas/atom"/>' for c in p.categories)
    primary = (f'\n    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="{p.categories[0]}" '
               'scheme="http://arxiv.org/schemas/atom"/>') if p.categories else ""
    return f"""  <entry>
    <id>http://arxiv.org/abs/{p.arxiv}v2</id>
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
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    port: int = 0

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/query"

    @property
    def pdf_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/pdf/"

    def answer(self, path: str, query: str) -> tuple[int, str, bytes]:
        if path == "/api/query":
            mode = self.api_mode
            if mode == "slow":
                time.sleep(3)
            if mode in ("500", "404"):
                return int(mode), "text/plain", b"Service unavailable"
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


@contextmanager
def serving(fake: ArxivFake) -> Iterator[ArxivFake]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            fake.requests.append((self.path, dict(self.headers)))
            status, kind, body = fake.answer(url.path, url.query)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()

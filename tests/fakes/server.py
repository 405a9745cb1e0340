"""One local HTTP server on 127.0.0.1 for the fakes of outside services (GET, HEAD, POST).

A fake is any object with `answer(method, path, query, body) -> (status, headers, body)`; the
server records each request (method, path with query, headers, body) on `fake.requests`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import urlparse

Answer = tuple[int, dict[str, str], bytes]


class Fake(Protocol):
    requests: list[Any]
    port: int

    def answer(self, method: str, path: str, query: str, body: bytes) -> Answer: ...


@contextmanager
def serving(fake: Fake) -> Iterator[Any]:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self, method: str) -> None:
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            fake.requests.append((method, self.path, dict(self.headers), body))
            status, headers, reply = fake.answer(method, url.path, url.query, body)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(reply)

        def do_GET(self) -> None:
            self._handle("GET")

        def do_HEAD(self) -> None:
            self._handle("HEAD")

        def do_POST(self) -> None:
            self._handle("POST")

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


def failing(mode: str, attempt: int) -> Answer | None:
    """The answer of a struggling service in `mode` ("500", "404", "slow", "garbage", "429",
    "429-once": rate-limited on the first request only), or None to answer normally."""
    import time

    if mode == "slow":
        time.sleep(3)
    if mode in ("500", "404", "403"):
        return int(mode), {"Content-Type": "text/plain"}, b"Service unavailable"
    if mode == "garbage":
        return 200, {"Content-Type": "application/json"}, b"<html>{not json"
    if mode == "429" or (mode == "429-once" and attempt == 0):
        return 429, {"Retry-After": "1", "Content-Type": "text/plain"}, b"Too Many Requests"
    return None

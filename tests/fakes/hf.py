"""Local stand-ins for Hugging Face's papers API and GitHub's repository redirects, on 127.0.0.1.

`HfFake.repos` maps arXiv ids to the `githubRepo` a paper page links (None: indexed, no
repository; absent: not indexed, 404). `renamed` maps "owner/name" to the repository GitHub
now redirects it to; `gone` lists repositories that answer 404. `mode` fails the papers API:
"ok", "500", "slow", "garbage", "429", "429-once".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from tests.fakes.server import Answer, failing, serving

__all__ = ["HfFake", "serving"]


@dataclass
class HfFake:
    repos: dict[str, str | None] = field(default_factory=dict)
    renamed: dict[str, str] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)
    mode: str = "ok"
    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    port: int = 0

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def github(self) -> str:
        return f"http://127.0.0.1:{self.port}/github"

    def answer(self, method: str, path: str, query: str, body: bytes) -> Answer:
        if path.startswith("/api/papers/"):
            asked = sum(1 for r in self.requests if r[1].startswith("/api/")) - 1
            if (fail := failing(self.mode, asked)) is not None:
                return fail
            arxiv = path.removeprefix("/api/papers/")
            if arxiv not in self.repos:
                return 404, {"Content-Type": "application/json"}, b'{"error":"Paper not found"}'
            paper = {"id": arxiv, "title": "A paper", "upvotes": 3,
                     **({"githubRepo": self.repos[arxiv], "githubStars": 1200} if self.repos[arxiv] else {})}
            return 200, {"Content-Type": "application/json"}, json.dumps(paper).encode()
        if path.startswith("/github/"):
            repo = path.removeprefix("/github/").strip("/")
            if repo in self.gone:
                return 404, {}, b"Not Found"
            if repo in self.renamed:
                return 301, {"Location": f"{self.github}/{self.renamed[repo]}"}, b""
            return 200, {"Content-Type": "text/html"}, b"<html>a repository</html>"
        return 404, {}, b"not found"

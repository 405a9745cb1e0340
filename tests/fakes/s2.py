"""A local Semantic Scholar Graph API on 127.0.0.1: `POST /graph/v1/paper/batch`, with its failures.

`S2Fake.papers` maps arXiv ids to what the API knows (shaped like its JSON); an id it lacks
answers null, as the real batch endpoint does. `mode`: "ok", "500", "403", "slow", "garbage",
"429", "429-once", "short" (a list of the wrong length).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.server import Answer, failing, serving

__all__ = ["S2Fake", "s2_paper", "serving"]


def s2_paper(arxiv: str, citations: int, influential: int = 0, venue: str = "", short: str = "",
             year: int | None = 2023) -> dict[str, Any]:
    """A paper as the batch endpoint returns it for the fields `enrich --citations` asks."""
    pv = {"id": "1901e811-ee72-4b20-8f7e-de08cd395a10", "name": venue, "type": "conference",
          "alternate_names": ["Neural Inf Process Syst", short, "NIPS"] if short else [],
          "url": "https://example.org"} if venue else None
    return {"paperId": f"s2-{arxiv}", "externalIds": {"ArXiv": arxiv, "CorpusId": 1},
            "citationCount": citations, "influentialCitationCount": influential,
            "venue": venue or "arXiv.org", "publicationVenue": pv, "year": year}


@dataclass
class S2Fake:
    papers: dict[str, dict[str, Any]] = field(default_factory=dict)
    mode: str = "ok"
    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    port: int = 0

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/graph/v1"

    def answer(self, method: str, path: str, query: str, body: bytes) -> Answer:
        if (fail := failing(self.mode, len(self.requests) - 1)) is not None:
            return fail
        if method != "POST" or path != "/graph/v1/paper/batch":
            return 404, {"Content-Type": "application/json"}, b'{"error":"Not found"}'
        ids = json.loads(body)["ids"]
        if len(ids) > 500:
            return 400, {"Content-Type": "application/json"}, b'{"error":"Too many ids"}'
        items = [self.papers.get(i.removeprefix("ARXIV:")) for i in ids]
        if self.mode == "short":
            items = items[:-1]
        return 200, {"Content-Type": "application/json"}, json.dumps(items).encode()

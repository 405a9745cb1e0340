"""Code links for the curator: Hugging Face's papers API, and GitHub's redirects for renames.

Papers with Code shut down (its links now lead to Hugging Face), whose paper pages carry the
repository that authors or the community linked. `GET {api}/papers/{arxiv}` answers JSON with a
`githubRepo` field when a repository is linked, and 404 for a paper it has not indexed. Whether
a catalog link still points where it did is asked of GitHub itself: a renamed or transferred
repository answers its old address with a permanent redirect to the new one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from bot.catalog.web import USER_AGENT, Polite, ServiceError, fetch, json_reply, send

DELAY = 0.5
MAX_REPLY_BYTES = 2 << 20
WHAT = "Hugging Face"
_REPO = re.compile(r"^https?://(?:www\.)?github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?(/.*)?$")


class HfError(ServiceError):
    """Hugging Face or GitHub failed, or answered something else than expected."""


def repo_of(url: str | None) -> tuple[str, str, str] | None:
    """(owner, name, the rest of the path) of a GitHub URL; None for any other URL."""
    m = _REPO.match((url or "").strip())
    return (m.group(1), m.group(2), m.group(3) or "") if m else None


def same_repo(a: str | None, b: str | None) -> bool:
    """Both URLs name one GitHub repository (GitHub's names ignore case; paths inside may differ)."""
    ra, rb = repo_of(a), repo_of(b)
    return ra is not None and rb is not None and (ra[0].lower(), ra[1].lower()) == (rb[0].lower(), rb[1].lower())


def parse_paper(data: bytes, arxiv: str) -> str | None:
    """The linked repository of one paper reply (None when there is none)."""
    item = json_reply(data, WHAT, HfError)
    if not isinstance(item, dict):
        raise HfError(f"{WHAT} answered with something that is not a paper for {arxiv}")
    repo = item.get("githubRepo")
    if repo is None or repo == "":
        return None
    if not isinstance(repo, str) or repo_of(repo) is None:
        raise HfError(f"{WHAT} sent a malformed githubRepo for {arxiv} ({str(repo)[:80]!r})")
    return repo.strip()


def fetch_repos(ids: Sequence[str], api: str, *, timeout: float = 30.0, polite: Polite | None = None,
                client: httpx.Client | None = None, progress: Callable[[int, int], None] | None = None
                ) -> dict[str, str | None]:
    """Each arXiv id's linked repository on Hugging Face (None: not indexed or no repository)."""
    polite = polite or Polite(DELAY)
    found: dict[str, str | None] = {}
    with client or httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT}) as http:
        for arxiv in ids:
            data = fetch(http, "GET", f"{api.rstrip('/')}/papers/{arxiv}", what=WHAT, limit=MAX_REPLY_BYTES,
                         polite=polite, error=HfError, missing_ok=True)
            found[arxiv] = parse_paper(data, arxiv) if data is not None else None
            if progress:
                progress(1, len(ids))
    return found


@dataclass(frozen=True)
class Moved:
    """Where GitHub says a repository is now: a new address, or gone (404)."""

    url: str | None


def where_now(urls: Sequence[str], github: str, *, timeout: float = 30.0, polite: Polite | None = None,
              client: httpx.Client | None = None) -> dict[str, Moved]:
    """For each GitHub URL that moved or vanished, where it is now; an unmoved one is left out.

    `github` replaces https://github.com in the URLs asked (tests point it at a local server);
    the answers are given back as github.com addresses."""
    polite = polite or Polite(DELAY)
    base = github.rstrip("/")
    moved: dict[str, Moved] = {}
    with client or httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT}) as http:
        for url in urls:
            repo = repo_of(url)
            if repo is None:
                continue
            asked = f"{base}/{repo[0]}/{repo[1]}"
            reply = send(http, "HEAD", asked, what="GitHub", limit=MAX_REPLY_BYTES, polite=polite, error=HfError,
                         allow=frozenset({404}))
            if reply.status in (301, 308) and reply.headers.get("Location"):
                target = urljoin(asked + "/", reply.headers["Location"])
                new = repo_of(target.replace(base, "https://github.com", 1))
                if new is None:
                    raise HfError(f"GitHub redirected {asked} somewhere that is no repository")
                moved[url] = Moved(f"https://github.com/{new[0]}/{new[1]}{repo[2]}")
            elif reply.status == 404:
                moved[url] = Moved(None)
    return moved

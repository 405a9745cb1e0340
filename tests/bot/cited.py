"""The shipped catalog with citation counts, as `paperbot enrich --citations` stores them from a
(local, fake) Semantic Scholar: what the standing questions and card lines are tested on."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from bot.catalog import catalog as catalog_mod
from bot.catalog.enrich import Services, enrich_citations
from bot.catalog.keywords import load_digests, load_keywords
from bot.conversation.library import Library
from bot.search.engine import SearchIndex
from tests.conftest import DATA
from tests.fakes.s2 import S2Fake, s2_paper
from tests.fakes.server import serving

# Made-up counts (ids in catalog order get 100, 200, ...), except a few set apart to rank.
COUNTS = {"2310.03744": 5000, "2301.12597": 4000, "2306.14824": 900, "2308.12966": 1500, "2302.13971": 12000}


def cited_library(folder: Path) -> Library:
    path = folder / "papers.yaml"
    shutil.copy(DATA / "papers.yaml", path)
    ids = [str(p.arxiv) for p in catalog_mod.load(path, use_cache=False) if p.arxiv]
    known = {a: s2_paper(a, COUNTS.get(a, 100 * (i + 1)), 10) for i, a in enumerate(ids)}
    with serving(S2Fake(known)) as fake:
        enrich_citations(path, Services(s2_api=fake.api, delay=0), today=date(2026, 12, 2))
    catalog = catalog_mod.load(path, use_cache=False)
    digests = load_digests(DATA / "digests.yaml", [s.id for s in catalog.sections], [p.id for p in catalog])
    keywords = load_keywords(DATA / "keywords.yaml", [p.id for p in catalog], [d.id for d in digests])
    return Library(catalog, keywords, digests, SearchIndex.build(catalog))

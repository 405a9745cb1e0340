"""`paperbot enrich`: citations and venues from a fake Semantic Scholar, code links from a fake
Hugging Face and GitHub, all on 127.0.0.1; failures are one line and leave the file alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot.catalog import catalog as catalog_mod
from bot.catalog.curate import CurateError
from bot.catalog.enrich import Services, describe_code, enrich_citations, enrich_code
from bot.catalog.s2 import BATCH, S2Error, fetch_papers, parse_batch, short_name
from bot.catalog.web import Polite, retry_after
from tests.fakes.hf import HfFake
from tests.fakes.s2 import S2Fake, s2_paper
from tests.fakes.server import serving

DATA = Path(__file__).resolve().parents[3] / "data"
TODAY = date(2026, 12, 2)


def arxiv_ids(path: Path) -> list[str]:
    return [str(p.arxiv) for p in catalog_mod.load(path, use_cache=False) if p.arxiv]


# --- Semantic Scholar ----------------------------------------------------------------------

def test_a_batch_reply_is_read_in_order_and_a_preprint_server_is_no_venue() -> None:
    data = json.dumps([s2_paper("2305.10429", 512, 40, "Neural Information Processing Systems", "NeurIPS"), None,
                       s2_paper("2302.13971", 15000, 2000)]).encode()
    found = parse_batch(data, ["2305.10429", "2401.00001", "2302.13971"])
    assert set(found) == {"2305.10429", "2302.13971"}
    assert (found["2305.10429"].venue_short, found["2305.10429"].year, found["2305.10429"].influential) == ("NeurIPS", 2023, 40)
    assert found["2302.13971"].venue == "" and found["2302.13971"].citations == 15000
    assert short_name(["Int Conf Learn Represent", "ICLR"]) == "ICLR" and short_name(["Nature"]) == ""


@pytest.mark.parametrize(("data", "message"), [
    (b"<html>", "malformed JSON"),
    (b'{"error": "x"}', "not a batch reply"),
    (b"[null]", "not a batch reply"),
    (json.dumps([{"citationCount": -3}, None]).encode(), "malformed citationCount"),
    (json.dumps([{"citationCount": "many"}, None]).encode(), "malformed citationCount"),
])
def test_a_malformed_reply_is_one_error(data: bytes, message: str) -> None:
    with pytest.raises(S2Error, match=message):
        parse_batch(data, ["2305.10429", "2302.13971"])


def test_one_request_per_hundred_papers_with_the_key_in_a_header_only() -> None:
    ids = [f"2301.{i:05d}" for i in range(BATCH + 30)]
    with serving(S2Fake({i: s2_paper(i, 1) for i in ids})) as fake:
        progress: list[tuple[int, int]] = []
        found = fetch_papers(ids, fake.api, key="sekret-key", polite=Polite(0),
                             progress=lambda n, total: progress.append((n, total)))
    assert len(found) == len(ids) and len(fake.requests) == 2 and progress == [(100, 130), (30, 130)]
    for method, path, headers, _body in fake.requests:
        assert method == "POST" and "sekret" not in path and headers["x-api-key"] == "sekret-key"
        assert "citationCount" in path and "publicationVenue" in path
    assert len(json.loads(fake.requests[0][3])["ids"]) == 100


def test_retry_after_is_read_as_seconds_or_a_date() -> None:
    from datetime import datetime, timezone

    now = datetime(2026, 12, 2, 8, 0, 0, tzinfo=timezone.utc)
    assert retry_after("7") == 7 and retry_after(None) is None and retry_after("soon") is None
    assert retry_after("Wed, 02 Dec 2026 08:00:30 GMT", now) == 30


def test_a_rate_limit_is_honoured_with_the_wait_it_asks_for() -> None:
    slept: list[float] = []
    polite = Polite(0, sleep=slept.append)
    with serving(S2Fake({"2305.10429": s2_paper("2305.10429", 9)}, mode="429-once")) as fake:
        found = fetch_papers(["2305.10429"], fake.api, polite=polite)
    assert found["2305.10429"].citations == 9 and slept == [1.0] and len(fake.requests) == 2


def test_citations_and_venues_are_stored_with_the_day_they_were_read(catalog_file: Path) -> None:
    text_before = catalog_file.read_text(encoding="utf-8")
    ids = arxiv_ids(catalog_file)
    known = {a: s2_paper(a, 100 + i, i) for i, a in enumerate(ids[:-1])}     # the last one is unknown
    known["2312.11514"] = s2_paper("2312.11514", 512, 40, "Annual Meeting of the Association for Computational "
                                   "Linguistics", "ACL", 2024)
    known["2305.10429"] = s2_paper("2305.10429", 700, 70, "International Conference on Machine Learning", "ICML")
    with serving(S2Fake(known)) as fake:
        reports, written = enrich_citations(catalog_file, Services(s2_api=fake.api, delay=0), today=TODAY)
    assert written and len(reports) == 26 and reports[-1].found is None
    text = catalog_file.read_text(encoding="utf-8")
    assert text.count("\n# ") == text_before.count("\n# ")
    catalog = catalog_mod.load(catalog_file, use_cache=False)
    flash, doremi = catalog.get("llm-in-a-flash"), catalog.get("doremi")
    assert flash is not None and flash.citations is not None and flash.venue is not None
    assert (flash.citations.count, flash.citations.influential, flash.citations.read) == (512, 40, "2026-12-02")
    assert flash.venue.label == "ACL 2024" and flash.venue.source == "Semantic Scholar"
    # DoReMi's venue was written by hand: kept, and the report says Semantic Scholar differs.
    assert doremi is not None and doremi.venue is not None and doremi.venue.label == "NeurIPS 2023"
    assert next(r for r in reports if r.paper_id == "doremi").venue_kept == doremi.venue
    last = catalog.papers[-1]
    assert last.citations is None


def test_a_venue_written_by_hand_is_kept_and_the_report_says_so(catalog_file: Path) -> None:
    from bot.catalog.enrich import describe_citations

    with serving(S2Fake({"2210.17323": s2_paper("2210.17323", 900, 90, "arXiv.org", year=2022)})) as fake:
        reports, _ = enrich_citations(catalog_file, Services(s2_api=fake.api, delay=0), today=TODAY)
    gptq = catalog_mod.load(catalog_file, use_cache=False).get("gptq")
    assert gptq is not None and gptq.venue is not None and gptq.venue.label == "ICLR 2023"
    assert gptq.citations is not None and gptq.citations.count == 900
    line = next(describe_citations(r) for r in reports if r.paper_id == "gptq")
    assert line == "gptq (2210.17323): 900 citations (90 influential) · no venue"


@pytest.mark.parametrize(("mode", "message"), [
    ("500", "HTTP 500"), ("403", "HTTP 403"), ("garbage", "malformed JSON"), ("slow", "did not answer in time"),
    ("short", "not a batch reply"), ("429", "limiting requests"),
])
def test_a_citation_failure_is_one_line_and_the_file_unchanged(catalog_file: Path, mode: str, message: str) -> None:
    before = catalog_file.read_bytes()
    with serving(S2Fake({a: s2_paper(a, 1) for a in arxiv_ids(catalog_file)}, mode=mode)) as fake, \
            pytest.raises(CurateError, match=message) as err:
        enrich_citations(catalog_file, Services(s2_api=fake.api, delay=0, timeout=1))
    assert "\n" not in str(err.value) and catalog_file.read_bytes() == before


def test_a_service_that_is_down_is_one_line(catalog_file: Path) -> None:
    with pytest.raises(CurateError, match="cannot reach Semantic Scholar"):
        enrich_citations(catalog_file, Services(s2_api="http://127.0.0.1:9/graph/v1", delay=0, timeout=1))


# --- code links ----------------------------------------------------------------------------

def code_fake(path: Path) -> HfFake:
    """Hugging Face linking each paper's catalog repository (none where the catalog has none)."""
    return HfFake({str(p.arxiv): p.links.code for p in catalog_mod.load(path, use_cache=False) if p.arxiv})


def test_code_links_are_reported_and_written_only_with_write(catalog_file: Path) -> None:
    before = catalog_file.read_bytes()
    fake = code_fake(catalog_file)
    fake.repos["2312.11805"] = "https://github.com/google-deepmind/gemini-example"      # Gemini: none in the catalog
    fake.renamed["OpenBMB/ToolBench"] = "OpenBMB/ToolBench-2"
    fake.repos["2305.10429"] = "https://github.com/someone/doremi-reimplementation"    # not the official one
    fake.gone.add("OpenBMB/BMTools")
    with serving(fake):
        services = Services(hf_api=fake.api, github=fake.github, delay=0)
        reports, written = enrich_code(catalog_file, services)
        assert not written and catalog_file.read_bytes() == before
        by_id = {r.paper_id: r for r in reports}
        assert by_id["gemini"].status == "missing" and by_id["toolllm"].status == "renamed"
        assert by_id["toolllm"].proposed == "https://github.com/OpenBMB/ToolBench-2"
        assert by_id["doremi"].status == "different" and not by_id["doremi"].writable
        assert by_id["tool-learning"].status == "gone" and by_id["llama"].status == "same"
        assert describe_code(by_id["doremi"]) == ("doremi (2305.10429): different: Hugging Face links "
            "https://github.com/someone/doremi-reimplementation; the catalog's https://github.com/sangmichaelxie/doremi is kept")
        reports, written = enrich_code(catalog_file, services, write=True, today=TODAY)
    assert written
    catalog = catalog_mod.load(catalog_file, use_cache=False)
    toolllm, gemini, doremi = catalog.get("toolllm"), catalog.get("gemini"), catalog.get("doremi")
    assert toolllm is not None and gemini is not None and doremi is not None
    assert toolllm.links.code == "https://github.com/OpenBMB/ToolBench-2"
    assert toolllm.errata[-1].replaced == "https://github.com/OpenBMB/ToolBench" and toolllm.errata[-1].field == "links.code"
    assert gemini.links.code == "https://github.com/google-deepmind/gemini-example"
    assert gemini.provenance[-1].field == "links.code" and gemini.provenance[-1].checked == "2026-12-02"
    assert doremi.links.code == "https://github.com/sangmichaelxie/doremi"           # the official link stays


def test_a_renamed_link_keeps_its_path_inside_the_repository() -> None:
    from bot.catalog.hf import where_now

    fake = HfFake(renamed={"salesforce/LAVIS": "salesforce/lavis-new"})
    with serving(fake):
        moved = where_now(["https://github.com/salesforce/LAVIS/tree/main/projects/blip2"], fake.github, polite=Polite(0))
    assert moved["https://github.com/salesforce/LAVIS/tree/main/projects/blip2"].url == \
        "https://github.com/salesforce/lavis-new/tree/main/projects/blip2"


@pytest.mark.parametrize(("mode", "message"), [
    ("500", "HTTP 500"), ("garbage", "malformed JSON"), ("slow", "did not answer in time"), ("429", "limiting requests"),
])
def test_a_code_link_failure_is_one_line_and_the_file_unchanged(catalog_file: Path, mode: str, message: str) -> None:
    before = catalog_file.read_bytes()
    fake = code_fake(catalog_file)
    fake.mode = mode
    with serving(fake), pytest.raises(CurateError, match=message) as err:
        enrich_code(catalog_file, Services(hf_api=fake.api, github=fake.github, delay=0, timeout=1), write=True)
    assert "\n" not in str(err.value) and catalog_file.read_bytes() == before


def test_the_command_line_enriches_from_a_clean_environment(catalog_file: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERBOT_", "S2_"))}
    ids = arxiv_ids(catalog_file)
    s2 = S2Fake({a: s2_paper(a, 1000 + i) for i, a in enumerate(ids)})
    hf = code_fake(catalog_file)
    hf.renamed["OpenBMB/ToolBench"] = "OpenBMB/ToolBench-2"
    with serving(s2), serving(hf):
        env.update(PAPERBOT_S2_API=s2.api, PAPERBOT_HF_API=hf.api, PAPERBOT_GITHUB=hf.github, S2_API_KEY="k-123",
                   PAPERBOT_ENRICH_DELAY="0", PAPERBOT_CACHE_DIR=str(catalog_file.parent))
        cmd = [sys.executable, "-m", "bot", "enrich", "--catalog", str(catalog_file)]
        cited = subprocess.run([*cmd, "--citations"], capture_output=True, text=True, env=env, timeout=60)
        assert cited.returncode == 0, cited.stderr
        assert "26 of 26 paper(s) found on Semantic Scholar; citations and venues stored" in cited.stdout
        assert "k-123" not in cited.stdout + cited.stderr
        code = subprocess.run([*cmd, "--code"], capture_output=True, text=True, env=env, timeout=60)
        assert code.returncode == 0 and "toolllm (2307.16789): renamed:" in code.stdout
        assert "nothing written (add --write to apply)" in code.stdout
        s2.mode = "500"
        before = catalog_file.read_bytes()
        bad = subprocess.run([*cmd, "--citations"], capture_output=True, text=True, env=env, timeout=60)
        assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "HTTP 500" in bad.stderr
        assert catalog_file.read_bytes() == before
        neither = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
        assert neither.returncode == 2
    check = subprocess.run([sys.executable, "-m", "bot", "check", str(catalog_file)], capture_output=True, text=True,
                           env=env, timeout=60)
    assert check.returncode == 0, check.stdout

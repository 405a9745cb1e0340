"""arXiv's Atom feed and PDFs: the parser on real-shaped feeds, and fetching from a local fake."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog.arxiv import USER_AGENT, ArxivError, Polite, fetch_entries, fetch_pdfs, is_pdf, parse_feed, valid_id
from tests.fakes.arxiv import ArxivFake, FakePaper, entry_xml, feed_xml, serving

FLASH = FakePaper("2205.14135", "FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness",
                  ["Tri Dao", "Daniel Y. Fu", "Stefano Ermon", "Atri Rudra", "Christopher Ré"],
                  "Transformers are slow and memory-hungry on long sequences, since the time and memory complexity "
                  "of self-attention are quadratic in sequence length.")
OTHER = FakePaper("2405.00001", "A Second Paper", ["Ada Lovelace"], "Short.", "2024-05-01T00:00:00Z", ["cs.AI"])


def test_a_feed_with_several_authors_and_wrapped_lines() -> None:
    [entry] = parse_feed(feed_xml([entry_xml(FLASH)]))
    assert entry.arxiv == "2205.14135"                     # the version is dropped
    assert entry.title == FLASH.title                      # the line break inside the title is gone
    assert entry.authors == tuple(FLASH.authors)            # in order, with their accents
    assert entry.abstract.startswith("Transformers are slow") and "\n" not in entry.abstract
    assert entry.published == "2022-05-27" and entry.categories == ("cs.LG", "cs.CL")


def test_missing_fields_stay_empty_but_a_missing_title_fails() -> None:
    bare = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2401.00001v1</id>
    <title>Only a title</title></entry></feed>"""
    [entry] = parse_feed(bare)
    assert (entry.authors, entry.abstract, entry.categories, entry.published) == ((), "", (), "")
    with pytest.raises(ArxivError, match="without an id or a title"):
        parse_feed(b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2401.00001v1</id>'
                   b"</entry></feed>")


@pytest.mark.parametrize(("data", "message"), [
    (b"<feed><entry>", "malformed XML"),
    (b"<html><body>maintenance</body></html>", "not an Atom feed"),
    (feed_xml(["<entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id><title>Error</title>"
               "<summary>incorrect id format for 1234</summary></entry>"]), "incorrect id format for 1234"),
])
def test_bad_feeds_are_one_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(ArxivError, match=message):
        parse_feed(data)


def test_ids_are_checked_before_any_request() -> None:
    assert valid_id("2401.10774v3") == "2401.10774" and valid_id(" 2205.14135 ") == "2205.14135"
    assert valid_id("1234") is None and valid_id("hep-th/9901001") is None


def test_fetching_batches_ids_and_says_who_is_asking() -> None:
    with serving(ArxivFake({FLASH.arxiv: FLASH, OTHER.arxiv: OTHER})) as fake:
        found = fetch_entries([FLASH.arxiv, OTHER.arxiv], fake.api, polite=Polite(0))
        assert set(found) == {FLASH.arxiv, OTHER.arxiv}
        [(_, path, headers, _)] = fake.requests                    # one request for both
        assert "id_list=2205.14135%2C2405.00001" in path or "id_list=2205.14135,2405.00001" in path
        assert headers["User-Agent"] == USER_AGENT


@pytest.mark.parametrize(("mode", "message"), [
    ("500", "HTTP 500"), ("404", "HTTP 404"), ("garbage", "malformed XML"), ("slow", "did not answer in time"),
    ("error-entry", "refused"),
])
def test_every_failure_of_the_api_is_one_line(mode: str, message: str) -> None:
    with serving(ArxivFake({FLASH.arxiv: FLASH}, api_mode=mode)) as fake, \
            pytest.raises(ArxivError, match=message) as info:
        fetch_entries([FLASH.arxiv], fake.api, timeout=1, polite=Polite(0))
    assert "\n" not in str(info.value)


def test_an_unknown_id_and_an_unreachable_server_are_errors() -> None:
    with serving(ArxivFake({FLASH.arxiv: FLASH})) as fake, pytest.raises(ArxivError, match=r"no paper 2405\.99999"):
        fetch_entries([FLASH.arxiv, "2405.99999"], fake.api, polite=Polite(0))
    with serving(ArxivFake()) as fake:
        dead = fake.api
    with pytest.raises(ArxivError, match="cannot reach"):
        fetch_entries([FLASH.arxiv], dead, timeout=2, polite=Polite(0))


def test_politeness_spaces_requests() -> None:
    now = [100.0]
    slept: list[float] = []
    polite = Polite(3.0, clock=lambda: now[0], sleep=lambda s: (slept.append(s), now.__setitem__(0, now[0] + s)))
    polite.wait()
    now[0] += 1.0
    polite.wait()
    polite.wait()
    assert slept == [pytest.approx(2.0), pytest.approx(3.0)]


def test_pdfs_are_verified_resumable_and_one_failure_does_not_stop_the_rest(tmp_path: Path) -> None:
    with serving(ArxivFake(pdfs={"2205.14135": 5000, "2405.00001": 3000}, broken_pdfs={"2401.00002"})) as fake:
        seen: list[str] = []
        results = fetch_pdfs(["2205.14135", "2401.00002", "2401.00003", "2405.00001"], fake.pdf_base, tmp_path,
                             polite=Polite(0), progress=lambda n, total, r: seen.append(f"{n}/{total} {r.status}"))
        assert [r.status for r in results] == ["downloaded", "failed", "failed", "downloaded"]
        assert seen == ["1/4 downloaded", "2/4 failed", "3/4 failed", "4/4 downloaded"]
        assert is_pdf(tmp_path / "2205.14135.pdf") and (tmp_path / "2205.14135.pdf").stat().st_size == 5000
        assert not list(tmp_path.glob("*.part")) and not (tmp_path / "2401.00002.pdf").exists()
        asked = len(fake.requests)
        (tmp_path / "2405.00001.pdf").write_bytes(b"%PDF-1.4 cut off")  # an interrupted earlier download
        again = fetch_pdfs(["2205.14135", "2405.00001"], fake.pdf_base, tmp_path, polite=Polite(0))
        assert [r.status for r in again] == ["present", "downloaded"] and len(fake.requests) == asked + 1

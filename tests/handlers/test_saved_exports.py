"""/saved bib, /saved ris, /saved csl through the real handlers: a document each, with the file
name and MIME type a reference manager opens, whose contents parse back to the saved papers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import bibtexparser
import pytest
import rispy

from bot.settings import Settings
from bot.telegram.local import LocalBot
from tests.handlers.test_readers import press, texts

pytestmark = pytest.mark.asyncio


@pytest.fixture()
async def bot(settings: Settings) -> AsyncIterator[LocalBot]:
    async with LocalBot(settings) as local:
        yield local


async def _sent(bot: LocalBot, command: str) -> tuple[str, str, bytes]:
    [doc] = [c for c in await bot.say(command) if c.method == "sendDocument"]
    mime, data = doc.uploads["document"]
    return doc.files["document"][0], mime, data


async def test_each_export_is_a_typed_file_of_the_saves_in_order(bot: LocalBot) -> None:
    for paper in ("gptq", "medusa", "gemini"):
        await bot.process(press(f"save:{paper}"))
    name, mime, data = await _sent(bot, "/saved ris")
    assert (name, mime) == ("saved.ris", "application/x-research-info-systems")
    records = rispy.loads(data.decode())
    assert [r["accession_number"] for r in records] == ["arXiv:2210.17323", "arXiv:2401.10774", "arXiv:2312.11805"]
    assert records[1]["authors"][:2] == ["Cai, Tianle", "Li, Yuhong"]

    name, mime, data = await _sent(bot, "/saved csl")
    assert (name, mime) == ("saved.json", "application/vnd.citationstyles.csl+json")
    items = json.loads(data)
    assert [i["number"] for i in items] == ["arXiv:2210.17323", "arXiv:2401.10774", "arXiv:2312.11805"]
    assert items[2]["author"][:2] == [{"literal": "Gemini Team"}, {"family": "Anil", "given": "Rohan"}]

    name, mime, data = await _sent(bot, "/saved BIB")
    assert (name, mime) == ("saved.bib", "application/x-bibtex")
    library = bibtexparser.parse_string(data.decode())
    assert not library.failed_blocks
    assert [e.fields_dict["eprint"].value for e in library.entries] == ["2210.17323", "2401.10774", "2312.11805"]


async def test_an_export_of_nothing_saved_says_how_to_save(bot: LocalBot) -> None:
    calls = await bot.say("/saved ris")
    assert not [c for c in calls if c.method == "sendDocument"]
    assert "Nothing saved yet" in texts(calls)[0]

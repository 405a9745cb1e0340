"""Cadences, time zones and the periods of roundups, on chosen clocks."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.conversation.cadence import guessed_zone, parse_zone, split_cadence, tz_of, window_of
from bot.conversation.follow_words import follow_request

SHANGHAI = tz_of("Asia/Shanghai")


def at(text: str, zone: str = "UTC") -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=tz_of(zone)).timestamp()


@pytest.mark.parametrize(("words", "cadence", "rest"), [
    ("multimodal weekly", "weekly", "multimodal"),
    ("agent -google Daily", "daily", "agent -google"),
    ("Tri Dao instantly", "instant", "Tri Dao"),
    ("多模态 每周", "weekly", "多模态"),
    ("每週 多模態", "weekly", "多模态"),           # traditional script
    ("谷歌 每天", "daily", "谷歌"),
    ("对齐 即时", "instant", "对齐"),
    ("speculative decoding", None, "speculative decoding"),
])
def test_a_cadence_word_is_read_out_of_a_follow(words: str, cadence: str | None, rest: str) -> None:
    assert split_cadence(words) == (cadence, rest)


@pytest.mark.parametrize(("typed", "zone"), [
    ("Asia/Shanghai", "Asia/Shanghai"), ("europe/berlin", "Europe/Berlin"), ("UTC", "UTC"),
    ("UTC+8", "UTC+8"), ("utc-5", "UTC-5"), ("GMT+05:30", "UTC+5:30"), ("UTC+08:00", "UTC+8"),
    ("Mars/Base", None), ("UTC+15", None), ("../etc/passwd", None), ("", None),
])
def test_tz_takes_iana_names_and_utc_offsets(typed: str, zone: str | None) -> None:
    assert parse_zone(typed) == zone


def test_the_zone_is_guessed_from_the_language() -> None:
    assert (guessed_zone("zh"), guessed_zone("en")) == ("Asia/Shanghai", "UTC")
    assert tz_of("UTC+5:30").utcoffset(None) == dt.timedelta(hours=5, minutes=30)
    assert tz_of("Not/AZone") == dt.timezone.utc


def test_a_weekly_period_runs_from_monday_nine_to_monday_nine_on_the_readers_clock() -> None:
    # Wednesday 2026-12-02 12:00 in Shanghai: the week that began Monday 2026-11-30 09:00 there.
    week = window_of(at("2026-12-02T12:00", "Asia/Shanghai"), "weekly", SHANGHAI)
    assert week.key == "weekly:2026-11-30"
    assert (week.start, week.end) == (at("2026-11-30T09:00", "Asia/Shanghai"), at("2026-12-07T09:00", "Asia/Shanghai"))
    # Monday 08:59 is still the week before; 09:00 starts the new one.
    assert window_of(at("2026-12-07T08:59", "Asia/Shanghai"), "weekly", SHANGHAI).key == "weekly:2026-11-30"
    assert window_of(at("2026-12-07T09:00", "Asia/Shanghai"), "weekly", SHANGHAI).key == "weekly:2026-12-07"
    # The same instant in UTC is Wednesday 04:00: the same week there, ending at 09:00 UTC.
    assert window_of(at("2026-12-02T12:00", "Asia/Shanghai"), "weekly", tz_of("UTC")).end == at("2026-12-07T09:00")


def test_a_daily_period_keeps_nine_oclock_across_a_clock_change() -> None:
    berlin = tz_of("Europe/Berlin")
    day = window_of(at("2026-03-29T01:00", "Europe/Berlin"), "daily", berlin)   # summer time starts at 02:00
    assert day.key == "daily:2026-03-28"
    assert day.end - day.start == 23 * 3600                                     # a short day, still 09:00 to 09:00
    assert window_of(at("2026-03-29T10:00", "Europe/Berlin"), "daily", berlin).key == "daily:2026-03-29"
    assert window_of(at("2026-12-02T08:00"), "daily", tz_of("UTC")).key == "daily:2026-12-01"


def test_an_instant_period_ends_when_it_starts() -> None:
    window = window_of(1000.0, "instant", SHANGHAI)
    assert window.end == window.start == 1000.0


@pytest.mark.parametrize(("text", "words"), [
    ("每周给我推送多模态的论文", "每周 多模态"),
    ("关注多模态，但不要微软的", "多模态,但不要微软的"),
    ("请每天推送谷歌的新论文", "每天 谷歌"),
    ("follow multimodal papers weekly", "multimodal weekly"),
    ("subscribe me to speculative decoding", "speculative decoding"),
    ("send me agent papers every day but not from google", "agent every day but not from google"),
])
def test_a_follow_asked_in_plain_words(text: str, words: str) -> None:
    assert follow_request(text) == words


@pytest.mark.parametrize("text", ["send me the bundle", "send me all the papers", "send me agent papers", "推送是什么",
                                  "发个链接", "Medusa 是谁发表的", "关注度最高的论文", "follow-ups?", "who follows Tri Dao"])
def test_other_messages_are_not_follows(text: str) -> None:
    assert follow_request(text) is None

"""Lists and counts read as each language says them."""

from __future__ import annotations

from bot.render.wording import plural_s, quoted_list


def test_a_list_of_names_is_quoted_and_cut_after_the_first_few() -> None:
    assert quoted_list(["Agents"], "en") == "“Agents”"
    assert quoted_list(["智能体", "谷歌"], "zh") == "「智能体」、「谷歌」"
    assert quoted_list([f"t{n}" for n in range(8)], "en", most=3) == "“t0”, “t1”, “t2” and 5 more"
    assert quoted_list([f"t{n}" for n in range(8)], "zh", most=3).endswith("」 等 5 个")


def test_english_plurals() -> None:
    assert [plural_s(n) for n in (0, 1, 2)] == ["s", "", "s"]

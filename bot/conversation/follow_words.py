"""A follow asked for in plain words: "每周给我推送多模态的论文", "关注多模态，但不要微软的",
"follow multimodal papers weekly", "send me agent papers every day but not from google".

`follow_request` says whether a message asks to follow something and returns the words that
name it (cadence and exclusions kept, for `split_cadence` and `target_of` to read); None for
any other message, which is answered as a question. A request names what it follows after a
cue at the start of the message, so a question that mentions following is not taken for one.
No I/O.
"""

from __future__ import annotations

import re

from bot.text import simplify

_CADENCE = r"(?:每周|每天|每日|每星期|每个星期|即时|实时|定期)?"
# The cue, at the start: 关注 / 订阅 / (每周)给我推送 / follow / subscribe (me) to / send me ... .
_ZH = re.compile(rf"^(?:请|麻烦)?(?:你)?{_CADENCE}(?:帮我|给我|为我|替我)?\s*{_CADENCE}\s*"
                 r"(?:关注(?!度)|订阅|追踪|推送|推荐并推送|发送?)(?:一下)?\s*(?P<what>.+)$")
_EN = re.compile(r"^(?:please\s+|can you\s+|could you\s+)?(?:(?:daily|weekly)\s+)?"
                 r"(?:follow|subscribe(?:\s+me)?(?:\s+to)?|notify me (?:about|of)|alert me (?:to|about)|"
                 r"keep me posted (?:on|about)|(?:send|push|email) me)\s+(?P<what>.+)$")
# What a request says around the thing it follows: "的论文", "papers", "有新的就告诉我".
_AROUND = re.compile(r"(?:相关)?的?(?:新)?(?:论文|文章|paper)s?(?=$|[，,。.！!\s]|但|不|每)|有新的?(?:论文)?就?(?:告诉|通知)我|"
                     r"\b(?:new\s+)?(?:papers?|articles?)\b(?:\s+(?:on|about|in))?|\bplease\b|[。.!！?？]+$")
# A question about following ("推送是什么", "follow what?") is answered, not taken for a follow.
_QUESTION = re.compile(r"什么|怎么|吗\s*$|[?？]\s*$|\b(?:what|how|why|who)\b")
# "send me all the papers" asks for a list or the bundle: a follow only when it says how often.
_SEND_ONLY = re.compile(r"^(?:please\s+|can you\s+|could you\s+)?(?:send|email) me|(?<!推)发")


def follow_request(text: str) -> str | None:
    """The words naming what a plain-words follow request follows, or None."""
    plain = simplify(text).casefold().strip()
    found = _ZH.match(plain) or _EN.match(plain)
    if found is None:
        return None
    cue = plain[:found.start("what")]
    what = found.group("what")
    if _QUESTION.search(what):
        return None
    cadence = re.search(r"每周|每天|每日|每星期|每个星期|即时|实时|\b(?:daily|weekly|every (?:day|week)|instantly)\b", plain)
    if _SEND_ONLY.search(cue) and not cadence:
        return None   # "send me the bundle", "发个链接": not a follow
    head = cue.replace("给我", " ").replace("帮我", " ")
    leading = re.findall(r"每周|每天|每日|每星期|每个星期|即时|实时|daily|weekly", head)
    rest = _AROUND.sub(" ", what)
    rest = re.sub(r"\s+", " ", rest).strip(" ，,")
    return " ".join([*leading, rest]).strip() or None

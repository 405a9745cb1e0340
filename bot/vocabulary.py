"""Words of Traditional (Taiwan, Hong Kong) Chinese whose mainland word is another word, not only
other characters: OpenCC's character conversion turns 程式碼 into 程式码, which no simplified
reader writes; the word they write is 代码. Applied after that conversion, to the simplified
text, so every cue and name keeps its one simplified spelling. Longest words first: 原始程式码 is
源代码, not 原始代码."""

from __future__ import annotations

import re

# simplified by character -> the mainland word (what the cue tables and the catalog say)
WORDS: dict[str, str] = {
    "原始程式码": "源代码",
    "原始码": "源码",
    "程式码": "代码",
    "程式": "程序",
    "压缩档": "压缩包",
    "压缩文件": "压缩包",
    "连结": "链接",
    "网路": "网络",
    "软体": "软件",
    "资料集": "数据集",
    "演算法": "算法",
    "记忆体": "内存",
    "显示卡": "显卡",
    "视讯": "视频",
    "影片": "视频",
    "释出": "发布",
    "哪间": "哪家",
}
_PATTERN = re.compile("|".join(map(re.escape, sorted(WORDS, key=len, reverse=True))))
_FIRST = frozenset(w[0] for w in WORDS)  # a cheap test before the pattern runs


def mainland(simplified: str) -> str:
    """The text with each Traditional-only word replaced by its mainland word."""
    return _PATTERN.sub(_word, simplified)  # one pass in C: cheaper than testing for the words first


def _word(m: re.Match[str]) -> str:
    return WORDS[m.group(0)]

"""Every interface string, in Chinese and English, in one table. `t(key, lang, **values)`."""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]

STRINGS: dict[str, dict[str, str]] = {
    "help": {
        "zh": ("<b>paperbot 用法</b>\n"
               "/paper 名称 — 论文卡片，例：<code>/paper medusa</code>、<code>/paper 美杜莎</code>\n"
               "/list [筛选] — 按板块浏览，例：<code>/list agent</code>、<code>/list 谷歌</code>、"
               "<code>/list 2023年12月</code>\n"
               "/random — 随机一篇\n"
               "/digest — 阅读「{digest}」全文\n"
               "/help — 本帮助\n"
               "关键词：回复 <code>{keyword}</code> 获取论文压缩包\n"
               "直接提问也可以，例：<code>Medusa 是谁发表的</code>、<code>什么是投机解码</code>"),
        "en": ("<b>How to use paperbot</b>\n"
               "/paper NAME — a paper's card, e.g. <code>/paper medusa</code>, <code>/paper fa2</code>\n"
               "/list [filter] — browse by section, e.g. <code>/list agent</code>, <code>/list google</code>, "
               "<code>/list 2023-12</code>\n"
               "/random — a random paper\n"
               "/digest — read the \"{digest}\" digest\n"
               "/help — this help\n"
               "Keyword: send <code>{keyword}</code> to get the paper bundle\n"
               "Or just ask, e.g. <code>who published Mixtral</code>, <code>which paper released PRM800K</code>"),
    },
    "paper_usage": {"zh": "用法：<code>/paper 论文名</code>，例如 <code>/paper medusa</code>、<code>/paper llava 1.5</code>",
                    "en": "Usage: <code>/paper NAME</code>, e.g. <code>/paper medusa</code> or "
                          "<code>/paper llava 1.5</code>"},
    "not_found": {"zh": "目录里没有找到「{query}」。试试 /list 浏览全部 {count} 篇论文。",
                  "en": "Nothing in the catalog matches “{query}”. Try /list to browse all {count} papers."},
    "not_found_suggest": {"zh": "目录里没有找到「{query}」。你是不是想找：",
                          "en": "Nothing in the catalog matches “{query}”. Perhaps one of these?"},
    "did_you_mean": {"zh": "你要找的是哪一篇？", "en": "Did you mean:"},
    "who": {"zh": "<b>{name}</b> 由 {orgs} 发表。", "en": "<b>{name}</b> was published by {orgs}."},
    "when": {"zh": "<b>{name}</b> 发布于 {date}。", "en": "<b>{name}</b> came out in {date}."},
    "when_arxiv": {"zh": "（arXiv 首发于 {date}）", "en": " (first posted on arXiv in {date})"},
    "impact_focus": {"zh": "<b>{name}</b> 的影响力：{impact}", "en": "Why <b>{name}</b> matters: {impact}"},
    "links_focus": {"zh": "<b>{name}</b> 的链接：", "en": "Links for <b>{name}</b>:"},
    "count": {"zh": "目录共收录 {count} 篇论文，分 {sections} 个板块：{detail}。",
              "en": "The catalog holds {count} papers in {sections} sections: {detail}."},
    "list_title": {"zh": "<b>{title}</b>（{count} 篇）", "en": "<b>{title}</b> ({count} papers)"},
    "list_all": {"zh": "全部论文", "en": "All papers"},
    "list_empty": {"zh": "没有符合「{filter}」的论文。试试 /list 查看全部。",
                   "en": "No papers match “{filter}”. Try /list for all of them."},
    "page": {"zh": "第 {page}/{pages} 页", "en": "page {page}/{pages}"},
    "btn_prev": {"zh": "◀ 上一页", "en": "◀ Prev"},
    "btn_next": {"zh": "下一页 ▶", "en": "Next ▶"},
    "btn_abstract": {"zh": "摘要", "en": "Abstract"},
    "btn_card": {"zh": "收起", "en": "Less"},
    "btn_pdf": {"zh": "PDF", "en": "PDF"},
    "btn_arxiv": {"zh": "arXiv", "en": "arXiv"},
    "btn_code": {"zh": "代码", "en": "Code"},
    "btn_similar": {"zh": "同板块", "en": "Similar"},
    "btn_bibtex": {"zh": "BibTeX", "en": "BibTeX"},
    "card_date": {"zh": "📅 {date}", "en": "📅 {date}"},
    "card_errata": {"zh": "⚠️ 勘误：原文{field}写作「{digest}」。{note}", "en": "⚠️ Erratum: the digest's {field} says “{digest}”. {note}"},
    "field_orgs": {"zh": "发表单位", "en": "organisation"},
    "field_title": {"zh": "标题", "en": "title"},
    "field_abstract_zh": {"zh": "摘要", "en": "abstract"},
    "field_date": {"zh": "日期", "en": "date"},
    "field_impact": {"zh": "影响力", "en": "impact"},
    "abstract_missing_note": {"zh": "原文没有摘要，这里的摘要由我们补充。",
                              "en": "The digest has no abstract for this paper; this one was added by us."},
    "wrong_abstract_note": {"zh": "原文误用了另一篇论文的摘要，这里已更正。",
                            "en": "The digest printed another paper's abstract here; this is the right one."},
    "similar_title": {"zh": "与 <b>{name}</b> 同属「{section}」的论文", "en": "Papers in “{section}” like <b>{name}</b>"},
    "digest_page": {"zh": "<b>{title}</b> · {section}", "en": "<b>{title}</b> · {section}"},
    "digest_closing": {"zh": "回复 <code>{keyword}</code> 获取论文压缩包", "en": "Send <code>{keyword}</code> for the bundle"},
    "start_examples": {"zh": "试试这些：", "en": "Try one of these:"},
    "group_intro": {"zh": ("大家好，我是 paperbot：「{digest}」的 {count} 篇论文都在这里。"
                           "用 /paper 名称 查论文，/help 看用法。"),
                    "en": ("Hello! I am paperbot: the {count} papers of \"{digest}\" are here. "
                           "Use /paper NAME to look one up, /help for more.")},
    "reload_ok": {"zh": "已重新加载：{summary}", "en": "Reloaded: {summary}"},
    "reload_failed": {"zh": "数据文件有问题，继续使用上一版：\n{problems}",
                      "en": "The data files have problems; still serving the last good version:\n{problems}"},
    "bundle_caption": {"zh": "{title} · 论文压缩包（{count} 篇）", "en": "{title} · paper bundle ({count} papers)"},
    "stale_button": {"zh": "这个按钮已过期，请重新查询。", "en": "This button has expired; please search again."},
    "inline_empty": {"zh": "没有找到", "en": "Nothing found"},
    "cmd_paper": {"zh": "查看论文卡片", "en": "a paper's card"},
    "cmd_list": {"zh": "按板块/机构/月份浏览", "en": "browse by section, organisation or month"},
    "cmd_random": {"zh": "随机一篇论文", "en": "a random paper"},
    "cmd_digest": {"zh": "阅读论文目录", "en": "read the digest"},
    "cmd_help": {"zh": "用法和示例", "en": "how to use the bot"},
    "cmd_start": {"zh": "开始", "en": "start"},
    "stats_off": {"zh": "统计未开启：请设置 PAPERBOT_STATS_DB。", "en": "Analytics are off: set PAPERBOT_STATS_DB."},
}


def t(key: str, lang: Lang, **values: object) -> str:
    text = STRINGS[key][lang]
    return text.format(**values) if values else text

"""Every interface string, in Chinese and English, in one table. `t(key, lang, **values)`."""

from __future__ import annotations

from typing import Literal

from bot.text import cjk_share

Lang = Literal["zh", "en"]

STRINGS: dict[str, dict[str, str]] = {
    "help": {
        "zh": ("<b>paperbot 用法</b>\n"
               "/paper 名称 — 论文卡片，例：<code>/paper medusa</code>、<code>/paper 美杜莎</code>\n"
               "/list [筛选] — 按板块浏览，例：<code>/list agent</code>、<code>/list 谷歌</code>、"
               "<code>/list 2023年12月</code>\n"
               "/random — 随机一篇\n"
               "/digest — 阅读「{digest}」全文\n"
               "/foryou — 按你的收藏推荐论文（也可以说 <code>推荐几篇</code>）\n"
               "/saved — 我的收藏（卡片上的 ⭐）；<code>/saved bib</code>、<code>/saved ris</code>、<code>/saved csl</code> 导出 "
               "BibTeX、RIS、CSL-JSON 文件（Zotero 等可直接导入）\n"
               "/subscribe 关注 — 有新论文时推送，例：<code>/subscribe agent</code>、<code>/subscribe 谷歌</code>；"
               "加 每周 / 每天 / 即时 定频率，加 -机构 排除：<code>/subscribe 多模态 每周 -微软</code>\n"
               "/subscriptions — 我的关注；/unsubscribe [编号或名称] — 取消关注（不带参数取消全部）\n"
               "/tz 时区 — 每天/每周推送在你的 09:00 送达，例：<code>/tz Asia/Shanghai</code>、<code>/tz UTC+8</code>\n"
               "/lang zh|en|auto — 回复语言\n"
               "/privacy — 保存了哪些数据；/forget — 全部删除\n"
               "/start — 欢迎和推荐论文；/help — 本帮助\n"
               "关键词：回复 <code>{keyword}</code> 获取论文压缩包\n"
               "直接提问也可以，例：<code>Medusa 是谁发表的</code>、<code>什么是投机解码</code>、"
               "<code>gptq 的 bibtex</code>、<code>medusa 摘要</code>"),
        "en": ("<b>How to use paperbot</b>\n"
               "/paper NAME — a paper's card, e.g. <code>/paper medusa</code>, <code>/paper fa2</code>\n"
               "/list [filter] — browse by section, e.g. <code>/list agent</code>, <code>/list google</code>, "
               "<code>/list 2023-12</code>\n"
               "/random — a random paper\n"
               "/digest — read the \"{digest}\" digest\n"
               "/foryou — papers recommended from what you saved (or say <code>recommend me something</code>)\n"
               "/saved — your saved papers (⭐ on a card); <code>/saved bib</code>, <code>/saved ris</code>, <code>/saved csl</code> "
               "as a BibTeX, RIS or CSL-JSON file for Zotero and other reference managers\n"
               "/subscribe WHAT — pushes of new papers, e.g. <code>/subscribe agent</code>, <code>/subscribe google</code>; "
               "add weekly / daily / instant for how often, -NAME to leave out: <code>/subscribe multimodal weekly -microsoft</code>\n"
               "/subscriptions — what you follow; /unsubscribe [number or name] — stop one (all without one)\n"
               "/tz ZONE — daily and weekly roundups arrive at 09:00 there, e.g. <code>/tz Europe/Berlin</code>, <code>/tz UTC-5</code>\n"
               "/lang zh|en|auto — the reply language\n"
               "/privacy — what is stored; /forget — delete all of it\n"
               "/start — the welcome and papers to try; /help — this help\n"
               "Keyword: send <code>{keyword}</code> to get the paper bundle\n"
               "Or just ask, e.g. <code>who published Mixtral</code>, <code>which paper released PRM800K</code>, "
               "<code>cite gptq</code>, <code>medusa abstract</code>"),
    },
    "paper_usage": {"zh": "用法：<code>/paper 论文名</code>，例如 <code>/paper medusa</code>、<code>/paper llava 1.5</code>",
                    "en": "Usage: <code>/paper NAME</code>, e.g. <code>/paper medusa</code> or "
                          "<code>/paper llava 1.5</code>"},
    "not_found": {"zh": "目录里没有找到「{query}」。试试 /list 浏览全部 {count} 篇论文，或 /help 查看用法。",
                  "en": "Nothing in the catalog matches “{query}”. Try /list to browse all {count} papers, or /help."},
    "not_found_suggest": {"zh": "目录里没有找到「{query}」。你是不是想找：",
                          "en": "Nothing in the catalog matches “{query}”. Perhaps one of these?"},
    "did_you_mean": {"zh": "你要找的是哪一篇？", "en": "Did you mean:"},
    "who": {"zh": "<b>{name}</b> 由 {orgs} 发表（{date}）。", "en": "<b>{name}</b> was published by {orgs} ({date})."},
    "in_section": {"zh": "<b>{name}</b> 属于「{section}」板块。", "en": "<b>{name}</b> is in the “{section}” section."},
    "yes": {"zh": "是的，", "en": "Yes — "},
    "no": {"zh": "不是，", "en": "No — "},
    "code_focus": {"zh": "<b>{name}</b> 的代码与项目：", "en": "Code and project for <b>{name}</b>:"},
    "no_code": {"zh": "目录里没有 <b>{name}</b> 的官方代码链接；论文在这里：",
                "en": "The catalog has no official code link for <b>{name}</b>; the paper is here:"},
    "compare_title": {"zh": "<b>对比：{names}</b>", "en": "<b>Comparing {names}</b>"},
    "and": {"zh": " 与 ", "en": " and "},
    "compare_differences": {"zh": "<b>区别</b>", "en": "<b>How they differ</b>"},
    "diff_earlier": {"zh": "时间：<b>{first}</b> 更早（{dates}）", "en": "Time: <b>{first}</b> came first ({dates})"},
    "diff_same_month": {"zh": "时间：同在 {date} 发布", "en": "Time: both came out in {date}"},
    "diff_same_section": {"zh": "板块：同属「{section}」", "en": "Section: both in “{section}”"},
    "diff_sections": {"zh": "板块：{sections}", "en": "Sections: {sections}"},
    "diff_same_org": {"zh": "机构：同为 {orgs}", "en": "Organisation: both from {orgs}"},
    "diff_orgs": {"zh": "机构：{orgs}", "en": "Organisations: {orgs}"},
    "diff_focus": {"zh": "<b>{name}</b> 的侧重：{words}", "en": "<b>{name}</b> is about: {words}"},
    "count_filtered": {"zh": "<b>{title}</b>：共 {count} 篇论文。", "en": "<b>{title}</b>: {count} paper{s}."},
    "chat_thanks": {"zh": "不客气！还想查哪篇论文，直接发给我。", "en": "You're welcome! Send me another paper any time."},
    "chat_goodbye": {"zh": "再见，下次想查论文随时找我 👋", "en": "Bye! See you next time 👋"},
    "chat_which_paper": {"zh": "你指的是哪篇论文？发论文名给我，例如 <code>/paper medusa</code>。",
                         "en": "Which paper do you mean? Send me its name, e.g. <code>/paper medusa</code>."},
    "chat_not_understood": {"zh": "没太明白。发论文名或问题给我，例如 <code>/paper medusa</code>；/help 查看用法。",
                            "en": "I did not get that. Send a paper's name or a question, e.g. <code>/paper medusa</code>; "
                                  "/help shows more."},
    "off_topic": {"zh": "我只懂论文：目录里的 {count} 篇。可以问论文名、机构、月份或板块，例如 <code>/paper medusa</code>；"
                        "/help 查看用法。",
                  "en": "I only know papers: the {count} in the catalog. Ask about a paper, an organisation, a month or a "
                        "section, e.g. <code>/paper medusa</code>; /help shows more."},
    "commands_line": {"zh": "命令：/paper 论文名 · /list 浏览 · /help 用法", "en": "Commands: /paper NAME · /list to browse · /help"},
    "when": {"zh": "<b>{name}</b> 发布于 {date}。", "en": "<b>{name}</b> came out in {date}."},
    "when_arxiv": {"zh": "（arXiv 首发于 {date}）", "en": " (first posted on arXiv in {date})"},
    "impact_focus": {"zh": "<b>{name}</b> 的影响力：{impact}", "en": "Why <b>{name}</b> matters: {impact}"},
    "links_focus": {"zh": "<b>{name}</b> 的链接：", "en": "Links for <b>{name}</b>:"},
    "count": {"zh": "目录共收录 {count} 篇论文，分 {sections} 个板块：{detail}。",
              "en": "The catalog holds {count} papers in {sections} sections: {detail}."},
    "list_title": {"zh": "<b>{title}</b>（{count} 篇）", "en": "<b>{title}</b> ({count} papers)"},
    "list_all": {"zh": "全部论文", "en": "All papers"},
    "btn_save": {"zh": "⭐ 收藏", "en": "⭐ Save"},
    "btn_saved": {"zh": "★ 已收藏", "en": "★ Saved"},
    "btn_follow": {"zh": "🔔 关注", "en": "🔔 Follow"},
    "save_added": {"zh": "已收藏，/saved 查看", "en": "Saved; see /saved"},
    "save_removed": {"zh": "已取消收藏", "en": "Removed from your saved papers"},
    "saved_title": {"zh": "⭐ 我的收藏（{count} 篇）", "en": "⭐ Your saved papers ({count})"},
    "saved_empty": {"zh": "还没有收藏。点论文卡片上的 ⭐ 即可收藏。", "en": "Nothing saved yet. Press ⭐ on a paper's card to save it."},
    # /foryou (#25): recommendations from the reader's saves
    "foryou_title": {"zh": "✨ 为你推荐：与你收藏的 {count} 篇相近的论文（越新的收藏越重要）",
                     "en": "✨ For you: papers close to your {count} saved (the newest count most)"},
    "foryou_near": {"zh": "   ↳ 与你收藏的 <b>{name}</b> 相近", "en": "   ↳ close to your saved <b>{name}</b>"},
    "foryou_none": {"zh": "你收藏的论文在目录里没有相近的了。", "en": "Nothing else in the catalog is close to what you saved."},
    "foryou_empty": {"zh": "还没有收藏，先看看这几篇？点卡片上的 ⭐ 收藏，/foryou 就会按你的收藏推荐。",
                     "en": "Nothing saved yet, so here are the digest's picks. Press ⭐ on a card to save it, "
                           "and /foryou recommends from what you saved."},
    "subscribed": {"zh": "🔔 已关注「{label}」。有新论文时会在这里推送。/subscriptions 查看全部关注。",
                   "en": "🔔 Following “{label}”. New papers will be pushed here. /subscriptions lists what you follow."},
    "already_subscribed": {"zh": "你已经关注了「{label}」。", "en": "You already follow “{label}”."},
    "sub_limit": {"zh": "关注数量已达上限（{limit} 个），请先 /unsubscribe 取消一些。",
                  "en": "You follow {limit} things already, the most allowed; /unsubscribe some first."},
    "sub_nothing": {"zh": "目录里没有与「{what}」相关的内容；试试 /list", "en": "Nothing in the catalog matches “{what}”; try /list"},
    "sub_usage": {"zh": "用法：/subscribe 板块、机构、作者或话题，例如 /subscribe agent、/subscribe 谷歌、/subscribe 投机解码；"
                        "可加 每周 / 每天 / 即时 和 -排除项：/subscribe 多模态 每周 -微软",
                  "en": "Usage: /subscribe a section, organisation, author or topic, e.g. /subscribe agent, "
                        "/subscribe Google, /subscribe speculative decoding; add weekly / daily / instant and "
                        "-what to leave out: /subscribe multimodal weekly -microsoft"},
    "sub_updated": {"zh": "🔔 已更新对「{label}」的关注。", "en": "🔔 Your follow of “{label}” is updated."},
    "sub_cadence_daily": {"zh": "每天 09:00（{zone}）发一条消息列出当天的新论文，没有新论文就不发。/tz 设置时区。",
                          "en": "One message a day at 09:00 ({zone}) lists the day's new papers; none when there are none. "
                                "/tz sets your time zone."},
    "sub_cadence_weekly": {"zh": "每周一 09:00（{zone}）发一条消息列出这一周的新论文，没有新论文就不发。/tz 设置时区。",
                           "en": "One message each Monday at 09:00 ({zone}) lists the week's new papers; none when there "
                                 "are none. /tz sets your time zone."},
    "sub_leaves_out": {"zh": "范围：{names}", "en": "Leaving out: {names}"},
    "roundup_week": {"zh": "🗓 「{label}」过去一周有 {count} 篇新论文（{since} {hour} 起）：",
                     "en": "🗓 “{label}” this past week: {count} new paper(s) (since {since} {hour}):"},
    "roundup_day": {"zh": "🗓 「{label}」过去一天有 {count} 篇新论文（{since} {hour} 起）：",
                    "en": "🗓 “{label}” this past day: {count} new paper(s) (since {since} {hour}):"},
    "tz_set": {"zh": "好的，时区设为 {zone}（那里现在是 {time}）。每天/每周的推送在 09:00 送达。",
               "en": "OK, your time zone is {zone} (it is {time} there now). Daily and weekly roundups arrive at 09:00."},
    "tz_usage": {"zh": "你的时区：{zone}。用法：/tz 时区，例如 <code>/tz Asia/Shanghai</code>、<code>/tz Europe/Berlin</code>、"
                       "<code>/tz UTC+8</code>",
                 "en": "Your time zone: {zone}. Usage: /tz ZONE, e.g. <code>/tz Europe/Berlin</code>, "
                       "<code>/tz America/New_York</code>, <code>/tz UTC-5</code>"},
    "tz_unknown": {"zh": "不认识「{what}」这个时区。", "en": "“{what}” is not a time zone I know."},
    "subs_title": {"zh": "🔔 你的关注：", "en": "🔔 You follow:"},
    "subs_empty": {"zh": "你还没有关注任何内容。用 /subscribe 关注板块、机构、作者或话题。",
                   "en": "You follow nothing yet. /subscribe to a section, organisation, author or topic."},
    "unsubscribed": {"zh": "已取消关注{labels}。", "en": "Stopped following {labels}."},
    "unsubscribed_all": {"zh": "已取消全部 {count} 个关注：{labels}。", "en": "Stopped following all {count}: {labels}."},
    "quoted": {"zh": "「{label}」", "en": "“{label}”"},
    "list_sep": {"zh": "、", "en": ", "},
    "and_more": {"zh": " 等 {n} 个", "en": " and {n} more"},
    "unsub_none": {"zh": "没有找到这个关注；/subscriptions 查看全部。", "en": "No such follow; /subscriptions lists them."},
    "kind_section": {"zh": "板块", "en": "section"},
    "kind_org": {"zh": "机构", "en": "organisation"},
    "kind_author": {"zh": "作者", "en": "author"},
    "kind_topic": {"zh": "话题", "en": "topic"},
    "lang_set": {"zh": "好的，之后用中文回复。", "en": "OK, replies will be in English from now on."},
    "lang_auto": {"zh": "好的，按消息语言自动回复。", "en": "OK, replies follow the language of each message."},
    "lang_usage": {"zh": "用法：/lang zh、/lang en 或 /lang auto", "en": "Usage: /lang zh, /lang en or /lang auto"},
    "forgot": {"zh": "已删除与你有关的全部记录（{count} 条）。", "en": "Everything stored about you is deleted ({count} record{s})."},
    "privacy": {"zh": "本机器人保存：你收藏的论文、你的关注（频率与排除项）及推送所在的聊天、你选择的语言和时区、推送记录。"
                      "查询统计不记录用户身份（除非运营者开启 STATS_STORE_USERS）。/forget 可随时全部删除。",
                "en": "This bot stores: the papers you save, what you follow (how often, what it leaves out) and the "
                      "chat pushes go to, your /lang and /tz choices, and which pushes were sent. Query statistics "
                      "are anonymous unless the operator turns on STATS_STORE_USERS. /forget deletes all of it at any time."},
    "push_title": {"zh": "🔔 你关注的方向有 {count} 篇新论文：", "en": "🔔 {count} new paper(s) you follow:"},
    "store_down": {"zh": "暂时无法保存，请稍后再试。", "en": "That cannot be saved right now; please try again later."},
    "bundle_part": {"zh": "第 {n}/{total} 部分", "en": "Part {n} of {total}"},
    "by_author": {"zh": "{name} 的论文", "en": "Papers by {name}"},
    "who_no_org": {"zh": "<b>{name}</b>（{date}）的发表机构尚未收录。",
                   "en": "<b>{name}</b> ({date}): its organisation is not listed yet."},
    "no_impact": {"zh": "暂无影响力说明", "en": "no impact line yet"},
    "who_authors": {"zh": "作者：{authors}", "en": "Authors: {authors}"},
    "more_authors": {"zh": " 等 {total} 人", "en": " and {n} more"},
    "more_authors_cut": {"zh": " 等", "en": " and {n}+ more"},
    "btn_data": {"zh": "数据", "en": "Data"},
    "bad_month": {"zh": "没有「{date}」这个日期：月份是 1 到 12，例如 <code>/list 2023-12</code>。",
                  "en": "There is no date “{date}”: months run from 1 to 12, e.g. <code>/list 2023-12</code>."},
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
    "btn_similar": {"zh": "相似论文", "en": "Similar"},
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
    "similar_title": {"zh": "与 <b>{name}</b> 内容相近的论文：", "en": "Papers close to <b>{name}</b>:"},
    "unknown_command": {"zh": "没有这个命令。发送 /help 查看可用的命令。",
                        "en": "I don't know that command. Send /help to see what I can do."},
    "digest_page": {"zh": "<b>{title}</b>（{count} 篇，{sections} 个板块）· {section}",
                    "en": "<b>{title}</b> ({count} papers, {sections} sections) · {section}"},
    "digest_closing": {"zh": "回复 <code>{keyword}</code> 获取论文压缩包", "en": "Send <code>{keyword}</code> for the bundle"},
    "start_examples": {"zh": "试试这些：", "en": "Try one of these:"},
    "group_intro": {"zh": ("大家好，我是 paperbot：「{digest}」的 {count} 篇论文都在这里。"
                           "用 /paper 名称 查论文，/help 看用法。"),
                    "en": ("Hello! I am paperbot: the {count} papers of \"{digest}\" are here. "
                           "Use /paper NAME to look one up, /help for more.")},
    "reload_ok": {"zh": "已重新加载：{summary}", "en": "Reloaded: {summary}"},
    "store_gone": {"zh": "⚠️ 存储出了问题：{problem}。收藏和订阅暂停，直到重启；论文卡片照常回复。",
                   "en": "⚠️ The store has a problem: {problem}. Saves and follows are refused until a restart; "
                         "cards are still answered."},
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
    "cmd_saved": {"zh": "我收藏的论文", "en": "your saved papers"},
    "cmd_subscribe": {"zh": "关注板块、机构、作者或话题", "en": "follow a section, organisation, author or topic"},
    "cmd_subscriptions": {"zh": "我的关注", "en": "what you follow"},
    "cmd_tz": {"zh": "时区（每天/每周推送的时间）", "en": "your time zone, for daily and weekly roundups"},
    "cmd_foryou": {"zh": "按我的收藏推荐论文", "en": "papers recommended from your saves"},
    "cmd_lang": {"zh": "回复语言：zh、en 或 auto", "en": "reply language: zh, en or auto"},
    "cmd_start": {"zh": "开始", "en": "start"},
    "stats_off": {"zh": "统计未开启：请设置 PAPERBOT_STATS_DB。", "en": "Analytics are off: set PAPERBOT_STATS_DB."},
    # lists that reason (#21): topics, ranges, exclusions, superlatives, rankings, the digest
    "topic_label": {"zh": "话题：{name}", "en": "topic: {name}"},
    "period_until": {"zh": "{month} 及以前", "en": "up to {month}"},
    "period_since": {"zh": "{month} 起", "en": "since {month}"},
    "with_code": {"zh": "有代码", "en": "with code"},
    "without_code": {"zh": "没有公开代码", "en": "without code"},
    "without": {"zh": "不含 {names}", "en": "not {names}"},
    "earliest_one": {"zh": "<b>{title}</b> 中最早的一篇（共 {of} 篇）：<b>{name}</b>，{date}。",
                     "en": "The earliest of <b>{title}</b> ({of} papers): <b>{name}</b>, {date}."},
    "latest_one": {"zh": "<b>{title}</b> 中最新的一篇（共 {of} 篇）：<b>{name}</b>，{date}。",
                   "en": "The latest of <b>{title}</b> ({of} papers): <b>{name}</b>, {date}."},
    "earliest_tied": {"zh": "<b>{title}</b> 中最早的是 {date} 的 {count} 篇（共 {of} 篇）：",
                      "en": "The earliest of <b>{title}</b> ({of} papers) are {count}, all dated {date}:"},
    "latest_tied": {"zh": "<b>{title}</b> 中最新的是 {date} 的 {count} 篇（共 {of} 篇）：",
                    "en": "The latest of <b>{title}</b> ({of} papers) are {count}, all dated {date}:"},
    "most_line": {"zh": "论文最多的{what}：<b>{names}</b>（{count} 篇，范围：{title}）。",
                  "en": "The {what} with the most papers: <b>{names}</b> ({count} paper{s}; of {title})."},
    "fewest_line": {"zh": "论文最少的{what}：<b>{names}</b>（{count} 篇，范围：{title}）。",
                    "en": "The {what} with the fewest papers: <b>{names}</b> ({count} paper{s}; of {title})."},
    "papers_n": {"zh": "{count} 篇", "en": "{count} paper{s}"},
    "dim_org": {"zh": "机构", "en": "organisation"},
    "dim_section": {"zh": "板块", "en": "section"},
    "dim_month": {"zh": "月份", "en": "month"},
    "dim_year": {"zh": "年份", "en": "year"},
    "dim_author": {"zh": "作者", "en": "author"},
    "dim_topic": {"zh": "话题", "en": "topic"},
    "others_title": {"zh": "<b>{name}</b> 的作者（{authors}）在目录里还有 {count} 篇：",
                     "en": "<b>{name}</b>'s authors ({authors}) have {count} more in the catalog:"},
    "others_none": {"zh": "目录里没有 <b>{name}</b> 作者的其他论文。",
                    "en": "The catalog has no other paper by <b>{name}</b>'s authors."},
    "ranked_title": {"zh": "与「{query}」最相关的 {count} 篇（按文本相关度）：",
                     "en": "The {count} papers closest to “{query}” (ranked by text):"},
    "arxiv_note": {"zh": "ℹ️ 按卡片日期筛选；arXiv 首发在这段时间的还有：{papers}",
                   "en": "ℹ️ Filtered by the card's date; first posted on arXiv in this time: {papers}"},
    "arxiv_dated": {"zh": "{name}（卡片 {date}，arXiv {arxiv}）", "en": "{name} (card {date}, arXiv {arxiv})"},
    "digest_what": {"zh": "<b>{title}</b>：收录 {count} 篇论文，分 {sections} 个板块。",
                    "en": "<b>{title}</b>: {count} papers in {sections} sections."},
    "digest_source": {"zh": "来源：{source}", "en": "Source: {source}"},
    "digest_span": {"zh": "时间跨度：{first} 到 {last}（覆盖 {years} 年）；最早 {earliest}，最晚 {latest}。",
                    "en": "Time span: {first} to {last} (years {years}); earliest {earliest}, latest {latest}."},
    # citations and venues (render/standing.py)
    "card_citations": {"zh": "📈 被引 {count} 次 · {source}，{month}", "en": "📈 {count} citations · {source}, {month}"},
    "venue_focus": {"zh": "<b>{name}</b> 发表于 {venue}。", "en": "<b>{name}</b> was published at {venue}."},
    "no_venue": {"zh": "目录里没有 <b>{name}</b> 的会议或期刊信息（就目录所知，它是 arXiv 预印本）。",
                 "en": "The catalog has no venue for <b>{name}</b> (an arXiv preprint, as far as it knows)."},
    "cited_focus": {"zh": "<b>{name}</b>：{line}（其中有影响力的引用 {influential} 次）",
                    "en": "<b>{name}</b>: {line} ({influential} of them influential)"},
    "no_citations": {"zh": "目录里还没有 <b>{name}</b> 的被引次数。", "en": "The catalog has no citation count for <b>{name}</b> yet."},
    "no_citations_yet": {"zh": "<b>{title}</b>：目录里还没有被引次数（管理员运行 paperbot enrich --citations 后才有）。",
                         "en": "<b>{title}</b>: the catalog has no citation counts yet (its curator adds them with "
                               "paperbot enrich --citations)."},
    "most_cited": {"zh": "被引最多的是 <b>{name}</b>：{line}", "en": "The most cited is <b>{name}</b>: {line}"},
    "cited_title": {"zh": "<b>{title}</b> 按被引次数排序（Semantic Scholar，{month}）：",
                     "en": "<b>{title}</b> by citations (Semantic Scholar, {month}):"},
    "uncounted": {"zh": "另有 {n} 篇还没有被引次数。", "en": "{n} more have no citation count yet."},
    "venue_title": {"zh": "<b>{venue}</b> 上的论文（{count} 篇）", "en": "Papers at <b>{venue}</b> ({count})"},
    "venue_empty": {"zh": "目录里没有发表在 <b>{venue}</b> 的论文。", "en": "No paper in the catalog was published at <b>{venue}</b>."},
    # the thing asked for: BibTeX, whole abstracts, one line per paper (render/asked.py)
    "btn_open_card": {"zh": "📄 卡片", "en": "📄 Card"},
    "asked_bibtex_line": {"zh": "<b>{name}</b> 的 BibTeX，复制上面即可；论文卡片在下面的按钮里。",
                          "en": "BibTeX for <b>{name}</b>, ready to copy; the button below opens its card."},
    "asked_several_line": {"zh": "复制上面的 BibTeX 即可；按钮打开各篇的卡片。",
                           "en": "Copy the BibTeX above; the buttons open each paper's card."},
    "asked_abstract_title": {"zh": "<b>{name}</b> 的摘要", "en": "Abstract of <b>{name}</b> (arXiv)"},
    "asked_original": {"zh": "原文摘要（arXiv）", "en": "Original abstract (arXiv)"},
    "asked_only_english": {"zh": "目录里没有这篇的中文摘要，下面是 arXiv 上的英文原文：",
                           "en": "The catalog has no Chinese abstract for it; here is arXiv's English one:"},
    "asked_no_abstract": {"zh": "目录里还没有这篇的完整摘要，下面是它的简介：",
                          "en": "The catalog has no abstract for it yet; here is its summary:"},
    "asked_card_line": {"zh": "卡片（机构、作者、链接）在下面的按钮里。",
                        "en": "The button below opens the card (organisations, authors, links)."},
    "asked_code": {"zh": "<b>{name}</b> 的代码：{links}", "en": "Code for <b>{name}</b>: {links}"},
    "asked_no_code": {"zh": "<b>{name}</b>：目录里没有官方代码链接（论文：{link}）",
                      "en": "<b>{name}</b>: no official code link in the catalog (paper: {link})"},
    "asked_links": {"zh": "<b>{name}</b>：arXiv <code>{arxiv}</code> · {link}",
                    "en": "<b>{name}</b>: arXiv <code>{arxiv}</code> · {link}"},
    "asked_no_arxiv": {"zh": "<b>{name}</b>：目录里没有 arXiv 编号", "en": "<b>{name}</b>: no arXiv id in the catalog"},
    # facts quoted from a paper, names the catalog lacks (render/facts.py)
    "fact_quote": {"zh": "📌 <b>{name}</b>（{source}）：“{quote}”", "en": "📌 From <b>{name}</b>'s {source}: “{quote}”"},
    "fact_unsaid": {"zh": "📌 <b>{name}</b> 的摘要和简介里没有提到这一点。",
                    "en": "📌 The abstract of <b>{name}</b> does not say (nor does its summary)."},
    "source_abstract_zh": {"zh": "摘要", "en": "Chinese abstract"},
    "source_abstract_en": {"zh": "英文摘要", "en": "abstract"},
    "source_summary_en": {"zh": "英文简介", "en": "summary"},
    "source_summary_zh": {"zh": "简介", "en": "Chinese summary"},
    "source_impact_zh": {"zh": "亮点", "en": "Chinese impact line"},
    "source_impact_en": {"zh": "英文亮点", "en": "impact line"},
    "absent": {"zh": "「{name}」不在这个目录里。", "en": "“{name}” is not in this catalog."},
    "absent_related": {"zh": "目录里提到它的论文：", "en": "Papers here that mention it:"},
    "absent_browse": {"zh": "目录收录了 {count} 篇论文，/list 可以浏览全部。",
                      "en": "The catalog holds {count} papers; /list shows them all."},
}


def t(key: str, lang: Lang, **values: object) -> str:
    text = STRINGS[key][lang]
    return text.format(**values) if values else text


def language(text: str, user_language: str | None) -> Lang:
    """Chinese when the message is Chinese, or the user's Telegram language is zh; else English."""
    if cjk_share(text) > 0:
        return "zh"
    body = text.split(maxsplit=1)[1] if text.startswith("/") and " " in text else text
    if not body.startswith("/") and any(c.isalpha() for c in body):
        return "en"
    return "zh" if (user_language or "").lower().startswith("zh") else "en"

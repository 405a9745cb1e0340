"""The `paperbot` command line (see README and the contract). Heavy modules are imported inside
each sub-command so `ask` starts fast."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.settings import Settings, TokenError

DESCRIPTION = ("A Telegram bot that answers questions about research papers from a curated catalog. "
               "`paperbot chat` tries it in the terminal, no token needed.")
EPILOG = "`paperbot COMMAND --help` describes one command; settings come from the environment or .env."


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "catalog", None):
        overrides["PAPERBOT_CATALOG"] = args.catalog
    if getattr(args, "keywords", None):
        overrides["PAPERBOT_KEYWORDS"] = args.keywords
    return Settings(**overrides)


def cmd_check(args: argparse.Namespace) -> int:
    from bot.conversation.library import check_paths

    problems, summaries = check_paths([Path(p) for p in args.paths], _settings(args))
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    for line in summaries:
        print(line)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from bot.catalog import catalog as catalog_mod
    from bot.catalog.yamlfile import DataError
    from bot.search.engine import search
    from bot.search.index_cache import load_or_build

    settings = _settings(args)
    try:
        index = load_or_build(catalog_mod.load(settings.catalog, settings.cache_dir), settings.cache_dir)
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    queries = (line.rstrip("\r\n") for line in sys.stdin) if args.query == "-" else iter([args.query])
    for query in queries:
        result = search(query, index, limit=args.limit)
        if args.json:
            print(json.dumps({"query": query, "results": [
                {"id": h.paper.id, "arxiv": h.paper.arxiv, "title": h.paper.title, "score": h.score}
                for h in result.hits]}, ensure_ascii=False), flush=True)
        else:
            print(f"{query}  [{result.verdict}]")
            for h in result.hits:
                print(f"  {h.score:.3f}  {h.paper.id:<28} {h.paper.title}")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.telegram.local import run_ask

    return run_ask(_settings(args), args.text, group=args.group, as_json=args.json)


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.telegram.local import run_chat

    return run_chat(_settings(args), group=args.group, as_json=args.json)


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    try:
        settings.token()
    except TokenError as exc:
        print(f"paperbot: {exc}", file=sys.stderr)
        return 2
    from bot.telegram.app import run_bot

    return run_bot(settings)


def cmd_import_digest(args: argparse.Namespace) -> int:
    import yaml

    from bot.catalog import catalog as catalog_mod
    from bot.catalog.importer import merge_catalog, parse_digest, slug, to_catalog
    from bot.catalog.yamlfile import DataError, Loader

    text = Path(args.file).read_text(encoding="utf-8")
    digest = parse_digest(text)
    reference = None
    if not args.no_reference:
        try:
            settings = _settings(args)
            reference = catalog_mod.load(settings.catalog, settings.cache_dir)
        except DataError:
            reference = None
    data = to_catalog(digest, reference, digest_id=args.digest_id or slug(digest.title))
    if args.enrich:
        from bot.catalog.curate import CurateError, enrich

        settings = _settings(args)
        try:
            filled = enrich(data["papers"], api=settings.arxiv_api, delay=settings.arxiv_delay,
                            timeout=settings.arxiv_timeout)
        except CurateError as exc:
            print(f"paperbot import-digest: {exc}", file=sys.stderr)
            return 1
        print(f"authors filled from arXiv for {filled} paper(s)", file=sys.stderr)
    if args.merge_into:
        existing = yaml.load(Path(args.merge_into).read_text(encoding="utf-8"), Loader=Loader)
        data, added, skipped = merge_catalog(existing or {}, data)
        print(f"merged into {args.merge_into}: {len(added)} new paper(s), {len(skipped)} already in the catalog"
              + (f" ({', '.join(skipped[:10])}{'…' if len(skipped) > 10 else ''})" if skipped else ""),
              file=sys.stderr)
    out = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10000)
    if args.output:
        Path(args.output).write_text(out, encoding="utf-8")
        print(f"{args.output}: {len(data['papers'])} papers in {len(data['sections'])} sections",
              file=sys.stderr)
    else:
        sys.stdout.write(out)
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from bot.catalog.curate import CurateError, add_papers

    settings = _settings(args)
    try:
        result = add_papers(settings.catalog, args.ids, args.section, args.org or [], api=settings.arxiv_api,
                            delay=settings.arxiv_delay, timeout=settings.arxiv_timeout, cache_dir=settings.cache_dir)
    except CurateError as exc:
        print(f"paperbot add: {exc}", file=sys.stderr)
        return 1
    for arxiv, paper_id in result.present:
        print(f"already in the catalog: {arxiv} ({paper_id})")
    for paper_id, title in result.added:
        print(f"added {paper_id}: {title}")
    if result.added:
        print(f"{settings.catalog}: {len(result.added)} paper(s) added")
    return 0


class _Bar:
    """A progress bar on standard error, drawn by tqdm once the number of papers is known; tqdm
    leaves it out when standard error is no terminal, so a failure stays one line in a log."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.bar: Any = None

    def __call__(self, step: int, total: int) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.what, unit="paper", file=sys.stderr, disable=None, leave=False)
        self.bar.update(step)

    def __enter__(self) -> _Bar:
        return self

    def __exit__(self, *_: Any) -> None:
        if self.bar is not None:
            self.bar.close()


def cmd_refresh(args: argparse.Namespace) -> int:
    from bot.catalog.curate import CurateError
    from bot.catalog.refresh import describe, refresh

    settings = _settings(args)
    try:
        with _Bar("arXiv") as bar:
            result = refresh(settings.catalog, args.ids, api=settings.arxiv_api, write=args.write,
                             delay=settings.arxiv_delay, timeout=settings.arxiv_timeout, cache_dir=settings.cache_dir,
                             progress=bar)
    except CurateError as exc:
        print(f"paperbot refresh: {exc}", file=sys.stderr)
        return 1
    for diff in result.diffs:
        for line in describe(diff):
            print(line)
    changed = [d for d in result.diffs if d.changed]
    held = sum(1 for d in changed for f in d.fields if f.held)
    summary = f"{len(result.diffs)} paper(s) compared with arXiv: {len(changed)} differ"
    if held:
        summary += f", {held} difference(s) held (corrected by hand)"
    if result.written:
        summary += f"; written to {settings.catalog}, the replaced values kept as errata"
    elif changed:
        summary += "; nothing written (add --write to apply)"
    print(summary)
    return 0


def cmd_enrich(args: argparse.Namespace) -> int:
    from bot.catalog.curate import CurateError
    from bot.catalog.enrich import Services, describe_citations, describe_code, enrich_citations, enrich_code

    settings = _settings(args)
    key = settings.s2_api_key.get_secret_value() if settings.s2_api_key else None
    services = Services(s2_api=settings.s2_api, s2_key=key, hf_api=settings.hf_api, github=settings.github_url,
                        delay=settings.enrich_delay, timeout=settings.arxiv_timeout)
    try:
        if args.citations:
            with _Bar("Semantic Scholar") as bar:
                cited, written = enrich_citations(settings.catalog, services, cache_dir=settings.cache_dir,
                                                  progress=bar)
            for report in cited:
                print(describe_citations(report))
            found = sum(r.found is not None for r in cited)
            print(f"{found} of {len(cited)} paper(s) found on Semantic Scholar"
                  + (f"; citations and venues stored in {settings.catalog}" if written else ""))
        else:
            with _Bar("Hugging Face") as bar:
                linked, written = enrich_code(settings.catalog, services, write=args.write,
                                              cache_dir=settings.cache_dir, progress=bar)
            for line in filter(None, map(describe_code, linked)):
                print(line)
            writable = sum(r.writable for r in linked)
            print(f"{len(linked)} paper(s) checked: {writable} link(s) to add or update"
                  + (f"; written to {settings.catalog}" if written else
                     "; nothing written (add --write to apply)" if writable else ""))
    except CurateError as exc:
        print(f"paperbot enrich: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_fetch_pdfs(args: argparse.Namespace) -> int:
    from bot.catalog import catalog as catalog_mod
    from bot.catalog.arxiv import PdfResult, Polite, fetch_pdfs
    from bot.catalog.yamlfile import DataError

    settings = _settings(args)
    try:
        catalog = catalog_mod.load(settings.catalog, settings.cache_dir)
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    dest = Path(args.dest) if args.dest else settings.bundle_dir
    ids = [p.arxiv for p in catalog if p.arxiv]

    def progress(n: int, total: int, result: PdfResult) -> None:
        width = 30
        bar = "#" * (width * n // total) + "-" * (width - width * n // total)
        line = f"[{bar}] {n}/{total} {result.arxiv} {result.status}" + (f": {result.detail}" if result.detail else "")
        print(line, file=sys.stderr if result.status == "failed" else sys.stdout, flush=True)

    results = fetch_pdfs(ids, settings.arxiv_pdf, dest, timeout=settings.arxiv_timeout,
                         polite=Polite(settings.arxiv_delay), progress=progress)
    failed = [r for r in results if r.status == "failed"]
    counts = {s: sum(r.status == s for r in results) for s in ("downloaded", "present", "failed")}
    print(f"{dest}: {counts['downloaded']} downloaded, {counts['present']} already there, {counts['failed']} failed")
    return 1 if failed else 0


def cmd_stats(args: argparse.Namespace) -> int:
    from bot.store.stats import default_path, run_stats_cli

    settings = _settings(args)
    if settings.stats_db is None and settings.database_url:  # the analytics live in the shared store
        return run_stats_cli(None, store_users=settings.stats_store_users, purge_before=args.purge_before,
                             url=settings.database_url)
    return run_stats_cli(settings.stats_db or default_path(), store_users=settings.stats_store_users,
                         purge_before=args.purge_before)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--catalog", help="catalog YAML (default: PAPERBOT_CATALOG or the shipped one)")
    common.add_argument("--keywords", help="keyword-rule YAML (default: PAPERBOT_KEYWORDS)")
    parser = argparse.ArgumentParser(prog="paperbot", description=DESCRIPTION, epilog=EPILOG)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", parents=[common], help="start the Telegram bot (polling, or webhook)")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("chat", parents=[common], help="chat with the bot in the terminal, no token needed")
    p.add_argument("--group", action="store_true", help="behave as in a group chat")
    p.add_argument("--json", action="store_true",
                   help='read messages from standard input; print one {"replies": [...]} line per message')
    p.set_defaults(func=cmd_chat)
    p = sub.add_parser("ask", parents=[common], help="handle one message and print the replies")
    p.add_argument("text", help="the message, as a reader would send it (commands included)")
    p.add_argument("--group", action="store_true", help="behave as in a group chat")
    p.add_argument("--json", action="store_true", help='print {"replies": [...]} (the contract\'s shape)')
    p.set_defaults(func=cmd_ask)
    p = sub.add_parser("search", parents=[common], help="ranked catalog matches ('-' reads stdin)")
    p.add_argument("query", help="what to look for; '-' reads one query a line from standard input")
    p.add_argument("--limit", type=int, default=5, help="at most this many matches (5)")
    p.add_argument("--json", action="store_true", help="one JSON object per query")
    p.set_defaults(func=cmd_search)
    p = sub.add_parser("check", parents=[common], help="validate catalog and keyword-rule files")
    p.add_argument("paths", nargs="*", help="catalog, keyword-rule or digest files (default: the configured ones)")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("import-digest", parents=[common], help="parse a digest article into catalog YAML")
    p.add_argument("file", help="the digest article as plain text")
    p.add_argument("-o", "--output", help="write the YAML here (default: standard output)")
    p.add_argument("--digest-id", help="the digest's id in the catalog (default: a slug of its title)")
    p.add_argument("--no-reference", action="store_true", help="do not reuse ids from the current catalog")
    p.add_argument("--enrich", action="store_true", help="fill authors and categories from the arXiv API")
    p.add_argument("--merge-into", metavar="CATALOG",
                   help="write CATALOG plus the digest's new papers (same arXiv id or title = same paper)")
    p.set_defaults(func=cmd_import_digest)
    p = sub.add_parser("add", parents=[common], help="add papers to the catalog by their arXiv ids")
    p.add_argument("ids", nargs="+", metavar="ARXIV_ID")
    p.add_argument("--section", required=True, help="the section id the papers go into")
    p.add_argument("--org", action="append", help="an organisation id (repeat for several)")
    p.set_defaults(func=cmd_add)
    p = sub.add_parser("refresh", parents=[common], help="compare the papers with arXiv's latest versions")
    p.add_argument("ids", nargs="*", metavar="ARXIV_ID", help="papers to compare (default: every paper with an arXiv id)")
    p.add_argument("--write", action="store_true", help="apply the differences, keeping the replaced values as errata")
    p.set_defaults(func=cmd_refresh)
    p = sub.add_parser("enrich", parents=[common], help="citations and venues (Semantic Scholar), code links (Hugging Face)")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--citations", action="store_true", help="store citation counts and venues on each paper")
    what.add_argument("--code", action="store_true", help="report missing, renamed or different code links")
    p.add_argument("--write", action="store_true", help="with --code: add missing links and follow renames")
    p.set_defaults(func=cmd_enrich)
    p = sub.add_parser("fetch-pdfs", parents=[common], help="download every catalog paper's PDF for the bundle")
    p.add_argument("--dest", help="folder for the PDFs (default: PAPERBOT_BUNDLE_DIR)")
    p.set_defaults(func=cmd_fetch_pdfs)
    p = sub.add_parser("stats", parents=[common], help="search analytics: top queries, papers and misses")
    p.add_argument("--purge-before", metavar="YYYY-MM-DD", help="delete the queries recorded before this date")
    p.set_defaults(func=cmd_stats)
    return parser


def entry() -> int:
    """The `paperbot` program: `main`, then a quick exit (see `leave`)."""
    # The project's modules keep their bytecode (in __pycache__, gitignored) even where
    # PYTHONDONTWRITEBYTECODE is set, as the test suite's do: an editable install would otherwise
    # compile every module the command imports on every run, a third of a second of each `ask`.
    sys.dont_write_bytecode = False
    code = main()
    leave()
    return code


def leave() -> None:
    """Ready the process to exit: the collections of interpreter shutdown would walk every object
    still alive (the modules, the catalog, the index, the bot) only to free memory the OS takes
    back anyway, a second or more of a stop spent after the work is done. Frozen objects are
    left out of them; nothing is skipped (atexit handlers, logging's flush, threads' joins run)."""
    import gc

    gc.freeze()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0

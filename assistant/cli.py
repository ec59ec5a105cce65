"""The `pdbot` command line: ingest, ask, chat, eval and bench.

Heavy libraries are imported inside the commands, so `pdbot --help` answers at once.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from knowledge.errors import PdbotError
from knowledge.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pdbot",
        description="Answers questions about Camden Learning's professional-development "
                    "documents, citing the sections it quotes.")
    parser.add_argument("--data-dir", type=Path, help="index folder (default: $PDBOT_DATA_DIR or .pdbot)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the engine does")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser("ingest", help="parse and index documents (only what changed)")
    ingest.add_argument("paths", nargs="*", type=Path,
                        help="files or folders (default: the documents in knowledge/documents)")
    ingest.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    ingest.add_argument("--dry-run", action="store_true",
                        help="report what would change (documents, sections, eval cases); change nothing")
    ingest.add_argument("--eval", action="store_true",
                        help="also score the new version on the project's case sets and keep "
                             "the summary with it (shown by `pdbot versions`)")
    ingest.set_defaults(run=cmd_ingest)

    versions = commands.add_parser("versions", help="the published index versions, newest first")
    versions.add_argument("--json", action="store_true", help="print them as JSON")
    versions.set_defaults(run=cmd_versions)

    usage = commands.add_parser("usage", help="what staff ask, from the answers Slack stored: "
                                              "report.md and report.html")
    usage.add_argument("--days", type=int, default=30, help="how far back (default 30 days)")
    usage.add_argument("--out", type=Path, default=Path("usage-report"),
                       help="folder for report.md and report.html (default usage-report)")
    usage.set_defaults(run=cmd_usage)

    rollback = commands.add_parser("rollback", help="make an earlier index version live again")
    rollback.add_argument("version", nargs="?",
                          help="the version (default: the one live before the current)")
    rollback.set_defaults(run=cmd_rollback)

    ask = commands.add_parser("ask", help="answer one question, or a JSONL batch")
    ask.add_argument("question", nargs="?", help="the question")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument("--batch", type=Path, metavar="FILE",
                     help='JSONL of {"id", "question", "history"}; prints a JSON array')
    ask.add_argument("--trace", action="store_true",
                     help="with --json or --batch: add each answer's trace (the step and rule "
                          "that decided it)")
    ask.set_defaults(run=cmd_ask)

    train = commands.add_parser("train-ranker",
                                help="train the section ranker on the question bank, report its "
                                     "recall@1 cross-validated by writer, and save it")
    train.add_argument("--out", type=Path,
                       help="where to write it (default: the shipped knowledge/ranking file)")
    train.set_defaults(run=cmd_train_ranker)

    chat = commands.add_parser("chat", help="a conversation in the terminal (keeps history)")
    chat.set_defaults(run=cmd_chat)

    evaluate = commands.add_parser("eval", help="run the answer-quality eval set, write reports")
    evaluate.add_argument("--cases", type=Path, help="eval JSONL (default: evals/cases.jsonl); "
                          "`pdbot feedback export` files work too")
    evaluate.add_argument("--out", type=Path, default=Path("eval-report"),
                          help="folder for report.md, report.html, results.json (default eval-report)")
    evaluate.add_argument("--baseline", choices=["naive"],
                          help="also run the standard LangChain recipe on the same cases")
    evaluate.add_argument("--compare", type=Path, metavar="RESULTS_JSON",
                          help="list cases that got worse or better since that run")
    evaluate.add_argument("--fail-under", metavar="SPEC",
                          help="e.g. fact_recall=0.95,source_hit=0.97: exit 1 when a metric is lower")
    evaluate.add_argument("--by-section", action="store_true",
                          help="recall per section of the documents, and the sections no case "
                               "finds, in the reports and on the terminal")
    evaluate.add_argument("--ablation", action="store_true",
                          help="score the cases with each component of the answer path switched "
                               "off in turn; writes ablation.md")
    evaluate.add_argument("--gaps", action="store_true",
                          help="list questions (eval set and Slack feedback) the documents don't answer")
    evaluate.add_argument("--perturb", action="store_true",
                          help="also ask every case through fixed rewrites (lower case, "
                               "abbreviations, typos, openers, longer messages); report flips")
    evaluate.add_argument("--max-flips", type=float, metavar="SHARE",
                          help="with --perturb: exit 1 when more than this share of rewritten "
                               "questions flip outcome (e.g. 0.05)")
    evaluate.add_argument("--fail-under-per-kind", metavar="SPEC",
                          help="like --fail-under, for every case kind (each metric where the "
                               "kind has cases it applies to), e.g. fact_recall=0.7")
    evaluate.add_argument("--judge", metavar="MODEL",
                          help="LLM for model-judged metrics (default: $PDBOT_LLM; none: not run)")
    evaluate.add_argument("--documents", type=Path, nargs="+", metavar="DIR",
                          help="editions of the documents (Word, PDF, HTML folders): index each "
                               "and compare it with the text edition, one column each")
    evaluate.add_argument("--max-drop", metavar="SPEC",
                          help="with --documents, e.g. fact_recall=0.03: exit 1 when an edition "
                               "is more than that below the text edition")
    evaluate.set_defaults(run=cmd_eval)

    slack = commands.add_parser(
        "slack", help="run the Slack app (Socket Mode with SLACK_APP_TOKEN, else HTTP)")
    slack.add_argument("--host", default="0.0.0.0", help="HTTP mode: address to listen on")
    slack.add_argument("--port", type=int, help="HTTP mode: port (default 3000); Socket "
                       "Mode: serve /healthz and /metrics on it (default: none)")
    slack.set_defaults(run=cmd_slack)

    data = commands.add_parser("data", help="staff data kept by the Slack app: export or erase "
                                            "one person's, or everything before a date")
    data_commands = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    data_export = data_commands.add_parser(
        "export", help="write one person's questions, answers and votes as JSON")
    data_export.add_argument("--user", required=True, help="their Slack user id (U…)")
    data_export.add_argument("--team", help="only in this Slack team (T…; default: all teams)")
    data_export.add_argument("--out", type=Path, help="output file (default: standard output)")
    data_export.set_defaults(run=cmd_data_export)
    data_erase = data_commands.add_parser(
        "erase", help="delete one person's questions, answers and votes, all before a date, "
                      "or a whole team's")
    which = data_erase.add_mutually_exclusive_group()
    which.add_argument("--user", help="their Slack user id (U…)")
    which.add_argument("--before", metavar="YYYY-MM-DD",
                       help="everything stored before this day (UTC)")
    data_erase.add_argument("--team", help="only in this Slack team (T…); alone: everything "
                                           "of that team")
    data_erase.set_defaults(run=cmd_data_erase)

    db = commands.add_parser("db", help="the Slack app's database (PDBOT_DATABASE_URL, or "
                                        "SQLite in the data directory)")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="bring its schema to this pdbot's (run once per "
                                           "release, from one replica)").set_defaults(
        run=cmd_db_upgrade)
    db_commands.add_parser("status", help="its schema revision and this pdbot's").set_defaults(
        run=cmd_db_status)

    team = commands.add_parser("team", help="a Slack team's own owners, allowed channels and "
                                            "retention (many workspaces)")
    team_commands = team.add_subparsers(dest="team_command", required=True, metavar="ACTION")
    team_set = team_commands.add_parser("set", help="change what is given (an empty value "
                                                    "clears it: the SLACK_* setting applies)")
    team_set.add_argument("team", help="the Slack team id (T…)")
    team_set.add_argument("--owners", help="comma-separated user ids who may publish documents")
    team_set.add_argument("--channels", help="comma-separated channel ids the bot answers in")
    team_set.add_argument("--retention-days", type=int, help="days its staff data is kept")
    team_set.set_defaults(run=cmd_team_set)
    team_commands.add_parser("list", help="every team with settings of its own").set_defaults(
        run=cmd_team_list)

    feedback = commands.add_parser("feedback", help="feedback collected in Slack")
    feedback_commands = feedback.add_subparsers(dest="feedback_command", required=True,
                                                metavar="ACTION")
    export = feedback_commands.add_parser("export", help="write 👎 answers as eval cases (JSONL)")
    export.add_argument("--out", type=Path, default=Path("feedback-cases.jsonl"),
                        help="output file (default feedback-cases.jsonl)")
    export.set_defaults(run=cmd_feedback_export)

    bench = commands.add_parser("bench", help="measure latency and ingest times")
    bench.add_argument("--repeat", type=int, default=3, help="runs of each timed step")
    bench.set_defaults(run=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `pdbot` console script."""
    from assistant.logs import configure

    args = build_parser().parse_args(argv)
    configure("DEBUG" if args.verbose else "WARNING", verbose=args.verbose)
    settings = None
    try:
        settings = Settings.from_env()
        if args.data_dir:
            settings = replace(settings, data_dir=args.data_dir)
        configure(settings.log_level or ("DEBUG" if args.verbose else "WARNING"),
                  settings.log_format, args.verbose)
        return args.run(args, settings) or 0
    except PdbotError as exc:
        print(f"pdbot: {exc}", file=sys.stderr)
        if args.verbose or (settings is not None and settings.log_level == "DEBUG"):
            import traceback

            traceback.print_exc()
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and cut short
        sys.stderr.close()
        return 0


def cmd_ingest(args, settings: Settings) -> int:
    from assistant.output import print_ingest_report
    from ingest.pipeline import run_ingest
    from ingest.progress import embedding_progress

    from evals.affected import affected_cases, case_files

    from knowledge.data_dir import require_writable

    require_writable(settings.data_dir)
    if settings.chroma_url and not args.dry_run:  # before minutes of embedding, not after
        from knowledge.vector_store import check_server

        check_server(settings.chroma_url)
    from assistant.answer.config import EngineConfig

    engine = EngineConfig.load(settings.engine_config)
    with embedding_progress() as progress:
        report = run_ingest(settings, args.paths or None, progress=progress, force=args.force,
                            dry_run=args.dry_run,
                            engine_config={"digest": engine.digest(), **engine.to_dict()})
    if report.changes is not None and not report.first:
        report.changes.affected_cases = affected_cases(report.changes.changed_passages,
                                                       case_files())
    print_ingest_report(report, settings)
    if report.version and not report.dry_run and not report.candidate:
        _share_live(settings, {"version": report.version, "by": "cli", "event": "publish"})
    if not report.dry_run and not report.up_to_date and not report.candidate:
        from assistant.answer.engine import Engine

        Engine.from_settings(settings)  # trains and caches the classifiers: the first ask is quick
    if args.eval and not report.dry_run and report.version:
        from evals.version_eval import eval_line, version_summary
        from knowledge.embedder import Embedder
        from knowledge.index import indexes_dir

        summary = version_summary(settings, indexes_dir(settings.data_dir) / report.version,
                                  Embedder.for_settings(settings))
        print(f"Eval: {eval_line(summary)}.")
    return 0


def cmd_versions(args, settings: Settings) -> int:
    from assistant.output import print_versions
    from knowledge.versions import listing

    rows = listing(settings.data_dir)
    if args.json:
        print(json.dumps(rows, indent=1, ensure_ascii=False))
    else:
        print_versions(rows)
    return 0


def cmd_usage(args, settings: Settings) -> int:
    from assistant.errors import InputError
    from assistant.usage_coverage import live_sections
    from assistant.usage_report import build_usage, summary_lines, write_usage_report

    store = _feedback_store(settings)
    if store is None:
        raise InputError(f"No answers are stored in {settings.data_dir} yet: the usage report "
                         "reads what `pdbot slack` records.")
    report = build_usage(store, args.days, live=live_sections(settings.data_dir))
    paths = write_usage_report(report, args.out)
    print("\n".join(summary_lines(report)))
    print(f"Reports: {paths['markdown']}, {paths['html']}")
    return 0


def cmd_rollback(args, settings: Settings) -> int:
    from ingest.pipeline import publish_version
    from knowledge.versions import rollback_target

    target = rollback_target(settings.data_dir, args.version)
    entry = publish_version(settings, target, by="cli", event="rollback")
    _share_live(settings, entry)
    print(f"Index version {target} is live again (answering from its documents on the next "
          "question; `pdbot versions` lists the history).")
    return 0


def _share_live(settings: Settings, entry: dict) -> None:
    """With a shared database (PDBOT_DATABASE_URL), make the version live for every replica."""
    if not settings.database_url:
        return
    from assistant.slack.feedback import FeedbackStore
    from assistant.store.live_version import share_live

    share_live(FeedbackStore.from_settings(settings).engine, settings.data_dir, entry)


def _engine(settings: Settings):
    from assistant.answer.engine import Engine
    from knowledge.embedder import Embedder

    return Engine.from_settings(settings, embedder=Embedder.for_settings(settings))


def _answerer(settings: Settings):
    """The engine, or the LLM answerer over it when PDBOT_LLM is set and reachable."""
    from assistant.answer.llm import answerer_for

    return answerer_for(_engine(settings), settings, warn=lambda m: print(m, file=sys.stderr))


def cmd_ask(args, settings: Settings) -> int:
    from assistant.batch import answer_request, read_requests
    from assistant.errors import InputError
    from assistant.output import format_answer

    if args.batch:
        requests = read_requests(args.batch)
        engine = _answerer(settings)
        print(json.dumps([answer_request(engine, r, trace=args.trace) for r in requests],
                         indent=1, ensure_ascii=False))
        return 0
    if args.question is None:
        raise InputError('Give a question, e.g. pdbot ask "What should an HLTA do next?", '
                         "or --batch FILE.")
    engine = _answerer(settings)
    answer = engine.answer(args.question)
    print(json.dumps(answer.to_json(trace=args.trace), indent=1, ensure_ascii=False) if args.json
          else format_answer(answer))
    return 0


def cmd_train_ranker(args, settings: Settings) -> int:
    """Train the section ranker from the question bank and save it."""
    from assistant.answer.config import EngineConfig
    from assistant.answer.engine import Engine
    from evals.ranker import train_and_save

    out = args.out or settings.ranker_path
    # the features are computed as the engine answers; no trained ranker is needed for them
    config = EngineConfig.load(settings.engine_config).without("learned_ranker")
    engine = Engine.from_settings(settings, config=config)
    meta = train_and_save(engine, out)
    cv = meta["cross_validated_by_writer"]
    print(f"Section ranker trained on {meta['training_queries']} questions; recall@1 "
          f"cross-validated by writer {cv['recall_at_1']:.3f} (@3 {cv['recall_at_3']:.3f}).")
    for writer, row in cv["writers"].items():
        print(f"  {writer:<14} {row['queries']:>4} questions  recall@1 {row['recall_at_1']:.3f}")
    test = meta["test_writers"]
    print(f"Test writers (never trained on): {test['queries']} questions, recall@1 "
          f"{test['recall_at_1']:.3f} (@3 {test['recall_at_3']:.3f}). Saved to {out}.")
    selector = meta["selector"]
    key = next(k for k in selector["cross_validated_by_writer"] if k.startswith("fact_recall"))
    print(f"Unit selector: {key.replace('_', ' ')} cross-validated by writer "
          f"{selector['cross_validated_by_writer'][key]:.3f}; test writers "
          f"{selector['test_writers'][key]:.3f}.")
    return 0


def cmd_chat(args, settings: Settings) -> int:
    from assistant.chat import run_chat

    return run_chat(_answerer(settings))


def cmd_eval(args, settings: Settings) -> int:
    from assistant.errors import InputError
    from assistant.output import print_eval_summary
    from evals.compare import below_thresholds, compare_runs, load_run, parse_thresholds
    from evals.report import write_report
    from evals.runner import DEFAULT_CASES, EngineSystem, load_cases, run_cases

    try:
        thresholds = parse_thresholds(args.fail_under or "")
        per_kind = parse_thresholds(args.fail_under_per_kind or "")
        cases = load_cases(args.cases or DEFAULT_CASES)
        previous = load_run(args.compare) if args.compare else None
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(str(exc)) from exc
    if args.documents:
        from evals.editions import run_editions

        return run_editions(settings, args.documents, cases, args.max_drop, args.out)
    from evals.understanding import classifier_report

    if args.ablation:
        from evals.ablation import ablate, ablation_lines
        from knowledge.embedder import Embedder

        rows = ablate(settings, cases, Embedder.for_settings(settings))
        text = "\n".join(ablation_lines(rows, (args.cases or DEFAULT_CASES).name))
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "ablation.md").write_text(text + "\n")
        print(text)
        return 0
    engine = _engine(settings)
    runs = [run_cases(EngineSystem(engine), cases)]
    runs[0].understanding = classifier_report(engine)
    runs[0].config = {"digest": engine.config.digest(), **engine.config.to_dict()}
    runs[0].show_sections = args.by_section
    if args.perturb:
        from evals.perturb import perturb

        runs[0].perturbation = perturb(EngineSystem(engine), runs[0]).to_json()
    if settings.llm:  # LLM answers beside the extractive ones, in the same report
        from assistant.answer.llm import LlmAnswerer, answerer_for

        llm = answerer_for(engine, settings, warn=lambda m: print(m, file=sys.stderr))
        if isinstance(llm, LlmAnswerer):
            runs.append(run_cases(EngineSystem(llm, name="pdbot-llm"), cases))
    if args.baseline == "naive":
        from evals.baseline import NaiveRecipe

        runs.append(run_cases(NaiveRecipe(settings.documents_dir, engine.embedder), cases))
    judge = args.judge or settings.llm
    if judge:
        from evals.judge import judge_run, load_model

        model = load_model(judge)
        for run in runs:
            run.judged = judge_run(model, run)
    comparison = compare_runs(previous, runs[0].to_json()) if previous else None
    paths = write_report(args.out, runs, comparison)
    print_eval_summary(runs, comparison)
    if args.by_section and runs[0].by_section:
        from evals.sections import section_lines

        print("\n".join(section_lines(runs[0].by_section)))
    print(f"Reports: {paths['markdown']}, {paths['html']}, {paths['json']}")
    if args.gaps:
        from evals.gaps import find_gaps, gaps_markdown

        store = _feedback_store(settings)
        votes = store.votes() if store is not None else []
        text = gaps_markdown(find_gaps(engine, cases, votes))
        (args.out / "gaps.md").write_text(text)
        print(text)
    problems = below_thresholds(runs[0].summary, thresholds)
    for kind, summary in runs[0].by_kind.items():
        problems += [f"{kind}: {p}" for p in below_thresholds(summary, per_kind, applicable=True)]
    flips = (runs[0].perturbation or {}).get("flip_share", 0.0)
    if args.max_flips is not None and flips > args.max_flips:
        problems.append(f"outcome flips {flips:.3f} > {args.max_flips}")
    for problem in problems:
        print(f"pdbot eval: below threshold: {problem}", file=sys.stderr)
    return 1 if problems else 0


def cmd_slack(args, settings: Settings) -> int:
    from assistant.logs import configure
    from assistant.slack import redact
    from assistant.slack.config import SlackSettings
    from assistant.slack.service import run_slack

    slack = SlackSettings.from_env()
    configure(settings.log_level or ("DEBUG" if args.verbose else "INFO"), settings.log_format,
              args.verbose)
    redact.install((slack.bot_token, slack.app_token, slack.signing_secret))

    def make_owners(answerer, store):
        from assistant.slack.owners import OwnerWorkflow

        return OwnerWorkflow(settings, slack, answerer, store)

    port = args.port if args.port is not None or slack.socket_mode else 3000
    return run_slack(settings, slack, lambda: _answerer(settings), args.host, port, make_owners)


def _feedback_store(settings: Settings):
    """The Slack app's store (PDBOT_DATABASE_URL, or SQLite in the data directory), or None
    when `pdbot slack` has stored nothing in the data directory yet."""
    from assistant.slack.feedback import FeedbackStore
    from assistant.store.database import SQLITE_FILE

    if not settings.database_url and not (settings.data_dir / SQLITE_FILE).exists():
        return None
    return FeedbackStore.from_settings(settings)


def _team_id(text: str | None) -> str | None:
    import re

    from assistant.errors import InputError

    if text is None:
        return None
    if not re.fullmatch(r"[TE][A-Z0-9]+", text):
        raise InputError(f"--team takes a Slack team id like T0123ABCD, not {text!r}.")
    return text


def _user_id(text: str) -> str:
    import re

    from assistant.errors import InputError

    if not re.fullmatch(r"[UW][A-Z0-9]+", text or ""):
        raise InputError(f"--user takes a Slack user id like U0123ABCD, not {text!r} (find it "
                         "in the person's Slack profile: ⋮ → Copy member ID).")
    return text


def cmd_data_export(args, settings: Settings) -> int:
    user, team = _user_id(args.user), _team_id(args.team)
    store = _feedback_store(settings)
    data = store.export_user(user, team) if store else \
        {"user": user, "pending": [], "answers": [], "votes": []}
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    args.out.write_text(text)
    print(f"Wrote {len(data['answers'])} questions with their answers and "
          f"{len(data['votes'])} votes of {user} to {args.out}.", file=sys.stderr)
    return 0


def cmd_data_erase(args, settings: Settings) -> int:
    import calendar
    import time

    from assistant.errors import InputError

    from assistant.store.database import database_url, describe, make_engine

    team = _team_id(args.team)
    if not (args.user or args.before or team):
        raise InputError("Say what to erase: --user U…, --before YYYY-MM-DD, or --team T….")
    store = _feedback_store(settings)
    nothing = {"answers": 0, "votes": 0, "events": 0}
    in_team = f" in team {team}" if team else ""
    if args.user:
        who = _user_id(args.user) + in_team
        deleted = store.erase_user(_user_id(args.user), team) if store else nothing
    elif args.before:
        try:
            day = time.strptime(args.before, "%Y-%m-%d")
        except ValueError:
            raise InputError(f"--before takes a date as YYYY-MM-DD, not {args.before!r}.") from None
        who = f"everything before {args.before}{in_team}"
        deleted = store.erase_before(calendar.timegm(day), team) if store else nothing
    else:
        who = f"everything of team {team}"
        deleted = store.erase_team(team) if store else nothing
    where = describe(store.engine) if store else describe(make_engine(database_url(settings)))
    print(f"Deleted {sum(deleted.values())} rows ({deleted['answers']} answers, "
          f"{deleted['votes']} votes, {deleted['events']} question records) for {who} from "
          f"{where}.")
    return 0


def cmd_db_upgrade(args, settings: Settings) -> int:
    from assistant.store.database import database_url, describe, make_engine
    from assistant.store.migrate import upgrade

    engine = make_engine(database_url(settings))
    before, after = upgrade(engine)
    where = describe(engine)
    print(f"{where} is at schema {after}." if before == after else
          f"Upgraded {where} from schema {before or '(empty)'} to {after}.")
    return 0


def cmd_db_status(args, settings: Settings) -> int:
    from assistant.store.database import database_url, describe, make_engine
    from assistant.store.migrate import current, head

    engine = make_engine(database_url(settings))
    at, newest = current(engine), head()
    state = "up to date" if at == newest else "run `pdbot db upgrade`" if at is None or \
        at < newest else "newer than this pdbot"
    print(f"{describe(engine)}: schema {at or '(none)'}; this pdbot's: {newest} ({state}).")
    return 0 if at == newest else 1


def cmd_team_set(args, settings: Settings) -> int:
    from assistant.errors import InputError
    from assistant.slack.feedback import FeedbackStore
    from assistant.slack.teams import Teams

    team = _team_id(args.team)
    if args.retention_days is not None and args.retention_days < 1:
        raise InputError("--retention-days takes a positive whole number of days.")
    owners, channels = _id_list(args.owners), _id_list(args.channels)
    for user in owners or []:
        _user_id(user)
    changed = Teams(FeedbackStore.from_settings(settings).engine).set(
        team, owners, channels, args.retention_days)
    print(_team_line(changed))
    return 0


def cmd_team_list(args, settings: Settings) -> int:
    from assistant.slack.feedback import FeedbackStore
    from assistant.slack.teams import Teams

    for team in Teams(FeedbackStore.from_settings(settings).engine).all().values():
        print(_team_line(team))
    return 0


def _id_list(text: str | None) -> list[str] | None:
    """A comma-separated option as a list (empty: clear it); None when not given."""
    return None if text is None else [p.strip() for p in text.split(",") if p.strip()]


def _team_line(team) -> str:
    return (f"{team.team_id}: owners {','.join(sorted(team.owners)) or '(SLACK_OWNERS)'}; "
            f"channels {','.join(sorted(team.allowed_channels)) or '(SLACK_ALLOWED_CHANNELS)'}; "
            f"retention {team.retention_days or '(PDBOT_RETENTION_DAYS)'} days")


def cmd_feedback_export(args, settings: Settings) -> int:
    from assistant.slack.feedback import FeedbackStore, export_downvotes

    count = export_downvotes(FeedbackStore.from_settings(settings), args.out)
    print(f"Wrote {count} 👎 answers as eval cases to {args.out}; add facts and sources, then "
          f"`pdbot eval --cases {args.out}`.")
    return 0


def cmd_bench(args, settings: Settings) -> int:
    from assistant.output import print_bench
    from evals.bench import run_bench

    print_bench(run_bench(settings, repeat=args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`relay`: run (Socket Mode + clock), web, clock, db upgrade/current, playbook check, drill,
simulator. Settings come from the environment or .env (see .env.example); each command's
--help says what it does and which settings it reads."""

import argparse
import gc
import os
import sys
import textwrap

from app.cli_db import cmd_db_current, cmd_db_upgrade, cmd_playbook_check, cmd_report
from app.settings import Settings

# glibc's malloc in a web worker, as the Procfile's web line sets it: two arenas and no
# per-thread caches. A worker runs about 65 threads (gunicorn's, the listeners', delivery's);
# with an arena and a cache for each it took 7-10 MB more after 5,000 requests and kept
# growing. GLIBC_TUNABLES from the environment wins.
WEB_MALLOC = "glibc.malloc.arena_max=2:glibc.malloc.tcache_count=0"


def cmd_run(args) -> int:
    from app.bot import run_socket_mode

    run_socket_mode(Settings())
    return 0


def cmd_web(args) -> int:
    """Serve HTTP mode under gunicorn, as the Procfile's web process does. Tokens, playbook,
    database and the bot token (auth.test) are checked here first, so what stops Relay is one
    line, not a traceback from every worker. gunicorn runs from this Python, so
    `.venv/bin/relay web` works without the virtualenv on PATH."""
    from app.logs import configure_logging
    from app.startup import build_relay, verify_slack_token

    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    relay = build_relay(settings, mode="http")
    relay.sessions.kw["bind"].dispose()
    verify_slack_token(relay, settings)
    port = args.port or settings.port
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--worker-class",
        "gthread",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--bind",
        f"0.0.0.0:{port}",
        "app.bot:create_wsgi()",
    ]
    os.execve(argv[0], argv, {"GLIBC_TUNABLES": WEB_MALLOC, **os.environ})


def cmd_clock(args) -> int:
    from app.clock import run_clock, tick
    from app.logs import configure_logging
    from app.startup import build_relay, verify_slack_token

    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    relay = build_relay(settings, mode="clock")
    verify_slack_token(relay, settings)
    if args.once:
        done = tick(relay)  # a database error becomes one line in main()
        print(
            f"Clock tick: {plural(done.tickets, 'ticket')} acted on,"
            f" {plural(done.events, 'event')}, {plural(done.sent, 'Slack call')} sent."
        )
        return 0
    gc.freeze()  # as in app.bot.create_wsgi
    run_clock(relay, settings.clock_tick_seconds)
    return 0


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def cmd_drill(args) -> int:
    from app.drills.runner import run_drill

    return run_drill(args.scenario, playbook=args.playbook, out=sys.stdout)


def cmd_try(args) -> int:
    from app.playground import run_playground

    return run_playground(playbook=args.playbook)


def cmd_simulator(args) -> int:
    from app.simulator.__main__ import serve

    return serve(args)


SLACK = "SLACK_BOT_TOKEN, SLACK_API_URL"
DATABASE = "DATABASE_URL, DATABASE_POOL_RECYCLE_SECONDS"
LOGS = "LOG_FORMAT, LOG_LEVEL"
OUTBOX = "OUTBOX_LEASE_SECONDS, OUTBOX_RETRY_HOURS"


def described(what: str, reads: str = "", **kwargs) -> dict:
    """add_parser() arguments for a --help that says what the command does and which
    settings (environment or .env) it reads."""
    parts = [what] + ([f"Reads: {reads}."] if reads else [])
    text = "\n\n".join(textwrap.fill(part, 88) for part in parts)
    return {"description": text, "formatter_class": argparse.RawDescriptionHelpFormatter, **kwargs}


def shipped_scenarios() -> str:
    from app.drills.scenario import SCENARIOS

    return ", ".join(sorted(path.stem for path in SCENARIOS.glob("*.yml")))


def parser() -> argparse.ArgumentParser:
    from app.simulator.__main__ import add_arguments as simulator_arguments

    top = argparse.ArgumentParser(prog="relay", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "run",
        help="Socket Mode with the clock (single small deployment)",
        **described(
            "Serve Slack over Socket Mode, with the clock in the same process: one small"
            " deployment, no public URL needed.",
            f"SLACK_BOT_TOKEN, SLACK_APP_TOKEN, SLACK_API_URL, {DATABASE}, RELAY_PLAYBOOK,"
            f" {LOGS}, LISTENER_THREADS, CLOCK_TICK_SECONDS, {OUTBOX}",
        ),
    ).set_defaults(func=cmd_run)
    web = sub.add_parser(
        "web",
        help="HTTP mode under gunicorn on $PORT",
        **described(
            "Serve Slack over HTTP (/slack/events, and /healthz) under gunicorn, as the"
            " Procfile's web process does. Tokens, playbook, database and the bot token"
            " (auth.test) are checked first: what stops Relay is one message.",
            f"SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL, {DATABASE},"
            f" RELAY_PLAYBOOK, {LOGS}, PORT, LISTENER_THREADS, {OUTBOX}",
        ),
    )
    web.add_argument("--port", type=int, help="port to listen on (default: $PORT, 3000)")
    web.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    web.add_argument("--threads", type=int, default=16, help="gunicorn threads per worker")
    web.set_defaults(func=cmd_web)
    clock = sub.add_parser(
        "clock",
        help="SLA heartbeat and outbox delivery",
        **described(
            "The SLA heartbeat (the Procfile's clock process): every CLOCK_TICK_SECONDS, act"
            " on the tickets whose warning, breach or handoff is due, and deliver the Slack"
            " calls still pending.",
            f"{SLACK}, {DATABASE}, RELAY_PLAYBOOK, {LOGS}, CLOCK_TICK_SECONDS, {OUTBOX}",
        ),
    )
    clock.add_argument("--once", action="store_true", help="one tick, say what it did, exit")
    clock.set_defaults(func=cmd_clock)
    database = sub.add_parser(
        "db",
        help="database schema (Alembic migrations)",
        **described("The database schema (Alembic migrations).", "DATABASE_URL"),
    )
    dsub = database.add_subparsers(dest="action", required=True)
    dsub.add_parser(
        "upgrade",
        help="migrate the schema to the newest revision",
        **described(
            "Migrate the schema to the newest revision and say from which (the Procfile's"
            " release process).",
            "DATABASE_URL",
        ),
    ).set_defaults(func=cmd_db_upgrade)
    dsub.add_parser(
        "current",
        help="the schema revision; exit 1 if behind",
        **described(
            "Print the schema revision; exit 1 when `relay db upgrade` is due.", "DATABASE_URL"
        ),
    ).set_defaults(func=cmd_db_current)
    report = sub.add_parser(
        "report",
        help="export the weekly report's data (CSV, JSON, Markdown), redacted",
        **described(
            "Export what the weekly report shows for a period of weeks: figures overall, by"
            " severity, team and customer tier and by week and severity, and the worst"
            " breaches (titles redacted). Tickets opened in the period, drills left out.",
            f"{DATABASE}, RELAY_PLAYBOOK",
        ),
    )
    report.add_argument("--period", default="week", help="`week` or N weeks, e.g. `4w` (max 52w)")
    report.add_argument("--format", choices=("csv", "json", "md"), default="md")
    report.add_argument("--end", help="last day of the period, YYYY-MM-DD, UTC (default: now)")
    report.add_argument("--output", help="write to this file (default: standard output)")
    report.set_defaults(func=cmd_report)
    playbook = sub.add_parser("playbook", help="playbook tools", **described("Playbook tools."))
    psub = playbook.add_subparsers(dest="action", required=True)
    check = psub.add_parser(
        "check",
        help="validate a playbook file",
        **described(
            "Validate a playbook file: every error (exit 1), then warnings about what open"
            " tickets name that the file removes.",
            "DATABASE_URL, for the open tickets (skipped, with a note, when there is none)",
        ),
    )
    check.add_argument("file", help="the playbook YAML file, e.g. playbook.yml")
    check.set_defaults(func=cmd_playbook_check)
    drill = sub.add_parser(
        "drill",
        help="run a drill scenario against the simulator",
        **described(
            "Run a drill scenario against the built-in Slack simulator on a scratch SQLite"
            " database, printing what each person saw; exit 1 when an expectation fails.",
            "no token and no DATABASE_URL (a scratch SQLite database and the simulator's"
            f" token); LISTENER_THREADS and {OUTBOX} from the environment",
            epilog=f"shipped scenarios: {shipped_scenarios()}",
        ),
    )
    drill.add_argument("scenario", help="a shipped scenario's name (below) or a YAML file")
    drill.add_argument("--playbook", default=None, help="playbook file (default: the shipped one)")
    drill.set_defaults(func=cmd_drill)
    try_it = sub.add_parser(
        "try",
        help="click through Relay locally: no Slack workspace needed",
        **described(
            "Click through Relay without a Slack workspace: a small prompt where you type"
            " `/esc ...`, fill and submit forms, press buttons and let time pass, and see what"
            " each person sees. Runs on the built-in simulator and a throw-away SQLite database.",
            "nothing (the playbook given, or playbook.yml)",
        ),
    )
    try_it.add_argument("--playbook", default=None, help="a playbook file (default playbook.yml)")
    try_it.set_defaults(func=cmd_try)
    sim = sub.add_parser(
        "simulator",
        help="run the Slack simulator standalone",
        **described(
            "Run the Slack simulator standalone, as `python -m app.simulator`: it prints its"
            " API URL and bot token (for SLACK_API_URL and SLACK_BOT_TOKEN), then serves until"
            " interrupted.",
            "nothing",
        ),
    )
    simulator_arguments(sim)
    sim.set_defaults(func=cmd_simulator)
    return top


def main(argv: list[str] | None = None) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from app.db import unreachable_reason

    args = parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except SQLAlchemyError as exc:
        print(
            f"relay {args.command}: the database failed: {unreachable_reason(exc)}", file=sys.stderr
        )
        return 1
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())

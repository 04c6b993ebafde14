"""`relay`: run (Socket Mode + clock), web, clock, db upgrade/current, playbook check, drill,
simulator."""

import argparse
import os
import sys

from app.settings import Settings


def cmd_run(args) -> int:
    from app.bot import run_socket_mode

    run_socket_mode(Settings())
    return 0


def cmd_web(args) -> int:
    """Serve HTTP mode under gunicorn, as the Procfile's web process does. The database is
    checked here first, so a schema that is missing or behind is one line, not a traceback
    from every worker."""
    from app.bot import build_relay

    settings = Settings()
    build_relay(settings, mode="http").sessions.kw["bind"].dispose()
    port = args.port or settings.port
    argv = [
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
    os.execvp(argv[0], argv)


def cmd_clock(args) -> int:
    from app.bot import build_relay
    from app.clock import run_clock, tick
    from app.logs import configure_logging

    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    relay = build_relay(settings, mode="clock")
    if args.once:
        tick(relay)  # a database error becomes one line in main()
        return 0
    run_clock(relay, settings.clock_tick_seconds)
    return 0


def cmd_db_upgrade(args) -> int:
    from app import db

    url = Settings().database_url
    db.upgrade(url)
    engine = db.make_engine(url)
    print(f"database upgraded: at revision {db.current_revision(engine)} (head)")
    engine.dispose()
    return 0


def cmd_db_current(args) -> int:
    """The schema revision, and whether `relay db upgrade` is needed."""
    from app import db

    engine = db.make_engine(Settings().database_url)
    try:
        current = db.current_revision(engine)
        db.check_schema(engine)
    except db.SchemaProblem as problem:
        print(f"{current or 'none'}: {problem}")
        return 1
    finally:
        engine.dispose()
    print(f"{current} (head)")
    return 0


def cmd_playbook_check(args) -> int:
    """Errors fail the check; what open tickets name that the file removes only warns."""
    from app.playbook import check_playbook

    errors = check_playbook(args.file)
    for error in errors:
        print(f"{args.file}: {error}")
    if errors:
        return 1
    for warning in open_ticket_warnings(args.file):
        print(f"{args.file}: {warning}")
    print(f"{args.file}: OK")
    return 0


def open_ticket_warnings(path: str) -> list[str]:
    """Warnings about open tickets (in DATABASE_URL) naming people, groups, customers or
    teams the playbook at `path` removes; or a note saying why they were not checked."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from app import db
    from app.playbook import load_playbook
    from app.playbook.live import removed_references

    skipped = "note: open tickets not checked:"
    url = make_url(Settings().database_url)
    file = url.database if url.get_backend_name() == "sqlite" else None
    if file and file != ":memory:" and not os.path.exists(file):
        return [f"{skipped} there is no database file {file} (DATABASE_URL)"]
    engine = db.make_engine(url.render_as_string(hide_password=False))
    try:
        db.check_schema(engine)
        with db.make_sessionmaker(engine)() as session:
            found = removed_references(session, load_playbook(path))
    except db.SchemaProblem as problem:
        return [f"{skipped} {problem}"]
    except SQLAlchemyError as error:
        return [f"{skipped} the database is not reachable ({db.unreachable_reason(error)})"]
    finally:
        engine.dispose()
    return [f"warning: {warning}" for warning in found]


def cmd_drill(args) -> int:
    from app.drills.runner import run_drill

    return run_drill(args.scenario, playbook=args.playbook, out=sys.stdout)


def cmd_try(args) -> int:
    from app.playground import run_playground

    return run_playground(playbook=args.playbook)


def cmd_simulator(args) -> int:
    from app.simulator.__main__ import main as simulator_main

    return simulator_main(args.rest)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="relay", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="Socket Mode with the clock (single small deployment)").set_defaults(
        func=cmd_run
    )
    web = sub.add_parser("web", help="HTTP mode under gunicorn on $PORT")
    web.add_argument("--port", type=int)
    web.add_argument("--workers", type=int, default=2)
    web.add_argument("--threads", type=int, default=16)
    web.set_defaults(func=cmd_web)
    clock = sub.add_parser("clock", help="SLA heartbeat and outbox delivery")
    clock.add_argument("--once", action="store_true", help="one tick, then exit")
    clock.set_defaults(func=cmd_clock)
    database = sub.add_parser("db", help="database schema (Alembic migrations)")
    dsub = database.add_subparsers(dest="action", required=True)
    dsub.add_parser("upgrade", help="migrate the schema to the newest revision").set_defaults(
        func=cmd_db_upgrade
    )
    dsub.add_parser("current", help="the schema revision; exit 1 if behind").set_defaults(
        func=cmd_db_current
    )
    playbook = sub.add_parser("playbook", help="playbook tools")
    psub = playbook.add_subparsers(dest="action", required=True)
    check = psub.add_parser("check", help="validate a playbook file")
    check.add_argument("file")
    check.set_defaults(func=cmd_playbook_check)
    drill = sub.add_parser("drill", help="run a drill scenario against the simulator")
    drill.add_argument("scenario", help="a scenario name from app/drills/ or a YAML file")
    drill.add_argument("--playbook", default=None)
    drill.set_defaults(func=cmd_drill)
    try_it = sub.add_parser("try", help="click through Relay locally: no Slack workspace needed")
    try_it.add_argument("--playbook", default=None)
    try_it.set_defaults(func=cmd_try)
    sim = sub.add_parser("simulator", help="run the Slack simulator standalone")
    sim.add_argument("rest", nargs=argparse.REMAINDER)
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

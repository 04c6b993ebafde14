"""`relay db upgrade`, `relay db current` and `relay playbook check`: the commands that look
at the database and the playbook file rather than serve Slack."""

import os
import sys

from app.settings import Settings


def database_url(command: str) -> str | None:
    """DATABASE_URL, or None after saying in one line what is wrong with it."""
    from app import db

    url = Settings().database_url
    problem = db.url_problem(url)
    if problem:
        print(f"relay {command}: {problem}", file=sys.stderr)
        return None
    return url


def cmd_db_upgrade(args) -> int:
    from app import db

    url = database_url("db upgrade")
    if url is None:
        return 1
    engine = db.make_engine(url)
    try:
        before = db.current_revision(engine)
        db.upgrade(url)
        after = db.current_revision(engine)
    finally:
        engine.dispose()
    if before == after:
        print(f"Database already at {after} (head); nothing to do.")
    else:
        print(f"Database upgraded to {after} (was {before or 'empty'}).")
    return 0


def cmd_db_current(args) -> int:
    """The schema revision, and whether `relay db upgrade` is needed."""
    from app import db

    url = database_url("db current")
    if url is None:
        return 1
    engine = db.make_engine(url)
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
    problem = db.url_problem(Settings().database_url)
    if problem:
        return [f"{skipped} {problem}"]
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


def cmd_report(args) -> int:
    """`relay report`: the weekly report's data for a period, redacted, to stdout or a file."""
    from datetime import UTC, date, datetime, time, timedelta

    from app import db
    from app.playbook import PlaybookError, load_playbook
    from app.reports import export, weekly
    from app.runtime import utc_now

    try:
        weeks = export.parse_weeks(args.period)
    except ValueError as error:
        print(f"relay report: {error}", file=sys.stderr)
        return 2
    try:
        day = date.fromisoformat(args.end) if args.end else None
    except ValueError:
        print(f"relay report: {BAD_END}", file=sys.stderr)
        return 2
    end = datetime.combine(day + timedelta(days=1), time(), UTC) if day else utc_now()
    settings = Settings()
    try:
        playbook = load_playbook(settings.relay_playbook)
    except PlaybookError as exc:
        print(
            f"relay report: {settings.relay_playbook} is invalid: {exc.errors[0]}", file=sys.stderr
        )
        return 1
    url = database_url("report")
    if url is None:
        return 1
    engine = db.make_engine(url)
    try:
        db.check_schema(engine)
        with db.make_sessionmaker(engine)() as session:
            report = weekly.build(
                session, end=end, weeks=weeks, worst=WORST_BREACHES, summary_weeks=weeks
            )
            text = export.render(report, playbook, args.format)
    except db.SchemaProblem as problem:
        print(f"relay report: {problem}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        until = f"{end:%Y-%m-%d %H:%M} UTC"
        print(f"relay report: wrote {args.output} ({args.format}, {weeks} weeks to {until})")
    else:
        sys.stdout.write(text)
    return 0


WORST_BREACHES = 10
BAD_END = "--end is a date like 2026-11-29 (the period ends with that day, UTC)"

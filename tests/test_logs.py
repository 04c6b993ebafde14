"""Logs never carry message bodies: not in a database error's parameters, not in the
"Failing row contains (...)" detail PostgreSQL adds, at any level."""

import io
import json

import pytest
import structlog
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from app import db as relay_db
from app.logs import configure_logging
from app.models import Ticket

SECRET = "Customer card 4111 1111 1111 1111, call me on +44 7700 900123"


@pytest.fixture
def captured():
    """Relay's logging, rendered into a buffer; the previous set-up restored afterwards."""
    saved = structlog.get_config()
    out = io.StringIO()
    configure_logging("json", "debug", stream=out)
    yield out
    structlog.configure(**saved)


def test_a_database_error_carrying_user_text_is_logged_without_it(engine, captured):
    log = structlog.get_logger()
    sessions = relay_db.make_sessionmaker(engine)
    try:
        with relay_db.transaction(sessions) as db:  # a ticket with only a title: NOT NULL fails
            db.execute(insert(Ticket).values(title=SECRET, description=SECRET))
    except IntegrityError as exc:
        log.exception("ticket.store_failed")
        log.debug("ticket.store_failed", exc_info=exc)
        log.error("ticket.store_failed", error=exc)  # even handed over as a plain field
    else:
        pytest.fail("the insert should have failed")
    output = captured.getvalue()
    assert output.count("ticket.store_failed") == 3
    assert "IntegrityError" in output
    # the timestamp's digits are the clock's (05:06:02.977009 holds "7700"), not the text's
    logged = "\n".join(
        json.dumps({k: v for k, v in json.loads(line).items() if k != "timestamp"})
        for line in output.splitlines()
    )
    assert "4111" not in logged and "7700" not in logged

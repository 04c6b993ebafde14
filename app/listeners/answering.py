"""The one place where errors become answers. Every listener runs its work inside
`answering(...)` after ack(): a RelayError is shown to the person as is, anything else is
logged and answered with an apology. Errors are never raised back to Bolt, whose runner
can turn an error raised just after ack() into a 404 for Slack."""

from contextlib import contextmanager

import structlog

from app.errors import RelayError

log = structlog.get_logger()

SORRY = "Something went wrong on Relay's side and nothing was changed. Please try again."


def tell(body: dict, respond, client, text: str) -> None:
    """Ephemeral through response_url when there is one, else a DM from Relay."""
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    if body.get("response_url") and respond is not None:
        respond(text=text, response_type="ephemeral", replace_original=False)
    elif user:
        client.chat_postMessage(channel=user, text=text)


@contextmanager
def answering(body: dict, respond, client):
    try:
        yield
    except RelayError as error:
        log.info("request.refused", reason=type(error).__name__)
        tell(body, respond, client, str(error))
    except Exception as error:  # noqa: BLE001 - the person gets an answer, the log the trace
        log.exception("request.failed", error=type(error).__name__)
        try:
            tell(body, respond, client, SORRY)
        except Exception:  # noqa: BLE001
            log.exception("request.apology_failed")

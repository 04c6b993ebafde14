"""The one place where errors become answers. Every listener runs its work inside
`answering(...)` after ack(): a RelayError is shown to the person as is, anything else is
logged and answered with an apology. Errors are never raised back to Bolt, whose runner
can turn an error raised just after ack() into a 404 for Slack."""

import time
from contextlib import contextmanager

import structlog
from slack_sdk.errors import SlackApiError

from app.errors import RelayError

log = structlog.get_logger()

ANSWER_RETRIES = (0.2, 0.5, 1.0)
SORRY = "Something went wrong on Relay's side and nothing was changed. Please try again."
# views.open refuses a trigger_id used, unknown or older than 3 seconds (a slow moment)
TRIGGER_ERRORS = ("expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id")
TOO_LATE = (
    "Slack did not let Relay open the form in time, and nothing was changed. Please try again."
)


def tell(body: dict, respond, client, text: str) -> None:
    """Ephemeral through response_url when there is one, else a DM from Relay. A failure
    to answer is retried briefly, then logged: it never turns into an apology for a change
    that was made."""
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    for pause in ANSWER_RETRIES:
        try:
            if body.get("response_url") and respond is not None:
                respond(text=text, response_type="ephemeral", replace_original=False)
            elif user:
                client.chat_postMessage(channel=user, text=text)
            return
        except Exception as error:  # noqa: BLE001 - Slack or the network; try again
            log.warning("answer.failed", error=type(error).__name__)
            time.sleep(pause)
    log.error("answer.lost", user=user)


@contextmanager
def answering(body: dict, respond, client):
    try:
        yield
    except RelayError as error:
        log.info("request.refused", reason=type(error).__name__)
        tell(body, respond, client, str(error))
    except Exception as error:  # noqa: BLE001 - the person gets an answer, the log the trace
        slack_error = error.response.get("error") if isinstance(error, SlackApiError) else None
        if slack_error in TRIGGER_ERRORS:
            log.warning("request.form_not_opened", slack_error=slack_error)
            tell(body, respond, client, TOO_LATE)
        else:
            log.exception("request.failed", error=type(error).__name__)
            tell(body, respond, client, SORRY)

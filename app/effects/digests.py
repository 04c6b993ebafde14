"""DMs to one person that are waiting at once (a storm of breaches, the clock catching up
after an outage) go out as one message, a digest: Slack takes about one message a second
in a conversation, so ten DMs in a row to one person were ten waits, and ten pings.

A digest is made when at least `FROM` DMs of the `message` kind are ready in the person's
lane. Its parts keep their order and their text and buttons, within Slack's limits for one
message (50 blocks, about 4,000 characters of text); what does not fit goes in the next
one. Its metadata carries every part's effect key, so that a digest whose answer was lost
is found again by any of them (`sending.find_posted`). A digest held back by a 429 or a
transient error is tried again as a digest; one Slack refused, or whose answer was lost,
goes part by part (see `attempts._digest_failed`)."""

from typing import TYPE_CHECKING

from sqlalchemy import bindparam, or_, update
from sqlalchemy.orm import Session

from app.effects.sending import METADATA_TYPE, UNCERTAIN
from app.inserts import id_list
from app.models import OutboxMessage, OutboxStatus

if TYPE_CHECKING:
    from app.effects.attempts import Attempt

FROM = 5  # DMs ready at once that go as one message (fewer go one by one)
MOST_PARTS, MOST_BLOCKS, MOST_TEXT = 20, 50, 4000
CONTENT = ("text", "blocks", "metadata")
REFUSED = "digest_refused"  # a row's last_error after Slack refused its digest
ALONE = (UNCERTAIN, REFUSED)  # rows with these last errors go alone

_c = OutboxMessage.__table__.c
# The DMs after the first, claimed if still pending, due, held by nobody and free to join.
GATHER = (
    update(OutboxMessage.__table__)
    .where(_c.id.in_(id_list()), _c.status == OutboxStatus.PENDING)
    .where(_c.kind == "message", _c.stream.is_(None))
    .where(or_(_c.last_error.is_(None), _c.last_error.not_in(ALONE)))
    .where(_c.claimed_until.is_(None), _c.next_attempt_at <= bindparam("now"))
    .values(claimed_until=bindparam("until"))
    .returning(_c.id, _c.kind, _c.payload, _c.idem_key)
)
RELEASE = update(OutboxMessage.__table__).where(_c.id.in_(id_list())).values(claimed_until=None)


def gather(
    db: Session, attempt: "Attempt", following: list[int], params: dict, context
) -> tuple[dict, list[int]]:
    """The message to send for a claimed, prepared attempt and the ids of the rows after it
    in its lane that it also stands for (claimed here; none: it goes alone). `params` are
    the claim's (`now`, `until`)."""
    kind, row, args = attempt.kind, attempt.row, attempt.args
    channel = args.get("channel") or ""
    if (
        not kind.digest
        or len(following) < FROM - 1
        or row.stream is not None
        or row.last_error in ALONE
        or channel[:1] not in ("U", "W")  # a DM addressed by user id
    ):
        return args, []
    candidates = following[: MOST_PARTS - 1]
    conn, lease = db.connection(), {"now": params["now"], "until": params["until"]}
    claimed = {r.id: r for r in conn.execute(GATHER, {**lease, "ids": candidates})}
    parts, taken, message = [args], [], args
    for row_id in candidates:  # in lane order, up to the first that cannot join
        other = claimed.get(row_id)
        part = other and kind.prepare(db, other, None, context)
        merged = part and _merged_whole([*parts, part])
        if merged is None:
            break
        parts.append(part)
        taken.append(row_id)
        message = merged
    if len(parts) < FROM:
        taken, message = [], args
    left = [row_id for row_id in claimed if row_id not in taken]
    if left:
        conn.execute(RELEASE, {"ids": left})
    return message, taken


def merge(parts: list[dict]) -> dict:
    """One message of several DMs to one person: their texts one after another, and when any
    has blocks, each part's blocks (or its text) between dividers."""
    keys = [p["metadata"]["event_payload"]["key"] for p in parts]
    merged = {k: v for k, v in parts[0].items() if k not in CONTENT}
    merged["text"] = "\n\n".join(p.get("text", "") for p in parts)
    merged["metadata"] = {
        "event_type": METADATA_TYPE,
        "event_payload": {"key": keys[0], "keys": keys},
    }
    if any(p.get("blocks") for p in parts):
        blocks = []
        for part in parts:
            if blocks:
                blocks.append({"type": "divider"})
            blocks += part.get("blocks") or [
                {"type": "section", "text": {"type": "mrkdwn", "text": part.get("text", "")}}
            ]
        merged["blocks"] = blocks
    return merged


def _merged_whole(parts: list[dict]) -> dict | None:
    """These parts as one message, if Slack takes it whole; else None."""
    options = {k: v for k, v in parts[0].items() if k not in CONTENT}
    if any({k: v for k, v in p.items() if k not in CONTENT} != options for p in parts):
        return None  # another person, or other posting options
    merged = merge(parts)
    blocks = merged.get("blocks") or []
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    whole = (
        len(merged["text"]) <= MOST_TEXT
        and len(blocks) <= MOST_BLOCKS
        and len(block_ids) == len(set(block_ids))
        and all(len(p.get("text", "")) <= 3000 for p in parts if blocks and not p.get("blocks"))
    )
    return merged if whole else None

"""Redaction on the way out: before update text, briefs, customer notices, channel topics
and purposes leave Relay. What goes is replaced by `[redacted: kind]`; the ticket's
timeline gets one `redacted` note with how many of each kind, never the values."""

import re
from collections import Counter
from datetime import datetime

from app.comms.redaction import ALL, placeholder, redact
from app.models import Ticket, TimelineEvent
from app.playbook import Playbook
from app.tickets.timeline import add_event

NAME = "internal name"
MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def region(playbook: Playbook, ticket: Ticket) -> str:
    """Where a phone number written without a country code is read as being from: the
    owning team's holiday country, else the US."""
    team = playbook.teams.get(ticket.team)
    holidays = team.calendar.holidays if team and team.calendar else None
    return holidays.country if holidays else "US"


def internal_names(playbook: Playbook) -> list[re.Pattern]:
    """People's and groups' names and handles (any case), and people's first names as
    written (capitalised: "Grace" but not "grace period"), longest first."""
    names = [p.name for p in playbook.people.values()] + list(playbook.people)
    names += [g.name for g in playbook.groups.values()] + list(playbook.groups)
    first = [p.name.split()[0] for p in playbook.people.values() if p.name.split()]
    patterns = []
    for found, flags in ((names, re.I), (first, 0)):
        found = sorted({n for n in found if len(n) > 3}, key=len, reverse=True)
        if found:
            alternatives = "|".join(map(re.escape, found))
            patterns.append(re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", flags))
    return patterns


def clean(
    playbook: Playbook, ticket: Ticket, texts: dict[str, str], *, customer: bool = False
) -> tuple[dict[str, str], dict[str, int]]:
    """`texts` with everything the redactor flags replaced (for a customer also internal
    names and Slack mentions), and the counts per kind."""
    counts: Counter[str] = Counter()
    names = internal_names(playbook) if customer else []
    out = {}
    for field, text in texts.items():
        found = redact(text or "", only=ALL, region=region(playbook, ticket))
        text = found.text
        counts.update(found.counts)
        if customer:
            text, n = MENTION.subn(placeholder(NAME), text)
            counts[NAME] += n
            for pattern in names:
                text, n = pattern.subn(placeholder(NAME), text)
                counts[NAME] += n
        out[field] = text
    return out, {k: n for k, n in counts.items() if n}


def note(
    db, ticket: Ticket, counts: dict[str, int], *, where: str, now: datetime
) -> TimelineEvent | None:
    """The timeline's `redacted` note: how many of which kind, and for where; never values."""
    if not counts:
        return None
    what = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    after = {**counts, "where": where}
    text = f"Relay removed from the {where} before it left: {what}"
    return add_event(db, ticket, kind="redacted", by=None, now=now, after=after, note=text)


def scrub(
    db,
    playbook: Playbook,
    ticket: Ticket,
    texts: dict[str, str],
    *,
    where: str,
    now: datetime,
    customer: bool = False,
) -> tuple[dict[str, str], TimelineEvent | None]:
    """`clean`, with the timeline note."""
    cleaned, counts = clean(playbook, ticket, texts, customer=customer)
    return cleaned, note(db, ticket, counts, where=where, now=now)

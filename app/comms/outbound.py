"""Redaction on the way out: before update text, briefs, customer notices, channel topics
and purposes leave Relay. What goes is replaced by `[redacted: kind]`; the ticket's
timeline gets one `redacted` note with how many of each kind, never the values."""

import re
from collections import Counter
from datetime import datetime

from app.comms.redaction import ALL, placeholder, redact
from app.models import SituationUpdate, Ticket, TimelineEvent
from app.playbook import Playbook, internal
from app.tickets.timeline import add_event

NAME, FIELD = "internal name", "internal field"
PASSAGE_WORDS = 3  # a passage of an internal field this long or longer is never copied out
PASSAGE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")
MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def region(playbook: Playbook, ticket: Ticket) -> str:
    """Where a phone number written without a country code is read as being from: the
    owning team's holiday country, else the US."""
    team = playbook.teams.get(ticket.team)
    holidays = team.calendar.holidays if team and team.calendar else None
    return holidays.country if holidays else "US"


SHORT = 3  # names this short are matched only as written (see `internal_names`)


def internal_names(playbook: Playbook) -> list[re.Pattern]:
    """People's and groups' names and handles (any case), and people's first names as
    written (capitalised: "Grace" but not "grace period"), longest first. A name of three
    letters or fewer ("Li", "Tom", "Sam") only exactly as written and not joined to a
    hyphen: "tom" and "TOM" are words, "Al-123" and "AL-123" identifiers."""
    names = [p.name for p in playbook.people.values()] + list(playbook.people)
    names += [g.name for g in playbook.groups.values()] + list(playbook.groups)
    first = [p.name.split()[0] for p in playbook.people.values() if p.name.split()]
    short = [n for n in names + first if len(n) <= SHORT]
    patterns = []
    for found, flags, edge in (
        ([n for n in names if len(n) > SHORT], re.I, r"\w"),
        ([n for n in first if len(n) > SHORT], 0, r"\w"),
        (short, 0, r"[\w-]"),
    ):
        found = sorted(set(filter(None, found)), key=len, reverse=True)
        if found:
            alternatives = "|".join(map(re.escape, found))
            patterns.append(re.compile(rf"(?<!{edge})(?:{alternatives})(?!{edge})", flags))
    return patterns


def internal_passages(
    playbook: Playbook, ticket: Ticket, update: SituationUpdate | None = None
) -> list[re.Pattern]:
    """The sentences of the ticket's free-text fields the playbook marks internal (and of
    the update's own impact when `impact` is), as patterns that find them copied into
    customer text: any case and spacing, trailing full stop or not. Short ones (under
    three words, say "Payments down") are left: they would take common words with them."""
    texts = [getattr(ticket, f) for f in internal.TEXT_FIELDS if f in playbook.internal_fields]
    if update is not None and "impact" in playbook.internal_fields:
        texts.append(update.impact)
    passages = set()
    for text in filter(None, texts):
        for passage in PASSAGE_END.split(text):
            words = re.findall(r"[^\W_]+(?:['’.-][^\W_]+)*", passage)
            if len(words) >= PASSAGE_WORDS:
                passages.add(tuple(words))
    return [
        re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, words)) + r"(?!\w)[.!?]?", re.I)
        for words in sorted(passages, key=len, reverse=True)
    ]


def clean(
    playbook: Playbook,
    ticket: Ticket,
    texts: dict[str, str],
    *,
    customer: bool = False,
    update: SituationUpdate | None = None,
) -> tuple[dict[str, str], dict[str, int]]:
    """`texts` with everything the redactor flags replaced (for a customer also internal
    names, Slack mentions and passages of internal fields), and the counts per kind."""
    counts: Counter[str] = Counter()
    names = internal_names(playbook) if customer else []
    passages = internal_passages(playbook, ticket, update) if customer else []
    out = {}
    for field, text in texts.items():
        text = text or ""
        for pattern in passages:  # before redaction, which would break a copied sentence
            text, n = pattern.subn(placeholder(FIELD), text)
            counts[FIELD] += n
        found = redact(text, only=ALL, region=region(playbook, ticket))
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
    update: SituationUpdate | None = None,
) -> tuple[dict[str, str], TimelineEvent | None]:
    """`clean`, with the timeline note."""
    cleaned, counts = clean(playbook, ticket, texts, customer=customer, update=update)
    return cleaned, note(db, ticket, counts, where=where, now=now)

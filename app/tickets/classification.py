"""Suggest a severity (and a team) from the playbook's classification rules.

Text is compared after NFKC normalisation and case folding, with invisible format
characters (zero-width spaces, joiners, bidi marks) removed, so fullwidth letters or a
zero-width space inside a word do not slip past a rule. Keywords match whole words or
phrases only: "down" does not match "downtime".
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from app.playbook import ClassificationRule, Playbook

NO_MATCH = "no classification rule matched"
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"'})


@dataclass(frozen=True)
class Suggestion:
    severity: int
    reasons: list[str]
    rule: str | None

    def explain(self) -> str:
        """e.g. "matched 'outage', service Payments, all users affected"."""
        if self.rule is None:
            return "; ".join(self.reasons)
        return "matched " + ", ".join(self.reasons)


def normalise(text: str) -> str:
    """NFKC, case-folded, without format characters, quotes straightened, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    text = text.translate(_QUOTES).casefold()
    return " ".join(text.split())


@lru_cache(maxsize=1024)
def _phrase_pattern(phrase: str) -> re.Pattern[str] | None:
    """The phrase as a whole-word pattern (None when it normalises to nothing); cached,
    so a playbook phrase is normalised once, not on every form."""
    words = normalise(phrase).split()
    if not words:
        return None
    body = r"\s+".join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w){body}(?!\w)")


def _found(phrases: list[str], text: str) -> list[str]:
    """The phrases that occur in (normalised) `text` as whole words, in playbook order."""
    return [
        phrase
        for phrase in phrases
        if (pattern := _phrase_pattern(phrase)) is not None and pattern.search(text)
    ]


def _reasons(
    playbook: Playbook, rule: ClassificationRule, text: str, impact: str, team: str | None
) -> list[str] | None:
    """Why `rule` matches, or None when one of its conditions does not hold."""
    reasons = []
    if rule.keywords:
        keywords = _found(rule.keywords, text)
        if not keywords:
            return None
        reasons += [f"'{keyword}'" for keyword in keywords]
    if rule.teams:
        if team not in rule.teams:
            return None
        owning = playbook.teams.get(team)
        reasons.append(f"service {owning.name if owning else team}")
    if rule.impact:
        phrases = _found(rule.impact, impact)
        if not phrases:
            return None
        reasons += [f"{phrase} affected" for phrase in phrases]
    return reasons


def suggest_severity(
    playbook: Playbook,
    *,
    title: str,
    description: str = "",
    impact: str = "",
    team: str | None = None,
) -> Suggestion:
    """The most severe matching rule wins (the first such rule on a tie)."""
    text = normalise(f"{title}\n{description}\n{impact}")
    impact_text = normalise(impact)
    best: Suggestion | None = None
    for rule in playbook.classification:
        reasons = _reasons(playbook, rule, text, impact_text, team)
        if reasons is not None and (best is None or rule.severity < best.severity):
            best = Suggestion(severity=rule.severity, reasons=reasons, rule=rule.name)
    return best or Suggestion(severity=playbook.default_severity, reasons=[NO_MATCH], rule=None)


def suggest_team(playbook: Playbook, *, title: str, description: str = "") -> str | None:
    """The team whose keywords occur most often in the text; None when none occurs."""
    text = normalise(f"{title}\n{description}")
    hits = {key: len(_found(team.keywords, text)) for key, team in playbook.teams.items()}
    best = max(hits, key=hits.__getitem__, default=None)
    return best if best is not None and hits[best] > 0 else None

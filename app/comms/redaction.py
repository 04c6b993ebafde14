"""Redaction: what must never leave Relay (or, for secrets and card numbers, never be stored).

`redact(text)` replaces e-mail addresses, phone numbers, card numbers, and secrets and tokens
with `[redacted: kind]` and counts each kind; the values themselves are never kept.
`redact(text, only=INTAKE)` does secrets and card numbers alone, as intake does before a
ticket is stored.

Secrets come from detect-secrets' detectors (Slack, AWS, GitHub, GitLab, Stripe, OpenAI,
SendGrid, Twilio and other vendors' token formats, JWTs, private keys, credentials in URLs,
`password=`-style pairs); phone numbers from phonenumbers (valid numbering plans only, in
the text's region). Three things are Relay's own: Authorization headers (Bearer/Basic),
card numbers (a known card prefix and the Luhn check) and e-mail addresses."""

import re
from collections import Counter
from functools import cache
from typing import NamedTuple

EMAIL, PHONE, CARD, SECRET = "email", "phone", "card number", "secret"
ALL = frozenset({EMAIL, PHONE, CARD, SECRET})
INTAKE = frozenset({CARD, SECRET})

# detect-secrets' detector names -> the kind shown in the text
SECRET_KINDS = {
    "Slack Token": "Slack token",
    "AWS Access Key": "AWS key",
    "JSON Web Token": "JWT",
    "Private Key": "private key",
    "Basic Auth Credentials": "password",
    "Secret Keyword": "password",
}
# Detectors left out: their false positives (order numbers, build numbers, hashes, IPs)
# would make support teams distrust the redactor.
LEFT_OUT = {"Base64 High Entropy String", "Hex High Entropy String", "Public IP (ipv4)"}
TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-.=+/]*")
PRIVATE_KEY_BLOCK = re.compile(
    r"-----BEGIN[A-Z ]*PRIVATE KEY( BLOCK)?-----.*?(-----END[A-Z ]*PRIVATE KEY( BLOCK)?-----|$)",
    re.DOTALL,
)
AUTH_HEADER = re.compile(r"\b(?:Bearer|Basic)\s+[A-Za-z0-9_\-.~+/]{8,}=*")
EMAIL_ADDRESS = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"
)
CARD_CANDIDATE = re.compile(r"(?<![\w.-])\d(?:[ -]?\d){12,18}(?!\w|[.-]\d)")
# Issuer prefixes: Visa 4, Mastercard 51-55 and 2221-2720, Amex 34/37, Discover 6011/64/65,
# JCB 35, Diners 36/38/300-305, UnionPay 62.
CARD_PREFIX = re.compile(r"^(4|5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720)|3[4-8]|30[0-5]|6011|6[245])")
PHONE_WORDS = re.compile(r"(phone|tel|call|mobile|cell|whatsapp|sms|fax)\W{0,3}$", re.I)


class Redacted(NamedTuple):
    text: str
    counts: dict[str, int]  # kind -> how many were redacted; never the values


def load() -> None:
    """Load the detectors and phone metadata now (web start-up), not on a person's first
    form, which would wait about half a second for them."""
    import phonenumbers  # noqa: F401

    _detectors()


def placeholder(kind: str) -> str:
    return f"[redacted: {kind}]"


def redact(text: str, *, only: frozenset[str] = ALL, region: str = "US") -> Redacted:
    """`text` with what `only` names replaced; `region` is where phone numbers written
    without a country code are read as being from (an ISO country code)."""
    if not text:
        return Redacted(text or "", {})
    counts: Counter[str] = Counter()
    if SECRET in only:
        text = _secrets(text, counts)
    if CARD in only:
        text = _cards(text, counts)
    if EMAIL in only:
        text, found = EMAIL_ADDRESS.subn(placeholder(EMAIL), text)
        counts[EMAIL] += found
    if PHONE in only:
        text = _phones(text, region, counts)
    return Redacted(text, {kind: n for kind, n in counts.items() if n})


def _secrets(text: str, counts: Counter) -> str:
    text, found = PRIVATE_KEY_BLOCK.subn(placeholder("private key"), text)
    counts["private key"] += found
    text, found = AUTH_HEADER.subn(placeholder("auth header"), text)
    counts["auth header"] += found
    lines = []
    for line in text.split("\n"):
        for start, end, kind in sorted(_spans(line), reverse=True):
            line = line[:start] + placeholder(kind) + line[end:]
            counts[kind] += 1
        lines.append(line)
    return "\n".join(lines)


def _spans(line: str) -> list[tuple[int, int, str]]:
    """Where detect-secrets finds a secret in one line, without overlaps. Key-value
    detectors (`password=...`, `user:pass@`) give the value alone; the others the whole
    token, to its end (a JWT detector stops before the signature)."""
    spans: list[tuple[int, int, str]] = []
    for detector in _detectors():
        # A config-file name: `password=...` and `password: ...` count as secrets in it.
        secrets = detector.analyze_line(filename="relay.cfg", line=line, line_number=1)
        if not secrets:
            continue
        kind = SECRET_KINDS.get(next(iter(secrets)).type, next(iter(secrets)).type)
        if kind == "password":
            # A value runs to the end of the line; "; " or ", " ends the sentence it is in.
            values = {re.split(r"[;,]\s", s.secret_value)[0] for s in secrets if s.secret_value}
            found = [(m.start(), m.end()) for v in values for m in re.finditer(re.escape(v), line)]
        else:
            found = [
                (m.start(), TOKEN_CHARS.match(line, m.end()).end())
                for regex in detector.denylist
                for m in regex.finditer(line)
            ]
        for start, end in found:
            if "[redacted:" not in line[start:end] and all(
                end <= a or start >= b for a, b, _ in spans
            ):
                spans.append((start, end, kind))
    return spans


@cache
def _detectors() -> tuple:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    classes = get_mapping_from_secret_type_to_class()
    return tuple(cls() for name, cls in sorted(classes.items()) if name not in LEFT_OUT)


def _cards(text: str, counts: Counter) -> str:
    def card(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group())
        if CARD_PREFIX.match(digits) and _luhn(digits):
            counts[CARD] += 1
            return placeholder(CARD)
        return match.group()

    return CARD_CANDIDATE.sub(card, text)


def _luhn(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _phones(text: str, region: str, counts: Counter) -> str:
    """A valid number written like a phone number (a leading +, or separators) or named as
    one ("call 4155550123"); a bare run of digits is an order or account number, and digits
    glued to a word (INV-2026-000123) are part of an identifier."""
    import phonenumbers

    spans = []
    for match in phonenumbers.PhoneNumberMatcher(text, region):
        raw = match.raw_string
        if match.start and re.match(r"[\w#/-]", text[match.start - 1]):
            continue
        formatted = raw.startswith("+") or re.search(r"\d[\s\-.()]+\d", raw)
        if formatted or PHONE_WORDS.search(text[: match.start]):
            spans.append((match.start, match.end))
    for start, end in reversed(spans):
        text = text[:start] + placeholder(PHONE) + text[end:]
    counts[PHONE] += len(spans)
    return text

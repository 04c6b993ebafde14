"""The redactor, case by case: what it must catch, and what a support team would hate to see
caught (order numbers, timestamps, versions, ticket keys, build numbers, Slack mentions)."""

import pytest

from app.comms.redaction import ALL, INTAKE, redact

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0"
    ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)
SLACK_BOT = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
KEY_BLOCK = (
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\nq83vEi\n-----END RSA PRIVATE KEY-----"
)

CAUGHT = [
    # e-mail addresses
    ("Reach me at jane.doe@acme-bank.com please", "Reach me at [redacted: email] please"),
    ("mail ops@example.co.uk.", "mail [redacted: email]."),
    ("first+tag@sub.example.org", "[redacted: email]"),
    ("two: a@b.io, c@d.io", "two: [redacted: email], [redacted: email]"),
    # phone numbers
    ("call +1 415-555-0123 now", "call [redacted: phone] now"),
    ("+44 20 7946 0958", "[redacted: phone]"),
    ("(415) 555-0123", "[redacted: phone]"),
    ("call 4155550123", "call [redacted: phone]"),
    ("mobile: 415.555.0123", "mobile: [redacted: phone]"),
    ("+49 30 901820", "[redacted: phone]"),
    ("tel +33 1 42 68 53 00", "tel [redacted: phone]"),
    # card numbers: a card prefix and the Luhn check
    ("card 4111 1111 1111 1111 declined", "card [redacted: card number] declined"),
    ("card 4111-1111-1111-1111", "card [redacted: card number]"),
    ("4111111111111111", "[redacted: card number]"),
    ("amex 378282246310005", "amex [redacted: card number]"),
    ("mc 5555 5555 5555 4444.", "mc [redacted: card number]."),
    ("discover 6011111111111117", "discover [redacted: card number]"),
    ("mc2 2223003122003222", "mc2 [redacted: card number]"),
    # Slack tokens and webhooks
    (f"token {SLACK_BOT} leaked", "token [redacted: Slack token] leaked"),
    ("xoxp-1-2-3 and xoxb-9-8-z", "[redacted: Slack token] and [redacted: Slack token]"),
    ("https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX", None),
    # cloud and vendor keys
    ("AKIAIOSFODNN7EXAMPLE", "[redacted: AWS key]"),
    ("key=AKIAIOSFODNN7EXAMPLE;", None),
    ("ghp_abcdefghijklmnopqrstuvwxyz0123456789 x", "[redacted: GitHub Token] x"),
    ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "[redacted: Stripe Access Key]"),
    # private keys: the whole block
    (f"{KEY_BLOCK}\nafter", "[redacted: private key]\nafter"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA", "[redacted: private key]"),
    # JWTs, whole (the signature too)
    (f"jwt {JWT} end", "jwt [redacted: JWT] end"),
    # Authorization headers
    ("Authorization: Bearer abcdef0123456789", "Authorization: [redacted: auth header]"),
    (f"Authorization: Bearer {JWT}", "Authorization: [redacted: auth header]"),
    ("Basic dXNlcjpwYXNzd29yZA==", "[redacted: auth header]"),
    # credentials in URLs and password-style pairs (the key stays, the value goes)
    ("https://admin:pa55word@db.internal/x", "https://admin:[redacted: password]@db.internal/x"),
    ("password=hunter2secret", "password=[redacted: password]"),
    ("password: hunter2secret", "password: [redacted: password]"),
    ("pwd=S3cr3t!x", "pwd=[redacted: password]"),
    ("password=hunter2secret; call me", "password=[redacted: password]; call me"),
    ('db_password = "hunter2"', 'db_password = "[redacted: password]"'),
    ("api_key=sk_test_abcdefghijklmnop1234", None),
    ("secret: 'abc123xyz'", "secret: '[redacted: password]'"),
]

UNTOUCHED = [
    "order #123456789",
    "order 4155550123",
    "account 0012345678",
    "invoice INV-2026-000123",
    "ref #415-555-0123",
    "at 2026-11-30 10:05",
    "since 09:40 UTC on 30/11/2026",
    "ts 1732963200000",
    "epoch 1732963200",
    "version 1.2.3 and v4.18.2.1234",
    "build 10.0.0.1",
    "release 2026.11.30.1",
    "ESC-1234 and ESC-42",
    "Slack <@U123ABC> and <#C0123|support>",
    "4111111111111112 fails the Luhn check",
    "1234 5678 9012 3456 has no card prefix",
    "sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "the password is wrong",
    "reset your password at the portal",
    "user@localhost",
    "@channel is not an address",
    "555-0123",
    "postcode SW1A 1AA",
    "HTTP 502 since 09:40, 37% of requests",
    "error code 0x80070005",
    "",
]


@pytest.mark.parametrize(("text", "expected"), CAUGHT)
def test_what_must_not_leave_is_replaced_by_its_kind(text, expected):
    result = redact(text, region="US")
    if expected is not None:
        assert result.text == expected
    assert "[redacted: " in result.text
    assert sum(result.counts.values()) == result.text.count("[redacted: ")


@pytest.mark.parametrize("text", UNTOUCHED)
def test_what_a_support_team_writes_every_day_is_left_alone(text):
    assert redact(text, region="US") == (text, {})


def test_the_region_reads_numbers_written_without_a_country_code():
    assert redact("phone 020 7946 0958", region="GB").text == "phone [redacted: phone]"
    assert redact("phone 020 7946 0958", region="US").text == "phone 020 7946 0958"


def test_counts_say_how_many_of_which_kind_and_never_the_value():
    text = f"{SLACK_BOT} a@b.io c@d.io 4111 1111 1111 1111 password=hunter2secret"
    result = redact(text)
    assert result.counts == {"Slack token": 1, "email": 2, "card number": 1, "password": 1}
    assert "hunter2" not in repr(result) and "xoxb" not in repr(result)


def test_intake_redacts_secrets_and_cards_but_keeps_contacts():
    text = f"card 4111 1111 1111 1111, mail a@b.io, call +1 415-555-0123, {SLACK_BOT}"
    result = redact(text, only=INTAKE)
    assert result.text == (
        "card [redacted: card number], mail a@b.io, call +1 415-555-0123, [redacted: Slack token]"
    )
    assert redact(result.text, only=ALL).counts == {"email": 1, "phone": 1}  # later, outbound


def test_redacting_twice_changes_nothing_more():
    once = redact(f"{KEY_BLOCK} {JWT} a@b.io +1 415-555-0123 password=hunter2secret")
    assert redact(once.text) == (once.text, {})


def test_table_size():
    assert len(CAUGHT) + len(UNTOUCHED) >= 60

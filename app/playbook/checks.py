"""Checks across the whole playbook: does every handle, team, tier and placeholder exist?

The checks read the plain YAML data, so they also run when parts of it are invalid: one
broken entry neither hides the problems elsewhere nor makes references to it look unknown.
Each problem is one line, "field.path: what is wrong".
"""

import difflib
import string
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from app.playbook import internal

SEVERITY_KEYS = ("sev1", "sev2", "sev3", "sev4")
ROLE_TOKENS = ("tier_primary", "tier_secondary", "team_manager", "exec_sponsor", "executives")
REQUIRED_TEMPLATES = ("situation_update", "executive_brief", "customer_update", "resolution_notice")
TEMPLATE_FIELDS = frozenset(
    {
        "key",
        "title",
        "severity",
        "status",
        "team",
        "customer",
        "customer_tier",
        "owner",
        "impact",
        "summary",
        "next_update_at",
        "url",
        "tier",
        "actions",
        "decision",
    }
)
# Sections whose keys other sections refer to. None in `Known` means "could not be read",
# and references into that section are then not checked (its own error is reported).
NAMED_SECTIONS = ("people", "groups", "teams", "customer_tiers", "severities", "templates")
Known = dict[str, set[str] | None]


class PlaybookError(Exception):
    """The playbook cannot be used; `errors` lists every problem found."""

    def __init__(self, errors: list[str], source: str = "playbook"):
        self.errors = list(errors)
        self.source = source
        lines = "\n".join(f"  - {error}" for error in self.errors)
        count = len(self.errors)
        super().__init__(f"{source}: {count} problem{'s' if count != 1 else ''}\n{lines}")


def field_path(*parts: str | int) -> str:
    """("classification", 0, "teams", 1) -> "classification[0].teams[1]"."""
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _known_names(data: dict, required: Collection[str]) -> Known:
    known: Known = {}
    for section in NAMED_SECTIONS:
        raw = data.get(section)
        if isinstance(raw, dict):
            known[section] = {key for key in raw if isinstance(key, str)}
        elif raw is None and section not in required:
            known[section] = set()
        else:
            known[section] = None
    return known


def _value(parent: Any, key: str) -> Any:
    return parent.get(key) if isinstance(parent, dict) else None


def _entries(value: Any) -> Iterator[tuple[Any, Any]]:
    """(key, item) pairs of a mapping; nothing when `value` is not one."""
    if isinstance(value, dict):
        yield from value.items()


def _items(value: Any) -> Iterator[tuple[int, Any]]:
    """(position, item) pairs of a list; nothing when `value` is not one."""
    if isinstance(value, list):
        yield from enumerate(value)


def _listing(label: str, names: Iterable[str], limit: int = 8) -> str:
    ordered = sorted(names)
    shown = ", ".join(ordered[:limit]) + (", ..." if len(ordered) > limit else "")
    return f"{label}: {shown or 'none'}"


class _Problems:
    def __init__(self, known: Known):
        self.known = known
        self.lines: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.lines.append(f"{path}: {message}")

    def reference(self, path: str, name: Any, kinds: tuple[str, ...], tokens=()) -> None:
        """`name` must be a key of one of the `kinds` sections (or one of `tokens`)."""
        if not isinstance(name, str) or name in tokens:
            return  # not text: the structure check reports it
        sections = [self.known[kind] for kind in kinds]
        if any(section is None for section in sections):
            return  # that section is broken; its own error says so
        if any(name in section for section in sections):
            return
        what = {"people": "person", "groups": "group", "teams": "team"}
        nouns = [what.get(kind, kind.replace("_", " ").rstrip("s")) for kind in kinds]
        hints = [_listing(kind, section) for kind, section in zip(kinds, sections, strict=True)]
        if tokens:
            nouns.append("role")
            hints.append(_listing("roles", tokens, limit=len(tokens)))
        noun = " or ".join(nouns) if len(nouns) < 3 else ", ".join(nouns[:-1]) + " or " + nouns[-1]
        candidates = [known for section in sections for known in section] + list(tokens)
        close = difflib.get_close_matches(name, candidates, n=1)
        guess = f"did you mean {close[0]!r}? " if close else ""
        self.add(path, f"unknown {noun} {name!r} ({guess}{'; '.join(hints)})")


def find_problems(data: dict, required: Collection[str] = ()) -> list[str]:
    """Every cross-reference problem in the playbook `data` (parsed YAML or a model dump).

    `required` names the sections that must be present: when one is missing, references
    into it are not reported as unknown (the missing section is reported instead).
    """
    problems = _Problems(_known_names(data, required))
    _check_section_keys(problems)
    _check_handles(problems, data)
    _check_teams(problems, data)
    _check_customers(problems, data)
    _check_escalation_types(problems, data)
    for index, rule in _items(_value(data, "classification")):
        for position, team in _items(_value(rule, "teams")):
            path = field_path("classification", index, "teams", position)
            problems.reference(path, team, ("teams",))
    for role, handles in _entries(_value(data, "roles")):
        for position, handle in _items(handles):
            problems.reference(field_path("roles", role, position), handle, ("people",))
    _check_incident_roles(problems, data)
    for name, template in _entries(_value(data, "templates")):
        if isinstance(template, str):
            for message in template_problems(template):
                problems.add(field_path("templates", name), message)
    for path, message in internal.problems(data):
        problems.add(path, message)
    return problems.lines


def _check_section_keys(problems: _Problems) -> None:
    severities = problems.known["severities"]
    if severities is not None:
        for key in SEVERITY_KEYS:
            if key not in severities:
                problems.add(f"severities.{key}", "missing (sev1, sev2, sev3 and sev4 are needed)")
        for key in sorted(severities - set(SEVERITY_KEYS)):
            problems.add(f"severities.{key}", "unknown severity (use sev1, sev2, sev3, sev4)")
    templates = problems.known["templates"]
    if templates is not None:
        for name in REQUIRED_TEMPLATES:
            if name not in templates:
                problems.add(f"templates.{name}", "missing (this template is required)")


def _check_incident_roles(problems: _Problems, data: dict) -> None:
    """A severity that opens a war room needs someone who may be its incident commander."""
    roles = _value(data, "roles")
    eligible = _value(roles, "ic_eligible") if isinstance(roles, dict) else None
    for key, severity in _entries(_value(data, "severities")):
        actions = _value(severity, "actions") if isinstance(severity, dict) else None
        if isinstance(actions, dict) and actions.get("war_room") and not eligible:
            problems.add(
                f"severities.{key}.actions.war_room",
                "needs at least one person in roles.ic_eligible (the incident commander)",
            )


def _check_handles(problems: _Problems, data: dict) -> None:
    people, groups = problems.known["people"] or set(), problems.known["groups"] or set()
    for handle in sorted(people & groups):
        problems.add(f"groups.{handle}", "handle is also used by a person; pick another")
    for section, handles in (("people", people), ("groups", groups)):
        for handle in sorted(handles & set(ROLE_TOKENS)):
            problems.add(f"{section}.{handle}", "handle is reserved for a RACI role token")
    for handle, group in _entries(_value(data, "groups")):
        for position, member in _items(_value(group, "members")):
            path = field_path("groups", handle, "members", position)
            problems.reference(path, member, ("people",))


def _check_teams(problems: _Problems, data: dict) -> None:
    owners = ("people", "groups")
    for key, team in _entries(_value(data, "teams")):
        for level, tier in _entries(_value(team, "tiers")):
            for owner in ("primary", "secondary"):
                path = field_path("teams", key, "tiers", level, owner)
                problems.reference(path, _value(tier, owner), owners)
        problems.reference(
            field_path("teams", key, "manager"), _value(team, "manager"), ("people",)
        )
        for position, member in _items(_value(team, "members")):
            problems.reference(field_path("teams", key, "members", position), member, owners)


def _check_customers(problems: _Problems, data: dict) -> None:
    for key, customer in _entries(_value(data, "customers")):
        path = field_path("customers", key, "tier")
        problems.reference(path, _value(customer, "tier"), ("customer_tiers",))
        path = field_path("customers", key, "exec_sponsor")
        problems.reference(path, _value(customer, "exec_sponsor"), ("people",))


def _check_escalation_types(problems: _Problems, data: dict) -> None:
    for key, kind in _entries(_value(data, "escalation_types")):
        for letter, handles in _entries(_value(kind, "raci")):
            for position, handle in _items(handles):
                path = field_path("escalation_types", key, "raci", letter, position)
                problems.reference(path, handle, ("people", "groups"), tokens=ROLE_TOKENS)


def template_problems(template: str) -> list[str]:
    """What is wrong with a template's {placeholders} ([] when it can be rendered)."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as error:
        return [f"malformed template ({error}); write a literal brace as {{{{ or }}}}"]
    problems = []
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name == "":
            problems.append("empty placeholder {} (name a field, e.g. {title})")
        elif spec or conversion:
            problems.append(f"placeholder {{{name}}} must be a plain {{name}}, without ! or :")
        elif name not in TEMPLATE_FIELDS:
            allowed = ", ".join(sorted(TEMPLATE_FIELDS))
            problems.append(f"unknown placeholder {{{name}}} (allowed: {allowed})")
    return problems

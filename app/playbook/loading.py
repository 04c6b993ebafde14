"""Reading a playbook file: YAML -> validation -> `Playbook`, or every problem at once."""

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.playbook.book import Playbook
from app.playbook.checks import PlaybookError, field_path, find_problems


class _PlaybookLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """A safe loader (libyaml's when installed) that refuses duplicate keys, which YAML
    would otherwise silently resolve by keeping the last one."""


def _mapping_without_duplicates(loader: _PlaybookLoader, node: yaml.MappingNode, deep=False):
    seen = set()
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
            continue
        if key_node.value in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"duplicate key {key_node.value!r}",
                key_node.start_mark,
            )
        seen.add(key_node.value)
    return loader.construct_mapping(node, deep=deep)


_PlaybookLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


def load_playbook(path: str | Path) -> Playbook:
    """Read and validate a playbook file; raises PlaybookError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlaybookError([f"{path}: file not found"], source=str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise PlaybookError([f"{path}: cannot read the file ({error})"], source=str(path)) from None
    try:
        data = yaml.load(text, Loader=_PlaybookLoader)  # a SafeLoader: no arbitrary objects
    except yaml.YAMLError as error:
        raise PlaybookError([_yaml_problem(path, error)], source=str(path)) from None
    return parse_playbook(data, source=str(path))


def check_playbook(path: str | Path) -> list[str]:
    """Every problem in a playbook file; [] when it is valid."""
    try:
        load_playbook(path)
    except PlaybookError as error:
        return error.errors
    return []


def parse_playbook(data: Any, source: str = "playbook") -> Playbook:
    """Validate already-parsed YAML. Structure and cross-references are checked together."""
    if not isinstance(data, dict):
        found = "an empty file" if data is None else f"a {type(data).__name__}"
        raise PlaybookError([f"(top level): expected a mapping of sections, found {found}"], source)
    try:
        return Playbook.model_validate(data)
    except PlaybookError as error:
        raise PlaybookError(error.errors, source) from None
    except ValidationError as error:
        problems = [_pydantic_problem(detail) for detail in error.errors()]
    required = [name for name, field in Playbook.model_fields.items() if field.is_required()]
    problems += find_problems(data, required)
    raise PlaybookError(_in_section_order(problems), source)


def _yaml_problem(path: Path, error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    return f"{path}: invalid YAML at {where}: {problem}" + (f" ({context})" if context else "")


def _pydantic_problem(detail: dict) -> str:
    loc = list(detail["loc"])
    message = detail["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if loc and loc[-1] == "[key]":
        loc.pop()
        message = f"invalid name: {message}"
    elif detail["type"] == "extra_forbidden":
        message = "unknown field (check the spelling)"
    elif detail["type"] == "missing":
        message = "required field is missing"
    return f"{field_path(*loc) or '(top level)'}: {message}"


def _in_section_order(problems: list[str]) -> list[str]:
    """Problems grouped by top-level section, in the order the sections are documented."""
    order = {name: position for position, name in enumerate(Playbook.model_fields)}

    def section(problem: str) -> int:
        name = problem.split(":", 1)[0].split(".", 1)[0].split("[", 1)[0]
        return order.get(name, len(order))

    return sorted(dict.fromkeys(problems), key=section)

"""The playbook loader under random damage (hypothesis): the shipped playbook with keys
dropped, values of the wrong type, unknown handles, negative numbers, huge strings, deeply
nested junk, or its YAML text cut and spliced, gives either a Playbook or a PlaybookError
whose messages each name a field path, never another exception."""

import copy
from datetime import date
from pathlib import Path

import yaml
from hypothesis import event, given
from hypothesis import strategies as st

from app.playbook import Playbook, PlaybookError, check_playbook, load_playbook
from app.playbook.loading import parse_playbook
from tests.user_text import examples

SHIPPED = Path(__file__).resolve().parents[1] / "playbook.yml"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DATA = yaml.load(SHIPPED.read_text(encoding="utf-8"), Loader=_LOADER)
SECTIONS = set(Playbook.model_fields)
MUTATIONS = examples(150)
FILES = examples(60)


def nested(depth: int, leaf):
    for level in range(depth):
        leaf = [leaf] if level % 2 else {"junk": leaf}
    return leaf


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.sampled_from([-1, 0, -15, 2**63, 10**9]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["nobody.here", "sev9", "L7", "Mars/Olympus", "25:00-26:00", "http://x"]),
    st.builds(
        lambda c, n: c * n, st.sampled_from(["x", "é", "{", "\u202e"]), st.integers(1, 10**5)
    ),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)),
)
keys = st.one_of(st.text(max_size=12), st.integers(-5, 5), st.none(), st.booleans())
junk = st.one_of(
    st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=12,
    ),
    st.builds(nested, st.integers(1, 400), scalars),
)


def paths(node, prefix=()):
    """Every place in the data: (path, value)."""
    yield prefix, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, (*prefix, index))


PLACES = [path for path, _ in paths(DATA) if path]


def at(data, path):
    for part in path:
        data = data[part]
    return data


@st.composite
def damaged(draw):
    """The shipped data with one to four places damaged."""
    data = copy.deepcopy(DATA)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(PLACES))
        try:
            parent = at(data, path[:-1])
            parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier damage removed that place
        if not isinstance(parent, dict | list):
            continue  # ... or replaced its parent with text
        how = draw(st.sampled_from(["drop", "replace", "replace", "rename", "add", "negate"]))
        last = path[-1]
        if how == "drop":
            del parent[last]
        elif how == "replace":
            parent[last] = draw(junk)
        elif how == "rename" and isinstance(parent, dict):
            parent[draw(keys)] = parent.pop(last)
        elif how == "add" and isinstance(parent, dict):
            parent[draw(keys)] = draw(junk)
        elif how == "negate" and isinstance(parent[last], int | float):
            parent[last] = -parent[last] - 1
        else:
            parent[last] = draw(st.sampled_from(["nobody.here", "", "sev9", None]))
        event(f"{how} {path[0]}")
    return data


def names_field_paths(error: PlaybookError, data) -> None:
    """Each message is `path: what`, the path starting at a section or at a key given."""
    assert error.errors and all(isinstance(message, str) for message in error.errors)
    given_keys = {str(key) for key in data} if isinstance(data, dict) else set()
    for message in error.errors:
        path, sep, what = message.partition(": ")
        assert sep and path and what.strip(), message
        starts = SECTIONS | given_keys
        assert (
            path == "(top level)"
            or path.startswith("[")
            or any(path == key or path.startswith((f"{key}.", f"{key}[")) for key in starts)
        ), message


@MUTATIONS
@given(damaged())
def test_damaged_data_gives_a_playbook_or_every_problem_by_path(data):
    try:
        playbook = parse_playbook(data)
    except PlaybookError as error:
        names_field_paths(error, data)
        event("refused")
        return
    assert isinstance(playbook, Playbook)
    event("accepted")


@MUTATIONS
@given(junk)
def test_anything_at_all_gives_a_playbook_error(data):
    try:
        parse_playbook(data)
    except PlaybookError as error:
        names_field_paths(error, data)
    else:
        raise AssertionError("junk made a playbook")


TEXT = SHIPPED.read_text(encoding="utf-8")


@FILES
@given(
    st.integers(0, len(TEXT)),
    st.integers(0, 400),
    st.one_of(
        st.text(max_size=40),
        st.sampled_from(["\t", ": :", "- [", "&a *a", "!!python/object:os.system", "<<: *x"]),
    ),
)
def test_a_spliced_playbook_file_gives_a_playbook_or_its_problems(tmp_path, start, length, insert):
    path = tmp_path / "playbook.yml"
    path.write_text(TEXT[:start] + insert + TEXT[start + length :], encoding="utf-8")
    try:
        playbook = load_playbook(path)
    except PlaybookError as error:
        assert error.errors and check_playbook(path) == error.errors
        for message in error.errors:
            path_part, sep, what = message.partition(": ")
            assert sep and path_part and what.strip(), message
        return
    assert isinstance(playbook, Playbook) and check_playbook(path) == []

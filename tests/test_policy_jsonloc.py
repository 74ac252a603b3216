"""The located JSON reader: values, positions and IAM-style syntax errors."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labkit.policy.jsonloc import MAX_DEPTH, JsonSyntaxError, from_python, loads
from labkit.policy.model import Location, PolicyError

VALUES = [
    "{}",
    "[]",
    '{"a": [1, 2.5, -3e2, true, false, null, "x\\u00e9\\n"]}',
    '  {"nested": {"deep": [[{}]]}}  ',
    '"just a string"',
    "0",
]


@pytest.mark.parametrize("text", VALUES)
def test_values_match_json_module(text):
    assert loads(text).plain() == json.loads(text)


MALFORMED = [
    # text, line, column, words in the message
    ('{"a": 1 "b": 2}', 1, 9, "Expecting ','"),
    ('{\n  "Version": "2012-10-17"\n  "Statement": []\n}', 3, 3, "Expecting ','"),
    ('{"a" 1}', 1, 6, "Expecting ':'"),
    ("{'a': 1}", 1, 2, "double quotes"),
    ('{"a": [1, 2,]}', 1, 13, "Expecting value"),
    ('{"a": 1,}', 1, 9, "double quotes"),
    ('{"a": tru}', 1, 7, "Expecting value"),
    ('{"a": "unterminated}', 1, 7, "Unterminated"),
    ('{"a": 1} extra', 1, 10, "Extra data"),
    ("", 1, 1, "end of the policy"),
    ('{"a": [', 1, 8, "end of the policy"),
    ('{"a": 1, "a": 2}', 1, 10, "Duplicate key"),
    ('{"a": NaN}', 1, 7, "Expecting value"),
    ('{"a": "tab\there"}', 1, 11, "control character"),
]


@pytest.mark.parametrize(("text", "line", "column", "words"), MALFORMED)
def test_malformed_json_is_located(text, line, column, words):
    with pytest.raises(JsonSyntaxError) as caught:
        loads(text)
    error = caught.value
    assert (error.line, error.column) == (line, column)
    assert error.code == "MalformedPolicyDocument"
    assert error.message.startswith("Syntax errors in policy.")
    assert words in error.message


def test_locations_of_keys_and_values():
    text = '{\n  "Effect": "Allow",\n  "Action": ["s3:GetObject", "s3:PutObject"]\n}'
    root = loads(text)
    assert root.start == Location(1, 1)
    assert root.end == Location(4, 2)
    assert root.keys["Effect"] == Location(2, 3)
    assert root.value["Effect"].start == Location(2, 13)
    assert root.value["Effect"].end == Location(2, 20)
    assert root.value["Action"].value[1].start == Location(3, 30)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 10_000, 200_000])
def test_deep_nesting_is_a_policy_error(depth):
    with pytest.raises(PolicyError, match="nested too deeply"):
        loads("[" * depth + "]" * depth)


def test_huge_input_is_a_policy_error():
    with pytest.raises(PolicyError, match="too large"):
        loads('"' + "a" * 2_000_000 + '"')


@pytest.mark.parametrize("value", [{1: "a"}, {"a": {1, 2}}, {"a": float("nan")}, {"a": object()}])
def test_from_python_rejects_non_json(value):
    with pytest.raises(PolicyError):
        from_python(value)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_round_trips_any_json(value):
    assert loads(json.dumps(value)).plain() == value


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='{}[]",:0123456789.-+eEtruefalsn \n\t\\u"ab', max_size=60))
def test_arbitrary_text_only_raises_policy_error(text):
    try:
        expected = json.loads(text)
    except ValueError:
        expected = ValueError
    try:
        got = loads(text).plain()
    except PolicyError:
        got = ValueError
    if expected is ValueError or got is ValueError:
        # Duplicate keys and depth are stricter than Python's json; never looser.
        assert got is ValueError or expected is not ValueError
    else:
        assert got == expected

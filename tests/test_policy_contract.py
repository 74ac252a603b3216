"""The engine's error contract, for any input at all.

``parse_policy`` raises :class:`PolicyError` and nothing else; ``lint``
never raises (invalid input is a finding); ``evaluate`` of any parsed policy
against any request gives one of AWS's three decisions. The examples are
derandomized and their number fixed, so a run always checks the same inputs.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labkit.policy import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Finding,
    PolicyError,
    evaluate,
    lint,
    parse_policy,
    simulate_custom_policy,
)
from tests.strategies import (
    DEEP_TEXTS,
    condition_documents,
    condition_texts,
    policy_dicts,
    policy_documents,
    policy_texts,
    requests,
)

DECISIONS = {ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY}
KINDS = st.sampled_from(["identity", "resource", "trust", "boundary", "session"])


def fixed(examples: int) -> settings:
    """The same ``examples`` inputs on every run, however long each takes."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _parsed(document: object, kind: str = "identity"):  # noqa: ANN202 - a Policy or None
    try:
        return parse_policy(document, kind)  # type: ignore[arg-type]
    except PolicyError:
        return None


@fixed(500)
@given(
    st.one_of(policy_documents(), condition_documents(), condition_texts()), KINDS, st.booleans()
)
def test_parse_raises_only_policy_errors(document, kind, managed):
    try:
        parse_policy(document, kind, managed=managed)
    except PolicyError as error:
        assert error.code and error.message


@fixed(400)
@given(policy_texts(), KINDS)
def test_lint_of_any_text_lists_findings(text, kind):
    findings = lint(text, kind)
    assert isinstance(findings, list)
    assert all(isinstance(f, Finding) for f in findings)


@fixed(150)
@given(policy_dicts(), KINDS)
def test_lint_of_any_dict_or_parsed_policy_lists_findings(document, kind):
    assert isinstance(lint(document, kind), list)
    policy = _parsed(document, kind)
    if policy is not None:
        assert isinstance(lint(policy, kind), list)


@fixed(300)
@given(condition_texts(), st.lists(requests(), min_size=1, max_size=3))
def test_condition_values_of_any_kind_parse_lint_and_decide(text, requests_):
    findings = lint(text)
    assert isinstance(findings, list)
    policy = _parsed(text)
    if policy is None:
        return
    for request in requests_:
        assert evaluate(request, [policy]).decision in DECISIONS


@fixed(300)
@given(policy_documents(), KINDS, st.lists(requests(), min_size=1, max_size=3))
def test_evaluate_of_any_parsed_policy_gives_a_decision(document, kind, requests_):
    policy = _parsed(document, kind)
    if policy is None:
        return
    for request in requests_:
        if kind in ("resource", "trust"):
            decision = evaluate(request, resource_policy=policy)
        elif kind == "boundary":
            decision = evaluate(request, [], boundaries=[policy])
        elif kind == "session":
            decision = evaluate(request, [], session=[policy])
        else:
            decision = evaluate(request, [policy])
        assert decision.decision in DECISIONS


@fixed(60)
@given(policy_texts(), st.lists(requests(), min_size=1, max_size=2))
def test_simulate_custom_policy_raises_only_policy_errors(text, requests_):
    try:
        response = simulate_custom_policy(
            PolicyInputList=[text],
            ActionNames=[r.action or "s3:GetObject" for r in requests_],
            ResourceArns=["*"],
        )
    except PolicyError:
        return
    for result in response["EvaluationResults"]:
        assert result["EvalDecision"] in DECISIONS


@fixed(20)
@given(DEEP_TEXTS)
def test_deeply_nested_text_is_refused_not_overflowed(text):
    with pytest.raises(PolicyError):
        parse_policy(text)
    assert lint(text)[0].severity == "error"


# --- the inputs that broke the contract, kept as plain cases ----------------


def _with_condition(operator: str, value: str) -> str:
    return (
        '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", '
        f'"Resource": "*", "Condition": {{"{operator}": {{"aws:CurrentTime": {value}}}}}}}}}'
    )


BIG = "9" * 4301


@pytest.mark.parametrize(
    "value",
    [
        '"²"',  # str.isdigit() holds, int() refuses
        '"2²"',
        f'"{BIG}"',
        f'"{BIG}-01-01"',
    ],
)
def test_a_date_value_python_cannot_read_as_int_fails_legacy_parsing(value):
    with pytest.raises(PolicyError, match="The policy failed legacy parsing"):
        parse_policy(_with_condition("DateLessThan", value))
    assert lint(_with_condition("DateLessThan", value))[0].code == "TYPE_MISMATCH_DATE"


def test_a_date_value_in_another_scripts_digits_is_an_epoch():
    # IAM reads dates in Java, whose digits include those of every script.
    policy = parse_policy(_with_condition("DateLessThan", '"\u0661\u0662"'))
    assert policy.statements[0].conditions[0].values == ("\u0661\u0662",)


@pytest.mark.parametrize(
    "value", [BIG, f"-{BIG}", f"{BIG}.5", f"{BIG}e3", "1e400", f'"2020-{"0" * 4300}1-01"']
)
@pytest.mark.parametrize("operator", ["NumericLessThan", "DateLessThan", "StringEquals"])
def test_numbers_of_any_size_are_read(operator, value):
    text = _with_condition(operator, value)
    try:
        policy = parse_policy(text)
    except PolicyError:
        policy = None
    assert isinstance(lint(text), list)
    if policy is not None:
        request_values = ["5", BIG, "2020-01-01T00:00:00Z", "1700000000"]
        for current in request_values:
            request = _request(current)
            assert evaluate(request, [policy]).decision in DECISIONS


def test_a_huge_numeric_value_compares_exactly():
    policy = parse_policy(_with_condition("NumericLessThan", BIG))
    assert evaluate(_request("9" * 4300), [policy]).decision == ALLOWED
    assert evaluate(_request(BIG), [policy]).decision == IMPLICIT_DENY


def test_a_huge_epoch_request_value_is_compared_not_raised():
    policy = parse_policy(_with_condition("DateLessThan", '"2030-01-01T00:00:00Z"'))
    assert evaluate(_request(BIG), [policy]).decision == IMPLICIT_DENY
    assert evaluate(_request("²"), [policy]).decision == IMPLICIT_DENY


def _request(current_time: str):  # noqa: ANN202
    from labkit.policy import Request

    return Request("s3:GetObject", "*", None, {"aws:CurrentTime": current_time})


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Action": [], "NotAction": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:*", "NotAction": [], "Resource": "*"},
        {"Effect": "Allow", "Action": [], "NotAction": [], "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:*", "Resource": [], "NotResource": "*"},
    ],
)
def test_lint_of_both_elements_of_a_pair_reports_iam_error(statement):
    document = {"Version": "2012-10-17", "Statement": [statement]}
    for given_ in (json.dumps(document), document):
        findings = lint(given_)
        assert [f.code for f in findings] == ["UNSUPPORTED_ELEMENT_COMBINATION"]
        assert findings[0].message == "Syntax errors in policy."


def test_lint_keeps_iam_errors_of_the_document_beside_an_empty_array():
    text = json.dumps(
        {
            "Version": "2012-10-17",
            "Extra": 1,
            "Statement": {"Effect": "Allow", "Action": [], "Resource": "*"},
        }
    )
    assert [f.code for f in lint(text)] == ["INVALID_POLICY_ELEMENT"]


def test_deeply_nested_dict_is_refused():
    nested: list = []
    inner = nested
    for _ in range(100_000):
        inner.append([])
        inner = inner[0]
    document = {"Version": "2012-10-17", "Statement": nested}
    with pytest.raises(PolicyError):
        parse_policy(document)
    assert lint(document)[0].severity == "error"


def test_a_dict_holding_an_int_too_long_for_text_is_refused_as_syntax():
    document = json.loads(_with_condition("NumericLessThan", "1"))
    document["Statement"]["Condition"]["NumericLessThan"]["aws:CurrentTime"] = 10**5000
    with pytest.raises(PolicyError, match="Syntax errors in policy"):
        parse_policy(document)
    assert lint(document)[0].severity == "error"


SIMULATED = (
    '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", '
    '"Condition": {"Bool": {"aws:SecureTransport": "true"}}}}'
)


@pytest.mark.parametrize(
    "extra",
    [
        {"ActionNames": [5]},
        {"ActionNames": "s3:GetObject"},
        {"ResourceArns": [None]},
        {"CallerArn": 5},
        {
            "ContextEntries": [
                {
                    "ContextKeyName": "aws:SecureTransport",
                    "ContextKeyType": "boolean",
                    "ContextKeyValues": [10**5000],
                }
            ]
        },
    ],
)
def test_simulate_custom_policy_refuses_odd_parameters_as_invalid_input(extra):
    params = {"PolicyInputList": [SIMULATED], "ActionNames": ["s3:GetObject"], **extra}
    with pytest.raises(PolicyError) as raised:
        simulate_custom_policy(**params)
    assert raised.value.code == "InvalidInput"


def test_simulate_custom_policy_reads_a_huge_numeric_context_value():
    policy = _with_condition("NumericLessThan", "5").replace("aws:CurrentTime", "s3:max-keys")
    entry = {"ContextKeyName": "s3:max-keys", "ContextKeyType": "numeric"}
    response = simulate_custom_policy(
        PolicyInputList=[policy],
        ActionNames=["s3:GetObject"],
        ContextEntries=[dict(entry, ContextKeyValues=[10**5000])],
    )
    assert response["EvaluationResults"][0]["EvalDecision"] == IMPLICIT_DENY


def test_a_request_may_carry_an_int_too_long_for_str():
    from labkit.policy import Request

    policy = parse_policy(_with_condition("NumericLessThan", "5").replace("aws:CurrentTime", "k:n"))
    request = Request("s3:GetObject", "*", None, {"k:n": 10**5000})
    assert evaluate(request, [policy]).decision == IMPLICIT_DENY

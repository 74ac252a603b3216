"""PolicyEditor: validation with line and column, lint findings, a decision."""

from __future__ import annotations

import json
import time

import pytest

from labkit.lab.account import Lab
from labkit.widgets import PolicyEditor
from labkit.widgets.policy_editor import location_text

ALLOW_MFA = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowListActions",
                "Effect": "Allow",
                "Action": ["iam:ListUsers", "iam:ListVirtualMFADevices"],
                "Resource": "*",
            },
            {
                "Sid": "AllowIndividualUserToDeactivateOnlyTheirOwnMFAOnlyWhenUsingMFA",
                "Effect": "Allow",
                "Action": ["iam:DeactivateMFADevice"],
                "Resource": [
                    "arn:aws:iam::*:mfa/${aws:username}",
                    "arn:aws:iam::*:user/${aws:username}",
                ],
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            },
        ],
    },
    indent=2,
)
GARBAGE = [
    "",
    " ",
    "{",
    "}",
    "null",
    "[]",
    "1e999",
    '{"Version": 1}',
    '{"Statement": "x"}',
    "${aws:username}",
    "arn:aws:iam::*:user/${",
    "iam:*:*:*",
    "*" * 5000,
    "\x00\x01\ufffd",
    "[" * 5000,
    '{"a":' * 3000,
    "ünïcødé 🚀",
    "NaN",
]


@pytest.fixture
def lab():
    with Lab(seed=1) as lab:
        yield lab


def test_a_valid_policy_is_accepted_and_decides(lab) -> None:
    editor = PolicyEditor(lab, value=ALLOW_MFA)
    assert "Valid identity policy (2 statements)" in editor.validation.value
    assert "Allowed" in editor.decision.value  # iam:ListUsers is the default action


def test_malformed_json_shows_line_and_column(lab) -> None:
    editor = PolicyEditor(lab)
    editor.value = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow",}\n]}'
    assert "Line 4, column 24" in editor.validation.value
    assert "MalformedPolicyDocument" in editor.validation.value
    assert "Fix the policy" in editor.decision.value


def test_an_invalid_policy_points_at_the_place(lab) -> None:
    editor = PolicyEditor(lab)
    editor.value = (
        '{"Version": "2012-10-17",\n'
        ' "Statement": {"Effect": "Allo", "Action": "*", "Resource": "*"}}'
    )
    assert "Line 2" in editor.validation.value


def test_value_is_mirrored_both_ways(lab) -> None:
    editor = PolicyEditor(lab, value="{}")
    assert editor.text.value == "{}"
    editor.text.value = ALLOW_MFA  # as the front end types
    assert editor.value == ALLOW_MFA
    assert "Valid" in editor.validation.value


def test_lint_findings_show_severity_code_and_place(lab) -> None:
    editor = PolicyEditor(lab)
    editor.value = (
        '{"Version": "2012-10-17",\n'
        ' "Statement": {"Effect": "Allow", "Action": "iam:ListUser", "Resource": "*"}}'
    )
    assert "Valid" in editor.validation.value
    findings = editor.findings.value
    assert "<table" in findings
    assert "Line 2" in findings
    assert any(severity in findings for severity in ("error", "warning", "suggestion"))


def test_the_mfa_checkbox_changes_the_decision(lab) -> None:
    editor = PolicyEditor(lab, value=ALLOW_MFA)
    editor.action.value = "iam:DeactivateMFADevice"
    editor.resource.value = "arn:aws:iam::123456789012:user/alice"
    editor.user_name.value = "alice"
    assert "Implicit deny" in editor.decision.value
    editor.mfa.value = True
    assert "Allowed" in editor.decision.value
    assert "AllowIndividualUserToDeactivateOnlyTheirOwnMFAOnlyWhenUsingMFA" in editor.decision.value


def test_the_action_box_offers_matching_actions(lab) -> None:
    editor = PolicyEditor(lab, value=ALLOW_MFA)
    editor.action.value = "iam:ListU"
    assert "iam:ListUsers" in editor.action.options
    assert len(editor.action.options) <= 40


def test_a_trust_policy_is_checked_as_a_trust_policy(lab) -> None:
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"},
                "Action": "sts:AssumeRole",
            },
        }
    )
    editor = PolicyEditor(lab, value=trust, kind="trust")
    assert "Valid trust policy" in editor.validation.value
    editor.action.value = "sts:AssumeRole"
    editor.resource.value = "arn:aws:iam::123456789012:role/Admin"
    editor.user_name.value = "alice"
    assert "Allowed" in editor.decision.value


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_in_any_text_box_never_raises(lab, garbage: str) -> None:
    editor = PolicyEditor(lab, value=ALLOW_MFA)
    for box in (editor.text, editor.action, editor.resource, editor.user_name):
        box.value = garbage
        assert editor.validation.value or editor.decision.value
    editor.value = garbage
    assert editor.validation.value


def test_a_keystroke_is_fast(lab) -> None:
    editor = PolicyEditor(lab, value=ALLOW_MFA)
    start = time.perf_counter()
    for cut in range(len(ALLOW_MFA) - 40, len(ALLOW_MFA)):
        editor.value = ALLOW_MFA[:cut]
    assert (time.perf_counter() - start) / 40 < 0.05


def test_location_text() -> None:
    assert location_text(3, 5) == "Line 3, column 5"
    assert location_text(None, None) == ""


READ_ORDERS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadTheOrdersTable",
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
            }
        ],
    },
    indent=2,
)


def test_the_default_request_is_one_the_policy_governs(lab) -> None:
    """The course's experiment: turning Allow into Deny must change the decision."""
    editor = PolicyEditor(lab, value=READ_ORDERS)
    assert editor.action.value == "dynamodb:GetItem"
    assert editor.resource.value == "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
    assert "Allowed" in editor.decision.value
    editor.text.value = READ_ORDERS.replace('"Allow"', '"Deny"')  # as the learner types
    assert "Explicit deny" in editor.decision.value
    assert "ReadTheOrdersTable" in editor.decision.value
    editor.text.value = READ_ORDERS
    assert "Allowed" in editor.decision.value


def test_a_request_the_learner_chooses_stays(lab) -> None:
    editor = PolicyEditor(lab, value=READ_ORDERS)
    editor.action.value = "dynamodb:PutItem"
    editor.text.value = READ_ORDERS.replace("GetItem", "Scan")
    assert editor.action.value == "dynamodb:PutItem"
    assert "Implicit deny" in editor.decision.value
    given = PolicyEditor(lab, value=READ_ORDERS, action="s3:ListAllMyBuckets")
    assert given.action.value == "s3:ListAllMyBuckets"
    assert "Implicit deny" in given.decision.value


def test_suggested_requests_for_wildcards_variables_and_principals(lab) -> None:
    from labkit.policy import Policy
    from labkit.widgets.policy_editor import suggested_request

    wildcard = Policy.parse(
        '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", '
        '"Action": "s3:Get*", "Resource": "arn:aws:s3:::photos/*"}}'
    )
    action, resource, user = suggested_request(wildcard)
    assert action.startswith("s3:Get") and resource == "arn:aws:s3:::photos/example"
    own = Policy.parse(
        '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": '
        '"iam:ChangePassword", "Resource": "arn:aws:iam::*:user/${aws:username}"}}'
    )
    assert suggested_request(own) == (
        "iam:ChangePassword",
        "arn:aws:iam::123456789012:user/alice",
        "alice",
    )
    trust = Policy.parse(
        '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": '
        '{"AWS": "arn:aws:iam::123456789012:user/ana"}, "Action": "sts:AssumeRole"}}',
        "trust",
    )
    assert suggested_request(trust) == ("sts:AssumeRole", "*", "ana")
    everything = Policy.parse(
        '{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "NotAction": "iam:*", '
        '"Resource": "*"}}'
    )
    assert suggested_request(everything) == ("iam:ListUsers", "*", "")


def test_the_own_resource_suggestion_decides_as_the_user(lab) -> None:
    policy = (
        '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": '
        '"iam:ChangePassword", "Resource": "arn:aws:iam::*:user/${aws:username}"}}'
    )
    editor = PolicyEditor(lab, value=policy)
    assert editor.user_name.value == "alice"
    assert "Allowed" in editor.decision.value


def test_the_summary_says_validity_and_decision_in_words(lab) -> None:
    editor = PolicyEditor(lab, value=READ_ORDERS)
    assert editor.summary() == (
        "Policy editor: a valid identity policy (1 statement); dynamodb:GetItem on "
        "arn:aws:dynamodb:us-east-1:123456789012:table/orders: Allowed"
    )
    editor.value = "{"
    assert editor.summary() == (
        "Policy editor: the identity policy is not valid yet, so nothing is decided"
    )
    assert "labkit-problem" in editor.validation.value  # red, with the reason in words

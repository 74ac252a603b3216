"""TrailViewer: the Lab's trail as a table, filtered by principal and decision."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.lab.account import Lab
from labkit.widgets import TrailViewer
from labkit.widgets.trail_viewer import short_principal, trail_html

READ_USERS = (
    '{"Version":"2012-10-17","Statement":'
    '{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}}'
)


@pytest.fixture
def lab():
    with Lab(seed=1) as lab:
        iam = lab.client("iam")
        iam.create_user(UserName="alice")
        iam.put_user_policy(UserName="alice", PolicyName="read", PolicyDocument=READ_USERS)
        key = iam.create_access_key(UserName="alice")["AccessKey"]
        alice = lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"]).client("iam")
        alice.list_users()
        with pytest.raises(ClientError):
            alice.create_user(UserName="mallory")
        yield lab


def test_shows_every_call(lab) -> None:
    viewer = TrailViewer(lab)
    html = viewer.table.value
    assert "iam:CreateUser" in html and "iam:ListUsers" in html
    assert "AccessDenied" in html
    assert html.count("<tr>") == len(lab.trail) + 1  # with the header row


def test_filters_by_principal_and_decision(lab) -> None:
    viewer = TrailViewer(lab)
    alice = "arn:aws:iam::123456789012:user/alice"
    assert alice in [value for _, value in viewer.principal.options]
    viewer.principal.value = alice
    assert viewer.table.value.count("<tr>") == 3
    viewer.decision.value = "implicitDeny"
    assert len(viewer.events) == 1
    assert "user/mallory" in viewer.table.value  # the resource is the new user
    assert "iam:CreateUser" in viewer.table.value
    viewer.principal.value = ""
    viewer.decision.value = "explicitDeny"
    assert "No calls match" in viewer.table.value


def test_refresh_shows_new_calls_and_keeps_the_filters(lab) -> None:
    viewer = TrailViewer(lab)
    viewer.decision.value = "allowed"
    before = len(viewer.events)
    lab.client("iam").create_user(UserName="bob")
    viewer.refresh_button.click()
    assert viewer.decision.value == "allowed"
    assert len(viewer.events) == before + 1


def test_long_trails_are_cut_to_the_newest() -> None:
    class Event:
        def __init__(self, n: int) -> None:
            from datetime import datetime

            self.time = datetime(2024, 1, 1)
            self.principal = "arn:aws:iam::123456789012:root"
            self.action = f"iam:Action{n}"
            self.resource = "*"
            self.decision = "allowed"
            self.error_code = None
            self.error_message = None

    html = trail_html([Event(n) for n in range(300)], limit=10)
    assert "iam:Action299" in html and "iam:Action289" not in html
    assert "newest 10 of 300" in html


def test_short_principal() -> None:
    assert short_principal("arn:aws:iam::123456789012:user/alice") == "user/alice"
    assert short_principal("anonymous") == "anonymous"

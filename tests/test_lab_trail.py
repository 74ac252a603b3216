"""The trail records every call, like CloudTrail."""

from datetime import datetime

import pytest
from botocore.exceptions import ClientError

from labkit import Lab
from labkit.lab.trail import Trail, TrailEvent

ACCT = "123456789012"


@pytest.fixture
def lab():
    with Lab(seed=2) as lab:
        yield lab


def test_records_allowed_denied_and_failed_calls(lab):
    iam = lab.client("iam")
    iam.create_user(UserName="dev")
    with pytest.raises(ClientError):
        iam.get_user(UserName="ghost")
    key = iam.create_access_key(UserName="dev")["AccessKey"]
    dev = lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])
    with pytest.raises(ClientError):
        dev.client("s3").list_buckets()

    events = list(lab.trail)
    assert [(e.action, e.decision, e.error_code) for e in events] == [
        ("iam:CreateUser", "allowed", None),
        ("iam:GetUser", "allowed", "NoSuchEntity"),
        ("iam:CreateAccessKey", "allowed", None),
        ("s3:ListAllMyBuckets", "implicitDeny", "AccessDenied"),
    ]
    assert all(isinstance(e.time, datetime) for e in events)
    assert events[0].principal == f"arn:aws:iam::{ACCT}:root"
    assert events[0].resource == f"arn:aws:iam::{ACCT}:user/dev"
    assert events[3].principal == f"arn:aws:iam::{ACCT}:user/dev"


def test_filter_len_and_reprs(lab):
    iam = lab.client("iam")
    iam.create_user(UserName="dev")
    key = iam.create_access_key(UserName="dev")["AccessKey"]
    dev = lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"]).client("iam")
    for _ in range(2):
        with pytest.raises(ClientError):
            dev.list_users()
    assert len(lab.trail) == 4
    assert len(lab.trail.filter(principal="dev")) == 2
    assert (
        len(lab.trail.filter(principal=f"arn:aws:iam::{ACCT}:user/dev", decision="implicitDeny"))
        == 2
    )
    assert len(lab.trail.filter(decision="allowed")) == 2
    assert len(lab.trail.filter(action="IAM:listusers")) == 2
    assert "iam:ListUsers" in repr(lab.trail)
    html = lab.trail._repr_html_()
    assert html.startswith("<table>") and html.count("<tr>") == 5


def test_empty_trail_reprs():
    trail = Trail()
    assert repr(trail) == "Trail(no events)"
    assert "No events yet" in trail._repr_html_()
    trail.record(TrailEvent(datetime(2024, 1, 1), "p", "s3:GetObject", "<b>", "allowed"))
    assert "&lt;b&gt;" in trail._repr_html_()
    assert trail.last.succeeded


def test_clock_stamps_events(lab):
    lab.clock.freeze(datetime(2030, 5, 1, 12, 0).timestamp())
    lab.client("iam").list_users()
    assert lab.trail.last.time.timestamp() == datetime(2030, 5, 1, 12, 0).timestamp()

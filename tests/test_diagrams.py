"""The diagrams' DOT source: nodes, edges, shapes, focus, folding and legend."""

from __future__ import annotations

import importlib.util
import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labkit.diagrams import _node_id, effective_access, evaluation, grants, hierarchy
from labkit.inventory import Inventory
from labkit.policy import Policy, Request
from labkit.policy.evaluate import evaluate

ACCOUNT = "123456789012"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
MFA = f"arn:aws:iam::{ACCOUNT}:policy/Allow-MFA"
CTO = f"arn:aws:iam::{ACCOUNT}:user/CTO"


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def trust(principal: dict | str) -> dict:
    return doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


def company() -> Inventory:
    return Inventory.from_dict(
        {
            "users": [
                {
                    "name": "CTO",
                    "groups": ["Admins"],
                    "attached": [MFA],
                    "inline": {"notes": doc(allow("s3:GetObject"))},
                    "boundary": ADMIN,
                },
                {"name": "analyst", "groups": ["Business-Analysts"]},
                {"name": "loner"},
            ],
            "groups": [
                {"name": "Admins", "attached": [ADMIN]},
                {"name": "Business-Analysts", "attached": [S3_READ]},
            ],
            "roles": [
                {
                    "name": "fn",
                    "trust": trust({"Service": "lambda.amazonaws.com"}),
                    "inline": {"logs": doc(allow("logs:PutLogEvents"))},
                },
                {"name": "ops", "trust": trust({"AWS": CTO})},
                {"name": "breakglass", "trust": trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})},
            ],
            "policies": [{"name": "Allow-MFA", "document": doc(allow("iam:ListMFADevices"))}],
        }
    )


NODE = re.compile(r"^\t+(\w+) \[(.*)\]$", re.M)
EDGE = re.compile(r"^\t+(\w+) -> (\w+)(?: \[(.*)\])?$", re.M)


def nodes(source: str) -> dict[str, str]:
    return {m[1]: m[2] for m in NODE.finditer(source) if m[1] not in ("graph", "node", "edge")}


def edges(source: str) -> dict[tuple[str, str], str]:
    return {(m[1], m[2]): m[3] or "" for m in EDGE.finditer(source)}


def uid(kind: str, arn: str) -> str:
    return _node_id(kind, arn)


def user(name: str) -> str:
    return uid("user", f"arn:aws:iam::{ACCOUNT}:user/{name}")


def group(name: str) -> str:
    return uid("group", f"arn:aws:iam::{ACCOUNT}:group/{name}")


def role(name: str) -> str:
    return uid("role", f"arn:aws:iam::{ACCOUNT}:role/{name}")


# -- hierarchy ------------------------------------------------------------------


def test_every_entity_is_a_node_with_its_kind_and_shape() -> None:
    found = nodes(hierarchy(company()).source)
    assert "shape=box" in found[user("CTO")] and "class=user" in found[user("CTO")]
    assert "shape=folder" in found[group("Admins")]
    assert "shape=hexagon" in found[role("fn")]
    aws, customer = found[uid("aws", ADMIN)], found[uid("customer", MFA)]
    inline = found[uid("inline", f"{CTO}#inline/notes")]
    assert "class=aws" in aws and "class=customer" in customer and "class=inline" in inline
    # The three kinds of policy look different.
    fills = {re.search(r'fillcolor="([^"]+)"', n)[1] for n in (aws, customer, inline)}
    assert len(fills) == 3 and "dashed" in inline
    assert "label=AdministratorAccess" in aws


def test_edges_for_membership_attachment_inline_and_boundary() -> None:
    found = edges(hierarchy(company()).source)
    assert "class=member" in found[(user("CTO"), group("Admins"))]
    assert "class=attached" in found[(group("Admins"), uid("aws", ADMIN))]
    assert "class=attached" in found[(user("CTO"), uid("customer", MFA))]
    assert "class=inline" in found[(user("CTO"), uid("inline", f"{CTO}#inline/notes"))]
    boundary = found[(user("CTO"), uid("aws", ADMIN))]
    assert "style=dashed" in boundary and "class=boundary" in boundary


def test_trust_policies_become_can_assume_edges_from_the_principals() -> None:
    source = hierarchy(company()).source
    found, drawn = edges(source), nodes(source)
    service = uid("service", "lambda.amazonaws.com")
    assert 'label="lambda.amazonaws.com"' in drawn[service] and "shape=ellipse" in drawn[service]
    assert 'label="can assume"' in found[(service, role("fn"))]
    # A user named in a trust policy is the user's own node.
    assert "class=assume" in found[(user("CTO"), role("ops"))]
    # The account root stands for the account.
    account = uid("account", f"account:{ACCOUNT}")
    assert f"account {ACCOUNT} (this account)" in drawn[account]
    assert (account, role("breakglass")) in found


def test_legend_subgraph_shows_each_kind_and_edge() -> None:
    source = hierarchy(company()).source
    assert "subgraph cluster_legend" in source
    legend = {n for n in nodes(source) if n.startswith("legend_")}
    assert {
        "legend_user",
        "legend_group",
        "legend_role",
        "legend_aws",
        "legend_customer",
        "legend_inline",
        "legend_service",
    } <= legend
    assert 'label="permissions boundary"' in source and 'label="can assume"' in source
    assert "cluster_legend" not in hierarchy(company(), legend=False).source


def test_layout_is_compact_left_to_right() -> None:
    source = hierarchy(company()).source
    assert "rankdir=LR" in source and "fontname=Helvetica" in source


def test_same_state_gives_the_same_source() -> None:
    data = company().to_dict()
    shuffled = {key: list(reversed(v)) if isinstance(v, list) else v for key, v in data.items()}
    assert (
        hierarchy(Inventory.from_dict(data)).source
        == hierarchy(Inventory.from_dict(shuffled)).source
    )


def test_focus_on_a_user_keeps_what_it_reaches() -> None:
    drawn = nodes(hierarchy(company(), focus="CTO").source)
    assert {user("CTO"), group("Admins"), uid("aws", ADMIN), role("ops")} <= set(drawn)
    assert user("analyst") not in drawn and group("Business-Analysts") not in drawn
    assert role("fn") not in drawn
    assert "around CTO" in hierarchy(company(), focus=CTO).source


def test_focus_on_a_policy_keeps_who_holds_it() -> None:
    drawn = nodes(hierarchy(company(), focus=S3_READ).source)
    assert {user("analyst"), group("Business-Analysts"), uid("aws", S3_READ)} <= set(drawn)
    assert user("CTO") not in drawn


def test_focus_on_a_service_keeps_the_roles_it_may_assume() -> None:
    drawn = nodes(hierarchy(company(), focus="lambda.amazonaws.com").source)
    assert role("fn") in drawn and role("ops") not in drawn


def test_unknown_focus_is_an_error() -> None:
    with pytest.raises(ValueError, match="nobody"):
        hierarchy(company(), focus="nobody")


def _synthetic():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "views.py"
    spec = importlib.util.spec_from_file_location("views_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.synthetic_account


@pytest.fixture(scope="module")
def big() -> Inventory:
    return _synthetic()()


def _boxes(source: str) -> dict[str, str]:
    return {
        k: v for k, v in nodes(source).items() if not k.startswith("legend_") and k != "folded_note"
    }


def test_a_large_account_is_folded_to_the_budget(big: Inventory) -> None:
    source = hierarchy(big).source
    boxes = _boxes(source)
    assert 100 <= len(boxes) <= 150
    note = nodes(source)["folded_note"]
    assert "Folded to stay readable" in note and "expand=" in note
    assert "1,000 users, 100 groups, 200 roles" in source


def test_folded_members_are_counted_per_group(big: Inventory) -> None:
    source = hierarchy(big).source
    found = edges(source)
    members = {k: v for k, v in _boxes(source).items() if k.startswith("members_group_")}
    assert members
    node, attrs = sorted(members.items())[0]
    target = node.removeprefix("members_")
    name = nodes(source)[target].split('"')[1]
    plain = [
        u
        for u in big.users
        if name in u.groups and not u.attached and not u.inline and not u.boundary
    ]
    assert f'label="{len(plain)} users"' in attrs
    assert (node, target) in found


def test_roles_fold_by_whom_they_trust(big: Inventory) -> None:
    boxes = _boxes(hierarchy(big).source)
    lambda_roles = [
        r
        for r in big.roles
        if r.trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    ]
    labels = [v for v in boxes.values() if "trusting lambda.amazonaws.com" in v]
    assert labels == [labels[0]] and f'label="{len(lambda_roles)} roles' in labels[0]


def test_expand_draws_a_group_in_full(big: Inventory) -> None:
    name = "team-042"
    drawn = _boxes(hierarchy(big, expand=[name]).source)
    members = big.members(name)
    assert members and all(user(m) in drawn for m in members)
    assert group(name) in drawn


def test_a_small_account_is_not_folded() -> None:
    assert "folded_note" not in hierarchy(company()).source
    assert "folded_note" in hierarchy(company(), max_nodes=5).source


def test_large_hierarchy_renders_in_seconds(big: Inventory) -> None:
    start = time.perf_counter()
    svg = hierarchy(big).pipe(format="svg")
    assert time.perf_counter() - start < 10
    assert svg.startswith(b"<?xml") and b"<svg" in svg


def test_hierarchy_renders_as_svg_in_jupyter() -> None:
    bundle = hierarchy(company())._repr_mimebundle_()
    assert "image/svg+xml" in bundle


# -- evaluation -----------------------------------------------------------------

IDENTITY = Policy.parse(
    doc(
        {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {
            "Sid": "NoIamWithoutMfa",
            "Effect": "Deny",
            "Action": "iam:*",
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        },
    )
).named("Admin")
BOUNDARY = Policy.parse(
    doc({"Sid": "S3Only", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}), "boundary"
).named("Bound")


def taken(source: str) -> set[tuple[str, str]]:
    return {pair for pair, attrs in edges(source).items() if "class=taken" in attrs}


def test_evaluation_highlights_an_explicit_deny() -> None:
    decision = evaluate(Request("iam:CreateUser", principal=CTO), identity=[IDENTITY])
    source = evaluation(decision).source
    assert taken(source) == {("request", "q_deny"), ("q_deny", "r_explicit")}
    assert "class=taken" in nodes(source)["r_explicit"]
    assert "Admin · NoIamWithoutMfa" in nodes(source)["why_q_deny"]
    assert "iam:CreateUser" in nodes(source)["request"]


def test_evaluation_of_an_allowed_request_walks_every_step() -> None:
    decision = evaluate(Request("s3:GetObject"), identity=[IDENTITY], boundaries=[BOUNDARY])
    source = evaluation(decision).source
    assert taken(source) == {
        ("request", "q_deny"),
        ("q_deny", "q_allow"),
        ("q_allow", "q_boundary"),
        ("q_boundary", "q_session"),
        ("q_session", "r_allowed"),
    }
    assert "Admin · Everything" in nodes(source)["why_q_allow"]
    assert "Bound · S3Only" in nodes(source)["why_q_boundary"]


def test_evaluation_of_a_boundary_denial_stops_at_the_boundary() -> None:
    decision = evaluate(Request("ec2:RunInstances"), identity=[IDENTITY], boundaries=[BOUNDARY])
    source = evaluation(decision).source
    assert ("q_boundary", "r_implicit") in taken(source)
    assert ("q_allow", "r_implicit") not in taken(source)
    assert "Bound · S3Only: action does not match" in nodes(source)["why_r_implicit"]


def test_evaluation_of_an_implicit_deny_lists_the_missed_conditions() -> None:
    policy = Policy.parse(
        doc(
            {
                "Sid": "WithMfa",
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            }
        )
    ).named("P")
    source = evaluation(evaluate(Request("s3:ListBucket"), identity=[policy])).source
    assert ("q_allow", "r_implicit") in taken(source)
    note = nodes(source)["why_r_implicit"]
    assert "P · WithMfa" in note and "aws:MultiFactorAuthPresent" in note


# -- effective access -----------------------------------------------------------


def access() -> Inventory:
    bucket = "arn:aws:s3:::reports/*"
    return Inventory.from_dict(
        {
            "users": [
                {
                    "name": "dev",
                    "groups": ["Developers"],
                    "inline": {
                        "no-delete": doc(
                            {
                                "Sid": "NoDelete",
                                "Effect": "Deny",
                                "Action": "s3:DeleteObject",
                                "Resource": "*",
                            }
                        )
                    },
                },
                {
                    "name": "bounded",
                    "attached": [f"arn:aws:iam::{ACCOUNT}:policy/wide"],
                    "boundary": f"arn:aws:iam::{ACCOUNT}:policy/ddb-only",
                },
            ],
            "groups": [{"name": "Developers", "attached": [f"arn:aws:iam::{ACCOUNT}:policy/dev"]}],
            "policies": [
                {
                    "name": "dev",
                    "document": doc(
                        allow("s3:Get*"),
                        allow(["s3:PutObject", "s3:DeleteObject"], bucket),
                        {
                            "Effect": "Deny",
                            "Action": "s3:GetObject",
                            "Resource": "*",
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        },
                    ),
                },
                {"name": "wide", "document": doc(allow(["dynamodb:*", "sqs:*"]))},
                {"name": "ddb-only", "document": doc(allow("dynamodb:*"))},
            ],
            "roles": [{"name": "admin", "attached": [ADMIN]}],
        }
    )


def test_grants_expand_wildcards_and_respect_denies() -> None:
    found = {g.action: g for g in grants(access(), "dev")}
    from labkit.policy import catalog

    assert set(catalog.expand("s3:Get*")) <= set(found)
    assert found["s3:GetBucketPolicy"].full
    assert found["s3:GetBucketPolicy"].sources == ("dev (via group Developers)",)
    assert not found["s3:GetObject"].full  # denied under a condition
    assert not found["s3:PutObject"].full  # only in one bucket
    assert "s3:DeleteObject" not in found  # denied everywhere
    assert found["s3:PutObject"].level == "Write"


def test_grants_stay_within_the_boundary() -> None:
    found = {g.action.split(":")[0] for g in grants(access(), "bounded")}
    assert found == {"dynamodb"}


def test_effective_access_groups_by_service_and_level() -> None:
    source = effective_access(access(), "dev").source
    drawn = nodes(source)
    s3 = drawn[f"svc_{_node_id('s', 's3')}"]
    assert "<B>s3</B>" in s3 and ">Read<" in s3 and ">Write<" in s3
    policy = _node_id("p", "dev (via group Developers)")
    assert 'label="dev\\n(via group Developers)"' in drawn[policy]
    found = edges(source)
    assert (uid("user", f"arn:aws:iam::{ACCOUNT}:user/dev"), policy) in found
    assert "actions" in found[(policy, f"svc_{_node_id('s', 's3')}")]
    assert "removed by an explicit deny" in drawn["access_note"]


def test_effective_access_names_few_actions_and_marks_limited_ones() -> None:
    inventory = Inventory.from_dict(
        {
            "users": [
                {
                    "name": "u",
                    "inline": {
                        "p": doc(
                            allow("s3:ListAllMyBuckets"), allow("s3:GetObject", "arn:aws:s3:::x/*")
                        )
                    },
                }
            ],
        }
    )
    s3 = nodes(effective_access(inventory, "u").source)[f"svc_{_node_id('s', 's3')}"]
    assert "ListAllMyBuckets" in s3 and "<I>GetObject</I>" in s3 and "1 limited" in s3


def test_effective_access_of_an_admin_role_is_bounded() -> None:
    source = effective_access(access(), "admin", max_services=10).source
    services = [n for n in nodes(source) if n.startswith("svc_")]
    assert len(services) == 11 and "svc_more" in services
    assert "more services" in nodes(source)["svc_more"]
    assert "What role admin may do" in source


def test_effective_access_of_an_unknown_principal_is_an_error() -> None:
    with pytest.raises(ValueError, match="ghost"):
        effective_access(access(), "ghost")


# -- a real Lab -----------------------------------------------------------------


def test_hierarchy_and_access_of_a_lab() -> None:
    from labkit import Lab

    with Lab(seed=1) as lab:
        iam = lab.client("iam")
        iam.create_group(GroupName="Developers")
        iam.attach_group_policy(GroupName="Developers", PolicyArn=S3_READ)
        iam.create_user(UserName="CTO")
        iam.add_user_to_group(GroupName="Developers", UserName="CTO")
        iam.create_role(
            RoleName="fn",
            AssumeRolePolicyDocument=json.dumps(trust({"Service": "lambda.amazonaws.com"})),
        )
        source = hierarchy(lab).source
        found = edges(source)
        assert (user("CTO"), group("Developers")) in found
        assert (group("Developers"), uid("aws", S3_READ)) in found
        assert (uid("service", "lambda.amazonaws.com"), role("fn")) in found
        access_source = effective_access(lab, "CTO").source
        assert "<B>s3</B>" in access_source


# -- any text renders -------------------------------------------------------------

# (what, text as written, what the SVG shows of it)
ODD_TEXT = [
    ("NUL", "a\x00b", "a\\u0000b"),
    ("a lone surrogate", "a\ud800b", "a\ufffdb"),
    ("a low surrogate", "\udfffz", "\ufffdz"),
    ("a bell", "a\x07b", "a\\u0007b"),
    ("an escape sequence", "\x1b[31mred", "\\u001b[31mred"),
    ("a vertical tab", "a\x0bb", "a\\u000bb"),
    ("DEL", "a\x7fb", "a\\u007fb"),
    ("a C1 control", "a\x85b", "a\\u0085b"),
    ("U+FFFE", "a\ufffeb", "a\ufffdb"),
    ("U+FFFF", "a\uffffb", "a\ufffdb"),
    ("an HTML-like label", "<b>bold<i>", "&lt;b&gt;bold&lt;i&gt;"),
    ("an entity of a control", "a&#1;b", "a&amp;#1;b"),
    ("an entity", "R&amp;D", "R&amp;amp;D"),
    ("a quote", 'say "hi"', "say &quot;hi&quot;"),
    ("a trailing backslash", "dir\\", "dir\\"),
    ("an escape graphviz knows", "\\N\\G\\l", "\\N\\G\\l"),
    ("a DOT keyword", "node", "node"),
    ("an emoji", "deploy 🚀", "deploy 🚀"),
    ("right-to-left text", "\u202eabc", "\u202eabc"),
]


def _svg(dot) -> str:
    """Render with dot -Tsvg; the SVG must be well-formed XML, as Jupyter needs."""
    from xml.dom import minidom

    svg = dot.pipe(format="svg")
    minidom.parseString(svg)
    return svg.decode("utf-8")


def odd_account(name: str) -> Inventory:
    """Every kind of name in an account holding ``name``."""
    return Inventory.from_dict(
        {
            "users": [
                {
                    "name": name,
                    "groups": [name],
                    "attached": [f"arn:aws:iam::{ACCOUNT}:policy/{name}"],
                    "inline": {name: doc(allow("s3:GetObject"))},
                },
            ],
            "groups": [{"name": name}],
            "roles": [
                {
                    "name": name,
                    "trust": trust({"Service": name, "AWS": f"arn:aws:iam::{ACCOUNT}:user/{name}"}),
                    "inline": {name: doc(allow("logs:PutLogEvents"))},
                }
            ],
            "policies": [{"name": name, "document": doc(allow("iam:ListUsers"))}],
        }
    )


def odd_decision(text: str):
    """An implicit deny whose request, policy name and condition hold ``text``."""
    policy = Policy.parse(
        doc(
            allow(
                "s3:GetObject",
                Condition={"StringEquals": {"aws:PrincipalTag/team": text or "x"}},
            )
        )
    ).named(text)
    request = Request(
        "s3:GetObject",
        f"arn:aws:s3:::bucket/{text}",
        principal=f"arn:aws:iam::{ACCOUNT}:user/{text}",
        context={"aws:PrincipalTag/team": f"{text}!"},
    )
    return evaluate(request, identity=[policy])


@pytest.mark.parametrize(("what", "text", "shown"), ODD_TEXT, ids=[t[0] for t in ODD_TEXT])
def test_any_name_renders_in_the_hierarchy_as_written(what: str, text: str, shown: str) -> None:
    svg = _svg(hierarchy(odd_account(text)))
    assert shown in svg, what


@pytest.mark.parametrize(("what", "text", "shown"), ODD_TEXT, ids=[t[0] for t in ODD_TEXT])
def test_any_text_renders_in_the_evaluation_diagram(what: str, text: str, shown: str) -> None:
    svg = _svg(evaluation(odd_decision(text)))
    assert shown in svg, what


@pytest.mark.parametrize(("what", "text", "shown"), ODD_TEXT, ids=[t[0] for t in ODD_TEXT])
def test_any_name_renders_in_effective_access(what: str, text: str, shown: str) -> None:
    svg = _svg(effective_access(odd_account(text), text))
    assert shown in svg, what


# (what, text): each too long for one graphviz string once written as DOT.
LONG_TEXT = [
    ("plain letters", "x" * 20_000),
    ("two-byte letters", "é" * 9_000),
    ("backslashes, written as entities", "\\" * 9_000),
    ("quotes, escaped in DOT", '"' * 9_000),
    ("ampersands, written as entities", "&" * 4_000),
    ("control characters, written as escapes", "\x00" * 3_000),
    ("a megabyte", "policy " * 150_000),
]


@pytest.mark.parametrize(("what", "text"), LONG_TEXT, ids=[t[0] for t in LONG_TEXT])
def test_a_label_too_long_for_graphviz_is_shortened_with_an_ellipsis(what: str, text: str) -> None:
    from labkit.diagrams import GRAPHVIZ_LIMIT

    dot = hierarchy(odd_account(text), legend=False)
    labels = re.findall(r'label="((?:[^"\\]|\\.)*)"', dot.source)
    assert labels and all(len(label.encode()) < GRAPHVIZ_LIMIT for label in labels), what
    assert any(label.endswith("…") for label in labels), what
    _svg(dot)


def test_a_long_sid_and_request_are_shortened_in_the_evaluation_diagram() -> None:
    policy = Policy.parse(doc(allow("s3:GetObject", Sid="S" * 20_000))).named("P")
    decision = evaluate(Request("s3:GetObject", "arn:aws:s3:::b/" + "k" * 20_000), [policy])
    source = evaluation(decision).source
    assert "…" in nodes(source)["request"] and "…" in nodes(source)["why_q_allow"]
    _svg(evaluation(decision))


def test_left_aligned_notes_keep_a_written_backslash_n() -> None:
    # A backslash and an n in a condition value are text, not a line break.
    svg = _svg(evaluation(odd_decision("a\\nb")))
    assert "a\\nb!" in svg


def test_long_runs_of_backslashes_are_written_without_raw_backslashes() -> None:
    # The graphviz package quotes runs of raw backslashes in quadratic time.
    source = hierarchy(odd_account("\\" * 5_000), legend=False).source
    assert "\\\\\\" not in source
    assert "&#92;&#92;" in source


def test_a_name_with_a_lone_surrogate_still_gets_its_own_node_id() -> None:
    assert _node_id("user", "a\ud800") != _node_id("user", "a\ud801")


@pytest.mark.slow
@settings(max_examples=30, deadline=None, derandomize=True)
@given(name=st.text(max_size=40), text=st.text(max_size=40))
def test_arbitrary_text_always_renders_through_dot(name: str, text: str) -> None:
    _svg(hierarchy(odd_account(name)))
    _svg(evaluation(odd_decision(text)))
    if "/" in name:  # a path, not a name: IAM names never hold one
        with pytest.raises(ValueError, match="no user or role named"):
            effective_access(odd_account(name), name)
    else:
        _svg(effective_access(odd_account(name), name))

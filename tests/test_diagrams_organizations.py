"""The organization diagram, and the evaluation diagram of decisions the
organization's guardrails took part in: DOT source (nodes, labels, edges)
and rendering through ``dot -Tsvg``.

What is drawn follows AWS's documentation:

- The root, OUs and accounts, and policies attached to each of them:
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_ous.html
- A policy type counts once it is enabled on the root:
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_enable-disable.html
- SCPs and RCPs do not affect the management account:
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
- An allow is needed at every level, a deny at any level refuses:
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
- Deny evaluation first, then RCPs, then SCPs, then the other policies:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
- A role trusted by another account (its root, a user or a role of it):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_aws-accounts.html
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from labkit import Lab
from labkit.diagrams import _node_id, evaluation, organization
from labkit.policy import Policy, Request
from labkit.policy.evaluate import evaluate

MGMT = "123456789012"
ADMIN_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
ACCESS_ROLE = "OrganizationAccountAccessRole"
SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


class Org:
    """A management account with one member account, ``dev``, and an
    administrator user in the management account (as in
    tests/test_lab_organizations.py)."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.org = lab.client("organizations")
        self.id = self.org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
        self.root = self.org.list_roots()["Roots"][0]["Id"]
        self.dev = self.account("dev")
        iam = lab.client("iam")
        iam.create_user(UserName="admin")
        iam.attach_user_policy(UserName="admin", PolicyArn=ADMIN_ACCESS)
        key = iam.create_access_key(UserName="admin")["AccessKey"]
        self.admin = lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])

    def account(self, name: str, email: str | None = None) -> str:
        status = self.org.create_account(AccountName=name, Email=email or f"{name}@example.com")
        return str(status["CreateAccountStatus"]["AccountId"])

    def role_arn(self, name: str = ACCESS_ROLE, account: str | None = None) -> str:
        return f"arn:aws:iam::{account or self.dev}:role/{name}"

    def member_admin(self, account: str | None = None) -> Any:
        """A session of a member's OrganizationAccountAccessRole."""
        return self.admin.assume_role(
            RoleArn=self.role_arn(account=account), RoleSessionName="admin"
        )

    def policy(self, name: str, *statements: dict[str, Any], kind: str = SCP, target: str) -> str:
        summary = self.org.create_policy(
            Name=name, Description=name, Type=kind, Content=doc(*statements)
        )["Policy"]["PolicySummary"]
        self.org.attach_policy(PolicyId=summary["Id"], TargetId=target)
        return str(summary["Id"])

    def unit(self, name: str, parent: str | None = None) -> str:
        made = self.org.create_organizational_unit(ParentId=parent or self.root, Name=name)
        return str(made["OrganizationalUnit"]["Id"])

    def move(self, account: str, unit: str) -> None:
        self.org.move_account(AccountId=account, SourceParentId=self.root, DestinationParentId=unit)

    def enable(self, kind: str = SCP) -> None:
        self.org.enable_policy_type(RootId=self.root, PolicyType=kind)


@pytest.fixture
def org() -> Iterator[Org]:
    with Lab(seed=3) as lab:
        yield Org(lab)


# -- reading DOT source -----------------------------------------------------------

NODE = re.compile(r"^\t+(\w+) \[(.*)\]$", re.M)
EDGE = re.compile(r"^\t+(\w+) -> (\w+)(?: \[(.*)\])?$", re.M)


def nodes(source: str) -> dict[str, str]:
    return {m[1]: m[2] for m in NODE.finditer(source) if m[1] not in ("graph", "node", "edge")}


def edges(source: str) -> dict[tuple[str, str], str]:
    return {(m[1], m[2]): m[3] or "" for m in EDGE.finditer(source)}


def label(attrs: str) -> str:
    """A node's or edge's plain label as written in DOT (line breaks as ``\\n``)."""
    found = re.search(r'label=("(?:[^"\\]|\\.)*"|\S+)', attrs)
    assert found, attrs
    return found[1].strip('"')


@dataclass(frozen=True)
class Box:
    """One policy box in a target's box: its words (lines joined by ``\\n``),
    its fill and whether it is dashed."""

    text: str
    fill: str
    dashed: bool


CELL = re.compile(
    r'<TD BORDER="1" BGCOLOR="([^"]+)"( STYLE="dashed")? TOOLTIP="[^"]*">'
    r'<FONT POINT-SIZE="8">(.*?)</FONT></TD>'
)
HEAD = re.compile(r'<TD COLSPAN="\d+">(.*?)</TD>')


def _lines(html: str) -> str:
    return html.replace("<BR/>", "\\n")


def boxes_of(source: str, target_id: str) -> list[Box]:
    """The policy boxes drawn in a target's box, in order (SCPs first)."""
    attrs = nodes(source)[_owner(target_id)]
    return [Box(_lines(m[3]), m[1], bool(m[2])) for m in CELL.finditer(attrs)]


def policy_boxes(source: str, target_id: str) -> list[str]:
    """The words of the policy boxes in a target's box."""
    return [box.text for box in boxes_of(source, target_id)]


def heading(source: str, target_id: str) -> str:
    """The name lines of a target's box."""
    found = HEAD.search(nodes(source)[_owner(target_id)])
    assert found
    return _lines(found[1])


def svg(dot: Any) -> str:
    """Render with dot -Tsvg; the SVG must be well-formed XML, as Jupyter needs."""
    from xml.dom import minidom

    out = dot.pipe(format="svg")
    minidom.parseString(out)
    return str(out.decode("utf-8"))


def account_node(account_id: str) -> str:
    return _node_id("acct", account_id)


def target_node(target_id: str) -> str:
    prefix = "root" if target_id.startswith("r-") else "ou"
    return _node_id(prefix, target_id)


def _owner(target_id: str) -> str:
    return account_node(target_id) if target_id.isdigit() else target_node(target_id)


# -- the organization: tree and policy boxes ----------------------------------------


def test_a_two_level_organization_with_an_ou_and_its_policy_boxes(org: Org) -> None:
    """Root -> OU -> account, each with its attached SCPs and RCPs beside it,
    SCPs and RCPs in colours of their own and named in words."""
    org.enable(SCP)
    org.enable(RCP)
    unit = org.unit("Workloads")
    org.move(org.dev, unit)
    org.policy("only-s3", {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, target=unit)
    org.policy(
        "keep-buckets",
        {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": "*"},
        kind=RCP,
        target=org.dev,
    )
    source = organization(org.lab).source
    found, links = nodes(source), edges(source)
    root, ou, dev, mgmt = (
        target_node(org.root),
        target_node(unit),
        account_node(org.dev),
        account_node(MGMT),
    )
    # The tree, top down.
    assert "rankdir=TB" in source
    for parent, child in ((root, ou), (ou, dev), (root, mgmt)):
        assert "class=contains" in links[(parent, child)], (parent, child)
    assert (root, dev) not in links  # dev now hangs from the OU
    assert heading(source, org.root) == f"Root\\n{org.root}"
    assert heading(source, unit) == f"Workloads\\nOU {unit}"
    assert heading(source, org.dev) == f"dev\\n{org.dev}"
    assert heading(source, MGMT).startswith(f"master\\n{MGMT}\\nmanagement account")
    assert "class=management" in found[mgmt] and "class=account" in found[dev]
    # Policy boxes, per target, as attached (SCPs first).
    expected = [
        (org.root, ["SCP\\nFullAWSAccess", "RCP\\nRCPFullAWSAccess"]),
        (unit, ["SCP\\nFullAWSAccess", "SCP\\nonly-s3", "RCP\\nRCPFullAWSAccess"]),
        (org.dev, ["SCP\\nFullAWSAccess", "RCP\\nRCPFullAWSAccess", "RCP\\nkeep-buckets"]),
    ]
    for target, boxes in expected:
        assert policy_boxes(source, target) == boxes, target
    scp_box, rcp_box = boxes_of(source, unit)[1], boxes_of(source, org.dev)[2]
    assert scp_box.fill != rcp_box.fill
    assert not scp_box.dashed and not rcp_box.dashed  # both in force
    # Nothing says a type is off, and the drawing renders.
    assert "not enabled" not in source
    drawn = svg(organization(org.lab))
    # SVG writes a hyphen as &#45;.
    assert "only&#45;s3" in drawn and "keep&#45;buckets" in drawn and "Workloads" in drawn


def test_the_management_accounts_policies_are_marked_as_not_applying(org: Org) -> None:
    """SCPs and RCPs never affect the management account: its boxes say so."""
    org.enable(SCP)
    source = organization(org.lab).source
    mine, theirs = boxes_of(source, MGMT)[0], boxes_of(source, org.dev)[0]
    assert mine.text == "SCP\\nFullAWSAccess\\n(does not apply here)"
    assert theirs.text == "SCP\\nFullAWSAccess"
    assert mine.dashed and not theirs.dashed
    assert mine.fill != theirs.fill
    assert heading(source, MGMT).endswith("management account:\\nno SCP or RCP applies to it")


# (enabled types, notes expected, notes not expected)
ENABLED = [
    (
        (),
        ["SCPs not enabled: they do not apply yet", "RCPs not enabled: they do not apply yet"],
        [],
    ),
    ((SCP,), ["RCPs not enabled: they do not apply yet"], ["SCPs not enabled"]),
    ((RCP,), ["SCPs not enabled: they do not apply yet"], ["RCPs not enabled"]),
    ((SCP, RCP), [], ["SCPs not enabled", "RCPs not enabled"]),
]


@pytest.mark.parametrize(
    ("enabled", "shown", "hidden"), ENABLED, ids=["none", "scp", "rcp", "both"]
)
def test_a_type_not_enabled_is_noted_and_its_boxes_say_so(
    org: Org, enabled: tuple[str, ...], shown: list[str], hidden: list[str]
) -> None:
    for kind in enabled:
        org.enable(kind)
    source = organization(org.lab).source
    notes = [label(attrs) for node, attrs in nodes(source).items() if node.startswith("note_")]
    assert notes == shown
    for text in hidden:
        assert text not in source
    boxes = policy_boxes(source, org.dev)
    scp_on = SCP in enabled
    rcp_on = RCP in enabled
    assert boxes == [
        "SCP\\nFullAWSAccess" + ("" if scp_on else "\\n(not enabled)"),
        "RCP\\nRCPFullAWSAccess" + ("" if rcp_on else "\\n(not enabled)"),
    ]
    dev_scp, dev_rcp = boxes_of(source, org.dev)
    assert dev_scp.dashed is not scp_on and dev_rcp.dashed is not rcp_on
    for text in shown:
        assert text in svg(organization(org.lab, legend=False))


def test_without_an_organization_it_says_so_plainly() -> None:
    with (
        Lab(seed=5) as lab,
        pytest.raises(ValueError, match=r"^The Lab's account has no organization yet"),
    ):
        organization(lab)
    with pytest.raises(ValueError, match="no organization"):
        organization(object())  # not a Lab at all


def test_drawing_makes_no_call(org: Org) -> None:
    """Read from the Lab's state: the trail shows only what the learner did."""
    before = len(org.lab.trail)
    organization(org.lab)
    assert len(org.lab.trail) == before


# -- cross-account trust ----------------------------------------------------------

ROLE_SEEN = "arn:aws:iam::{mgmt}:role/Deployer"
USER_SEEN = "arn:aws:iam::{mgmt}:user/auditor"

# (what, principal written in the trust policy, drawn from: "account" | "principal" | None,
#  the principal node's label when drawn from a principal)
TRUSTS = [
    ("the management account's root", "arn:aws:iam::{mgmt}:root", "account", None),
    ("the management account by id", "{mgmt}", "account", None),
    ("a management-account user", USER_SEEN, "principal", "auditor\\n(user)"),
    ("a management-account role", ROLE_SEEN, "principal", "Deployer\\n(role)"),
    ("an account outside the Lab", "arn:aws:iam::999999999999:root", None, None),
    ("the role's own account", "arn:aws:iam::{dev}:root", None, None),
]


@pytest.mark.parametrize(
    ("what", "principal", "drawn_from", "shown"), TRUSTS, ids=[t[0] for t in TRUSTS]
)
def test_a_role_trusting_another_account_of_the_lab_is_a_can_assume_edge(
    org: Org, what: str, principal: str, drawn_from: str | None, shown: str | None
) -> None:
    iam = org.lab.client("iam")
    iam.create_user(UserName="auditor")
    iam.create_role(
        RoleName="Deployer",
        AssumeRolePolicyDocument=doc(
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "*"}
        ),
    )
    written = principal.format(mgmt=MGMT, dev=org.dev)
    trust = {"Effect": "Allow", "Principal": {"AWS": written}, "Action": "sts:AssumeRole"}
    org.member_admin().client("iam").create_role(
        RoleName="Audit", AssumeRolePolicyDocument=doc(trust)
    )
    source = organization(org.lab).source
    found, links = nodes(source), edges(source)
    assumes = {pair: attrs for pair, attrs in links.items() if "class=assume" in attrs}
    # The member's OrganizationAccountAccessRole always trusts the management account.
    standard = (account_node(MGMT), account_node(org.dev))
    assert label(assumes.pop(standard)).startswith("can assume\\n")
    into_dev = {pair: attrs for pair, attrs in assumes.items() if pair[1] == account_node(org.dev)}
    if drawn_from is None:
        assert "Audit" not in label(links[standard]), what
        assert not into_dev, what
        return
    if drawn_from == "account":
        # Same source as OrganizationAccountAccessRole: one edge, both roles.
        assert label(links[standard]) == f"can assume\\nAudit\\n{ACCESS_ROLE}", what
        assert not into_dev, what
    else:
        node = _node_id("principal", written)
        assert label(found[node]) == shown, what
        attrs = links[(node, account_node(org.dev))]
        assert label(attrs) == "can assume\\nAudit", what
        assert "dashed" in attrs, what
        # The principal hangs from its own account.
        assert "class=in" in links[(account_node(MGMT), node)], what
    assert "style=dashed" in links[standard]
    assert "can assume" in svg(organization(org.lab))


def test_trust_between_two_members_and_many_roles_on_one_edge(org: Org) -> None:
    """Roles of one member trusting another member: one edge, role names
    listed up to five, the rest counted."""
    prod = org.account("prod")
    trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{org.dev}:root"},
            "Action": "sts:AssumeRole",
        }
    )
    iam = org.member_admin(prod).client("iam")
    names = [f"Reader{i}" for i in range(7)]
    for name in names:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
    source = organization(org.lab).source
    attrs = edges(source)[(account_node(org.dev), account_node(prod))]
    assert label(attrs) == "can assume\\n" + "\\n".join(names[:5]) + "\\n… and 2 more"
    assert "class=assume" in attrs and "constraint=false" in attrs
    svg(organization(org.lab))


# -- many accounts, odd names -------------------------------------------------------

# (what, name, how the SVG shows it)
ODD = [
    (
        "quotes and markup",
        'Work "loads" <b>&amp;</b>',
        "Work &quot;loads&quot; &lt;b&gt;&amp;amp;&lt;/b&gt;",
    ),
    ("backslashes", "a\\nb\\\\c", "a\\nb\\\\c"),
    ("escapes graphviz knows", "\\N\\G\\l", "\\N\\G\\l"),
    ("a trailing backslash", "dir\\", "dir\\<"),
    ("a control character", "é\x01x", "é\\u0001x"),
    ("an emoji", "deploy 🚀", "deploy 🚀"),
    ("longer than AWS allows", "x" * 300, "x" * 127 + "…<"),
]


@pytest.mark.parametrize(("what", "name", "shown"), ODD, ids=[o[0] for o in ODD])
def test_odd_names_render_as_written(org: Org, what: str, name: str, shown: str) -> None:
    """An OU, an account and an SCP with the same name: each box shows it."""
    org.enable()
    unit = org.unit(name)
    odd = org.account(name, email="odd@example.com")
    org.move(odd, unit)
    org.policy(name, {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}, target=odd)
    drawing = svg(organization(org.lab))
    texts = re.findall(r"<text[^>]*>([^<]*)<", drawing)
    written = shown.rstrip("<")
    assert sum(text == written for text in texts) == 3, what  # the OU, the account, the SCP
    assert shown in drawing, what
    if name == "x" * 300:
        assert "x" * 128 not in drawing


def test_many_accounts_in_nested_ous_render_quickly() -> None:
    with Lab(seed=6) as lab:
        org = Org(lab)
        org.enable()
        teams = [org.unit(f"team-{t}") for t in range(4)]
        nested = [org.unit(f"env-{t}", parent=team) for t, team in enumerate(teams)]
        made = []
        for i in range(60):
            account = org.account(f"acct-{i:02d}")
            org.move(account, nested[i % 4])
            made.append(account)
        started = time.perf_counter()
        dot = organization(lab)
        drawing = svg(dot)
        assert time.perf_counter() - started < 30
        found = nodes(dot.source)
        for account in made:
            assert account_node(account) in found
        assert "60 member accounts" not in dot.source  # dev too: 61
        assert "61 member accounts, 8 OUs" in dot.source
        for i, team in enumerate(teams):
            assert (target_node(team), target_node(nested[i])) in edges(dot.source)
        assert "acct&#45;59" in drawing  # SVG writes a hyphen as &#45;


def _shaped(lab: Lab, seed: int) -> Org:
    """An organization of a shape ``seed`` picks: members in and out of OUs,
    and roles trusting other accounts, their users and their roles."""
    shape = random.Random(seed)
    org = Org(lab)
    org.enable()
    if shape.random() < 0.5:
        org.enable(RCP)
    units = [org.unit(f"unit-{u}") for u in range(shape.randint(0, 4))]
    accounts = [org.dev]
    for i in range(shape.randint(2, 12)):
        account = org.account(f"member-{i}")
        if units and shape.random() < 0.8:
            org.move(account, shape.choice(units))
        accounts.append(account)
    principals = [
        "arn:aws:iam::{src}:root",
        "{src}",
        f"arn:aws:iam::{MGMT}:user/admin",
        f"arn:aws:iam::{MGMT}:role/Ops",
    ]
    org.lab.client("iam").create_role(
        RoleName="Ops",
        AssumeRolePolicyDocument=doc(
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "*"}
        ),
    )
    for r in range(shape.randint(0, 10)):
        src, dst = shape.sample([MGMT, *accounts], 2)
        if dst == MGMT:
            continue
        principal = shape.choice(principals).format(src=src)
        trust = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
        org.member_admin(dst).client("iam").create_role(
            RoleName=f"Role{r}", AssumeRolePolicyDocument=doc(trust)
        )
    return org


@pytest.mark.parametrize("seed", range(12))
def test_any_shape_of_organization_renders(seed: int) -> None:
    """dot lays out and routes every edge (it gives up on some layouts with
    edges inside a rank: the drawing has none)."""
    with Lab(seed=seed) as lab:
        org = _shaped(lab, seed)
        dot = organization(lab)
        drawing = svg(dot)
        assert drawing.count('class="node') >= len(lab.accounts) + 1
        for account_id in lab.accounts:
            assert account_node(account_id) in nodes(dot.source)
        standard = (account_node(MGMT), account_node(org.dev))
        assert "class=assume" in edges(dot.source)[standard]
        bare = organization(lab, trusts=False, legend=False).source
        assert "class=assume" not in bare and "cluster_legend" not in bare
        svg(organization(lab, trusts=False, legend=False))


# -- the evaluation diagram with guardrails --------------------------------------------


def taken(source: str) -> list[tuple[str, str, str]]:
    """The taken edges with their answers, in the order drawn."""
    return [
        (a, b, label(attrs) if "label=" in attrs else "")
        for (a, b), attrs in edges(source).items()
        if "class=taken" in attrs
    ]


def _scp_deny(org: Org) -> Any:
    org.enable()
    org.policy(
        "no-s3",
        {"Sid": "NoS3", "Effect": "Deny", "Action": "s3:*", "Resource": "*"},
        target=org.dev,
    )
    return org.lab.decide(org.lab.principal_of(org.role_arn()), "s3:ListAllMyBuckets")


def _scp_not_allowed(org: Org) -> Any:
    org.enable()
    unit = org.unit("Workloads")
    org.move(org.dev, unit)
    org.policy("only-s3", {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, target=unit)
    org.org.detach_policy(PolicyId="p-FullAWSAccess", TargetId=unit)
    role = org.lab.principal_of(org.role_arn())
    return org.lab.decide(role, "iam:ListUsers", f"arn:aws:iam::{org.dev}:user/")


def _rcp_deny(org: Org) -> Any:
    org.enable(RCP)
    org.member_admin().client("s3").create_bucket(Bucket="dev-data")
    org.policy(
        "keep-buckets",
        {
            "Sid": "KeepBuckets",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:DeleteBucket",
            "Resource": "*",
        },
        kind=RCP,
        target=org.dev,
    )
    role = org.lab.principal_of(org.role_arn())
    return org.lab.decide(role, "s3:DeleteBucket", "arn:aws:s3:::dev-data")


def _scp_allowed(org: Org) -> Any:
    org.enable()
    role = org.lab.principal_of(org.role_arn())
    return org.lab.decide(role, "iam:ListUsers", f"arn:aws:iam::{org.dev}:user/")


# (what, set-up giving the Lab's decision, taken path, note: (step, text in it))
GUARDED = [
    (
        "an SCP deny",
        _scp_deny,
        [
            ("request", "q_deny", ""),
            ("q_deny", "r_explicit", "yes: SCP no-s3"),
        ],
        ("q_deny", "decided by:\\lSCP no-s3 · NoS3\\l"),
    ),
    (
        "an SCP allowing nothing at the OU",
        _scp_not_allowed,
        [
            ("request", "q_deny", ""),
            ("q_deny", "q_scp", "no"),
            ("q_scp", "r_implicit", "no, at level 2 (its root is level 1)"),
        ],
        ("q_scp", "no SCP allows it at level 2 (its root is level 1):\\lSCP only-s3"),
    ),
    (
        "an RCP deny",
        _rcp_deny,
        [
            ("request", "q_deny", ""),
            ("q_deny", "r_explicit", "yes: RCP keep-buckets"),
        ],
        ("q_deny", "decided by:\\lRCP keep-buckets · KeepBuckets\\l"),
    ),
    (
        "SCPs allowing at every level",
        _scp_allowed,
        [
            ("request", "q_deny", ""),
            ("q_deny", "q_scp", "no"),
            ("q_scp", "q_allow", "yes"),
            ("q_allow", "q_boundary", "yes"),
            ("q_boundary", "q_session", "none set"),
            ("q_session", "r_allowed", "none set"),
        ],
        ("q_allow", "decided by:\\lAdministratorAccess"),
    ),
]


@pytest.mark.parametrize(("what", "setup", "path", "note"), GUARDED, ids=[g[0] for g in GUARDED])
def test_the_evaluation_path_says_what_the_guardrail_decided(
    org: Org,
    what: str,
    setup: Callable[[Org], Any],
    path: list[tuple[str, str, str]],
    note: tuple[str, str],
) -> None:
    decision = setup(org)
    source = evaluation(decision).source
    assert taken(source) == path, what
    step, text = note
    assert text in label(nodes(source)[f"why_{step}"]), what
    # The guardrail's question is drawn, between the explicit deny and the rest.
    question = label(nodes(source)["q_scp" if "SCP" in what else "q_rcp"])
    assert "at every level?" in question
    assert ("q_deny", "r_explicit") in edges(source)
    svg(evaluation(decision))


def test_the_rcp_question_comes_before_the_scp_question() -> None:
    """Both guardrails took part: RCPs are asked first, then SCPs."""
    full = Policy.parse(doc({"Effect": "Allow", "Action": "*", "Resource": "*"}), "scp").named(
        "FullAWSAccess", "SCP", "p-FullAWSAccess"
    )
    rcp_full = Policy.parse(
        doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}), "rcp"
    ).named("RCPFullAWSAccess", "RCP", "p-RCPFullAWSAccess")
    # RCPs may only deny (but AWS's RCPFullAWSAccess): a level holding only
    # this one has no allow.
    keep = Policy.parse(
        doc({"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": "*"}),
        "rcp",
    ).named("keep-buckets", "RCP", "p-1")
    admin = Policy.parse(doc({"Effect": "Allow", "Action": "*", "Resource": "*"})).named("Admin")
    caller = "arn:aws:iam::111122223333:user/alice"
    cases = [
        # (resource control policies by level, taken path)
        (
            [[rcp_full], [rcp_full]],
            [
                ("request", "q_deny", ""),
                ("q_deny", "q_rcp", "no"),
                ("q_rcp", "q_scp", "yes"),
                ("q_scp", "q_allow", "yes"),
                ("q_allow", "q_boundary", "yes"),
                ("q_boundary", "q_session", "none set"),
                ("q_session", "r_allowed", "none set"),
            ],
        ),
        (
            [[rcp_full], [keep]],
            [
                ("request", "q_deny", ""),
                ("q_deny", "q_rcp", "no"),
                ("q_rcp", "r_implicit", "no, at level 2 (its root is level 1)"),
            ],
        ),
    ]
    for rcps, path in cases:
        request = Request("s3:PutObject", "arn:aws:s3:::b/k", principal=caller)
        decision = evaluate(request, [admin], scps=[[full], [full]], rcps=rcps)
        source = evaluation(decision).source
        assert taken(source) == path
        assert ("q_rcp", "q_scp") in edges(source) and ("q_scp", "r_implicit") in edges(source)
    closed = evaluation(decision).source
    assert "no RCP allows it at level 2" in label(nodes(closed)["why_q_rcp"])
    assert "why_r_implicit" not in nodes(closed)  # the identity side did not decide


def test_a_decision_without_guardrails_draws_no_guardrail_question(org: Org) -> None:
    """The management account is not bound by SCPs: its decisions do not ask."""
    org.enable()
    org.policy("deny-all", {"Effect": "Deny", "Action": "*", "Resource": "*"}, target=org.root)
    admin = org.lab.principal_of(f"arn:aws:iam::{MGMT}:user/admin")
    decision = org.lab.decide(admin, "iam:ListUsers", f"arn:aws:iam::{MGMT}:user/")
    assert decision.allowed and "scp" not in decision.verdicts
    found = nodes(evaluation(decision).source)
    assert "q_scp" not in found and "q_rcp" not in found


@pytest.mark.parametrize(("what", "name", "shown"), ODD[:-1], ids=[o[0] for o in ODD[:-1]])
def test_a_guardrail_with_an_odd_name_renders_in_the_evaluation(
    what: str, name: str, shown: str
) -> None:
    deny = Policy.parse(
        doc({"Sid": "Stop", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}), "scp"
    ).named(name, "SCP", "p-1")
    full = Policy.parse(doc({"Effect": "Allow", "Action": "*", "Resource": "*"}), "scp").named(
        "FullAWSAccess", "SCP", "p-FullAWSAccess"
    )
    request = Request("s3:ListAllMyBuckets", principal="arn:aws:iam::111122223333:user/a")
    decision = evaluate(request, [full], scps=[[full], [full, deny]])
    assert (decision.decision, decision.denied_by) == ("explicitDeny", "scp")
    texts = re.findall(r"<text[^>]*>([^<]*)<", svg(evaluation(decision)))
    written = shown.rstrip("<")
    assert f"yes: SCP {written}" in texts, what
    assert f"SCP {written} · Stop" in texts, what


def test_an_ou_without_accounts_is_drawn() -> None:
    """An OU made before any account moves into it is part of the tree."""
    from labkit import Lab
    from labkit.diagrams import organization

    with Lab(seed=2) as lab:
        org = lab.client("organizations")
        org.create_organization(FeatureSet="ALL")
        root = org.list_roots()["Roots"][0]["Id"]
        unit = org.create_organizational_unit(ParentId=root, Name="Sandbox")
        nested = org.create_organizational_unit(
            ParentId=unit["OrganizationalUnit"]["Id"], Name="Experiments"
        )
        source = organization(lab).source
        assert "Sandbox" in source and "Experiments" in source
        assert "0 member accounts, 2 OUs" in source
        assert nested["OrganizationalUnit"]["Id"] in source

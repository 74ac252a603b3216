"""The exercise of chapter 10: guardrails for the development account.

``development_guardrails.setup(lab)`` builds Cloud Pastries' organization:
the Lab's account manages it, and two member accounts, ``production`` and
``development``, sit in the organizational unit ``Workloads``. No policy
type is enabled yet.

The learner must make sure that nobody in ``development`` can leave the
organization or work in any Region but us-east-1, while the account's
administrator still works in us-east-1 and ``production`` keeps working in
eu-west-1. The check tries it as the member accounts' administrators would:
each call is made in a session of ``OrganizationAccountAccessRole`` through
the Lab's enforcement (so it appears in the trail), and what it made is
undone. Only ``LeaveOrganization`` is decided without being called, by the
very rules enforcement applies to it: a call that went through would take
the account out of the organization.

A "not yet" says what the Lab answered and why, in the terms of the usual
wrong turns: an SCP created but attached nowhere, attached to another
account or above production, its policy type not enabled, a Deny that stops
the administrator too, or ``FullAWSAccess`` detached so that no SCP allows.

AWS Organizations User Guide, "Service control policies (SCPs)":
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labkit.exercises.core import Exercise, Result, Step, StepResult
from labkit.exercises.questions import ApiCall, call_decisions
from labkit.outcome import Outcome, attempt

if TYPE_CHECKING:
    from labkit.lab.account import Lab, Session

SCP = "SERVICE_CONTROL_POLICY"
ACCESS_ROLE = "OrganizationAccountAccessRole"
FULL_ACCESS = "FullAWSAccess"
DEVELOPMENT, PRODUCTION = "development", "production"
HOME_REGION = "us-east-1"
# Regions the development account must not use, and the one production works in.
OTHER_REGIONS = ("eu-west-1", "eu-central-1", "ap-southeast-2")
PRODUCTION_REGION = "eu-west-1"
CHECK_SESSION = "guardrails-check"
CHECK_TABLE = "guardrails-check"
# How AWS words a refusal that an SCP decided (see labkit.lab.denials).
SCP_WORDS = "service control policy"
NO_SCP_ALLOWS = "because no service control policy allows"
SCP_DENIES = "with an explicit deny in a service control policy"


def setup(lab: Lab) -> None:
    """Build the organization: the Lab's account manages it; ``production``
    and ``development`` are member accounts in the OU ``Workloads``."""
    org = lab.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    workloads = org.create_organizational_unit(ParentId=root, Name="Workloads")
    ou = workloads["OrganizationalUnit"]["Id"]
    for name in (PRODUCTION, DEVELOPMENT):
        status = org.create_account(AccountName=name, Email=f"{name}@cloud-pastries.example")
        member = status["CreateAccountStatus"]["AccountId"]
        org.move_account(AccountId=member, SourceParentId=root, DestinationParentId=ou)


# --- who the check acts as ------------------------------------------------------------


def account_id(lab: Lab, name: str) -> str:
    """The id of the member account called ``name``; ``LookupError`` if none."""
    organization = lab.accounts.organization
    for member in organization.member_ids():
        chain = organization.path(member)
        if chain and chain[-1].name == name:
            return member
    raise LookupError(f"The organization has no member account named {name}.")


def admin_principal(lab: Lab, name: str) -> Any:
    """The administrator of the member account ``name`` as its calls reach
    AWS: a session of ``OrganizationAccountAccessRole``, the role through
    which the management account reaches it."""
    from labkit.lab.identities import Principal

    member_id = account_id(lab, name)
    member = lab.accounts[member_id]
    role = member.store.moto_role(f"arn:aws:iam::{member_id}:role/{ACCESS_ROLE}")
    if role is None:
        raise LookupError(f"The account {name} has no role {ACCESS_ROLE}.")
    return Principal.role_session(
        role,
        CHECK_SESSION,
        expires_at=lab.clock.time() + 3600,
        tags=member.store.tags_of(role.arn),
    )


def admin_session(lab: Lab, name: str) -> Session:
    """Credentials that sign as :func:`admin_principal`, issued by the member
    account as STS issues them for AssumeRole."""
    member = lab.accounts[account_id(lab, name)]
    keys = member.credentials.issue(admin_principal(lab, name))
    return lab.session_for_keys(keys["AccessKeyId"], keys["SecretAccessKey"], keys["SessionToken"])


# --- what the organization holds, for the hints -----------------------------------------


@dataclass(frozen=True)
class _Placement:
    """A customer managed SCP and the names of the targets it is attached to."""

    name: str
    targets: tuple[str, ...]


def _placements(lab: Lab) -> list[_Placement]:
    """The learner's own SCPs and where each is attached, asked of Organizations."""
    org = lab.client("organizations")
    found = []
    for policy in org.list_policies(Filter=SCP)["Policies"]:
        if policy["AwsManaged"]:
            continue
        targets = org.list_targets_for_policy(PolicyId=policy["Id"])["Targets"]
        found.append(_Placement(policy["Name"], tuple(_target_name(t) for t in targets)))
    return found


def _target_name(target: dict[str, Any]) -> str:
    kinds = {"ACCOUNT": "the account", "ORGANIZATIONAL_UNIT": "the OU", "ROOT": "the root"}
    return f"{kinds.get(target['Type'], target['Type'])} {target['Name']}"


def _over_development(lab: Lab) -> list[str]:
    """Names of the learner's SCPs over development: on it, its OU or the root."""
    chain = lab.accounts.organization.path(account_id(lab, DEVELOPMENT))
    return [
        policy.name
        for target in chain
        for policy in target.attached_policies
        if policy.type == SCP and not policy.aws_managed
    ]


def _words(names: Iterable[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _where_guardrails_are(lab: Lab) -> str:
    """Why development is not guarded yet, read from the organization."""
    if not lab.accounts.organization.enabled(SCP):
        return (
            "no SCP counts until service control policies are enabled on the root "
            "(the first step); "
        )
    placements = _placements(lab)
    if not placements:
        return "no SCP of your own exists yet: organizations.create_policy makes one; "
    if _over_development(lab):
        return ""
    unattached = [p.name for p in placements if not p.targets]
    elsewhere = [f"{p.name} (on {_words(p.targets)})" for p in placements if p.targets]
    said = []
    if unattached:
        said.append(f"{_words(unattached)} is attached to nothing yet")
    if elsewhere:
        said.append(f"{_words(elsewhere)} does not cover development")
    development = account_id(lab, DEVELOPMENT)
    return (
        f"{'; '.join(said)}: attach your SCP to the development account "
        f"(TargetId={development!r}); "
    )


# --- the steps: each says None when done, or what to do next -----------------------------

LEAVE = ApiCall("organizations", "LeaveOrganization", {}, "LeaveOrganization")
Probe = Callable[["Lab"], "str | None"]


def scps_enabled(lab: Lab) -> str | None:
    """Service control policies are enabled on the organization's root."""
    return None if lab.accounts.organization.enabled(SCP) else ""


def nobody_leaves(lab: Lab) -> str | None:
    """Neither development's administrator nor its root user may leave: an
    SCP refuses LeaveOrganization. Decided by enforcement's own rules for
    the call, which is not made (it would take the account out)."""
    member = lab.accounts[account_id(lab, DEVELOPMENT)]
    callers = (("administrator", admin_principal(lab, DEVELOPMENT)), ("root user", member.root))
    for who, principal in callers:
        refused = [d for _, d in call_decisions(lab, principal, LEAVE) if not d.allowed]
        if refused and refused[0].denied_by == "scp":
            continue
        if refused:
            return (
                f"development's {who} is refused LeaveOrganization, but by a policy inside "
                "development, which the account's administrator can change: a guardrail the "
                "account cannot remove is an SCP, attached from the management account"
            )
        return (
            _where_guardrails_are(lab)
            + f"development's {who} may still call organizations:LeaveOrganization: "
            "deny it in your SCP"
        )
    return None


def _tables(session: Session, region: str) -> Outcome:
    return attempt(session.client("dynamodb", region_name=region).list_tables)


def other_regions_refused(lab: Lab) -> str | None:
    """development's administrator is refused, by an SCP, in every Region
    but us-east-1: a real DynamoDB call in each."""
    session = admin_session(lab, DEVELOPMENT)
    tried = {region: _tables(session, region) for region in OTHER_REGIONS}
    open_ = [region for region, outcome in tried.items() if outcome.ok]
    not_scp = [
        region
        for region, outcome in tried.items()
        if not outcome.ok and SCP_WORDS not in str(outcome.message)
    ]
    if not open_ and not not_scp:
        return None
    if open_:
        return (
            _where_guardrails_are(lab)
            + f"development's administrator still works in {_words(open_)}: deny every "
            "action whose aws:RequestedRegion is not us-east-1 (StringNotEquals), leaving "
            "global services such as IAM out with NotAction"
        )
    return (
        f"in {_words(not_scp)} the refusal does not come from an SCP, so development's "
        "administrator could lift it: put the Region rule in an SCP"
    )


def _work(session: Session) -> list[tuple[str, Outcome]]:
    """An administrator's everyday calls in us-east-1, undone as it goes."""
    dynamodb = session.client("dynamodb", region_name=HOME_REGION)
    done: list[tuple[str, Outcome]] = []
    listed = attempt(dynamodb.list_tables)
    done.append(("dynamodb:ListTables", listed))
    if listed.ok and CHECK_TABLE in listed.response["TableNames"]:  # left by an earlier check
        attempt(dynamodb.delete_table, TableName=CHECK_TABLE)
    created = attempt(
        dynamodb.create_table,
        TableName=CHECK_TABLE,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    done.append(("dynamodb:CreateTable", created))
    if created.ok:
        done.append(("dynamodb:DeleteTable", attempt(dynamodb.delete_table, TableName=CHECK_TABLE)))
    for label, call in (
        ("lambda:ListFunctions", session.client("lambda").list_functions),
        ("s3:ListAllMyBuckets", session.client("s3").list_buckets),
        ("iam:ListRoles", session.client("iam").list_roles),
    ):
        done.append((label, attempt(call)))
    return done


def admin_still_works(lab: Lab) -> str | None:
    """development's administrator still works in us-east-1: DynamoDB,
    Lambda, S3 and IAM calls, made for real."""
    refused = [(label, o) for label, o in _work(admin_session(lab, DEVELOPMENT)) if not o.ok]
    if not refused:
        return None
    names = [label for label, _ in refused]
    labels = (
        _words(names) if len(names) <= 3 else f"{', '.join(names[:2])} and {len(names) - 2} more"
    )
    message = str(refused[0][1].message)
    if NO_SCP_ALLOWS in message:
        return (
            f"{labels} refused in us-east-1 because no SCP allows them: SCPs grant "
            "nothing, yet every level from the root down to the account needs one that "
            "allows the action. Keep FullAWSAccess attached to development beside your Deny"
        )
    if SCP_DENIES in message:
        return (
            f"{labels} refused in us-east-1 by an explicit deny in an SCP: your Deny "
            "stops the administrator's work too. Deny LeaveOrganization by name, and other "
            "actions only when aws:RequestedRegion is not us-east-1"
        )
    return (
        f"{labels} refused in us-east-1{_why(refused[0][1])}: leave {ACCESS_ROLE} its "
        "AdministratorAccess, and put the guardrails in an SCP"
    )


def _why(outcome: Outcome) -> str:
    """The reason AWS gives at the end of a refusal ("with an explicit deny
    in ...", "because no ... allows ..."), or its code when it gives none."""
    message = str(outcome.message or "")
    for word in (" with an explicit deny", " because "):
        if word in message:
            return message[message.index(word) :]
    return f" ({outcome.code})"


def production_unaffected(lab: Lab) -> str | None:
    """production's administrator still works in eu-west-1 (and us-east-1)."""
    session = admin_session(lab, PRODUCTION)
    for region in (PRODUCTION_REGION, HOME_REGION):
        outcome = _tables(session, region)
        if not outcome.ok:
            return (
                f"production's administrator is refused in {region}{_why(outcome)}, and "
                "production serves Europe from eu-west-1: attach the guardrail to the "
                "development account itself, not to production, Workloads or the root"
            )
    return None


# --- the exercise ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProbeStep(Step):
    """A step whose "not yet" can say what the Lab answered: ``probe(lab)``
    returns None when done, else a hint (empty for the step's own)."""

    probe: Probe = scps_enabled


def _step(description: str, probe: Probe, hint: str) -> ProbeStep:
    return ProbeStep(description, lambda lab: probe(lab) is None, hint, probe)


@dataclass(frozen=True)
class GuardrailExercise(Exercise):
    """An exercise on an organization of its own: ``setup`` builds it, and
    each step's hint says what the Lab answered."""

    prepare: Callable[[Lab], None] = setup

    def setup(self, lab: Lab) -> None:
        """Build the exercise's organization in a fresh Lab."""
        self.prepare(lab)

    def check(self, lab: Lab) -> Result:
        """Try each step as the member accounts' administrators would."""
        return Result(self.title, tuple(_probe(step, lab) for step in self.steps))


def _probe(step: Step, lab: Lab) -> StepResult:
    probe = getattr(step, "probe", None)
    if probe is None:
        return StepResult(step.description, bool(step.done(lab)), step.hint)
    try:
        said = probe(lab)
    except Exception:  # noqa: BLE001 - a check never raises: not done
        said = ""
    return StepResult(step.description, said is None, said or step.hint)


development_guardrails = GuardrailExercise(
    "Guardrails for the development account",
    (
        _step(
            "service control policies are enabled in the organization",
            scps_enabled,
            'organizations.enable_policy_type(RootId=..., PolicyType="SERVICE_CONTROL_POLICY") '
            "on the root that list_roots returns",
        ),
        _step(
            "nobody in development may leave the organization, not even its root user",
            nobody_leaves,
            "an SCP attached to development that denies organizations:LeaveOrganization",
        ),
        _step(
            "development's administrator is refused in eu-west-1, eu-central-1 and ap-southeast-2",
            other_regions_refused,
            "in the same SCP, deny every action when aws:RequestedRegion is not us-east-1",
        ),
        _step(
            "development's administrator still works in us-east-1 "
            "(DynamoDB, Lambda, S3 and IAM calls)",
            admin_still_works,
            "SCPs grant nothing: keep FullAWSAccess attached, and deny only what must stop",
        ),
        _step(
            "production's administrator still works in eu-west-1",
            production_unaffected,
            "attach the guardrail to the development account, not above it",
        ),
    ),
)

__all__ = ["account_id", "admin_principal", "admin_session", "development_guardrails", "setup"]

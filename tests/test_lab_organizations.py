"""An organization in the Lab, through AWS's own API: member accounts,
service control policies, resource control policies and cross-account roles,
enforced as AWS documents them.

- https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
- https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
- https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
- https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_access-cross-account-role.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labkit import Lab, attempt

MGMT = "123456789012"
ADMIN_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
ACCESS_ROLE = "OrganizationAccountAccessRole"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def error_of(call: Any, *args: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


class Org:
    """A management account with one member account, ``dev``, and an
    administrator user in the management account."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.org = lab.client("organizations")
        self.id = self.org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
        self.root = self.org.list_roots()["Roots"][0]["Id"]
        status = self.org.create_account(AccountName="dev", Email="dev@example.com")
        self.dev = status["CreateAccountStatus"]["AccountId"]
        self.request_id = status["CreateAccountStatus"]["Id"]
        iam = lab.client("iam")
        iam.create_user(UserName="admin")
        iam.attach_user_policy(UserName="admin", PolicyArn=ADMIN_ACCESS)
        key = iam.create_access_key(UserName="admin")["AccessKey"]
        self.admin = lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])

    def role_arn(self, name: str = ACCESS_ROLE, account: str | None = None) -> str:
        return f"arn:aws:iam::{account or self.dev}:role/{name}"

    def member_admin(self) -> Any:
        """A session of the member's OrganizationAccountAccessRole."""
        return self.admin.assume_role(RoleArn=self.role_arn(), RoleSessionName="admin")

    def scp(self, name: str, *statements: dict[str, Any], target: str | None = None) -> str:
        summary = self.org.create_policy(
            Name=name, Description=name, Type="SERVICE_CONTROL_POLICY", Content=doc(*statements)
        )["Policy"]["PolicySummary"]
        self.org.attach_policy(PolicyId=summary["Id"], TargetId=target or self.dev)
        return str(summary["Id"])

    def enable(self, kind: str = "SERVICE_CONTROL_POLICY") -> None:
        self.org.enable_policy_type(RootId=self.root, PolicyType=kind)


@pytest.fixture
def org() -> Iterator[Org]:
    with Lab(seed=3) as lab:
        yield Org(lab)


def test_a_member_account_is_an_account_of_its_own(org: Org) -> None:
    """A created account has its own IAM and the role the management account
    reaches it by, with AdministratorAccess, trusting the management account."""
    status = org.org.describe_create_account_status(CreateAccountRequestId=org.request_id)[
        "CreateAccountStatus"
    ]
    assert status["State"] == "SUCCEEDED" and status["AccountId"] == org.dev
    admin = org.member_admin()
    assert admin.arn == f"arn:aws:sts::{org.dev}:assumed-role/{ACCESS_ROLE}/admin"
    iam = admin.client("iam")
    role = iam.get_role(RoleName=ACCESS_ROLE)["Role"]
    trusted = role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"]
    assert trusted == f"arn:aws:iam::{MGMT}:root"
    attached = iam.list_attached_role_policies(RoleName=ACCESS_ROLE)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [ADMIN_ACCESS]
    iam.create_user(UserName="alice")
    assert [u["Arn"] for u in iam.list_users()["Users"]] == [f"arn:aws:iam::{org.dev}:user/alice"]
    assert [u["UserName"] for u in org.lab.client("iam").list_users()["Users"]] == ["admin"]
    identity = admin.client("sts").get_caller_identity()
    assert identity["Account"] == org.dev


def test_the_root_user_cannot_assume_the_member_role(org: Org) -> None:
    code, _ = error_of(
        org.lab.client("sts").assume_role, RoleArn=org.role_arn(), RoleSessionName="root"
    )
    assert code == "AccessDenied"


def test_keys_made_in_a_member_act_there(org: Org) -> None:
    iam = org.member_admin().client("iam")
    iam.create_user(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Member-Pass-2026")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    alice = org.lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])
    assert alice.arn == f"arn:aws:iam::{org.dev}:user/alice"
    code, message = error_of(alice.client("iam").list_users)
    assert code == "AccessDenied"
    assert message.startswith(f"User: arn:aws:iam::{org.dev}:user/alice is not authorized")
    console = org.lab.sign_in("alice", "Member-Pass-2026", account=org.dev)
    assert console.arn == alice.arn
    iam.create_account_alias(AccountAlias="acme-dev")
    for where in ("acme-dev", "https://acme-dev.signin.aws.amazon.com/console"):
        assert org.lab.sign_in("alice", "Member-Pass-2026", account=where).arn == alice.arn
    with pytest.raises(Exception, match="incorrect"):
        org.lab.sign_in("alice", "Member-Pass-2026")  # not a user of the Lab's own account


def test_an_scp_deny_binds_the_member_admin_not_the_management_account(org: Org) -> None:
    org.enable()
    org.scp("no-s3", {"Effect": "Deny", "Action": "s3:*", "Resource": "*"})
    admin = org.member_admin()
    code, message = error_of(admin.client("s3").list_buckets)
    assert code == "AccessDenied"
    assert message == (
        f"User: arn:aws:sts::{org.dev}:assumed-role/{ACCESS_ROLE}/admin is not authorized to "
        "perform: s3:ListAllMyBuckets with an explicit deny in a service control policy"
    )
    assert attempt(org.admin.client("s3").list_buckets).ok  # the management account
    assert attempt(org.lab.client("s3").list_buckets).ok


def test_scps_count_only_once_their_type_is_enabled(org: Org) -> None:
    summary = org.org.create_policy(
        Name="no-s3",
        Description="",
        Type="SERVICE_CONTROL_POLICY",
        Content=doc({"Effect": "Deny", "Action": "s3:*", "Resource": "*"}),
    )["Policy"]["PolicySummary"]
    code, message = error_of(org.org.attach_policy, PolicyId=summary["Id"], TargetId=org.dev)
    assert code == "PolicyTypeNotEnabledException"
    assert message == "This operation can be performed only for enabled policy types."
    assert attempt(org.member_admin().client("s3").list_buckets).ok


def test_an_allow_is_needed_at_every_level(org: Org) -> None:
    """An allow-list SCP on an OU: FullAWSAccess on the root and the account
    does not make up for what the OU's SCPs do not allow."""
    org.enable()
    unit = org.org.create_organizational_unit(ParentId=org.root, Name="Workloads")
    unit_id = unit["OrganizationalUnit"]["Id"]
    org.org.move_account(AccountId=org.dev, SourceParentId=org.root, DestinationParentId=unit_id)
    only_s3 = org.scp(
        "only-s3", {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, target=unit_id
    )
    org.org.detach_policy(PolicyId="p-FullAWSAccess", TargetId=unit_id)
    admin = org.member_admin()
    assert attempt(admin.client("s3").list_buckets).ok
    code, message = error_of(admin.client("iam").list_users)
    assert code == "AccessDenied"
    assert message.endswith("because no service control policy allows the iam:ListUsers action")
    org.org.attach_policy(PolicyId="p-FullAWSAccess", TargetId=unit_id)
    org.org.detach_policy(PolicyId=only_s3, TargetId=unit_id)
    assert attempt(admin.client("iam").list_users).ok


def test_scps_do_not_grant(org: Org) -> None:
    """FullAWSAccess allows nothing by itself: a member user still needs an
    identity-based policy."""
    org.enable()
    iam = org.member_admin().client("iam")
    iam.create_user(UserName="bob")
    key = iam.create_access_key(UserName="bob")["AccessKey"]
    bob = org.lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])
    code, message = error_of(bob.client("dynamodb").list_tables)
    assert code == "AccessDeniedException"
    assert message.endswith(
        "because no identity-based policy allows the dynamodb:ListTables action"
    )


@pytest.mark.parametrize(
    ("label", "content", "code", "message"),
    [
        (
            "a principal",
            doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}),
            "MalformedPolicyDocumentException",
            "The provided policy document does not meet the requirements of the specified "
            "policy type.",
        ),
        (
            "no JSON",
            "{not json",
            "MalformedPolicyDocumentException",
            "The provided policy document does not meet the requirements of the specified "
            "policy type.",
        ),
        (
            "over 5,120 characters",
            doc({"Effect": "Deny", "Action": ["s3:GetObject"] * 400, "Resource": "*"}),
            "ConstraintViolationException",
            None,
        ),
    ],
)
def test_scp_content_is_read_by_organizations_rules(
    org: Org, label: str, content: str, code: str, message: str | None
) -> None:
    found, said = error_of(
        org.org.create_policy,
        Name="x",
        Description=label,
        Type="SERVICE_CONTROL_POLICY",
        Content=content,
    )
    assert found == code
    if message is not None:
        assert said == message


def test_the_last_scp_of_a_target_cannot_be_detached(org: Org) -> None:
    org.enable()
    code, message = error_of(org.org.detach_policy, PolicyId="p-FullAWSAccess", TargetId=org.root)
    assert code == "ConstraintViolationException"
    assert "fewer than the minimum number of policies" in message


def test_a_member_account_cannot_manage_the_organization(org: Org) -> None:
    member = org.member_admin().client("organizations")
    code, message = error_of(member.list_accounts)
    assert code == "AccessDeniedException"
    assert message == "You don't have permissions to access this resource."


def test_an_rcp_deny_binds_the_members_resources(org: Org) -> None:
    org.enable("RESOURCE_CONTROL_POLICY")
    admin = org.member_admin()
    admin.client("s3").create_bucket(Bucket="dev-data")
    summary = org.org.create_policy(
        Name="keep-buckets",
        Description="",
        Type="RESOURCE_CONTROL_POLICY",
        Content=doc(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:DeleteBucket",
                "Resource": "*",
            }
        ),
    )["Policy"]["PolicySummary"]
    org.org.attach_policy(PolicyId=summary["Id"], TargetId=org.dev)
    code, message = error_of(admin.client("s3").delete_bucket, Bucket="dev-data")
    assert code == "AccessDenied"
    assert "with an explicit deny in a resource control policy" in message
    assert attempt(admin.client("s3").list_buckets).ok  # only what the RCP denies


def test_cross_account_trust_needs_the_callers_own_permission_and_external_id(
    org: Org,
) -> None:
    """The role in the member trusts a management-account user, requiring an
    external id; the user's own identity-based policy must allow the call too."""
    member_iam = org.member_admin().client("iam")
    trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{MGMT}:user/auditor"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "audit-2026"}},
        }
    )
    member_iam.create_role(RoleName="Audit", AssumeRolePolicyDocument=trust)
    iam = org.lab.client("iam")
    iam.create_user(UserName="auditor")
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    auditor = org.lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])
    role = org.role_arn("Audit")
    code, _ = error_of(
        auditor.client("sts").assume_role,
        RoleArn=role,
        RoleSessionName="a1",
        ExternalId="audit-2026",
    )
    assert code == "AccessDenied"  # trusted, but not allowed by its own account
    iam.put_user_policy(
        UserName="auditor",
        PolicyName="assume-audit",
        PolicyDocument=doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role}),
    )
    code, _ = error_of(auditor.client("sts").assume_role, RoleArn=role, RoleSessionName="a2")
    assert code == "AccessDenied"  # no external id
    session = auditor.assume_role(RoleArn=role, RoleSessionName="a3", ExternalId="audit-2026")
    assert session.arn == f"arn:aws:sts::{org.dev}:assumed-role/Audit/a3"


def test_organization_condition_keys(org: Org) -> None:
    """aws:PrincipalOrgID and aws:ResourceAccount in the request context."""
    from labkit.lab.actions import Target

    admin = org.member_admin()
    principal = admin.principal
    request = org.lab.accounts[org.dev].authorizer.request(
        principal, Target("s3:ListAllMyBuckets", "*")
    )
    # The engine keeps context keys as AWS compares them: case-insensitively.
    assert request.context["aws:principalorgid"] == org.id
    assert request.context["aws:principalorgpaths"] == (f"{org.id}/{org.root}/",)
    decision = org.lab.decide(principal, "iam:ListUsers", f"arn:aws:iam::{org.dev}:user/")
    assert decision.request.context["aws:resourceaccount"] == org.dev
    assert decision.request.context["aws:resourceorgid"] == org.id


def test_service_linked_roles_are_not_restricted_by_scps() -> None:
    from labkit.lab.organization import Organization

    with Lab(seed=4) as lab:
        o = Org(lab)
        o.enable()
        o.scp("deny-all", {"Effect": "Deny", "Action": "*", "Resource": "*"})
        organization: Organization = lab.accounts.organization
        linked = (
            f"arn:aws:iam::{o.dev}:role/aws-service-role/support.amazonaws.com/"
            "AWSServiceRoleForSupport"
        )
        assert organization.scps_for(o.dev, linked, linked) == ()
        plain = organization.scps_for(o.dev, o.role_arn(), o.role_arn())
        assert [[p.name for p in level] for level in plain] == [
            ["FullAWSAccess"],
            ["FullAWSAccess", "deny-all"],
        ]
        assert organization.scps_for(MGMT, f"arn:aws:iam::{MGMT}:user/admin", None) == ()


def test_the_simulator_in_a_member_account_weighs_its_scps(org: Org) -> None:
    """SimulatePrincipalPolicy in a member account reports what the
    organization's SCPs allow (OrganizationsDecisionDetail)."""
    org.enable()
    org.scp("no-s3", {"Effect": "Deny", "Action": "s3:*", "Resource": "*"})
    iam = org.member_admin().client("iam")
    results = iam.simulate_principal_policy(
        PolicySourceArn=org.role_arn(), ActionNames=["s3:ListAllMyBuckets", "iam:ListUsers"]
    )["EvaluationResults"]
    by_action = {r["EvalActionName"]: r for r in results}
    assert by_action["s3:ListAllMyBuckets"]["EvalDecision"] == "explicitDeny"
    assert by_action["s3:ListAllMyBuckets"]["OrganizationsDecisionDetail"] == {
        "AllowedByOrganizations": False
    }
    assert by_action["iam:ListUsers"]["EvalDecision"] == "allowed"


def test_a_bucket_in_another_account_needs_both_sides(org: Org) -> None:
    """A bucket policy in the member grants a management-account user; the
    user's own identity-based policy must allow the call too."""
    member_s3 = org.member_admin().client("s3")
    member_s3.create_bucket(Bucket="shared-reports")
    member_s3.put_object(Bucket="shared-reports", Key="q3.csv", Body=b"total,42\n")
    iam = org.lab.client("iam")
    iam.create_user(UserName="analyst")
    key = iam.create_access_key(UserName="analyst")["AccessKey"]
    analyst = org.lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"]).client("s3")
    member_s3.put_bucket_policy(
        Bucket="shared-reports",
        Policy=doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{MGMT}:user/analyst"},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::shared-reports/*",
            }
        ),
    )
    code, _ = error_of(analyst.get_object, Bucket="shared-reports", Key="q3.csv")
    assert code == "AccessDenied"  # granted by the bucket, not by its own account
    iam.put_user_policy(
        UserName="analyst",
        PolicyName="read-reports",
        PolicyDocument=doc(
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::shared-reports/*",
            }
        ),
    )
    body = analyst.get_object(Bucket="shared-reports", Key="q3.csv")["Body"].read()
    assert body == b"total,42\n"
    code, _ = error_of(analyst.delete_object, Bucket="shared-reports", Key="q3.csv")
    assert code == "AccessDenied"


def test_views_decide_a_member_principal_as_its_calls_are_decided(org: Org) -> None:
    """``lab.principal_of`` and ``lab.decide`` reach member accounts' principals."""
    org.enable()
    org.scp("no-s3", {"Effect": "Deny", "Action": "s3:*", "Resource": "*"})
    role = org.lab.principal_of(org.role_arn())
    assert role.arn == f"arn:aws:sts::{org.dev}:assumed-role/{ACCESS_ROLE}/{role.session_name}"
    decided = org.lab.decide(role, "s3:ListAllMyBuckets")
    assert (decided.decision, decided.denied_by) == ("explicitDeny", "scp")
    assert org.lab.decide(role, "iam:ListUsers", f"arn:aws:iam::{org.dev}:user/").allowed
    real = attempt(org.member_admin().client("s3").list_buckets)
    assert not real.ok


def test_account_aliases_are_unique_across_accounts(org: Org) -> None:
    """https://docs.aws.amazon.com/signin/latest/userguide/CreateAccountAlias.html"""
    org.member_admin().client("iam").create_account_alias(AccountAlias="acme")
    code, message = error_of(org.lab.client("iam").create_account_alias, AccountAlias="acme")
    assert (code, message) == ("EntityAlreadyExists", "The account alias acme already exists.")
    org.lab.client("iam").create_account_alias(AccountAlias="acme-management")


def test_leaving_the_organization(org: Org) -> None:
    """A member may call LeaveOrganization (an SCP can stop it); an account the
    organization created lacks a standalone account's details, and the
    management account cannot leave at all.
    https://docs.aws.amazon.com/organizations/latest/APIReference/API_LeaveOrganization.html
    """
    member = org.member_admin().client("organizations")
    code, message = error_of(member.leave_organization)
    assert code == "ConstraintViolationException"
    assert "phone verification" in message
    decided = org.lab.decide(org.member_admin().principal, "organizations:LeaveOrganization")
    assert decided.allowed
    org.enable()
    org.scp(
        "stay", {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}
    )
    code, message = error_of(member.leave_organization)
    assert code == "AccessDeniedException"
    assert message.endswith("with an explicit deny in a service control policy")
    code, message = error_of(org.lab.client("organizations").leave_organization)
    assert code == "ConstraintViolationException"
    assert "You can't remove the management account" in message


def test_create_account_dates_follow_the_labs_clock() -> None:
    from datetime import UTC, datetime

    with Lab(seed=3) as lab:
        lab.clock.freeze(at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        org = lab.client("organizations")
        org.create_organization(FeatureSet="ALL")
        status = org.create_account(AccountName="dev", Email="dev@example.com")
        requested = status["CreateAccountStatus"]["RequestedTimestamp"]
        assert requested == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        described = org.describe_create_account_status(
            CreateAccountRequestId=status["CreateAccountStatus"]["Id"]
        )["CreateAccountStatus"]["RequestedTimestamp"]
        assert described == requested


def test_service_linked_roles_are_bound_by_neither_scps_nor_rcps(org: Org) -> None:
    """https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
    (resources and entities not restricted by RCPs) and ..._scps.html (tasks and
    entities not restricted by SCPs)."""
    org.enable()
    org.enable("RESOURCE_CONTROL_POLICY")
    org.scp("deny-s3", {"Effect": "Deny", "Action": "s3:*", "Resource": "*"})
    summary = org.org.create_policy(
        Name="deny-s3-rcp",
        Description="",
        Type="RESOURCE_CONTROL_POLICY",
        Content=doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}),
    )["Policy"]["PolicySummary"]
    org.org.attach_policy(PolicyId=summary["Id"], TargetId=org.dev)
    admin = org.member_admin()
    linked = admin.client("iam").create_service_linked_role(
        AWSServiceName="elasticbeanstalk.amazonaws.com"
    )
    arn = linked["Role"]["Arn"]
    assert ":role/aws-service-role/" in arn
    admin.client("iam").attach_role_policy(
        RoleName=linked["Role"]["RoleName"], PolicyArn="arn:aws:iam::aws:policy/AmazonS3FullAccess"
    )
    session = org.lab.principal_of(arn)
    assert org.lab.decide(session, "s3:ListAllMyBuckets").allowed  # neither guardrail binds it
    assert org.lab.decide(session, "s3:GetObject", "arn:aws:s3:::any-bucket/key").allowed
    role = org.lab.principal_of(org.role_arn())
    assert org.lab.decide(role, "s3:ListAllMyBuckets").denied_by == "scp"


def test_an_account_removed_from_the_organization_goes_on(org: Org) -> None:
    """Removed, a member is a standalone account: its keys still work there,
    and no SCP binds it any more."""
    org.enable()
    org.scp("no-s3", {"Effect": "Deny", "Action": "s3:*", "Resource": "*"})
    iam = org.member_admin().client("iam")
    iam.create_user(UserName="carol")
    iam.attach_user_policy(UserName="carol", PolicyArn="arn:aws:iam::aws:policy/AmazonS3FullAccess")
    key = iam.create_access_key(UserName="carol")["AccessKey"]
    carol = org.lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])
    assert not attempt(carol.client("s3").list_buckets).ok
    org.org.remove_account_from_organization(AccountId=org.dev)
    assert carol.arn == f"arn:aws:iam::{org.dev}:user/carol"
    assert attempt(carol.client("s3").list_buckets).ok

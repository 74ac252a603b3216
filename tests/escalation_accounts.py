"""Small accounts described as data, built in a Lab through its own IAM API.

The escalation scenarios (``tests/scenarios/escalation/*.json``) and the
property tests describe accounts this way::

    {"policies": {"team-kit": {"Statement": [...]}},          # customer managed
     "groups": {"crew": {"attached": ["aws:ReadOnlyAccess"], "inline": {"name": [...]}}},
     "users": {"dana": {"attached": ["team-kit"], "groups": ["crew"], "inline": {...},
                        "boundary": "team-kit", "keys": 2, "password": true, "mfa": true}},
     "roles": {"Ops": {"trust": {"AWS": ["user/cto", "account"], "Service": ["lambda"]},
                       "attached": [...], "inline": {...}, "boundary": "...", "profile": "Ops"}},
     "functions": {"nightly": "Ops"}}

``aws:Name`` names an AWS managed policy, a plain name a customer managed
one; a policy may list ``versions`` (each a list of statements) and which is
the ``default``. A trust written with ``Statement`` is used as it is.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from labkit import Authenticator, Lab

ACCOUNT = "123456789012"
IAM = f"arn:aws:iam::{ACCOUNT}:"
SERVICES = {
    "lambda": "lambda.amazonaws.com",
    "ec2": "ec2.amazonaws.com",
    "cloudformation": "cloudformation.amazonaws.com",
}


def arn_of(name: str, kind: str) -> str:
    """The ARN of a user or role named in a scenario."""
    return f"{IAM}{kind}/{name}"


def principal_arn(account: dict[str, Any], name: str) -> str:
    """The ARN of the user or role ``name`` of ``account``."""
    if name in account.get("users", {}):
        return arn_of(name, "user")
    return arn_of(name, "role")


def _policy_arn(name: str) -> str:
    if name.startswith("aws:"):
        return f"arn:aws:iam::aws:policy/{name[4:]}"
    return f"{IAM}policy/{name}"


def _document(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _trust(trust: dict[str, Any]) -> str:
    if "Statement" in trust:
        return json.dumps({"Version": "2012-10-17", **trust})
    principal: dict[str, list[str]] = {}
    for value in trust.get("AWS", []):
        principal.setdefault("AWS", []).append(f"{IAM}root" if value == "account" else IAM + value)
    for value in trust.get("Service", []):
        principal.setdefault("Service", []).append(SERVICES.get(value, value))
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    return _document([statement])


def _code() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return 1\n")
    return buffer.getvalue()


def build(lab: Lab, account: dict[str, Any]) -> None:
    """Make ``account`` in the Lab as its root user."""
    iam = lab.client("iam")
    for name, policy in account.get("policies", {}).items():
        versions = policy.get("versions") or [policy["Statement"]]
        iam.create_policy(PolicyName=name, PolicyDocument=_document(versions[0]))
        for statements in versions[1:]:
            iam.create_policy_version(
                PolicyArn=_policy_arn(name), PolicyDocument=_document(statements)
            )
        default = policy.get("default", 0)
        if default:
            iam.set_default_policy_version(PolicyArn=_policy_arn(name), VersionId=f"v{default + 1}")
    for name, group in account.get("groups", {}).items():
        iam.create_group(GroupName=name)
        _permissions(iam, "Group", name, group)
    for name, user in account.get("users", {}).items():
        iam.create_user(UserName=name)
        for group in user.get("groups", []):
            iam.add_user_to_group(GroupName=group, UserName=name)
        _permissions(iam, "User", name, user)
        for _ in range(user.get("keys", 0)):
            iam.create_access_key(UserName=name)
        if user.get("password"):
            iam.create_login_profile(UserName=name, Password="Scenario-Password-2026!")
        if user.get("mfa"):
            device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
            codes = Authenticator(device["Base32StringSeed"], lab.clock).consecutive_codes()
            iam.enable_mfa_device(
                UserName=name,
                SerialNumber=device["SerialNumber"],
                AuthenticationCode1=codes[0],
                AuthenticationCode2=codes[1],
            )
    for name, role in account.get("roles", {}).items():
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=_trust(role.get("trust", {})))
        _permissions(iam, "Role", name, role)
        if role.get("profile"):
            iam.create_instance_profile(InstanceProfileName=role["profile"])
            iam.add_role_to_instance_profile(InstanceProfileName=role["profile"], RoleName=name)
    for name, role in account.get("functions", {}).items():
        lab.client("lambda").create_function(
            FunctionName=name,
            Role=arn_of(role, "role"),
            Runtime="python3.12",
            Handler="index.handler",
            Code={"ZipFile": _code()},
        )


def _permissions(iam: Any, kind: str, name: str, entity: dict[str, Any]) -> None:
    for policy in entity.get("attached", []):
        getattr(iam, f"attach_{kind.lower()}_policy")(
            **{f"{kind}Name": name}, PolicyArn=_policy_arn(policy)
        )
    for policy, statements in entity.get("inline", {}).items():
        getattr(iam, f"put_{kind.lower()}_policy")(
            **{f"{kind}Name": name}, PolicyName=policy, PolicyDocument=_document(statements)
        )
    if entity.get("boundary"):
        getattr(iam, f"put_{kind.lower()}_permissions_boundary")(
            **{f"{kind}Name": name}, PermissionsBoundary=_policy_arn(entity["boundary"])
        )

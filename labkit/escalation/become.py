"""Steps after which the attacker acts as another user or role.

Each finder takes the analysis and one actor, and yields a :class:`Move`
for every principal the actor can come to act as, with the steps it takes.
A move exists only when the Lab would authorize every call of it, as the
actor would make them, and nothing else stands in the way: the target
role's trust policy must let the actor (or the service) in, a user with an
MFA device cannot be signed in to with a password alone, a user with two
access keys needs one deleted first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from labkit.escalation.facts import MAX_ACCESS_KEYS
from labkit.escalation.model import Step, name_of
from labkit.escalation.whatif import Change, trust_adding

if TYPE_CHECKING:
    from labkit.escalation.analysis import Analysis, Node

SESSION_NAME = "escalation"
LAMBDA = "lambda.amazonaws.com"
EC2 = "ec2.amazonaws.com"
CLOUDFORMATION = "cloudformation.amazonaws.com"
# What the analysis names a function or stack it would create, unless the
# actor's policies only allow other names (then a name they allow is used).
NEW_NAME = "escalation"
FILL = "{}"  # where a name template takes the part the attacker chooses
AN_IMAGE = "ami-12c6146b"  # one of the images moto offers, as RunInstances needs one
A_PASSWORD = "Escalate-Now-2026!x"  # stands for whatever password the attacker picks
A_KEY = "AKIAEXAMPLEKEYTODELETE"  # stands for the key id the attacker would delete


@dataclass(frozen=True)
class Move:
    """Steps after which the attacker acts as ``becomes``."""

    steps: tuple[Step, ...]
    becomes: Node


def moves(analysis: Analysis, actor: Node) -> list[Move]:
    """Every move ``actor`` can make, by every method, in catalogue order."""
    found: list[Move] = []
    for finder in FINDERS:
        found.extend(finder(analysis, actor))
    return found


def _own_role(analysis: Analysis, actor: Node) -> str | None:
    return actor.arn if actor.arn in analysis.facts.roles else None


def assume_role(analysis: Analysis, actor: Node) -> Iterator[Move]:
    """Roles whose trust policy lets the actor in, and its own policies too
    where the trust policy names only the account."""
    caller = analysis.caller(actor)
    for role in analysis.trust.candidates(actor.arn, caller.covers("sts:AssumeRole")):
        target = analysis.node(role, mfa=actor.mfa)
        if role == actor.arn or not analysis.worth(actor, target):
            continue
        if caller.may("sts", "AssumeRole", {"RoleArn": role, "RoleSessionName": SESSION_NAME}):
            step = Step(
                "assume-role",
                "sts:AssumeRole",
                actor.arn,
                role,
                f"{name_of(actor.arn)} assumes {name_of(role)}, "
                f"whose trust policy lets {name_of(actor.arn)} in.",
                becomes=role,
            )
            yield Move((step,), target)


def access_keys(analysis: Analysis, actor: Node) -> Iterator[Move]:
    """Users the actor can make an access key for (deleting one of two first)."""
    caller = analysis.caller(actor)
    if not caller.covers("iam:CreateAccessKey"):
        return
    for user in analysis.facts.users.values():
        if user.arn == actor.arn or not analysis.worth(actor, analysis.node(user.arn)):
            continue
        if not caller.may("iam", "CreateAccessKey", {"UserName": user.name}):
            continue
        steps: list[Step] = []
        if user.keys >= MAX_ACCESS_KEYS:  # a third key needs one deleted first
            params = {"UserName": user.name, "AccessKeyId": A_KEY}
            if not caller.may("iam", "DeleteAccessKey", params):
                continue
            steps.append(
                Step(
                    "delete-access-key",
                    "iam:DeleteAccessKey",
                    actor.arn,
                    user.arn,
                    f"{name_of(actor.arn)} deletes one of the two access keys of "
                    f"{name_of(user.arn)}, to make room for a new one.",
                )
            )
        steps.append(
            Step(
                "create-access-key",
                "iam:CreateAccessKey",
                actor.arn,
                user.arn,
                f"{name_of(actor.arn)} creates an access key for {name_of(user.arn)} "
                "and signs its calls with it.",
                becomes=user.arn,
            )
        )
        yield Move(tuple(steps), analysis.node(user.arn))


def login_profiles(analysis: Analysis, actor: Node) -> Iterator[Move]:
    """Users the actor can set a console password for and then sign in as.

    A user with an MFA device is left out: the console asks for a code the
    attacker does not have.
    """
    caller = analysis.caller(actor)
    if not (caller.covers("iam:CreateLoginProfile") or caller.covers("iam:UpdateLoginProfile")):
        return
    for user in analysis.facts.users.values():
        if user.arn == actor.arn or user.mfa:
            continue
        if not analysis.worth(actor, analysis.node(user.arn, console=True)):
            continue
        operation = "UpdateLoginProfile" if user.password else "CreateLoginProfile"
        if not caller.covers(f"iam:{operation}"):
            continue
        params = {"UserName": user.name, "Password": A_PASSWORD}
        if not caller.may("iam", operation, params):
            continue
        if user.password:
            method, words = "update-login-profile", "changes the console password of"
        else:
            method, words = "create-login-profile", "gives a console password to"
        step = Step(
            method,
            f"iam:{operation}",
            actor.arn,
            user.arn,
            f"{name_of(actor.arn)} {words} {name_of(user.arn)} and signs in as it.",
            becomes=user.arn,
        )
        yield Move((step,), analysis.node(user.arn, console=True))


def trust_rewrites(analysis: Analysis, actor: Node) -> Iterator[Move]:
    """Roles whose trust policy the actor can rewrite to trust itself, then assume.

    Whether the assumption would then succeed is asked of the Lab's
    authorizer over the account with the new trust policy.
    """
    caller = analysis.caller(actor)
    if not caller.covers("iam:UpdateAssumeRolePolicy"):
        return
    direct = {move.becomes.arn for move in assume_role(analysis, actor)}
    for role in analysis.facts.roles.values():
        if role.arn == actor.arn or role.arn in direct:
            continue
        if not analysis.worth(actor, analysis.node(role.arn, mfa=actor.mfa)):
            continue
        trust = trust_adding(analysis.trust.document(role.arn), actor.arn)
        params = {"RoleName": role.name, "PolicyDocument": trust}
        if not caller.may("iam", "UpdateAssumeRolePolicy", params):
            continue
        after = analysis.caller_after(actor, (Change("trust", role.arn, trust),))
        assume = {"RoleArn": role.arn, "RoleSessionName": SESSION_NAME}
        if not after.may("sts", "AssumeRole", assume):
            continue
        rewrite = Step(
            "update-assume-role-policy",
            "iam:UpdateAssumeRolePolicy",
            actor.arn,
            role.arn,
            f"{name_of(actor.arn)} adds itself to the trust policy of {name_of(role.arn)}.",
        )
        step = Step(
            "assume-role",
            "sts:AssumeRole",
            actor.arn,
            role.arn,
            f"{name_of(actor.arn)} assumes {name_of(role.arn)}.",
            becomes=role.arn,
        )
        yield Move((rewrite, step), analysis.node(role.arn, mfa=actor.mfa))


def _pass_step(actor: Node, role: str, service: str, how: str, **details: str) -> Step:
    thing = {LAMBDA: "function", EC2: "instance", CLOUDFORMATION: "stack"}[service]
    return Step(
        details.pop("method"),
        "iam:PassRole",
        actor.arn,
        role,
        f"{name_of(actor.arn)} {how}; the {thing} runs as {name_of(role)} "
        f"(iam:PassRole to {service}).",
        becomes=role,
        details=tuple(sorted({"service": service, **details}.items())),
    )


def lambda_functions(analysis: Analysis, actor: Node) -> Iterator[Move]:
    """Roles the actor can pass to a new Lambda function it then invokes."""
    caller = analysis.caller(actor)
    needed = ("iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction")
    if not all(caller.covers(action) for action in needed):
        return
    own = _own_role(analysis, actor)
    for role in analysis.trust.trusted_by(LAMBDA):
        if role == own or not analysis.worth(actor, analysis.node(role)):
            continue
        for template in caller.names_for("lambda:CreateFunction", ":function:", NEW_NAME):
            name = template.replace(FILL, NEW_NAME)
            created = {
                "FunctionName": name,
                "Role": role,
                "Runtime": "python3.12",
                "Handler": "index.handler",
                "Code": {"ZipFile": b"code"},
            }
            if caller.may("lambda", "CreateFunction", created) and caller.may(
                "lambda", "Invoke", {"FunctionName": name}
            ):
                step = _pass_step(
                    actor,
                    role,
                    LAMBDA,
                    f"creates the Lambda function {name} and invokes it",
                    method="lambda-create-function",
                    function=template,
                )
                yield Move((step,), analysis.node(role))
                break


def lambda_code(analysis: Analysis, actor: Node) -> Iterator[Move]:
    """Existing functions whose code the actor can replace and then invoke."""
    caller = analysis.caller(actor)
    if not caller.covers("lambda:UpdateFunctionCode"):
        return
    own = _own_role(analysis, actor)
    trusting = set(analysis.trust.trusted_by(LAMBDA))
    for function in analysis.facts.functions:
        if function.role == own or function.role not in trusting:
            continue
        if not analysis.worth(actor, analysis.node(function.role)):
            continue
        name = {"FunctionName": function.name}
        if caller.may("lambda", "UpdateFunctionCode", {**name, "ZipFile": b"code"}) and caller.may(
            "lambda", "Invoke", name
        ):
            step = Step(
                "lambda-update-code",
                "lambda:UpdateFunctionCode",
                actor.arn,
                function.arn,
                f"{name_of(actor.arn)} replaces the code of the function {function.name}, "
                f"which runs as {name_of(function.role)}, and invokes it.",
                becomes=function.role,
                details=(("function", function.name),),
            )
            yield Move((step,), analysis.node(function.role))


def lambda_configuration(analysis: Analysis, actor: Node) -> Iterator[Move]:
    """Existing functions the actor can switch to another role, re-code and invoke."""
    caller = analysis.caller(actor)
    needed = (
        "iam:PassRole",
        "lambda:UpdateFunctionConfiguration",
        "lambda:UpdateFunctionCode",
        "lambda:InvokeFunction",
    )
    if not analysis.facts.functions or not all(caller.covers(a) for a in needed):
        return
    own = _own_role(analysis, actor)
    created = {move.becomes.arn for move in lambda_functions(analysis, actor)}
    for role in analysis.trust.trusted_by(LAMBDA):
        if role == own or role in created or not analysis.worth(actor, analysis.node(role)):
            continue
        for function in analysis.facts.functions:
            name = {"FunctionName": function.name}
            if function.role == role or not caller.may(
                "lambda", "UpdateFunctionConfiguration", {**name, "Role": role}
            ):
                continue
            if caller.may(
                "lambda", "UpdateFunctionCode", {**name, "ZipFile": b"code"}
            ) and caller.may("lambda", "Invoke", name):
                step = _pass_step(
                    actor,
                    role,
                    LAMBDA,
                    f"switches the function {function.name} to a new role, replaces its "
                    "code and invokes it",
                    method="lambda-update-configuration",
                    function=function.name,
                )
                yield Move((step,), analysis.node(role))
                break


def instances(analysis: Analysis, actor: Node) -> Iterator[Move]:
    """Roles in an instance profile the actor can launch an EC2 instance with."""
    caller = analysis.caller(actor)
    if not (caller.covers("iam:PassRole") and caller.covers("ec2:RunInstances")):
        return
    own = _own_role(analysis, actor)
    trusting = set(analysis.trust.trusted_by(EC2))
    reached: set[str] = set()
    for profile, roles in sorted(analysis.facts.profiles.items()):
        for role in roles:
            if role == own or role not in trusting or role in reached:
                continue
            if not analysis.worth(actor, analysis.node(role)):
                continue
            launch = {
                "ImageId": AN_IMAGE,
                "MinCount": 1,
                "MaxCount": 1,
                "IamInstanceProfile": {"Name": profile},
            }
            if caller.may("ec2", "RunInstances", launch):
                reached.add(role)
                step = _pass_step(
                    actor,
                    role,
                    EC2,
                    f"launches an EC2 instance with the instance profile {profile} "
                    "and uses its credentials from inside",
                    method="ec2-run-instances",
                    profile=profile,
                )
                yield Move((step,), analysis.node(role))


def stacks(analysis: Analysis, actor: Node) -> Iterator[Move]:
    """Roles the actor can pass to a new CloudFormation stack."""
    caller = analysis.caller(actor)
    if not (caller.covers("iam:PassRole") and caller.covers("cloudformation:CreateStack")):
        return
    own = _own_role(analysis, actor)
    for role in analysis.trust.trusted_by(CLOUDFORMATION):
        if role == own or not analysis.worth(actor, analysis.node(role)):
            continue
        for template in caller.names_for("cloudformation:CreateStack", ":stack/", NEW_NAME):
            name = template.replace(FILL, NEW_NAME)
            params = {"StackName": name, "TemplateBody": "{}", "RoleARN": role}
            if caller.may("cloudformation", "CreateStack", params):
                step = _pass_step(
                    actor,
                    role,
                    CLOUDFORMATION,
                    f"creates the CloudFormation stack {name} with a template of its own",
                    method="cloudformation-create-stack",
                    stack=template,
                )
                yield Move((step,), analysis.node(role))
                break


FINDERS = (
    assume_role,
    access_keys,
    login_profiles,
    trust_rewrites,
    lambda_functions,
    lambda_code,
    lambda_configuration,
    instances,
    stacks,
)

"""Paths to admin, their steps, and the catalogue of methods they use."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

MethodKind = Literal["become", "grant", "prepare"]


@dataclass(frozen=True)
class Method:
    """One way of taking a step, and where the public catalogues list it.

    ``kind`` says what the step does: ``become`` (the attacker can then act
    as another principal), ``grant`` (a principal's permissions change) or
    ``prepare`` (makes room for the next step). ``actions`` are every
    permission the step needs; ``played`` is False when the Lab can find the
    step but not perform it.
    """

    id: str
    kind: MethodKind
    actions: tuple[str, ...]
    title: str
    rhino: str = ""  # Rhino Security Labs' method number
    bishop_fox: str = ""  # iam-vulnerable's path name
    pathfinding: str = ""  # pathfinding.cloud's path ids
    played: bool = True


_METHODS = (
    Method("create-policy-version", "grant", ("iam:CreatePolicyVersion",),
           "Write a new default version of a policy one holds",
           "1", "privesc1", "iam-001, iam-016, iam-020"),
    Method("set-default-policy-version", "grant", ("iam:SetDefaultPolicyVersion",),
           "Make an older, broader version of a policy the default", "2", "privesc2"),
    Method("ec2-run-instances", "become", ("iam:PassRole", "ec2:RunInstances"),
           "Launch an instance with a role's instance profile, then use its credentials",
           "3", "privesc3", "ec2-001"),
    Method("create-access-key", "become", ("iam:CreateAccessKey",),
           "Make an access key for another user", "4", "privesc4", "iam-002, iam-015, iam-018"),
    Method("delete-access-key", "prepare", ("iam:DeleteAccessKey",),
           "Delete one of a user's two access keys to make room", "", "", "iam-003"),
    Method("create-login-profile", "become", ("iam:CreateLoginProfile",),
           "Give a user without one a console password", "5", "privesc5", "iam-004"),
    Method("update-login-profile", "become", ("iam:UpdateLoginProfile",),
           "Change another user's console password", "6", "privesc6", "iam-006"),
    Method("attach-user-policy", "grant", ("iam:AttachUserPolicy",),
           "Attach an administrator policy to a user", "7", "privesc7", "iam-008, iam-015"),
    Method("attach-group-policy", "grant", ("iam:AttachGroupPolicy",),
           "Attach an administrator policy to a group", "8", "privesc8", "iam-010"),
    Method("attach-role-policy", "grant", ("iam:AttachRolePolicy",),
           "Attach an administrator policy to a role", "9", "privesc9",
           "iam-009, iam-014, iam-019"),
    Method("put-user-policy", "grant", ("iam:PutUserPolicy",),
           "Write an inline policy into a user", "10", "privesc10", "iam-007, iam-018"),
    Method("put-group-policy", "grant", ("iam:PutGroupPolicy",),
           "Write an inline policy into a group", "11", "privesc11", "iam-011"),
    Method("put-role-policy", "grant", ("iam:PutRolePolicy",),
           "Write an inline policy into a role", "12", "privesc12", "iam-005, iam-017, iam-021"),
    Method("add-user-to-group", "grant", ("iam:AddUserToGroup",),
           "Add a user to a more powerful group", "13", "privesc13", "iam-013"),
    Method("update-assume-role-policy", "become", ("iam:UpdateAssumeRolePolicy",),
           "Rewrite a role's trust policy to trust oneself", "14", "privesc14",
           "iam-012, iam-019, iam-020, iam-021"),
    Method("assume-role", "become", ("sts:AssumeRole",),
           "Assume a role whose trust policy lets one in", "", "privesc-AssumeRole", "sts-001"),
    Method("lambda-create-function", "become",
           ("iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"),
           "Pass a role to a new Lambda function and invoke it", "15", "privesc15", "lambda-001"),
    Method("lambda-update-code", "become", ("lambda:UpdateFunctionCode", "lambda:InvokeFunction"),
           "Replace the code of a function that runs as a role, and invoke it",
           "18", "privesc17", "lambda-003, lambda-004"),
    Method("lambda-update-configuration", "become",
           ("iam:PassRole", "lambda:UpdateFunctionConfiguration", "lambda:UpdateFunctionCode",
            "lambda:InvokeFunction"),
           "Switch an existing function to another role, replace its code and invoke it", "26"),
    Method("cloudformation-create-stack", "become", ("iam:PassRole", "cloudformation:CreateStack"),
           "Pass a role to a new CloudFormation stack", "21", "privesc20", "cloudformation-001"),
    Method("delete-user-boundary", "grant", ("iam:DeleteUserPermissionsBoundary",),
           "Remove the permissions boundary that holds a user back"),
    Method("delete-role-boundary", "grant", ("iam:DeleteRolePermissionsBoundary",),
           "Remove the permissions boundary that holds a role back"),
    Method("put-user-boundary", "grant", ("iam:PutUserPermissionsBoundary",),
           "Replace a user's permissions boundary with a broader one"),
    Method("put-role-boundary", "grant", ("iam:PutRolePermissionsBoundary",),
           "Replace a role's permissions boundary with a broader one"),
    Method("delete-policy-version", "prepare", ("iam:DeletePolicyVersion",),
           "Delete a policy's oldest version: a policy keeps at most five"),
)  # fmt: skip

METHODS: Mapping[str, Method] = {method.id: method for method in _METHODS}


@dataclass(frozen=True)
class Step:
    """One call (or a few calls of one method) on the way to admin.

    ``action`` is the permission that enables it and ``target`` the ARN it
    is authorized on (a user, role, group, policy or function); ``actor``
    makes the call; ``becomes`` is the principal the attacker can act as
    afterwards, for steps that lend a new identity. ``details`` holds what
    performing it needs (a policy ARN, a group, a version, a service...).
    """

    method: str
    action: str
    actor: str
    target: str
    sentence: str
    becomes: str | None = None
    details: tuple[tuple[str, str], ...] = field(default=())

    def detail(self, key: str) -> str | None:
        """One of :attr:`details`, or None."""
        return dict(self.details).get(key)

    @property
    def actions(self) -> tuple[str, ...]:
        """Every permission the step needs (``iam:PassRole`` with the service's action...)."""
        return METHODS[self.method].actions

    @property
    def label(self) -> str:
        """The enabling permission as a diagram's edge shows it."""
        service = self.detail("service")
        return f"{self.action} to {service.split('.')[0]}" if service else self.action


@dataclass(frozen=True, repr=False)
class Path:
    """A route from ``start`` to a principal that ends admin-equivalent.

    ``end`` is that principal: the start itself when it escalates its own
    permissions, or another user or role the attacker gets to act as.
    """

    start: str
    end: str
    steps: tuple[Step, ...]

    @property
    def actions(self) -> tuple[str, ...]:
        """The enabling permission of each step, in order."""
        return tuple(step.action for step in self.steps)

    @property
    def sentence(self) -> str:
        """The route in one sentence."""
        where = "itself" if self.end == self.start else name_of(self.end)
        count = f"{len(self.steps)} step{'s' if len(self.steps) != 1 else ''}"
        return (
            f"{name_of(self.start)} becomes admin-equivalent as {where} in {count}: "
            + " Then ".join(step.sentence for step in self.steps)
        )

    def __repr__(self) -> str:
        return f"Path({name_of(self.start)} → {name_of(self.end)}: {', '.join(self.actions)})"

    def __str__(self) -> str:
        lines = [f"{name_of(self.start)} → admin-equivalent as {name_of(self.end)}:"]
        lines += [f"  {i}. {step.sentence}" for i, step in enumerate(self.steps, 1)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        return "<pre>" + html.escape(str(self)) + "</pre>"


def name_of(arn: str) -> str:
    """How a learner reads an ARN: ``user dev``, ``role Admin``, ``group Ops``..."""
    resource = arn.split(":", 5)[-1]
    kind, _, rest = resource.partition("/")
    name = rest.rsplit("/", 1)[-1] if rest else resource
    words = {"user": "user", "role": "role", "group": "group", "policy": "policy"}
    if kind in words:
        return f"{words[kind]} {name}"
    if ":function:" in arn:
        return f"function {arn.rsplit(':', 1)[-1]}"
    return arn

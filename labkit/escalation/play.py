"""Performing a route as the attacker would: real calls, each one enforced.

The attacker starts with the start principal's credentials and keeps every
session it gets on the way: a role's session after ``AssumeRole``, a user's
keys after ``CreateAccessKey``, a console sign-in after setting a password,
the credentials of a role an AWS service runs with (a Lambda function, an
EC2 instance, a CloudFormation stack: what code inside it would get, given
by :meth:`~labkit.lab.account.Lab.service_session`). Each step is made with
the session of its actor, through the Lab's enforcement, so each call is in
:attr:`~labkit.lab.account.Lab.trail` and a refused one stops the play.
"""

from __future__ import annotations

import io
import string
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from labkit.escalation.become import AN_IMAGE, CLOUDFORMATION, EC2, FILL, LAMBDA, NEW_NAME
from labkit.escalation.become import SESSION_NAME as ROLE_SESSION_NAME
from labkit.escalation.model import Path, Step
from labkit.escalation.whatif import ALLOW_EVERYTHING, trust_adding
from labkit.lab.errors import AwsError, SignInError

if TYPE_CHECKING:
    from labkit.lab.account import Lab, Session

# What the attacker's function would run: any code; here, a note.
_CODE = "def handler(event, context):\n    return 'running as the function role'\n"
_TEMPLATE = '{"Resources": {}}'


class PlayRefused(Exception):
    """A step of a route was refused: the route did not work as found."""

    def __init__(self, number: int, step: Step, reason: str) -> None:
        self.number = number
        self.step = step
        self.reason = reason
        super().__init__(f"Step {number} ({step.sentence}) was refused: {reason}")


def play(lab: Lab, path: Path, session: Session | None = None, *, mfa: bool = False) -> Session:
    """Perform ``path`` with enforced calls and return the admin-equivalent
    session it ends with.

    ``session`` is the attacker's session of the start principal; without
    one, the Lab makes credentials that sign as the start principal does
    when an attacker holds it (access keys, or a role session; with MFA when
    ``mfa``). Raises :class:`PlayRefused` when a step is refused.
    """
    held: dict[str, Session] = {path.start: session or start_session(lab, path.start, mfa=mfa)}
    for number, step in enumerate(path.steps, 1):
        actor = held.get(step.actor)
        if actor is None:
            raise PlayRefused(number, step, f"no session of {step.actor} was obtained before")
        try:
            gained = _PERFORM[step.method](lab, actor, step)
        except ClientError as error:
            details = error.response.get("Error", {})
            raise PlayRefused(
                number, step, f"{details.get('Code')}: {details.get('Message')}"
            ) from None
        except (AwsError, SignInError) as error:
            raise PlayRefused(number, step, str(error)) from None
        if step.becomes is not None and gained is not None:
            held[step.becomes] = gained
    if path.end not in held:
        raise PlayRefused(len(path.steps), path.steps[-1], f"no session of {path.end} at the end")
    return held[path.end]


def start_session(lab: Lab, arn: str, *, mfa: bool = False) -> Session:
    """Credentials that sign as ``arn`` does in an attacker's hands: a user
    with its access keys (or signed in on the console when it has a password
    and no keys), a role as a session of it."""
    console = False
    if ":user/" in arn:
        user = lab.store.moto_user(arn.rsplit("/", 1)[-1])
        console = bool(user is not None and user.password and not user.access_keys)
    principal = lab.principal_of(arn, mfa=mfa, console=console)
    keys = lab.register_temporary_credentials(principal)
    return lab.session_for_keys(keys["AccessKeyId"], keys["SecretAccessKey"], keys["SessionToken"])


def _name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _password(lab: Lab) -> str:
    # Long, mixed and fresh each time, so any password policy takes it.
    letters = "".join(lab.random.choices(string.ascii_letters + string.digits, k=24))
    return f"Esc-{letters}-9aZ!"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", _CODE)
    return buffer.getvalue()


def _fresh(template: str, taken: Callable[[str], bool]) -> str:
    """A name from ``template`` nobody has taken: the attacker's part varied."""
    if FILL not in template:
        return template
    for number in range(1, 1000):
        name = template.replace(FILL, NEW_NAME if number == 1 else f"{NEW_NAME}{number}")
        if not taken(name):
            return name
    return template.replace(FILL, NEW_NAME)


def _assume(lab: Lab, actor: Session, step: Step) -> Session:
    return actor.assume_role(RoleArn=step.target, RoleSessionName=ROLE_SESSION_NAME)


def _delete_key(lab: Lab, actor: Session, step: Step) -> None:
    # The key's id stands for what the attacker learned elsewhere.
    user = lab.store.moto_user(_name(step.target))
    key = user.access_keys[0].access_key_id
    actor.client("iam").delete_access_key(UserName=user.name, AccessKeyId=key)


def _create_key(lab: Lab, actor: Session, step: Step) -> Session:
    key = actor.client("iam").create_access_key(UserName=_name(step.target))["AccessKey"]
    return lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])


def _login(lab: Lab, actor: Session, step: Step) -> Session:
    name, password = _name(step.target), _password(lab)
    call = (
        "create_login_profile" if step.method == "create-login-profile" else "update_login_profile"
    )
    getattr(actor.client("iam"), call)(
        UserName=name, Password=password, PasswordResetRequired=False
    )
    return lab.sign_in(name, password)


def _rewrite_trust(lab: Lab, actor: Session, step: Step) -> None:
    role = lab.store.role(step.target)
    trust = trust_adding(role.trust if role is not None else {}, step.actor)
    actor.client("iam").update_assume_role_policy(RoleName=_name(step.target), PolicyDocument=trust)


def _new_function(lab: Lab, actor: Session, step: Step) -> Session:
    client = actor.client("lambda")
    functions = lab.store.lambda_functions()
    name = _fresh(step.detail("function") or FILL, lambda n: _exists(functions, n))
    client.create_function(
        FunctionName=name,
        Role=step.target,
        Runtime="python3.12",
        Handler="index.handler",
        Code={"ZipFile": _zip()},
    )
    client.invoke(FunctionName=name)
    return lab.service_session(LAMBDA, step.target)


def _exists(backend: Any, name: str) -> bool:
    return any(f.function_name == name for f in backend.list_functions())


def _function_code(lab: Lab, actor: Session, step: Step) -> Session:
    client = actor.client("lambda")
    name = step.detail("function") or ""
    if step.method == "lambda-update-configuration":
        client.update_function_configuration(FunctionName=name, Role=step.target)
    client.update_function_code(FunctionName=name, ZipFile=_zip())
    client.invoke(FunctionName=name)
    return lab.service_session(LAMBDA, step.becomes or step.target)


def _instance(lab: Lab, actor: Session, step: Step) -> Session:
    actor.client("ec2").run_instances(
        ImageId=AN_IMAGE,
        MinCount=1,
        MaxCount=1,
        IamInstanceProfile={"Name": step.detail("profile")},
    )
    return lab.service_session(EC2, step.target)


def _stack(lab: Lab, actor: Session, step: Step) -> Session:
    client = actor.client("cloudformation")
    backend = lab.store.backend("cloudformation", "cloudformation_backends")
    taken = {stack.name for stack in backend.stacks.values()}
    name = _fresh(step.detail("stack") or FILL, taken.__contains__)
    client.create_stack(StackName=name, TemplateBody=_TEMPLATE, RoleARN=step.target)
    return lab.service_session(CLOUDFORMATION, step.target)


def _put_policy(lab: Lab, actor: Session, step: Step) -> None:
    kind = {"put-user-policy": "User", "put-role-policy": "Role", "put-group-policy": "Group"}
    entity = kind[step.method]
    getattr(actor.client("iam"), f"put_{entity.lower()}_policy")(
        **{f"{entity}Name": _name(step.target)},
        PolicyName=step.detail("name"),
        PolicyDocument=ALLOW_EVERYTHING,
    )


def _attach(lab: Lab, actor: Session, step: Step) -> None:
    entity = step.method.split("-")[1]  # user, group, role
    getattr(actor.client("iam"), f"attach_{entity}_policy")(
        **{f"{entity.title()}Name": _name(step.target)}, PolicyArn=step.detail("policy")
    )


def _versions(lab: Lab, actor: Session, step: Step) -> None:
    iam = actor.client("iam")
    if step.method == "create-policy-version":
        iam.create_policy_version(
            PolicyArn=step.target, PolicyDocument=ALLOW_EVERYTHING, SetAsDefault=True
        )
    elif step.method == "delete-policy-version":
        iam.delete_policy_version(PolicyArn=step.target, VersionId=step.detail("version"))
    else:
        iam.set_default_policy_version(PolicyArn=step.target, VersionId=step.detail("version"))


def _join(lab: Lab, actor: Session, step: Step) -> None:
    actor.client("iam").add_user_to_group(
        GroupName=_name(step.target), UserName=step.detail("user")
    )


def _boundary(lab: Lab, actor: Session, step: Step) -> None:
    verb, entity = step.method.split("-")[:2]  # delete/put, user/role
    iam = actor.client("iam")
    name = {f"{entity.title()}Name": _name(step.target)}
    if verb == "delete":
        getattr(iam, f"delete_{entity}_permissions_boundary")(**name)
    else:
        getattr(iam, f"put_{entity}_permissions_boundary")(
            **name, PermissionsBoundary=step.detail("policy")
        )


_PERFORM: dict[str, Callable[[Lab, Session, Step], Session | None]] = {
    "assume-role": _assume,
    "delete-access-key": _delete_key,
    "create-access-key": _create_key,
    "create-login-profile": _login,
    "update-login-profile": _login,
    "update-assume-role-policy": _rewrite_trust,
    "lambda-create-function": _new_function,
    "lambda-update-code": _function_code,
    "lambda-update-configuration": _function_code,
    "ec2-run-instances": _instance,
    "cloudformation-create-stack": _stack,
    "put-user-policy": _put_policy,
    "put-role-policy": _put_policy,
    "put-group-policy": _put_policy,
    "attach-user-policy": _attach,
    "attach-role-policy": _attach,
    "attach-group-policy": _attach,
    "create-policy-version": _versions,
    "delete-policy-version": _versions,
    "set-default-policy-version": _versions,
    "add-user-to-group": _join,
    "delete-user-boundary": _boundary,
    "delete-role-boundary": _boundary,
    "put-user-boundary": _boundary,
    "put-role-boundary": _boundary,
}

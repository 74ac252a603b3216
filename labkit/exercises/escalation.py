"""The exercise of chapter 09: close every route to admin, keep the work going.

``close_every_path.setup(lab)`` builds the operations account of Cloud
Pastries; ``close_every_path.check(lab)`` answers "done" when no user or role
can become admin-equivalent *and* the people's real work still succeeds.

The work is tried for real, as the learner's users would do it: each call is
made with their credentials through the Lab's enforcement (so it appears in
the trail), and undoes what it made. A fix that closes a route by taking the
work away answers "not yet", with a hint that says how to narrow instead.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labkit.exercises.core import Exercise, Result, Step, StepResult, _run

if TYPE_CHECKING:
    from labkit.lab.account import Lab, Session

ACCOUNT = "123456789012"
IAM = f"arn:aws:iam::{ACCOUNT}:"
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
APP_ROLE = f"{IAM}role/app-runtime"
PIPELINE_ROLE = f"{IAM}role/deploy-admin"
CHECK_FUNCTION = "app-check"
NIA_PASSWORD = "Nia-Bakes-Bread-2026!"
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# The two customer managed policies, as the company first wrote them.
DEVELOPER_WORK = _policy(
    {
        "Sid": "OwnFunctions",
        "Effect": "Allow",
        "Action": [
            "lambda:CreateFunction",
            "lambda:InvokeFunction",
            "lambda:DeleteFunction",
            "lambda:GetFunction",
        ],
        "Resource": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:app-*",
    },
    {"Sid": "HandRolesToFunctions", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
)
HELPDESK_WORK = _policy(
    {
        "Sid": "ResetPasswords",
        "Effect": "Allow",
        "Action": ["iam:UpdateLoginProfile", "iam:GetLoginProfile"],
        "Resource": f"{IAM}user/*",
    },
    {"Sid": "OnboardNewHires", "Effect": "Allow", "Action": "iam:AddUserToGroup", "Resource": "*"},
    {
        "Sid": "SeeWho",
        "Effect": "Allow",
        "Action": ["iam:ListUsers", "iam:ListGroups"],
        "Resource": "*",
    },
)


def setup(lab: Lab) -> None:
    """Build the operations account: developers who deploy Lambda functions,
    a helpdesk that resets passwords and onboards new hires, an administrator,
    and the pipeline's administrator role."""
    iam = lab.client("iam")
    for name, document in (("Developer-Work", DEVELOPER_WORK), ("Helpdesk-Work", HELPDESK_WORK)):
        group = name.split("-")[0].replace("Developer", "Developers")
        arn = iam.create_policy(PolicyName=name, PolicyDocument=document)["Policy"]["Arn"]
        iam.create_group(GroupName=group)
        iam.attach_group_policy(GroupName=group, PolicyArn=arn)
    iam.create_group(GroupName="Admins")
    iam.attach_group_policy(GroupName="Admins", PolicyArn=ADMINISTRATOR_ACCESS)
    people = {
        "devon": ("/staff/", "Developers", "Devon-Ships-Code-2026!"),
        "hana": ("/staff/", "Helpdesk", "Hana-Helps-Out-2026!"),
        "nia": ("/staff/", None, NIA_PASSWORD),
        "opal": ("/", "Admins", "Opal-Runs-Ops-2026!"),
    }
    for name, (path, group, password) in people.items():
        iam.create_user(UserName=name, Path=path)
        iam.create_login_profile(UserName=name, Password=password)
        if group is not None:
            iam.add_user_to_group(GroupName=group, UserName=name)
    trust = json.dumps(LAMBDA_TRUST)
    iam.create_role(RoleName="app-runtime", AssumeRolePolicyDocument=trust)
    iam.put_role_policy(
        RoleName="app-runtime",
        PolicyName="App-Data",
        PolicyDocument=_policy(
            {
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
                "Resource": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders",
            }
        ),
    )
    iam.create_role(RoleName="deploy-admin", AssumeRolePolicyDocument=trust)
    iam.attach_role_policy(RoleName="deploy-admin", PolicyArn=ADMINISTRATOR_ACCESS)


# --- the work that must keep working, tried as the people do it ---------------


def _as(lab: Lab, user: str) -> Session:
    from labkit.escalation import start_session

    found = lab.store.moto_user(user)
    if found is None:
        raise LookupError(user)
    return start_session(lab, found.arn)


def _code() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return 'fresh bread'\n")
    return buffer.getvalue()


def devon_deploys(lab: Lab) -> bool:
    """devon creates a function that runs as app-runtime, then deletes it."""
    _forget_function(lab)
    client = _as(lab, "devon").client("lambda")
    client.create_function(
        FunctionName=CHECK_FUNCTION,
        Role=APP_ROLE,
        Runtime="python3.12",
        Handler="index.handler",
        Code={"ZipFile": _code()},
    )
    client.delete_function(FunctionName=CHECK_FUNCTION)
    return True


def _forget_function(lab: Lab) -> None:
    """A function left by an earlier, interrupted check goes first."""
    functions = lab.store.lambda_functions().list_functions()
    if any(f.function_name == CHECK_FUNCTION for f in functions):
        lab.client("lambda").delete_function(FunctionName=CHECK_FUNCTION)


def hana_resets_a_password(lab: Lab) -> bool:
    """hana gives nia a new console password, and nia signs in with it."""
    _as(lab, "hana").client("iam").update_login_profile(UserName="nia", Password=NIA_PASSWORD)
    lab.sign_in("nia", NIA_PASSWORD)
    return True


def hana_onboards(lab: Lab) -> bool:
    """hana adds nia, the new hire, to the Developers group."""
    _as(lab, "hana").client("iam").add_user_to_group(GroupName="Developers", UserName="nia")
    return True


def opal_administers(lab: Lab) -> bool:
    """opal is still an administrator: allowed everything, and lists the users."""
    from labkit.escalation import admin_equivalent

    session = _as(lab, "opal")
    session.client("iam").list_users()
    return admin_equivalent(lab, session)


def pipeline_is_admin(lab: Lab) -> bool:
    """The pipeline's role deploy-admin is still an administrator for Lambda."""
    from labkit.escalation import admin_equivalent

    return admin_equivalent(lab, lab.service_session("lambda.amazonaws.com", "deploy-admin"))


def no_route_remains(lab: Lab) -> bool:
    """No user or role that is not admin-equivalent can become so."""
    from labkit.escalation import paths

    return not paths(lab)


NO_ROUTE_HINT = (
    "the route's first step names the permission to narrow: give it a Resource "
    "(a role's ARN, a path such as user/staff/*, one group) or a condition, "
    "rather than taking it away"
)
WORK = (
    Step(
        "devon still deploys a function that runs as app-runtime",
        devon_deploys,
        "developers need iam:PassRole for app-runtime only: put that role's ARN in the "
        "Resource, and iam:PassedToService lambda.amazonaws.com in a condition",
    ),
    Step(
        "hana still resets the password of nia, who works in /staff/",
        hana_resets_a_password,
        "keep iam:UpdateLoginProfile for the helpdesk, on the users under /staff/ only: "
        "that leaves out opal, whose password opens the Admins group",
    ),
    Step(
        "hana still adds the new hire nia to Developers",
        hana_onboards,
        "keep iam:AddUserToGroup for the helpdesk, on the Developers group's ARN only, "
        "so that nobody is added to Admins",
    ),
    Step(
        "opal is still an administrator",
        opal_administers,
        "leave opal in Admins: the routes go through the others' permissions",
    ),
    Step(
        "the pipeline's role deploy-admin is still an administrator",
        pipeline_is_admin,
        "the pipeline needs deploy-admin as it is: stop the others from passing it to Lambda",
    ),
)


@dataclass(frozen=True)
class RouteExercise(Exercise):
    """An exercise whose first step is "no route to admin remains": when some
    remain, its hint also names the shortest, in words."""

    prepare: Callable[[Lab], None] = setup

    def setup(self, lab: Lab) -> None:
        """Build the exercise's account in a fresh Lab."""
        self.prepare(lab)

    def check(self, lab: Lab) -> Result:
        """Try the work first (as the people would do it), then look for routes."""
        work = [_run(step, lab) for step in self.steps[1:]]
        first = self.steps[0]
        found = _remaining(lab)
        hint = first.hint
        if found:
            shown = " ".join(path.steps[0].sentence for path in found[:3])
            more = f" ({len(found) - 3} more not shown)" if len(found) > 3 else ""
            hint = (
                f"{_count(len(found))} can still become admin-equivalent; their first steps: "
                f"{shown}{more} So {hint}"
            )
        routes = StepResult(first.description, found == [], hint)
        return Result(self.title, (routes, *work))


def _remaining(lab: Lab) -> list[Any] | None:
    """The shortest route of each start that has one; None when they cannot be found."""
    from labkit.escalation import paths

    try:
        found = paths(lab)
    except Exception:  # noqa: BLE001 - a check never raises: not done
        return None
    shortest: dict[str, Any] = {}
    for path in found:
        shortest.setdefault(path.start, path)
    return list(shortest.values())


def _count(starts: int) -> str:
    return "1 user or role" if starts == 1 else f"{starts} users or roles"


close_every_path = RouteExercise(
    "Close every route to admin, keep the work going",
    (Step("no user or role can become admin-equivalent", no_route_remains, NO_ROUTE_HINT), *WORK),
)

__all__ = ["close_every_path", "setup"]

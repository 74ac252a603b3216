"""How long the views take on large accounts.

    .venv/bin/python benchmarks/views.py

Prints one line per figure:

* the hierarchy of a 1,000-user account built as plain data
  (:func:`synthetic_account`), so only the drawing is timed;
* an AccessMatrix of 50 principals × 40 actions in a real Lab;
* on real Labs of 250 and 2,500 principals (80% users, 20% roles, set up
  through the Lab's own IAM API, :func:`lab_account`; the set-up time is
  printed too): an AccessMatrix of the default actions (build; refresh after
  one IAM change; memory) and the hierarchy drawn in full (building the
  DOT source; ``dot -Tsvg``, also without the ``mclimit`` a hierarchy of
  thousands of boxes asks for).

The machines these run on are shared and noisy, so every big-account figure
comes with a baseline measured in the same run: the same operation at 250
principals (linear growth reads as about 10x) and, for the matrix, a plain
loop of ``lab.decide`` over the same cells. To add a figure, write a function
returning its line(s) and list it in :data:`FIGURES`.
"""

from __future__ import annotations

import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import graphviz  # noqa: E402

from labkit.diagrams import hierarchy  # noqa: E402
from labkit.inventory import Inventory  # noqa: E402

AWS_POLICIES = (
    "AdministratorAccess",
    "ReadOnlyAccess",
    "PowerUserAccess",
    "AmazonS3ReadOnlyAccess",
    "AmazonS3FullAccess",
    "AmazonDynamoDBReadOnlyAccess",
    "AmazonDynamoDBFullAccess",
    "IAMReadOnlyAccess",
    "IAMUserChangePassword",
    "job-function/Billing",
    "job-function/DatabaseAdministrator",
    "job-function/ViewOnlyAccess",
)
SERVICES = ("lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com")


def _allow(*actions: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
    }


def synthetic_account(
    users: int = 1000, groups: int = 100, roles: int = 200, seed: int = 7
) -> Inventory:
    """A company-shaped account: most users only in groups, some with their
    own policies; roles mostly for AWS services. Same seed, same account."""
    rng = random.Random(seed)
    account = "123456789012"
    customer = [
        {"name": f"team-{i:02d}-access", "document": _allow("s3:Get*", "dynamodb:Query")}
        for i in range(40)
    ]
    customer_arns = [f"arn:aws:iam::{account}:policy/{p['name']}" for p in customer]
    aws_arns = [f"arn:aws:iam::aws:policy/{name}" for name in AWS_POLICIES]
    group_names = [f"team-{i:03d}" for i in range(groups)]
    data: dict = {"account_id": account, "policies": customer}
    data.update(groups=[], users=[], roles=[])
    for name in group_names:
        attached = rng.sample(aws_arns, rng.randint(0, 2)) + rng.sample(customer_arns, 1)
        data["groups"].append({"name": name, "attached": attached})
    for i in range(users):
        user: dict = {"name": f"user-{i:04d}", "groups": rng.sample(group_names, rng.randint(1, 3))}
        if rng.random() < 0.05:
            user["attached"] = [rng.choice(aws_arns)]
        if rng.random() < 0.03:
            user["inline"] = {"own-notes": _allow("s3:PutObject")}
        if rng.random() < 0.02:
            user["boundary"] = customer_arns[0]
        data["users"].append(user)
    for i in range(roles):
        service = SERVICES[0] if i % 4 else rng.choice(SERVICES[1:])
        principal = {"Service": service} if i % 10 else {"AWS": f"arn:aws:iam::{account}:root"}
        data["roles"].append(
            {
                "name": f"role-{i:03d}",
                "trust": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
                    ],
                },
                "attached": [rng.choice(customer_arns)],
                "inline": {"logs": _allow("logs:CreateLogStream", "logs:PutLogEvents")},
            }
        )
    return Inventory.from_dict(data)


def hierarchy_benchmark() -> str:
    """Build and render the hierarchy of a 1,000-user account."""
    inventory = synthetic_account()
    start = time.perf_counter()
    dot = hierarchy(inventory)
    built = time.perf_counter()
    svg = dot.pipe(format="svg")
    rendered = time.perf_counter()
    # Node statements, less the legend, the note and the default-attribute lines.
    skip = r"(?!legend_|folded_note|graph |node |edge )"
    boxes = len(re.findall(rf"^\t{skip}\w+ \[", dot.source, re.M))
    return (
        f"hierarchy (1,000 users, 100 groups, 200 roles): build {built - start:.2f}s, "
        f"dot -Tsvg {rendered - built:.2f}s, {boxes} boxes, {len(svg) // 1024} KiB SVG"
    )


def _company_trust() -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def access_matrix_refresh() -> str:
    """Refresh an AccessMatrix of 50 principals × 40 actions in a real Lab."""
    import json

    from labkit import Lab
    from labkit.policy import catalog
    from labkit.widgets import AccessMatrix

    with Lab(seed=1) as lab:
        iam = lab.client("iam")
        iam.create_group(GroupName="readers")
        read = json.dumps(_allow("s3:Get*", "iam:List*"))
        iam.put_group_policy(GroupName="readers", PolicyName="read", PolicyDocument=read)
        for n in range(40):
            iam.create_user(UserName=f"user-{n:02d}")
            if n % 2:
                iam.add_user_to_group(GroupName="readers", UserName=f"user-{n:02d}")
        for n in range(10):
            iam.create_role(
                RoleName=f"role-{n}", AssumeRolePolicyDocument=json.dumps(_company_trust())
            )
            iam.attach_role_policy(
                RoleName=f"role-{n}", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess"
            )
        actions = catalog.expand("iam:List*")[:20] + catalog.expand("s3:Get*")[:20]
        start = time.perf_counter()
        matrix = AccessMatrix(lab, actions=actions)
        built = time.perf_counter() - start
        refresh, repaint = [], []
        for _ in range(5):
            lab.invalidate()  # as after an IAM write: every policy is read afresh
            start = time.perf_counter()
            matrix.refresh()
            refresh.append(time.perf_counter() - start)
            start = time.perf_counter()
            matrix.refresh(force=True)  # every cell decided and drawn again
            repaint.append(time.perf_counter() - start)
        start = time.perf_counter()
        matrix.refresh()
        unchanged = time.perf_counter() - start
    return (
        f"access matrix (50 principals × 40 actions): build {built:.2f}s, "
        f"refresh {min(refresh) * 1000:.0f} ms ({min(repaint) * 1000:.0f} ms forced: every "
        f"cell decided again), unchanged IAM {unchanged * 1e6:.0f} µs"
    )


# -- big accounts in a real Lab -------------------------------------------------


def lab_account(lab: object, principals: int, seed: int = 7) -> None:
    """Fill ``lab`` with a company of ``principals`` users and roles through
    its own IAM API: 80% users, each in one to three of ``principals // 25``
    groups (AWS and customer managed policies), some with policies of their
    own or a permissions boundary; 20% roles, mostly for AWS services."""
    import json

    rng = random.Random(seed)
    iam = lab.client("iam")  # type: ignore[attr-defined]
    customer = []
    for i in range(40):
        document = json.dumps(_allow("s3:Get*", "dynamodb:Query", f"sqs:Send{i}*"))
        created = iam.create_policy(PolicyName=f"team-{i:02d}-access", PolicyDocument=document)
        customer.append(created["Policy"]["Arn"])
    aws = [f"arn:aws:iam::aws:policy/{name}" for name in AWS_POLICIES]
    users, roles = principals * 4 // 5, principals - principals * 4 // 5
    groups = [f"team-{i:03d}" for i in range(max(4, principals // 25))]
    for name in groups:
        iam.create_group(GroupName=name)
        for arn in rng.sample(aws, rng.randint(0, 2)) + rng.sample(customer, 1):
            iam.attach_group_policy(GroupName=name, PolicyArn=arn)
    own = json.dumps(_allow("s3:PutObject"))
    for i in range(users):
        name = f"user-{i:04d}"
        iam.create_user(UserName=name)
        for group in rng.sample(groups, rng.randint(1, 3)):
            iam.add_user_to_group(GroupName=group, UserName=name)
        if rng.random() < 0.05:
            iam.attach_user_policy(UserName=name, PolicyArn=rng.choice(aws))
        if rng.random() < 0.03:
            iam.put_user_policy(UserName=name, PolicyName="own-notes", PolicyDocument=own)
        if rng.random() < 0.02:
            iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=customer[0])
    logs = json.dumps(_allow("logs:CreateLogStream", "logs:PutLogEvents"))
    for i in range(roles):
        service = SERVICES[0] if i % 4 else rng.choice(SERVICES[1:])
        trust = _company_trust()
        if i % 10:
            trust["Statement"][0]["Principal"] = {"Service": service}
        name = f"role-{i:03d}"
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
        iam.attach_role_policy(RoleName=name, PolicyArn=rng.choice(customer))
        iam.put_role_policy(RoleName=name, PolicyName="logs", PolicyDocument=logs)


def _best(
    function: Callable[[], object], rounds: int, before: Callable[[], object] = lambda: None
) -> float:
    """The fastest of ``rounds`` runs, each after ``before`` (not timed)."""
    best = float("inf")
    for _ in range(rounds):
        before()
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def _measure(principals: int) -> dict[str, float]:
    """Every big-account figure for one Lab of ``principals`` users and roles."""
    import json
    import tracemalloc

    from labkit import Lab
    from labkit.widgets import AccessMatrix
    from labkit.widgets._common import COMMON_ACTIONS

    found: dict[str, float] = {}
    with Lab(seed=1) as lab:
        start = time.perf_counter()
        lab_account(lab, principals)
        found["setup"] = time.perf_counter() - start
        arns = [u.arn for u in lab.backend.users.values()]
        arns += [r.arn for r in lab.backend.roles.values()]

        def plain_loop() -> None:
            for arn in arns:
                principal = lab.principal_of(arn, console=True)
                for action in COMMON_ACTIONS:
                    lab.decide(principal, action, "*")

        # Each from cold policy caches, as after an IAM write.
        found["decide loop"] = _best(plain_loop, 2, lab.invalidate)
        found["matrix build"] = _best(lambda: AccessMatrix(lab), 2, lab.invalidate)
        lab.invalidate()
        tracemalloc.start()
        matrix = AccessMatrix(lab)
        found["matrix MB"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        iam = lab.client("iam")
        deny = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}],
            }
        )
        refresh = []
        for n in range(3):  # one IAM change each time: one user's new inline policy
            iam.put_user_policy(UserName=f"user-{n:04d}", PolicyName="no-s3", PolicyDocument=deny)
            start = time.perf_counter()
            matrix.refresh()
            refresh.append(time.perf_counter() - start)
            assert matrix.decision(f"user-{n:04d}", "s3:GetObject") == "explicitDeny"
        found["matrix refresh"] = min(refresh)
        found["matrix forced"] = _best(lambda: matrix.refresh(force=True), 2)
        names = [arn.rsplit("/", 1)[-1] for arn in arns]
        found["hierarchy dot"] = _best(lambda: hierarchy(lab, expand=names), 2)
        dot = hierarchy(lab, expand=names)
        found["boxes"] = len(
            re.findall(r"^\t(?!legend_|folded_note|graph |node |edge )\w+ \[", dot.source, re.M)
        )
        start = time.perf_counter()
        dot.pipe(format="svg")
        found["hierarchy svg"] = time.perf_counter() - start
        # And as dot lays it out by default, without the hierarchy's mclimit.
        plain = re.sub(r"\tgraph \[mclimit=[^\]]*\]\n", "", dot.source)
        start = time.perf_counter()
        graphviz.Source(plain).pipe(format="svg")
        found["hierarchy svg default"] = time.perf_counter() - start
    return found


def big_accounts() -> str:
    """AccessMatrix and the unfolded hierarchy at 2,500 principals, against 250."""
    small, big = _measure(250), _measure(2500)

    def line(what: str, key: str, unit: str = "s") -> str:
        ratio = big[key] / small[key] if small[key] else float("inf")
        scale = 1000 if unit == "ms" else 1
        digits = 1 if unit == "MB" else 2
        return (
            f"  {what}: {big[key] * scale:.{digits}f} {unit} at 2,500 "
            f"({small[key] * scale:.{digits}f} {unit} at 250: ×{ratio:.1f})"
        )

    lines = [
        "big accounts (Labs set up through the IAM API: "
        f"{small['setup']:.1f}s for 250 principals, {big['setup']:.1f}s for 2,500):",
        line("plain loop of lab.decide over the matrix's 10 actions (baseline)", "decide loop"),
        line("AccessMatrix build, default actions", "matrix build")
        + f"; {big['matrix build'] / big['decide loop']:.2f}× the plain loop",
        line("AccessMatrix build, memory (tracemalloc peak)", "matrix MB", "MB"),
        line("AccessMatrix refresh after one IAM change", "matrix refresh", "ms"),
        line("AccessMatrix refresh(force=True)", "matrix forced"),
        line(f"hierarchy unfolded ({big['boxes']:,.0f} boxes), DOT source", "hierarchy dot"),
        line("hierarchy unfolded, dot -Tsvg", "hierarchy svg"),
        line("hierarchy unfolded, dot -Tsvg without its mclimit", "hierarchy svg default"),
    ]
    return "\n".join(lines)


FIGURES: list[Callable[[], str]] = [hierarchy_benchmark, access_matrix_refresh, big_accounts]


def main() -> None:
    """Print one line per figure."""
    for figure in FIGURES:
        print(figure(), flush=True)


if __name__ == "__main__":
    main()

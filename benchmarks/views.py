"""How long the views take on a large synthetic account.

    .venv/bin/python benchmarks/views.py

Prints one line per figure. The account has 1,000 users, 100 groups and 200
roles, built as plain data (:func:`synthetic_account`), so only the views are
timed. To add a figure, write a function returning its line and list it in
:data:`FIGURES`.
"""

from __future__ import annotations

import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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


def access_matrix_refresh() -> str:
    """Refresh an AccessMatrix of 50 principals × 40 actions in a real Lab."""
    import json

    from labkit import Lab
    from labkit.policy import catalog
    from labkit.widgets import AccessMatrix

    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
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
            iam.create_role(RoleName=f"role-{n}", AssumeRolePolicyDocument=json.dumps(trust))
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
            matrix.refresh(force=True)
            refresh.append(time.perf_counter() - start)
            matrix._shown.clear()  # and once with every cell's look sent again
            start = time.perf_counter()
            matrix.refresh(force=True)
            repaint.append(time.perf_counter() - start)
        start = time.perf_counter()
        matrix.refresh()
        unchanged = time.perf_counter() - start
    return (
        f"access matrix (50 principals × 40 actions): build {built:.2f}s, "
        f"refresh {min(refresh) * 1000:.0f} ms ({min(repaint) * 1000:.0f} ms with every "
        f"cell repainted), unchanged IAM {unchanged * 1e6:.0f} µs"
    )


FIGURES: list[Callable[[], str]] = [hierarchy_benchmark, access_matrix_refresh]


def main() -> None:
    """Print one line per figure."""
    for figure in FIGURES:
        print(figure(), flush=True)


if __name__ == "__main__":
    main()

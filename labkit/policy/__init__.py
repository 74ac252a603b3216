"""A pure IAM policy engine: parse, validate, lint, evaluate and explain.

It decides as AWS does and imports neither boto3 nor moto: data in, data out.

    >>> from labkit.policy import Policy, Request, evaluate
    >>> policy = Policy.parse('{"Version": "2012-10-17", "Statement": '
    ...     '{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}}')
    >>> evaluate(Request("s3:GetObject", "arn:aws:s3:::notes/a.txt"), identity=[policy]).decision
    'allowed'
"""

# Submodules are imported before the functions of the same name are bound, so
# that `labkit.policy.lint` and friends name the functions, not the modules.
from labkit.policy import catalog
from labkit.policy.evaluate import evaluate
from labkit.policy.explain import explain
from labkit.policy.lint import Finding, lint
from labkit.policy.model import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Condition,
    Decision,
    Location,
    Miss,
    Policy,
    PolicyError,
    Request,
    Statement,
    StatementRef,
)
from labkit.policy.parse import parse_policy
from labkit.policy.simulate import simulate_custom_policy

__all__ = [
    "ALLOWED",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "Condition",
    "Decision",
    "Finding",
    "Location",
    "Miss",
    "Policy",
    "PolicyError",
    "Request",
    "Statement",
    "StatementRef",
    "catalog",
    "evaluate",
    "explain",
    "lint",
    "parse_policy",
    "simulate_custom_policy",
]

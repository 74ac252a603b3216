"""A pure IAM policy engine: parse, validate, lint, evaluate and explain.

It decides as AWS does and imports neither boto3 nor moto: data in, data out.

    >>> from labkit.policy import Policy, Request, evaluate
    >>> policy = Policy.parse('{"Version": "2012-10-17", "Statement": '
    ...     '{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}}')
    >>> evaluate(Request("s3:GetObject", "arn:aws:s3:::notes/a.txt"), identity=[policy]).decision
    'allowed'
"""

from importlib import import_module
from typing import Any

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

# Heavier parts load on first use, so that importing the model stays cheap.
_LAZY = {
    "parse_policy": "labkit.policy.parse",
    "lint": "labkit.policy.lint",
    "Finding": "labkit.policy.lint",
    "evaluate": "labkit.policy.evaluate",
    "explain": "labkit.policy.explain",
    "simulate_custom_policy": "labkit.policy.simulate",
    "catalog": "labkit.policy.catalog",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'labkit.policy' has no attribute {name!r}")
    loaded = import_module(module)
    return loaded if module.endswith("." + name) else getattr(loaded, name)


__all__ = [
    "ALLOWED",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "Condition",
    "Decision",
    "Location",
    "Miss",
    "Policy",
    "PolicyError",
    "Request",
    "Statement",
    "StatementRef",
    *_LAZY,
]

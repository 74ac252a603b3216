"""The course's exercises, in course order.

Each step is a question about the Lab's live state
(:mod:`labkit.exercises.questions`); the exercises themselves live with
their chapters.
"""

from __future__ import annotations

from labkit.exercises.escalation import close_every_path
from labkit.exercises.organizations import development_guardrails
from labkit.exercises.roles_and_mfa import (
    capstone,
    delete_only_with_mfa,
    mfa_for_ana,
    report_reader_role,
)
from labkit.exercises.users_and_policies import (
    auditor_user,
    company_password_policy,
    first_user,
    interns_group,
    orders_writer,
)

# In course order: the notebook each exercise closes.
__all__ = [
    "first_user",
    "interns_group",
    "auditor_user",
    "orders_writer",
    "report_reader_role",
    "delete_only_with_mfa",
    "company_password_policy",
    "mfa_for_ana",
    "capstone",
    "close_every_path",
    "development_guardrails",
]

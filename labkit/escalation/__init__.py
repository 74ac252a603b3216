"""Who can become admin? Privilege-escalation paths found, drawn and played.

    >>> from labkit import escalation
    >>> for path in escalation.paths(lab):            # doctest: +SKIP
    ...     print(path)
    user dev → admin-equivalent as user dev:
      1. user dev writes a new default version of policy Dev-Deploy, ...
    >>> admin = escalation.play(lab, path)           # doctest: +SKIP

:func:`paths` lists, for every user and role that is not admin-equivalent
(:mod:`labkit.escalation.admin` defines it), each route by which it can
become so: the IAM and STS methods of the public catalogues (Rhino Security
Labs' methods, Bishop Fox's iam-vulnerable, DataDog's pathfinding.cloud),
passing a role to Lambda, EC2 or CloudFormation, and chains of them, shortest
first. :data:`METHODS` lists them with where each catalogue has them.

Every "may X do Y to Z" is the Lab's own decision (``Lab.decide``'s
authorizer), asked with the caller as it would really call, so conditions,
boundaries, explicit denies, resource scoping and trust policies count as
they do for a call. **Whom the attacker holds:** a user's access keys, or
its console password when it has no keys; a role's session. Without its
MFA device, as stolen credentials are: a permission that needs MFA is not
the attacker's (``mfa=True`` asks about an insider who has the device).
Roles reached along the way keep that MFA state; users reached by a new key
or password have none, and a user with an MFA device cannot be signed in to
with a password alone.

:func:`play` performs a route with enforced calls, as the attacker would,
and returns the admin-equivalent session it ends with; every step is in the
Lab's trail. :func:`draw` draws the routes (:mod:`labkit.escalation.diagram`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from labkit.escalation.admin import PROBES
from labkit.escalation.analysis import Analysis
from labkit.escalation.model import METHODS, Method, Path, Step, name_of
from labkit.escalation.play import PlayRefused, play, start_session

if TYPE_CHECKING:
    import graphviz

    from labkit.lab.account import Lab, Session

__all__ = [
    "METHODS",
    "PROBES",
    "Analysis",
    "Method",
    "Path",
    "PlayRefused",
    "Step",
    "admin_equivalent",
    "draw",
    "name_of",
    "paths",
    "play",
    "start_session",
]


def paths(lab: Lab, principal: str | None = None, *, mfa: bool = False) -> list[Path]:
    """Every route to admin: from ``principal`` (a user or role ARN, or a
    name), or from every user and role of the account that is not
    admin-equivalent already; shortest first for each start.

    ``mfa=True`` gives the attacker the start principal's MFA device.
    Raises ``LookupError`` for a principal the account does not have.
    """
    analysis = Analysis(lab, mfa=mfa)
    if principal is not None:
        return analysis.routes(_arn(analysis, principal))
    found: list[Path] = []
    for arn in sorted(analysis.facts.users) + sorted(analysis.facts.roles):
        found.extend(analysis.routes(arn))
    return found


def admin_equivalent(lab: Lab, principal: str | Session, *, mfa: bool = False) -> bool:
    """Whether ``principal`` is admin-equivalent now: a user or role (ARN or
    name) as an attacker holding it would call, or a session as it calls."""
    analysis = Analysis(lab, mfa=mfa)
    if not isinstance(principal, str):
        return analysis.admin_caller(principal.principal)
    return analysis.admin(analysis.start(_arn(analysis, principal)))


def draw(
    source: Lab | list[Path], principal: str | None = None, **options: Any
) -> graphviz.Digraph:
    """The routes to admin drawn with Graphviz (see :func:`labkit.escalation.diagram.routes`)."""
    from labkit.escalation.diagram import routes

    return routes(source, principal, **options)


def _arn(analysis: Analysis, principal: str) -> str:
    facts = analysis.facts
    if facts.principal(principal) is not None:
        return principal
    by_name = [arn for arn, user in facts.users.items() if user.name == principal]
    by_name += [arn for arn, role in facts.roles.items() if role.name == principal]
    if len(by_name) == 1:
        return by_name[0]
    raise LookupError(f"No user or role {principal} in the account.")

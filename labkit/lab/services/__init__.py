"""What the Lab knows of each AWS service, one module per service, as data.

A :class:`Service` says how a call maps to the actions, resources and
condition keys AWS authorizes (:attr:`Service.targets`), where the service
keeps resource-based policies, which calls change what policies say, how its
denials are worded, what it checks before acting, and which operations the
Lab answers itself instead of moto. Adding a service is one new module here
that defines ``SERVICE`` and one line in :data:`MODULES`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from labkit.lab.actions import ContextValue, Target
from labkit.lab.handlers import Handler

if TYPE_CHECKING:
    from labkit.lab.context import AccountContext
    from labkit.lab.identities import Principal
    from labkit.lab.store import Store


class Lookups(Protocol):
    """What building a call's targets may look up in the account."""

    def path_of(self, kind: str, name: str) -> str | None: ...
    def key_schema(self, region: str, table: str) -> tuple[str | None, str | None]: ...
    def instance_profile_roles(self, name: str) -> list[str]: ...


@dataclass(frozen=True)
class Asked:
    """One call as a service's rules read it."""

    service: str
    operation: str
    params: Mapping[str, Any]
    account: str
    region: str
    lookups: Lookups
    caller_user: str | None = None  # the calling IAM user's name, if the caller is one


@dataclass(frozen=True)
class DenialStyle:
    """How one service words a denial.

    S3 puts the resource ARN in double quotes and names the denying policy
    as ``..., with policy ARN: ARN``; EC2 answers ``UnauthorizedOperation``
    and frames the reason; IAM, STS, DynamoDB and the rest write the ARN bare
    and append ``: ARN``. ``code``/``status`` override the protocol's usual
    ``AccessDenied`` (query, rest-xml) or ``AccessDeniedException`` (JSON).
    """

    quote_resource: bool = False
    policy_arn: str = ": "
    code: str | None = None
    status: int | None = None
    prefix: str = ""
    encoded: bool = False  # ends with an encoded message STS can decode


# Who may act, given the caller: raises AwsError to refuse, may return a
# caller with what the call itself proves (an MFA code given with it).
Prepare = Callable[["AccountContext", "Principal", str, Mapping[str, Any]], "Principal | None"]
# Checks a call before it runs; raises AwsError as AWS would.
Validate = Callable[["AccountContext", str, Mapping[str, Any]], None]
# Fills in, before botocore builds the request, what AWS takes as given but
# moto needs said: (operation, parameters, the client's region) -> None.
Complete = Callable[[str, dict[str, Any], str], None]
# Finds a resource's own policy: (store, resource ARN, action) -> (document, name) or None.
FindPolicy = Callable[["Store", str, str], "tuple[Any, str] | None"]


def _never(operation: str) -> bool:
    return False


@dataclass(frozen=True)
class Service:
    """One AWS service's rules."""

    name: str  # the signing name: "iam", "s3", "dynamodb"...
    title: str  # as AWS writes it: "AWS Identity and Access Management (IAM)"
    targets: Callable[[Asked], list[Target]]
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    resource_policy: FindPolicy | None = None
    changes_policies: Callable[[str], bool] = _never
    denial: DenialStyle = DenialStyle()
    validate: Validate | None = None
    prepare: Prepare | None = None
    complete: Complete | None = None
    # Actions AWS answers for any authenticated caller, whatever policies say.
    unauthorized: frozenset[str] = frozenset()
    # Actions the root user may always take, whatever a resource policy says.
    root_exempt: frozenset[str] = frozenset()
    # moto's responses class, to refuse operations moto does not model.
    moto_responses: tuple[str, str] | None = None
    # Where moto keeps what the service creates: (models module, backends,
    # attribute), so a create that fails half-way can be undone.
    registries: tuple[tuple[str, str, str], ...] = ()
    regional: bool = True


# The services the Lab offers, by module, in the order a learner meets them.
MODULES = ("iam", "sts", "s3", "dynamodb", "lambda_", "ec2", "cloudformation", "organizations")


@cache
def services() -> dict[str, Service]:
    """Every service the Lab offers, by signing name.

    Two modules claiming one service, or one service answering an operation
    twice, is a mistake in the Lab: refused here, never silently replaced.
    """
    from importlib import import_module

    found: dict[str, Service] = {}
    for module in MODULES:
        service: Service = import_module(f"labkit.lab.services.{module}").SERVICE
        if service.name in found:
            raise RuntimeError(f"Two modules define the service {service.name!r}.")
        found[service.name] = service
    return found


def service(name: str) -> Service | None:
    """The rules of the service with this signing name, or None."""
    return services().get(name)


def offered() -> str:
    """The services the Lab offers, for a learner: ``IAM, STS, S3, ...``."""
    return ", ".join(s.title for s in services().values())


def well_formed_arn(value: Any) -> bool:
    """Whether ``value`` has an ARN's six parts, ``arn:partition:service:region:account:resource``.

    A value that only starts like one (``arn:``) is no resource to authorize on.
    """
    return isinstance(value, str) and value.startswith("arn:") and value.count(":") >= 5


def handler_table(*tables: Mapping[str, Handler]) -> dict[str, Handler]:
    """Handlers of several modules as one table; an operation claimed twice
    is refused, so no handler silently replaces another."""
    merged: dict[str, Handler] = {}
    for table in tables:
        for operation, handler in table.items():
            if operation in merged:
                raise RuntimeError(f"Two handlers claim the operation {operation!r}.")
            merged[operation] = handler
    return merged


def pass_role(role_arn: str, service_principal: str, associated: str | None) -> Target:
    """The ``iam:PassRole`` an API that hands a role to a service needs.

    IAM User Guide, "Granting a user permissions to pass a role to an AWS
    service": the caller needs ``iam:PassRole`` on the role, with
    ``iam:PassedToService`` naming the service the role goes to and, where
    the service says, ``iam:AssociatedResourceArn`` the resource it is for.
    """
    context: dict[str, ContextValue] = {"iam:PassedToService": service_principal}
    if associated:
        context["iam:AssociatedResourceArn"] = associated
    return Target("iam:PassRole", role_arn, context)

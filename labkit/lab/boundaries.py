"""Permissions boundaries on IAM users, which moto does not keep.

moto stores a role's boundary but ignores a user's: ``CreateUser`` drops the
``PermissionsBoundary`` parameter and ``PutUserPermissionsBoundary`` is not
implemented. These handlers keep the boundary ARN on moto's user object
(``permissions_boundary_arn``, as moto's roles have it), where the Lab's
policy state reads it, and show it in ``GetUser`` as AWS does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from labkit.lab.errors import AwsError
from labkit.lab.handlers import Call, Handler

if TYPE_CHECKING:
    from labkit.lab.context import AccountContext

_ACCOUNT_CREATED = datetime(2024, 1, 1, tzinfo=UTC)  # the Lab account's fixed birthday


def _user(account: AccountContext, name: str) -> Any:
    user = account.backend.users.get(name)
    if user is None:
        raise AwsError("NoSuchEntity", f"The user with name {name} cannot be found.", 404)
    return user


def _check_policy(account: AccountContext, arn: str) -> None:
    from labkit.lab.managed import ensure_managed_policy

    if arn not in account.backend.managed_policies and not ensure_managed_policy(
        account.backend, arn
    ):
        raise AwsError(
            "NoSuchEntity", f"Scope ARN: {arn} does not exist or is not attachable.", 404
        )


def user_shape(account: AccountContext, user: Any) -> dict[str, Any]:
    """A user as ``GetUser``/``CreateUser`` return it, boundary included."""
    shape: dict[str, Any] = {
        "Path": user.path,
        "UserName": user.name,
        "UserId": user.id,
        "Arn": user.arn,
        "CreateDate": user.create_date,
    }
    boundary = getattr(user, "permissions_boundary_arn", None)
    if boundary:
        shape["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
            "PermissionsBoundaryArn": boundary,
        }
    tags = account.backend.tagger.list_tags_for_resource(user.arn)["Tags"]
    if tags:
        shape["Tags"] = tags
    if user.password_last_used is not None:
        shape["PasswordLastUsed"] = user.password_last_used
    return shape


def create_user(call: Call) -> dict[str, Any] | None:
    """CreateUser, keeping the permissions boundary it was given."""
    boundary = call.params.get("PermissionsBoundary")
    if not boundary:
        return None  # moto creates the user as asked
    account = call.account
    _check_policy(account, boundary)
    from labkit.lab.mfa import moto_errors

    with moto_errors():
        user = account.backend.create_user(
            account.region,
            user_name=call.params["UserName"],
            path=call.params.get("Path") or "/",
            tags=call.params.get("Tags") or [],
        )
    user.permissions_boundary_arn = boundary
    return {"User": user_shape(account, user)}


def get_user(call: Call) -> dict[str, Any] | None:
    """GetUser, showing a user's permissions boundary (and the root user)."""
    name = call.params.get("UserName")
    if not name:
        if call.principal.is_root:  # AWS describes the root user itself
            return {
                "User": {
                    "UserId": call.account.account_id,
                    "Arn": call.principal.arn,
                    "CreateDate": _ACCOUNT_CREATED,
                }
            }
        return None
    user = call.account.backend.users.get(name)
    if user is None or not getattr(user, "permissions_boundary_arn", None):
        return None  # moto answers, NoSuchEntity included
    return {"User": user_shape(call.account, user)}


def put_user_permissions_boundary(call: Call) -> dict[str, Any]:
    """Set a user's permissions boundary."""
    user = _user(call.account, call.params["UserName"])
    _check_policy(call.account, call.params["PermissionsBoundary"])
    user.permissions_boundary_arn = call.params["PermissionsBoundary"]
    return {}


def delete_user_permissions_boundary(call: Call) -> dict[str, Any]:
    """Remove a user's permissions boundary."""
    user = _user(call.account, call.params["UserName"])
    user.permissions_boundary_arn = None
    return {}


HANDLERS: dict[str, Handler] = {
    "CreateUser": create_user,
    "GetUser": get_user,
    "PutUserPermissionsBoundary": put_user_permissions_boundary,
    "DeleteUserPermissionsBoundary": delete_user_permissions_boundary,
}

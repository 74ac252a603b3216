"""Every account in the Lab: its own, and the member accounts of the
organization it manages, each with running parts of its own.

The Lab's account is always there. A member account's parts are made the
first time something needs them (a call signed with its keys, a role of it
assumed, ``lab.accounts[...]``), over moto's state for that account id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from labkit.lab.errors import AwsError
from labkit.lab.organization import Organization

if TYPE_CHECKING:
    from labkit.lab.context import AccountContext
    from labkit.lab.identities import Principal


class Accounts(Mapping[str, "AccountContext"]):
    """The Lab's accounts by id: the management account (the Lab's own)
    first, then its organization's members."""

    def __init__(self, home: str, make: Callable[[str, Accounts], AccountContext]) -> None:
        self._make = make
        self.organization = Organization(home)
        self.home: AccountContext = make(home, self)
        self._made: dict[str, AccountContext] = {home: self.home}

    def __getitem__(self, account_id: str) -> AccountContext:
        found = self._made.get(account_id)
        if found is not None:
            return found
        if not self.organization.is_member(account_id):
            raise KeyError(account_id)
        made = self._made[account_id] = self._make(account_id, self)
        return made

    def __iter__(self) -> Iterator[str]:
        yield self.home.account_id
        yield from self.organization.member_ids()

    def __len__(self) -> int:
        return 1 + len(self.organization.member_ids())

    def _others(self) -> list[str]:
        """The accounts besides the Lab's own: its members, and accounts that
        were members once (removed from the organization, they go on)."""
        home = self.home.account_id
        found = [a for a in self._made if a != home]
        return found + [a for a in self.organization.member_ids() if a not in self._made]

    def made(self) -> list[AccountContext]:
        """The accounts whose parts exist already."""
        return list(self._made.values())

    def resolve(
        self, access_key_id: str | None, secret: str | None, token: str | None = None
    ) -> tuple[AccountContext, Principal]:
        """The account whose credentials these are, and the principal they
        sign as; AWS's refusal (``AwsError``) when no account issued them."""
        try:
            return self.home, self.home.credentials.resolve(access_key_id, secret, token)
        except AwsError as refused:
            if refused.code != "InvalidClientTokenId":
                raise
            for account_id in self._others():
                member = self[account_id]
                try:
                    return member, member.credentials.resolve(access_key_id, secret, token)
                except AwsError as again:
                    if again.code != "InvalidClientTokenId":
                        raise
            raise

    def secret_for(self, access_key_id: str | None, token: str | None = None) -> str:
        """The secret that signs with these keys, whichever account issued
        them (see :meth:`Credentials.secret_for`)."""
        try:
            return self.home.credentials.secret_for(access_key_id, token)
        except AwsError as refused:
            if refused.code != "InvalidClientTokenId":
                raise
            for account_id in self._others():
                try:
                    return self[account_id].credentials.secret_for(access_key_id, token)
                except AwsError as again:
                    if again.code != "InvalidClientTokenId":
                        raise
            raise

    @staticmethod
    def owner_id(arn: str) -> str | None:
        """The id of the account an ARN belongs to: its fifth field, or for
        an S3 bucket (whose ARN names no account) the bucket's owner."""
        fields = arn.split(":", 5)
        if len(fields) != 6:
            return None
        if fields[4]:
            return fields[4]
        if fields[2] == "s3":
            return _bucket_owner(fields[5].split("/", 1)[0])
        return None

    def owner_of(self, arn: str, default: AccountContext) -> AccountContext:
        """The Lab's account that ``arn`` belongs to, or ``default`` when it
        names none or one outside the Lab."""
        account_id = self.owner_id(arn)
        if not account_id or account_id == default.account_id:
            return default
        try:
            return self[account_id]
        except KeyError:
            return default

    def reset(self) -> None:
        """Forget the members' parts (moto's state was reset under them)."""
        self._made = {self.home.account_id: self.home}


def _bucket_owner(bucket: str) -> str | None:
    """The account that owns ``bucket``: bucket names are global, their
    ARNs name no account."""
    from moto.s3.models import s3_backends

    found = s3_backends.bucket_accounts.get(bucket)
    return found[1] if found else None

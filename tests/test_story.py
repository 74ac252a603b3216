"""The course's whole story, end to end, as the syllabus tells it: two groups,
the CTO, the Allow-MFA policy that blocks the CTO, a virtual MFA device,
signing in with MFA, MFA for the root user, and a security status all green."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError

from labkit import Authenticator, Lab, SignInError
from labkit.lab.scenarios import ALLOW_MFA_POLICY

AWS = "arn:aws:iam::aws:policy/"
CTO_PASSWORD = "Cto-Runs-It-All-3"


def _code(error: pytest.ExceptionInfo) -> str:
    return error.value.response["Error"]["Code"]


def test_the_whole_story() -> None:
    lab = Lab(seed=42)
    lab.clock.freeze(at=datetime(2026, 5, 4, 10, 0, tzinfo=UTC))
    iam = lab.client("iam")

    # Groups: analysts read DynamoDB, developers are power users.
    iam.create_group(GroupName="Business-Analysts")
    iam.attach_group_policy(
        GroupName="Business-Analysts", PolicyArn=AWS + "AmazonDynamoDBReadOnlyAccess"
    )
    iam.create_group(GroupName="Developers")
    iam.attach_group_policy(GroupName="Developers", PolicyArn=AWS + "PowerUserAccess")

    # The CTO: console only, a developer, and an administrator.
    iam.create_user(UserName="CTO")
    iam.create_login_profile(UserName="CTO", Password=CTO_PASSWORD)
    iam.add_user_to_group(GroupName="Developers", UserName="CTO")
    iam.attach_user_policy(UserName="CTO", PolicyArn=AWS + "AdministratorAccess")
    assert iam.list_access_keys(UserName="CTO")["AccessKeyMetadata"] == []
    cto = lab.sign_in("CTO", CTO_PASSWORD)
    cto.client("iam").create_user(UserName="intern")  # an administrator, IAM included

    # Allow-MFA, with ${aws:username} as written: the CTO is blocked without MFA.
    allow_mfa = iam.create_policy(PolicyName="Allow-MFA", PolicyDocument=ALLOW_MFA_POLICY)
    iam.attach_user_policy(UserName="CTO", PolicyArn=allow_mfa["Policy"]["Arn"])
    cto = lab.sign_in("CTO", CTO_PASSWORD)
    cto.client("iam").list_users()  # still allowed: needed to set up MFA
    with pytest.raises(ClientError) as denied:
        cto.client("iam").get_account_summary()
    assert _code(denied) == "AccessDenied"
    assert "with an explicit deny in an identity-based policy" in str(denied.value)

    # Root creates the CTO's virtual MFA device; a made-up code is refused.
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="CTO")["VirtualMFADevice"]
    assert device["QRCodePNG"].startswith(b"\x89PNG")
    phone = Authenticator(device["Base32StringSeed"], lab.clock)
    with pytest.raises(ClientError) as refused:
        iam.enable_mfa_device(
            UserName="CTO",
            SerialNumber=device["SerialNumber"],
            AuthenticationCode1="000000",
            AuthenticationCode2="000000",
        )
    assert _code(refused) == "InvalidAuthenticationCode"
    first, second = phone.consecutive_codes()
    iam.enable_mfa_device(
        UserName="CTO",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=first,
        AuthenticationCode2=second,
    )

    # Signing in now needs a fresh code; with it the deny no longer applies.
    with pytest.raises(SignInError):
        lab.sign_in("CTO", CTO_PASSWORD)
    lab.clock.advance(30)
    cto = lab.sign_in("CTO", CTO_PASSWORD, mfa_code=phone.code())
    assert "SummaryMap" in cto.client("iam").get_account_summary()

    # Root MFA and a password policy: the dashboard is all green.
    root_device = lab.create_root_mfa_device()
    root_phone = Authenticator(root_device["Base32StringSeed"], lab.clock)
    lab.enable_root_mfa(root_device["SerialNumber"], *root_phone.consecutive_codes())
    iam.update_account_password_policy(
        MinimumPasswordLength=14,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
    )
    assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 1
    status = lab.security_status()
    assert [item.name for item in status if not item.ok] == []
    lab.close()

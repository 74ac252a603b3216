"""Policies the course and its tests use, written once.

``CURRENT_ALLOW_MFA`` is AWS's current example policy that lets IAM users
manage their own MFA devices and denies everything else until they sign in
with MFA (IAM User Guide, "IAM: Allows IAM users to self-manage an MFA
device", :data:`CURRENT_ALLOW_MFA_SOURCE`). The course teaches with it.

``ALLOW_MFA`` is the version the 2019 tutorial the course grew from used,
kept as history (and by the scenarios and tests built on it):
:data:`ALLOW_MFA_CHANGES` says what AWS changed since, and why.

Their ``${aws:username}`` is a policy variable: AWS substitutes it at
evaluation time, so the text is used as it stands, for every user.
"""

# The tutorial's version (2019): devices must be named after their user.
ALLOW_MFA_NAME = "Allow-MFA"
ALLOW_MFA = """{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowListActions",
            "Effect": "Allow",
            "Action": [
                "iam:ListUsers",
                "iam:ListVirtualMFADevices"
            ],
            "Resource": "*"
        },
        {
            "Sid": "AllowIndividualUserToListOnlyTheirOwnMFA",
            "Effect": "Allow",
            "Action": [
                "iam:ListMFADevices"
            ],
            "Resource": [
                "arn:aws:iam::*:mfa/*",
                "arn:aws:iam::*:user/${aws:username}"
            ]
        },
        {
            "Sid": "AllowIndividualUserToManageTheirOwnMFA",
            "Effect": "Allow",
            "Action": [
                "iam:CreateVirtualMFADevice",
                "iam:DeleteVirtualMFADevice",
                "iam:EnableMFADevice",
                "iam:ResyncMFADevice"
            ],
            "Resource": [
                "arn:aws:iam::*:mfa/${aws:username}",
                "arn:aws:iam::*:user/${aws:username}"
            ]
        },
        {
            "Sid": "AllowIndividualUserToDeactivateOnlyTheirOwnMFAOnlyWhenUsingMFA",
            "Effect": "Allow",
            "Action": [
                "iam:DeactivateMFADevice"
            ],
            "Resource": [
                "arn:aws:iam::*:mfa/${aws:username}",
                "arn:aws:iam::*:user/${aws:username}"
            ],
            "Condition": {
                "Bool": {
                    "aws:MultiFactorAuthPresent": "true"
                }
            }
        },
        {
            "Sid": "BlockMostAccessUnlessSignedInWithMFA",
            "Effect": "Deny",
            "NotAction": [
                "iam:CreateVirtualMFADevice",
                "iam:EnableMFADevice",
                "iam:ListMFADevices",
                "iam:ListUsers",
                "iam:ListVirtualMFADevices",
                "iam:ResyncMFADevice"
            ],
            "Resource": "*",
            "Condition": {
                "BoolIfExists": {
                    "aws:MultiFactorAuthPresent": "false"
                }
            }
        }
    ]
}"""

TUTORIAL_ALLOW_MFA = ALLOW_MFA

CURRENT_ALLOW_MFA_NAME = "Allow-MFA"
CURRENT_ALLOW_MFA_SOURCE = (
    'IAM User Guide, "IAM: Allows IAM users to self-manage an MFA device", '
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
    "reference_policies_examples_iam_mfa-selfmanage.html"
)
CURRENT_ALLOW_MFA = """{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowListActions",
            "Effect": "Allow",
            "Action": [
                "iam:ListUsers",
                "iam:ListVirtualMFADevices"
            ],
            "Resource": "*"
        },
        {
            "Sid": "AllowUserToCreateVirtualMFADevice",
            "Effect": "Allow",
            "Action": [
                "iam:CreateVirtualMFADevice"
            ],
            "Resource": "arn:aws:iam::*:mfa/*"
        },
        {
            "Sid": "AllowUserToManageTheirOwnMFA",
            "Effect": "Allow",
            "Action": [
                "iam:EnableMFADevice",
                "iam:GetMFADevice",
                "iam:ListMFADevices",
                "iam:ResyncMFADevice"
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}"
        },
        {
            "Sid": "AllowUserToDeactivateTheirOwnMFAOnlyWhenUsingMFA",
            "Effect": "Allow",
            "Action": [
                "iam:DeactivateMFADevice"
            ],
            "Resource": [
                "arn:aws:iam::*:user/${aws:username}"
            ],
            "Condition": {
                "Bool": {
                    "aws:MultiFactorAuthPresent": "true"
                }
            }
        },
        {
            "Sid": "BlockMostAccessUnlessSignedInWithMFA",
            "Effect": "Deny",
            "NotAction": [
                "iam:CreateVirtualMFADevice",
                "iam:EnableMFADevice",
                "iam:ListMFADevices",
                "iam:ListUsers",
                "iam:ListVirtualMFADevices",
                "iam:ResyncMFADevice"
            ],
            "Resource": "*",
            "Condition": {
                "BoolIfExists": {
                    "aws:MultiFactorAuthPresent": "false"
                }
            }
        }
    ]
}"""

# What changed between the tutorial's Allow-MFA and AWS's current example, and why.
ALLOW_MFA_CHANGES: tuple[tuple[str, str], ...] = (
    (
        "A device may have any name: CreateVirtualMFADevice is allowed on "
        "arn:aws:iam::*:mfa/* instead of only on arn:aws:iam::*:mfa/${aws:username}.",
        "The console asks for a device name of your choosing, and a user may register up to "
        "eight MFA devices, which cannot all be named after the user. Under the old policy a "
        "device named anything else is refused, with no word about the name.",
    ),
    (
        "Enabling, resyncing, reading and listing devices are allowed on the user's own user "
        "(arn:aws:iam::*:user/${aws:username}); GetMFADevice joins them.",
        "Those calls are authorized on the user they are for, so this is what keeps each user "
        "to their own devices: a freshly created device is harmless until it is enabled.",
    ),
    (
        "DeactivateMFADevice is still allowed only with MFA, and only on the user's own user.",
        "Turning MFA off must need MFA, or a stolen password alone could remove it.",
    ),
    (
        "DeleteVirtualMFADevice is no longer granted.",
        "With devices named freely, allowing deletes on arn:aws:iam::*:mfa/* would reach other "
        "users' unassigned devices too.",
    ),
    (
        "The Deny of everything else without MFA (BlockMostAccessUnlessSignedInWithMFA) is "
        "unchanged.",
        "BoolIfExists still makes it apply to calls signed with access keys, which carry no MFA "
        "key at all.",
    ),
)

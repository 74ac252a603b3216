"""The Lab: an in-process AWS account (moto) that authorizes calls as AWS does."""

from labkit.lab.account import Lab, Session
from labkit.lab.errors import AwsError, SignInError
from labkit.lab.identities import Principal
from labkit.lab.trail import Trail, TrailEvent

__all__ = ["AwsError", "Lab", "Principal", "Session", "SignInError", "Trail", "TrailEvent"]

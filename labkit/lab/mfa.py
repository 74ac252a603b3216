"""Virtual MFA devices with real TOTP codes, as AWS enrols and checks them.

A device's seed is a Base32 secret; its codes are RFC 6238 TOTP (30-second
windows, six digits, HMAC-SHA1) computed on the Lab's clock, so a phone app
that scans the device's QR code shows the codes the Lab accepts — while the
Lab's clock follows real time (``lab.clock.follow_real_time()``); a frozen
or moved clock refuses a phone's codes, and :meth:`MFA.explain_codes` says so.

As in AWS, a user (and the root user) may enable up to eight MFA devices, and
a code from any one of them signs in ("AWS Multi-factor authentication in
IAM"). Passkeys and security keys (FIDO2) are not modelled: they need a
browser and a real authenticator.

moto stores devices but accepts any code. The handlers here check the codes,
keep each device's seed, and keep moto's records in step so that
``list_mfa_devices`` and the credential report agree with what was enabled.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from moto.core.exceptions import ServiceException

from labkit.lab.errors import AwsError
from labkit.lab.handlers import Call, Handler
from labkit.lab.quotas import check_mfa_devices

if TYPE_CHECKING:
    import random

    from labkit.lab.clock import Clock
    from labkit.lab.store import Store

ISSUER = "Amazon Web Services"
ROOT_DEVICE_NAME = "root-account-mfa-device"
STEP = 30  # seconds per TOTP window
SEED_LENGTH = 64  # AWS hands out 64-character Base32 seeds
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_CODE = re.compile(r"\d{6}")

# How far from "now" a code may be, in windows. One window either side covers a
# code read just before it rolled over; enabling also accepts a pair that was
# typed slowly. Resync exists to recover a device whose clock drifted, so it
# looks further.
VERIFY_TOLERANCE = 1
RESYNC_TOLERANCE = 10

INVALID_CODE = "Authentication code for device is not valid."
DEVICE_IN_USE = "MFA VirtualDevice in use. Must deactivate first."
DEVICE_ALREADY_IN_USE = "MFA Device is already in use."
INVALID_FOR_USER = "MFA Device invalid for user."

# moto raises its own exceptions; these are the HTTP statuses AWS answers with.
_STATUS = {
    "NoSuchEntity": 404,
    "DeleteConflict": 409,
    "EntityAlreadyExists": 409,
    "LimitExceeded": 409,
    "ConcurrentModification": 409,
}

T = TypeVar("T")


@contextmanager
def moto_errors() -> Iterator[None]:
    """Turn an error moto raises into the :class:`AwsError` AWS would answer."""
    try:
        yield
    except ServiceException as err:
        raise AwsError(err.code, err.message, _STATUS.get(err.code, 400)) from None


def _moto(fn: Callable[..., T], *args: Any) -> T:
    with moto_errors():
        return fn(*args)


def otpauth_uri(secret: str, name: str, account: str) -> str:
    """The ``otpauth://`` URI AWS puts in a device's QR code.

    ``name`` is the device name and ``account`` the account alias, or the
    account ID when there is no alias.
    """
    label = quote(f"{ISSUER}:{name}@{account}", safe=":@")
    issuer = quote(ISSUER)
    return f"otpauth://totp/{label}?secret={secret}&issuer={issuer}"


def qr_png(uri: str) -> bytes:
    """A QR code PNG of ``uri`` that a phone's authenticator app can scan."""
    buffer = io.BytesIO()
    import segno  # imported when a first QR code is drawn, not when a Lab starts

    segno.make(uri, error="m", micro=False).save(buffer, kind="png", scale=5, border=4)
    return buffer.getvalue()


def new_seed(rng: Any) -> str:
    """A fresh Base32 seed drawn from ``rng`` (a ``random.Random``)."""
    return "".join(rng.choice(_BASE32) for _ in range(SEED_LENGTH))


class InvalidSecret(ValueError):
    """A secret an authenticator app would refuse: not Base32 text.

    In a notebook it shows as its message alone, without a traceback.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"InvalidSecret: {self}"]


# What people type between the groups of a secret, and apps ignore.
_SECRET_SEPARATORS = re.compile(r"[\s\-]+")
# Digits Base32 leaves out because they look like letters it keeps.
_NOT_TEXT = "A secret is text made of the letters A-Z and the digits 2-7."
_LOOKALIKES = {"0": "the letter O", "1": "the letter I", "8": "the letter B"}


def normalize_secret(secret: str | bytes) -> str:
    """A secret as an authenticator app reads it: spaces, hyphens and case ignored.

    The console shows a secret in groups of four, and people copy it that
    way; apps accept it in any case, with or without the spaces. Raises
    :class:`InvalidSecret`, in words, for text that is not Base32 (the
    letters A to Z and the digits 2 to 7).
    """
    if isinstance(secret, bytes | bytearray):
        try:
            secret = bytes(secret).decode("ascii")
        except UnicodeDecodeError:
            raise InvalidSecret(_NOT_TEXT) from None
    if not isinstance(secret, str):
        raise InvalidSecret(f"{_NOT_TEXT[:-1]}, not {type(secret).__name__}.")
    compact = _SECRET_SEPARATORS.sub("", secret).rstrip("=")
    cleaned = compact.upper()
    if not cleaned:
        raise InvalidSecret(
            "The secret is empty: copy it from the device's page, or scan the QR code."
        )
    for position, character in enumerate(compact, start=1):
        if character.upper() not in _BASE32:
            looks = _LOOKALIKES.get(character)
            hint = f" (did you mean {looks}?)" if looks else ""
            raise InvalidSecret(
                f"This secret is not Base32: character {position}, {character!r}{hint}, is not one "
                "of the letters A-Z or the digits 2-7 a secret is made of (spaces are fine)."
            )
    try:
        base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except binascii.Error:
        raise InvalidSecret(
            f"This secret stops short: a Base32 text cannot end after {len(cleaned)} characters. "
            "Copy all of it (AWS's secrets have 64 characters)."
        ) from None
    return cleaned


class Authenticator:
    """The learner's phone: an authenticator app holding one device's seed.

    ``secret`` may be typed as the console shows it, in groups of four and in
    any case; what is not Base32 is refused with :class:`InvalidSecret`.
    """

    def __init__(self, secret: str | bytes, clock: Clock, uri: str | None = None) -> None:
        self.secret = normalize_secret(secret)
        self.uri = uri
        self._clock = clock
        import pyotp

        self._totp = pyotp.TOTP(self.secret, digits=6, interval=STEP)

    def code(self, at: float | None = None) -> str:
        """The six-digit code the app shows now, or at epoch second ``at``."""
        when = self._clock.time() if at is None else at
        return self._totp.generate_otp(int(when // STEP))

    def consecutive_codes(self) -> tuple[str, str]:
        """Two consecutive codes, as AWS asks for when enabling a device.

        They are what a person types after reading one code, waiting for it to
        change and reading the next: the previous window's code and the
        current one. So a notebook needn't wait 30 seconds, and, as on AWS, the
        next code the app shows is still unused for signing in afterwards.
        """
        now = self._clock.time()
        return self.code(now - STEP), self.code(now)

    def qr_png(self) -> bytes:
        """The QR code the app scanned, as PNG bytes."""
        if self.uri is None:
            raise ValueError("this authenticator was not made from a QR code")
        return qr_png(self.uri)

    def _repr_png_(self) -> bytes | None:
        return qr_png(self.uri) if self.uri else None

    def __repr__(self) -> str:
        return f"Authenticator(code={self.code()!r})"


@dataclass
class _Device:
    serial: str
    name: str
    seed: str
    uri: str
    png: bytes
    user: str | None = None  # the IAM user it is assigned to
    enabled_at: float | None = None
    last_window: int = -1  # the latest window whose code was accepted


class MFA:
    """The account's virtual MFA devices and their seeds."""

    def __init__(self, store: Store, clock: Clock, rng: random.Random) -> None:
        self._store = store
        self._clock = clock
        self._random = rng
        self._devices: dict[str, _Device] = {}
        self.root_enabled = False

    # -- what notebooks and sign-in use -------------------------------------

    @property
    def root_serial(self) -> str:
        """The root user's virtual MFA device ARN."""
        return f"arn:aws:iam::{self._store.account_id}:mfa/{ROOT_DEVICE_NAME}"

    def verify(self, serial_number: str, code: str) -> bool:
        """Whether ``code`` is a valid, unused code of the device right now.

        AWS accepts a code a window either side of now, and never the same
        code twice: once used, that code and earlier ones are spent.
        """
        device = self._devices.get(serial_number)
        if device is None or not _CODE.fullmatch(str(code)):
            return False
        now = self._window()
        for window in range(now - VERIFY_TOLERANCE, now + VERIFY_TOLERANCE + 1):
            if window > device.last_window and self._otp(device, window) == code:
                device.last_window = window
                return True
        return False

    def device_for_user(self, user_name: str) -> str | None:
        """The serial number of the first MFA device enabled for an IAM user, if any."""
        found = self.devices_for_user(user_name)
        return found[0] if found else None

    def devices_for_user(self, user_name: str) -> tuple[str, ...]:
        """The serial numbers of every virtual MFA device enabled for an IAM
        user (``"root"``: the root user), in the order they were enabled.

        AWS lets the root user and each IAM user register up to eight MFA
        devices, and any one of them signs in ("AWS Multi-factor
        authentication in IAM").
        """
        if user_name == "root":
            return (self.root_serial,) if self.root_enabled else ()
        user = self._store.iam.users.get(user_name)
        if user is None:
            return ()
        return tuple(serial for serial in user.mfa_devices if serial in self._devices)

    def verify_for_user(self, user_name: str, code: str) -> str | None:
        """The device of the user that accepts ``code`` right now (and spends
        it), or None: a sign-in with MFA takes a code from any of them."""
        for serial in self.devices_for_user(user_name):
            if self.verify(serial, code):
                return serial
        return None

    def explain_codes(self, serial_number: str, *codes: str) -> str:
        """Why the Lab refused ``codes`` for a device, in a learner's words.

        AWS only says that a code is not valid; this says what the Lab saw:
        codes that are not six digits, codes already spent, codes that are
        the device's but for another time (a frozen or moved clock, a phone
        whose clock is off), codes that are not consecutive, or codes that
        are not this device's at all.
        """
        device = self._devices.get(serial_number)
        if device is None:
            return f"The Lab has no virtual MFA device {serial_number}."
        for code in codes:
            if not _CODE.fullmatch(str(code)):
                return f"{str(code)!r} is not a code: a code is six digits, with no spaces."
        now = self._window()
        real = int(_wall_time() // STEP)
        clock = self._clock.describe() if hasattr(self._clock, "describe") else "set by hand"
        accepted = range(now - VERIFY_TOLERANCE - 1, now + VERIFY_TOLERANCE + 1)

        def matches(code: str, windows: range) -> list[int]:
            return [w for w in windows if self._otp(device, w) == code]

        def where(code: str) -> str:
            if matches(code, accepted):
                return "now"
            if abs(real - now) > VERIFY_TOLERANCE + 1 and matches(code, range(real - 2, real + 3)):
                return "real time"
            if matches(code, range(now - RESYNC_TOLERANCE, now + RESYNC_TOLERANCE + 1)):
                return "near"
            return "nowhere"

        found = [where(str(code)) for code in codes]
        if "real time" in found:
            return (
                f"The Lab's clock is {clock}, and a code counts only within 30 seconds of the "
                "Lab's time. A phone computes its codes from the real time, so the Lab cannot "
                "accept them: run lab.clock.follow_real_time(), then type fresh codes."
            )
        if "nowhere" in found:
            return (
                f"These are not codes of {device.name} near the Lab's time ({clock}). Check that "
                "the app's entry is the one you scanned for this device, and that the phone sets "
                "its clock automatically."
            )
        if "near" in found:
            return (
                f"These are {device.name}'s codes, but from a few minutes away from the Lab's "
                f"time ({clock}): type them as soon as the app shows them."
            )
        if any(max(matches(str(code), accepted)) <= device.last_window for code in codes):
            return (
                "A code was already used: AWS never accepts a code twice. Wait for the app to "
                "show a new one (every 30 seconds)."
            )
        if len(codes) == 2:
            first, second = (matches(str(code), accepted) for code in codes)
            if not any(w + 1 in second for w in first):
                return (
                    "These are codes of this device, but not consecutive: type the code the app "
                    "shows, wait for it to change, then type the new one."
                )
        return "These codes are the device's codes for now: try them again at once."

    def owner_of(self, serial_number: str) -> str | None:
        """The user a virtual MFA device is enabled for (``"root"`` for the
        root user), or None while it is unassigned or unknown."""
        device = self._devices.get(serial_number)
        return device.user if device is not None else None

    def seed(self, serial_number: str) -> str:
        """A device's Base32 seed, as a notebook would read it off the screen."""
        return self._device(serial_number).seed

    def authenticator(self, serial_number: str) -> Authenticator:
        """A phone app that scanned the device's QR code."""
        device = self._device(serial_number)
        return Authenticator(device.seed, self._clock, device.uri)

    def create_root_device(self) -> dict[str, Any]:
        """Create the root user's virtual MFA device, as the console does.

        Returns the same shape as ``VirtualMFADevice``. Creating it again before
        it is enabled starts over with a new seed, like reopening the console's
        wizard.
        """
        serial = self.root_serial
        if self.root_enabled:
            raise AwsError(
                "EntityAlreadyExists",
                "MFADevice entity at the same path and name already exists.",
                409,
            )
        if serial in self._store.iam.virtual_mfa_devices:
            self._store.iam.virtual_mfa_devices.pop(serial)
            self._devices.pop(serial, None)
        device = self._create_device(ROOT_DEVICE_NAME, "/")
        return _device_shape(device)

    def enable_root(self, serial_number: str, code1: str, code2: str) -> None:
        """Enable the root user's MFA device with two consecutive codes."""
        device = self._devices.get(serial_number)
        if serial_number != self.root_serial or device is None:
            raise AwsError("NoSuchEntity", _no_such_device(serial_number), 404)
        window = self._consecutive(device, code1, code2, VERIFY_TOLERANCE)
        if window is None:
            raise AwsError("InvalidAuthenticationCode", INVALID_CODE, 403)
        device.last_window = window + 1
        device.user = "root"
        device.enabled_at = self._clock.time()
        self._store.iam.virtual_mfa_devices[serial_number].enable_date = self._clock.now()
        self.root_enabled = True

    # -- the IAM API ---------------------------------------------------------

    def create_virtual_mfa_device(self, params: dict[str, Any]) -> dict[str, Any]:
        """``CreateVirtualMFADevice``: a device with a seed from the Lab's RNG."""
        device = self._create_device(params["VirtualMFADeviceName"], params.get("Path") or "/")
        shape = _device_shape(device)
        if params.get("Tags"):
            shape["Tags"] = params["Tags"]
        return {"VirtualMFADevice": shape}

    def enable_mfa_device(self, params: dict[str, Any]) -> dict[str, Any]:
        """``EnableMFADevice``: only two consecutive valid codes enable it."""
        user = _moto(self._store.iam.get_user, params["UserName"])
        serial = params["SerialNumber"]
        device = self._devices.get(serial)
        if device is None or serial == self.root_serial:
            raise AwsError("NoSuchEntity", _no_such_device(serial), 404)
        if device.user is not None:
            raise AwsError("EntityAlreadyExists", DEVICE_ALREADY_IN_USE, 409)
        check_mfa_devices(user)
        window = self._consecutive(
            device, params["AuthenticationCode1"], params["AuthenticationCode2"], VERIFY_TOLERANCE
        )
        if window is None:
            raise AwsError("InvalidAuthenticationCode", INVALID_CODE, 403)
        _moto(
            self._store.iam.enable_mfa_device,
            user.name,
            serial,
            params["AuthenticationCode1"],
            params["AuthenticationCode2"],
        )
        # moto stamps its own clock; the Lab's clock may be frozen or moved.
        now = self._clock.now()
        self._store.iam.virtual_mfa_devices[serial].enable_date = now
        user.mfa_devices[serial].enable_date = now
        device.user = user.name
        device.enabled_at = self._clock.time()
        device.last_window = window + 1
        return {}

    def resync_mfa_device(self, params: dict[str, Any]) -> dict[str, Any]:
        """``ResyncMFADevice``: two consecutive codes, searched further from now."""
        user = _moto(self._store.iam.get_user, params["UserName"])
        device = self._devices.get(params["SerialNumber"])
        if device is None or device.user != user.name:
            raise AwsError("NoSuchEntity", INVALID_FOR_USER, 404)
        window = self._consecutive(
            device, params["AuthenticationCode1"], params["AuthenticationCode2"], RESYNC_TOLERANCE
        )
        if window is None:
            raise AwsError("InvalidAuthenticationCode", INVALID_CODE, 403)
        device.last_window = window + 1
        return {}

    def deactivate_mfa_device(self, params: dict[str, Any], caller: str) -> dict[str, Any]:
        """``DeactivateMFADevice``: unassign the device; it can be enabled again."""
        serial = params["SerialNumber"]
        user_name = params.get("UserName") or caller
        device = self._devices.get(serial)
        if serial == self.root_serial and user_name == "root":
            if not self.root_enabled or device is None:
                raise AwsError("NoSuchEntity", INVALID_FOR_USER, 404)
            self.root_enabled = False
            device.user = None
            self._store.iam.virtual_mfa_devices[serial].enable_date = None
            return {}
        user = _moto(self._store.iam.get_user, user_name)
        if serial not in user.mfa_devices:
            raise AwsError("NoSuchEntity", INVALID_FOR_USER, 404)
        _moto(self._store.iam.deactivate_mfa_device, user.name, serial)
        if device is not None:
            device.user = None
            device.enabled_at = None
        return {}

    def delete_virtual_mfa_device(self, params: dict[str, Any]) -> dict[str, Any]:
        """``DeleteVirtualMFADevice``: refused while the device is assigned."""
        serial = params["SerialNumber"]
        if serial not in self._store.iam.virtual_mfa_devices:
            raise AwsError("NoSuchEntity", _no_such_device(serial), 404)
        device = self._devices.get(serial)
        moto_device = self._store.iam.virtual_mfa_devices[serial]
        if (device is not None and device.user is not None) or moto_device.user is not None:
            raise AwsError("DeleteConflict", DEVICE_IN_USE, 409)
        _moto(self._store.iam.delete_virtual_mfa_device, serial)
        self._devices.pop(serial, None)
        return {}

    def get_mfa_device(self, params: dict[str, Any], caller: str) -> dict[str, Any]:
        """``GetMFADevice``: the device enabled for a user."""
        serial = params["SerialNumber"]
        user_name = params.get("UserName") or caller
        if user_name == "root" and serial == self.root_serial and self.root_enabled:
            device = self._devices[serial]
            return {"SerialNumber": serial, "EnableDate": _when(device.enabled_at)}
        user = _moto(self._store.iam.get_user, user_name)
        enabled = user.mfa_devices.get(serial)
        if enabled is None:
            raise AwsError("NoSuchEntity", INVALID_FOR_USER, 404)
        return {
            "UserName": user.name,
            "SerialNumber": serial,
            "EnableDate": _aware(enabled.enable_date),
        }

    def list_virtual_mfa_devices(self, params: dict[str, Any]) -> dict[str, Any]:
        """``ListVirtualMFADevices``: like AWS, without seeds or QR codes."""
        status = params.get("AssignmentStatus", "Any")
        start = int(params.get("Marker") or 0)
        limit = int(params.get("MaxItems") or 100)
        listed = []
        for serial, moto_device in sorted(self._store.iam.virtual_mfa_devices.items()):
            assigned = moto_device.enable_date is not None
            if (status == "Assigned" and not assigned) or (status == "Unassigned" and assigned):
                continue
            entry: dict[str, Any] = {"SerialNumber": serial}
            if assigned:
                entry["EnableDate"] = _aware(moto_device.enable_date)
                entry["User"] = self._user_shape(serial, moto_device)
            listed.append(entry)
        page = listed[start : start + limit]
        truncated = start + limit < len(listed)
        result: dict[str, Any] = {"VirtualMFADevices": page, "IsTruncated": truncated}
        if truncated:
            result["Marker"] = str(start + limit)
        return result

    def list_mfa_devices(self, params: dict[str, Any], caller: str) -> dict[str, Any] | None:
        """``ListMFADevices`` without a user name lists the caller's own devices."""
        if params.get("UserName"):
            return None  # moto answers for a named user
        if caller != "root":
            return self._list_for(caller)
        devices = []
        if self.root_enabled:
            device = self._devices[self.root_serial]
            devices.append(
                {
                    "UserName": self._store.account_id,
                    "SerialNumber": device.serial,
                    "EnableDate": _when(device.enabled_at),
                }
            )
        return {"MFADevices": devices, "IsTruncated": False}

    def forget_user(self, user_name: str) -> None:
        """Unassign a deleted user's devices from the Lab's records."""
        for device in self._devices.values():
            if device.user == user_name:
                device.user = None
                device.enabled_at = None

    # -- helpers ---------------------------------------------------------------

    def _list_for(self, user_name: str) -> dict[str, Any]:
        user = _moto(self._store.iam.get_user, user_name)
        devices = [
            {
                "UserName": user.name,
                "SerialNumber": d.serial_number,
                "EnableDate": _aware(d.enable_date),
            }
            for d in user.mfa_devices.values()
        ]
        return {"MFADevices": devices, "IsTruncated": False}

    def _user_shape(self, serial: str, moto_device: Any) -> dict[str, Any]:
        if serial == self.root_serial:
            account = self._store.account_id
            return {
                "Path": "/",
                "UserName": "",
                "UserId": account,
                "Arn": f"arn:aws:iam::{account}:root",
                "CreateDate": _aware(moto_device.enable_date),
            }
        user = moto_device.user
        return {
            "Path": user.path,
            "UserName": user.name,
            "UserId": user.id,
            "Arn": user.arn,
            "CreateDate": _aware(user.create_date),
        }

    def _create_device(self, name: str, path: str) -> _Device:
        moto_device = _moto(self._store.iam.create_virtual_mfa_device, name, path)
        seed = new_seed(self._random)
        aliases = self._store.iam.account_aliases
        uri = otpauth_uri(seed, name, aliases[0] if aliases else self._store.account_id)
        png = qr_png(uri)
        # moto made up its own seed and random bytes for the PNG: replace both
        # so moto's record and the codes the Lab accepts agree.
        moto_device.base32_string_seed = seed
        moto_device.qr_code_png = png
        device = _Device(moto_device.serial_number, name, seed, uri, png)
        self._devices[device.serial] = device
        return device

    def _device(self, serial_number: str) -> _Device:
        try:
            return self._devices[serial_number]
        except KeyError:
            raise AwsError("NoSuchEntity", _no_such_device(serial_number), 404) from None

    def _window(self) -> int:
        return int(self._clock.time() // STEP)

    @staticmethod
    def _otp(device: _Device, window: int) -> str:
        import pyotp

        return pyotp.TOTP(device.seed, digits=6, interval=STEP).generate_otp(window)

    def _consecutive(self, device: _Device, code1: str, code2: str, tolerance: int) -> int | None:
        """The window of ``code1`` when ``code2`` is the very next code, else None.

        Codes already spent on this device never count again.
        """
        if not (_CODE.fullmatch(str(code1)) and _CODE.fullmatch(str(code2))):
            return None
        now = self._window()
        # code2 may be the code after the current one (read ahead on the phone).
        for window in range(now - tolerance - 1, now + tolerance):
            if window <= device.last_window:
                continue
            if self._otp(device, window) == code1 and self._otp(device, window + 1) == code2:
                return window
        return None


def _wall_time() -> float:
    import time

    return time.time()


def _device_shape(device: _Device) -> dict[str, Any]:
    # boto3 hands blobs back as bytes: the seed as its Base32 text.
    return {
        "SerialNumber": device.serial,
        "Base32StringSeed": device.seed.encode("ascii"),
        "QRCodePNG": device.png,
    }


def _no_such_device(serial: str) -> str:
    return f"VirtualMFADevice with serial number {serial} doesn't exist."


def _when(epoch: float | None) -> datetime:
    return datetime.fromtimestamp(epoch or 0, UTC)


def _aware(moment: datetime | None) -> datetime | None:
    """moto's dates are naive UTC; boto3 hands back aware ones."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _caller(call: Call) -> str:
    """The caller's user name, or "root" for the account's root user."""
    return "root" if call.principal.is_root else call.principal.name


# -- handlers ---------------------------------------------------------------


def _create_virtual_mfa_device(call: Call) -> dict[str, Any]:
    return call.account.mfa.create_virtual_mfa_device(call.params)


def _enable_mfa_device(call: Call) -> dict[str, Any]:
    return call.account.mfa.enable_mfa_device(call.params)


def _resync_mfa_device(call: Call) -> dict[str, Any]:
    return call.account.mfa.resync_mfa_device(call.params)


def _deactivate_mfa_device(call: Call) -> dict[str, Any]:
    return call.account.mfa.deactivate_mfa_device(call.params, _caller(call))


def _delete_virtual_mfa_device(call: Call) -> dict[str, Any]:
    return call.account.mfa.delete_virtual_mfa_device(call.params)


def _get_mfa_device(call: Call) -> dict[str, Any]:
    return call.account.mfa.get_mfa_device(call.params, _caller(call))


def _list_virtual_mfa_devices(call: Call) -> dict[str, Any]:
    return call.account.mfa.list_virtual_mfa_devices(call.params)


def _list_mfa_devices(call: Call) -> dict[str, Any] | None:
    return call.account.mfa.list_mfa_devices(call.params, _caller(call))


# AWS refuses to delete a user that still owns anything; moto checks only
# policies. The checks run in the order AWS reports them.
_DELETE_USER_CONFLICTS: tuple[tuple[str, Callable[[Any, Any], bool]], ...] = (
    ("must detach all policies first", lambda user, _: bool(user.managed_policies)),
    ("must delete policies first", lambda user, _: bool(user.policies)),
    ("must delete access keys first", lambda user, _: bool(user.access_keys)),
    ("must delete login profile first", lambda user, _: bool(user.password)),
    ("must remove users from group first", lambda user, b: bool(b.get_groups_for_user(user.name))),
    ("must delete MFA device first", lambda user, _: bool(user.mfa_devices)),
    ("must delete SSH public keys first", lambda user, _: bool(user.ssh_public_keys)),
    ("must delete signing certificates first", lambda user, _: bool(user.signing_certificates)),
)


def _delete_user(call: Call) -> None:
    backend = call.account.backend
    user = _moto(backend.get_user, call.params["UserName"])
    for what, present in _DELETE_USER_CONFLICTS:
        if present(user, backend):
            raise AwsError("DeleteConflict", f"Cannot delete entity, {what}.", 409)
    call.account.mfa.forget_user(user.name)
    call.account.passwords.forget_user(user.name)
    return None  # moto deletes the user


def account_summary(backend: Any, mfa: MFA, root_keys: int = 0) -> dict[str, int]:
    """``GetAccountSummary``'s map, with what moto cannot know filled in: the
    root user's MFA and access keys."""
    summary = dict(backend.get_account_summary().summary_map)
    summary["AccountMFAEnabled"] = 1 if mfa.root_enabled else 0
    summary["AccountAccessKeysPresent"] = 1 if root_keys else 0
    return summary


def _get_account_summary(call: Call) -> dict[str, Any]:
    account = call.account
    keys = len(account.credentials.root_keys())
    return {"SummaryMap": account_summary(account.backend, account.mfa, keys)}


HANDLERS: dict[str, Handler] = {
    "CreateVirtualMFADevice": _create_virtual_mfa_device,
    "EnableMFADevice": _enable_mfa_device,
    "ResyncMFADevice": _resync_mfa_device,
    "DeactivateMFADevice": _deactivate_mfa_device,
    "DeleteVirtualMFADevice": _delete_virtual_mfa_device,
    "GetMFADevice": _get_mfa_device,
    "ListVirtualMFADevices": _list_virtual_mfa_devices,
    "ListMFADevices": _list_mfa_devices,
    "DeleteUser": _delete_user,
    "GetAccountSummary": _get_account_summary,
}

"""Enrol a virtual MFA device for a user: QR code, secret, two codes, Enable.

The widget plays the console's "Assign MFA device" wizard (IAM → Users →
user → Security credentials → Assign MFA device → Authenticator app): it
creates the device as the root user, shows its QR code and secret, and
enables it with two consecutive codes. AWS's answer is shown as AWS gives
it; when AWS refuses the codes, the Lab adds why, in plain words.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import traitlets

from labkit.widgets._common import describe_error, escape, guarded

OK_COLOUR = "#1b5e20"
FAIL_COLOUR = "#b71c1c"
NOTE_COLOUR = "#5d4037"


def error_code(error: BaseException) -> str | None:
    """AWS's error code of a botocore ``ClientError`` (None for anything else)."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None


def grouped_secret(secret: str, size: int = 4) -> str:
    """A Base32 secret in groups of four, easier to type into an app."""
    return " ".join(secret[i : i + size] for i in range(0, len(secret), size))


def passed(word: str, text: str) -> str:
    """HTML for something that worked: a word in bold, then what happened, in green."""
    return (
        f'<div class="labkit-success" style="color:{OK_COLOUR}">'
        f"<b>{escape(word)}</b>: {escape(text)}</div>"
    )


def failed(word: str, text: str, why: str = "") -> str:
    """HTML for something refused: a word in bold, AWS's answer, and why, in red."""
    reason = f"<br>Why, in the Lab: {escape(why)}" if why else ""
    return (
        f'<div class="labkit-problem" style="color:{FAIL_COLOUR}">'
        f"<b>{escape(word)}</b>: {escape(text)}{reason}</div>"
    )


def note(text: str) -> str:
    """HTML for a neutral remark."""
    return f'<div class="labkit-note" style="color:{NOTE_COLOUR}">{escape(text)}</div>'


def clock_note(clock: Any) -> str:
    """What the Lab's clock means for a real phone's codes, in words."""
    if getattr(clock, "real", False):
        return "The Lab's clock follows real time: codes from a phone's authenticator app work."
    describe = getattr(clock, "describe", None)
    state = describe() if callable(describe) else "not the real time"
    return (
        f"The Lab's clock is {state}, so a phone's codes will be refused: a phone computes "
        "its codes from the real time. Run lab.clock.follow_real_time() to use your phone, "
        "or read codes from Authenticator(enrollment.secret, lab.clock)."
    )


class MFAEnrollment(widgets.VBox):
    """Create ``user_name``'s virtual MFA device ``device_name`` (the user's
    name unless given) as the root user, show its QR code and secret, and
    enable it with two consecutive codes.

    ``serial_number`` is the device's ARN and ``secret`` its Base32 seed;
    ``enabled`` turns True once AWS accepted the codes (or the device was
    already enabled for the user); ``message`` holds the last answer, in
    words and colour. Running the cell again shows the same device.
    """

    serial_number = traitlets.Unicode("")
    enabled = traitlets.Bool(False)
    message = traitlets.Unicode("")

    def __init__(
        self, lab: Any, user_name: str, device_name: str | None = None, **kwargs: Any
    ) -> None:
        self.lab = lab
        self.user_name = user_name
        self.device_name = device_name or user_name
        self.secret = ""
        self.qr_code = widgets.Image(
            format="png", layout=widgets.Layout(width="200px", height="200px")
        )
        self.secret_label = widgets.HTML()
        self.clock_label = widgets.HTML()
        self.code1 = widgets.Text(description="Code 1", placeholder="123456")
        self.code2 = widgets.Text(description="Code 2", placeholder="the next code")
        self.enable_button = widgets.Button(
            description="Enable MFA", button_style="primary", icon="lock"
        )
        self.status = widgets.HTML()
        self.result = widgets.HTML()
        super().__init__(
            [
                widgets.HTML(
                    f"<b>Virtual MFA device {escape(self.device_name)} for {escape(user_name)}</b>"
                ),
                widgets.HTML(
                    "Scan the QR code with an authenticator app (or type the secret). Type "
                    "the code the app shows as Code 1, wait for it to change (every 30 seconds), "
                    "type the new one as Code 2, then press Enable MFA."
                ),
                self.clock_label,
                self.qr_code,
                self.secret_label,
                self.code1,
                self.code2,
                self.enable_button,
                self.status,
                self.result,
            ],
            **kwargs,
        )
        self._wire()
        self._show_clock()
        self._show_status()
        self._create_device()

    def _wire(self) -> None:
        self.enable_button.on_click(self._on_enable_click)
        self.observe(self._on_message_change, names="message")
        self.observe(self._on_enabled_change, names="enabled")

    # -- public -----------------------------------------------------------------

    def enable(self, code1: str, code2: str) -> bool:
        """Type the two codes and press Enable; True when the device is enabled."""
        self.code1.value, self.code2.value = code1, code2
        self.enable_button.click()
        return self.enabled

    def summary(self) -> str:
        """One line in words: the device and whether it is enabled."""
        if not self.serial_number:
            return f"MFA enrollment: no device for {self.user_name} yet."
        state = "enabled" if self.enabled else "not enabled yet"
        return f"MFA enrollment: {self.user_name}'s device {self.serial_number}, {state}."

    # -- handlers ---------------------------------------------------------------

    @guarded
    def _on_enable_click(self, button: widgets.Button) -> None:
        self._show_clock()
        if not self.serial_number:
            self.message = failed("Not enabled", "There is no MFA device to enable.")
            return
        if self.enabled:
            self.message = passed("Enabled", f"{self.serial_number} is already enabled.")
            return
        code1, code2 = self.code1.value.strip(), self.code2.value.strip()
        try:
            self.lab.client("iam").enable_mfa_device(
                UserName=self.user_name,
                SerialNumber=self.serial_number,
                AuthenticationCode1=code1,
                AuthenticationCode2=code2,
            )
        except Exception as error:  # noqa: BLE001 - AWS's refusal is the lesson
            why = ""
            if error_code(error) == "InvalidAuthenticationCode":
                why = self.lab.mfa.explain_codes(self.serial_number, code1, code2)
            self.message = failed("Not enabled", describe_error(error), why)
            return
        self.enabled = True
        self.message = passed(
            "Enabled",
            f"MFA device {self.serial_number} is now enabled for {self.user_name}: "
            "signing in now takes the password and a code.",
        )

    def _on_message_change(self, change: dict[str, Any]) -> None:
        self.result.value = change["new"]

    def _on_enabled_change(self, change: dict[str, Any]) -> None:
        self._show_status()

    # -- device -----------------------------------------------------------------

    @guarded
    def _create_device(self) -> None:
        iam = self.lab.client("iam")
        try:
            device = iam.create_virtual_mfa_device(VirtualMFADeviceName=self.device_name)[
                "VirtualMFADevice"
            ]
        except Exception as error:  # noqa: BLE001
            if error_code(error) != "EntityAlreadyExists" or not self._reuse_device():
                self.message = failed("No device", describe_error(error))
            return
        self._show_device(device["SerialNumber"], device["Base32StringSeed"], device["QRCodePNG"])

    def _reuse_device(self) -> bool:
        """A device of this name exists already (made by running the cell
        again, or in code): show it if it is still unassigned, or say that it
        is enabled. False if it cannot be used here."""
        serial = f"arn:aws:iam::{self.lab.account_id}:mfa/{self.device_name}"
        owner = self.lab.mfa.owner_of(serial)
        if owner == self.user_name:
            self.serial_number = serial
            self.enabled = True
            self.message = passed(
                "Enabled", f"{serial} is already enabled for {self.user_name}: nothing to do."
            )
            return True
        if owner is not None:
            self.message = failed(
                "No device",
                f"The name {self.device_name} is taken by a device enabled for {owner}. "
                f'Choose another: MFAEnrollment(lab, "{self.user_name}", '
                f'device_name="{self.user_name}-phone").',
            )
            return True
        try:
            authenticator = self.lab.mfa.authenticator(serial)
            png = authenticator.qr_png()
        except Exception:  # noqa: BLE001 - unknown device: report the original error
            return False
        self._show_device(serial, authenticator.secret, png)
        self.message = note(
            f"The device {self.device_name} already existed (made earlier, in code or by "
            "running this cell); it is shown again."
        )
        return True

    def _show_device(self, serial: str, secret: str | bytes, png: bytes) -> None:
        if isinstance(secret, bytes):
            secret = secret.decode("ascii")
        self.serial_number = serial
        self.secret = secret
        self.qr_code.value = png
        self.secret_label.value = (
            f"Serial number: <code>{escape(serial)}</code><br>"
            f'Secret: <code class="labkit-secret">{escape(grouped_secret(secret))}</code>'
        )
        self._show_status()

    def _show_clock(self) -> None:
        clock = getattr(self.lab, "clock", None)
        self.clock_label.value = note(clock_note(clock)) if clock is not None else ""

    def _show_status(self) -> None:
        if self.enabled:
            self.status.value = (
                f'<div class="labkit-status labkit-enabled" style="color:{OK_COLOUR}">'
                "<b>Status: enabled</b></div>"
            )
        elif self.serial_number:
            self.status.value = (
                f'<div class="labkit-status labkit-not-enabled" style="color:{FAIL_COLOUR}">'
                "<b>Status: not enabled yet</b></div>"
            )
        else:
            self.status.value = ""

    def _show_failure(self, error: BaseException) -> None:
        self.message = failed("Something went wrong", describe_error(error))

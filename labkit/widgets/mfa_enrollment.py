"""Enrol a virtual MFA device for a user: QR code, secret, two codes, Enable."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import traitlets

from labkit.widgets._common import describe_error, escape, guarded, problem, success


def error_code(error: BaseException) -> str | None:
    """AWS's error code of a botocore ``ClientError`` (None for anything else)."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None


def grouped_secret(secret: str, size: int = 4) -> str:
    """A Base32 secret in groups of four, easier to type into an app."""
    return " ".join(secret[i : i + size] for i in range(0, len(secret), size))


class MFAEnrollment(widgets.VBox):
    """Create ``user_name``'s virtual MFA device (as the root user), show its
    QR code and secret, and enable it with two consecutive codes.

    ``serial_number`` is the device's ARN; ``enabled`` turns True once AWS
    accepted the codes; ``message`` holds AWS's last answer.
    """

    serial_number = traitlets.Unicode("")
    enabled = traitlets.Bool(False)
    message = traitlets.Unicode("")

    def __init__(self, lab: Any, user_name: str, **kwargs: Any) -> None:
        self.lab = lab
        self.user_name = user_name
        self.secret = ""
        self.qr_code = widgets.Image(
            format="png", layout=widgets.Layout(width="200px", height="200px")
        )
        self.secret_label = widgets.HTML()
        self.code1 = widgets.Text(description="Code 1", placeholder="123456")
        self.code2 = widgets.Text(description="Code 2", placeholder="the next code")
        self.enable_button = widgets.Button(
            description="Enable MFA", button_style="primary", icon="lock"
        )
        self.result = widgets.HTML()
        super().__init__(
            [
                widgets.HTML(f"<b>Virtual MFA device for {escape(user_name)}</b>"),
                widgets.HTML(
                    "Scan the QR code with an authenticator app (or type the secret), "
                    "then enter two consecutive codes."
                ),
                self.qr_code,
                self.secret_label,
                self.code1,
                self.code2,
                self.enable_button,
                self.result,
            ],
            **kwargs,
        )
        self._wire()
        self._create_device()

    def _wire(self) -> None:
        self.enable_button.on_click(self._on_enable_click)
        self.observe(self._on_message_change, names="message")

    # -- public -----------------------------------------------------------------

    def enable(self, code1: str, code2: str) -> bool:
        """Type the two codes and press Enable; True when AWS accepted them."""
        self.code1.value, self.code2.value = code1, code2
        self.enable_button.click()
        return self.enabled

    # -- handlers ---------------------------------------------------------------

    @guarded
    def _on_enable_click(self, button: widgets.Button) -> None:
        if not self.serial_number:
            self.message = problem("There is no MFA device to enable.")
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
            self.message = problem(describe_error(error))
            return
        self.enabled = True
        self.message = success(
            f"MFA device {self.serial_number} is now enabled for {self.user_name}."
        )

    def _on_message_change(self, change: dict[str, Any]) -> None:
        self.result.value = change["new"]

    # -- device -----------------------------------------------------------------

    @guarded
    def _create_device(self) -> None:
        iam = self.lab.client("iam")
        try:
            device = iam.create_virtual_mfa_device(VirtualMFADeviceName=self.user_name)[
                "VirtualMFADevice"
            ]
        except Exception as error:  # noqa: BLE001
            if error_code(error) != "EntityAlreadyExists" or not self._reuse_device():
                self.message = problem(describe_error(error))
            return
        self._show_device(device["SerialNumber"], device["Base32StringSeed"], device["QRCodePNG"])

    def _reuse_device(self) -> bool:
        """Show a device made earlier under the same name (say, by running
        the cell again) if the Lab still knows its seed and it is not enabled."""
        serial = f"arn:aws:iam::{self.lab.account_id}:mfa/{self.user_name}"
        try:
            authenticator = self.lab.mfa.authenticator(serial)
            png = authenticator.qr_png()
        except Exception:  # noqa: BLE001 - unknown device: report the original error
            return False
        self._show_device(serial, authenticator.secret, png)
        self.message = (
            '<div class="labkit-note">This device already existed; showing it again.</div>'
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

    def _show_failure(self, error: BaseException) -> None:
        self.message = problem(describe_error(error))

"""The widgets' shared helpers, and garbage typed into every widget's text boxes."""

from __future__ import annotations

import ipywidgets as widgets
import pytest
from botocore.exceptions import ClientError

import labkit.widgets as labkit_widgets
from labkit.lab.account import Lab
from labkit.widgets._common import action_options, badge, describe_error, guarded, look, table

GARBAGE = ["", " ", "{", "${", "*", ":", "\x00", "🚀", "<script>alert(1)</script>", "x" * 5000]


def test_badges_differ_by_decision() -> None:
    shown = {badge(name) for name in ("allowed", "explicitDeny", "implicitDeny")}
    assert len(shown) == 3
    assert look("allowed").symbol != look("explicitDeny").symbol
    assert look("nonsense").label == "Could not decide"


def test_describe_error_uses_awss_code_and_message() -> None:
    error = ClientError({"Error": {"Code": "NoSuchEntity", "Message": "gone"}}, "GetUser")
    assert describe_error(error) == "NoSuchEntity: gone"
    assert describe_error(ValueError("bad")) == "ValueError: bad"


def test_guarded_turns_an_exception_into_a_message() -> None:
    class Widget:
        shown: list[str] = []

        @guarded
        def _on_thing_click(self, button: object) -> None:
            raise KeyError("boom")

        def _show_failure(self, error: BaseException) -> None:
            self.shown.append(describe_error(error))

    widget = Widget()
    assert widget._on_thing_click(None) is None
    assert widget.shown == ["KeyError: 'boom'"]


def test_action_options_stay_short_and_relevant() -> None:
    assert "iam:ListUsers" in action_options("")
    options = action_options("s3:get")
    assert options and all(o.lower().startswith("s3:get") for o in options)
    assert len(action_options("s", limit=10)) == 10
    assert "iam:ListMFADevices" in action_options("mfadevices")
    assert action_options("zzzz-no-such") == []


def test_table_escapes_cells() -> None:
    html = table(["a"], [["<b>"]])
    assert "&lt;b&gt;" in html and "<b>" not in html


def test_the_package_exports_every_widget() -> None:
    assert sorted(labkit_widgets.__all__) == [
        "AccessChecker",
        "AccessMatrix",
        "MFAEnrollment",
        "PasswordPolicyTester",
        "PolicyEditor",
        "SecurityStatus",
        "TrailViewer",
    ]


def _text_boxes(widget: widgets.Widget) -> list[widgets.Widget]:
    found = []
    if isinstance(widget, widgets.Text | widgets.Textarea | widgets.Password | widgets.Combobox):
        found.append(widget)
    for child in getattr(widget, "children", ()):
        found += _text_boxes(child)
    return found


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_in_every_text_box_of_every_widget_never_raises(garbage: str, caplog) -> None:
    with Lab(seed=1) as lab:
        lab.client("iam").create_user(UserName="alice")
        built = [
            labkit_widgets.PolicyEditor(lab, value="{}"),
            labkit_widgets.AccessChecker(lab),
            labkit_widgets.AccessMatrix(lab),
            labkit_widgets.MFAEnrollment(lab, "alice"),
            labkit_widgets.PasswordPolicyTester(lab),
            labkit_widgets.SecurityStatus(lab),
            labkit_widgets.TrailViewer(lab),
        ]
        for widget in built:
            boxes = _text_boxes(widget)
            for box in boxes:
                box.value = garbage
            for button in _buttons(widget):
                button.click()
        assert sum(len(_text_boxes(w)) for w in built) >= 8
    # Button callbacks that raise are only logged by ipywidgets: look there too.
    assert not [r for r in caplog.records if "Exception in callback" in r.getMessage()]


def _buttons(widget: widgets.Widget) -> list[widgets.Button]:
    found = [widget] if isinstance(widget, widgets.Button) else []
    for child in getattr(widget, "children", ()):
        found += _buttons(child)
    return found

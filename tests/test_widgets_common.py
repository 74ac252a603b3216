"""The widgets' shared helpers, and garbage typed into every widget's text boxes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import ipywidgets as widgets
import pytest
from botocore.exceptions import ClientError
from IPython.core.formatters import DisplayFormatter

import labkit.widgets as labkit_widgets
from labkit import attempt
from labkit.lab.account import Lab
from labkit.widgets._common import (
    Summarized,
    action_options,
    badge,
    describe_error,
    generic_summary,
    guarded,
    look,
    summarize_in_ipython,
    summary_of,
    table,
    widget_name,
)

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


# --- what a stored widget output says in plain text ----------------------------------

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
REPR = re.compile(r"^[A-Z]\w*\(\w+=")  # ipywidgets' repr: PolicyEditor(children=(...
# Notebooks whose outputs were stored before widgets had summaries: once a
# notebook is re-run with scripts/run_notebooks.py, take it off this list.
STORED_BEFORE_SUMMARIES: set[str] = set()


def test_widget_names_in_words() -> None:
    assert widget_name(labkit_widgets.PolicyEditor.__new__(labkit_widgets.PolicyEditor)) == (
        "Policy editor"
    )
    assert widget_name(labkit_widgets.MFAEnrollment.__new__(labkit_widgets.MFAEnrollment)) == (
        "MFA enrollment"
    )
    assert widget_name(object()) == "Object"


class _Plain(Summarized, widgets.VBox):
    pass


class _Own(Summarized, widgets.VBox):
    def summary(self) -> str:
        return "Own: 2 things"


class _Broken(Summarized, widgets.VBox):
    def summary(self) -> str:
        raise KeyError("gone")


def test_the_mixin_keeps_the_view_and_replaces_the_repr() -> None:
    bundle = _Own()._repr_mimebundle_()
    assert bundle["text/plain"] == "Own: 2 things"
    assert bundle[WIDGET_VIEW]["model_id"]


def test_without_a_summary_of_its_own_a_widget_gets_a_generic_one() -> None:
    text = _Plain()._repr_mimebundle_()["text/plain"]
    assert text == generic_summary(_Plain()) and text.startswith("Plain: an interactive view")


def test_a_failing_summary_never_breaks_the_display() -> None:
    assert _Broken()._repr_mimebundle_()["text/plain"] == "Broken: (no summary: KeyError: 'gone')"
    assert summary_of(widgets.Button()).startswith("Button: ")


def test_ipython_shows_the_summary_of_a_widget_without_the_mixin() -> None:
    class Bare(widgets.VBox):
        def summary(self) -> str:
            return "Bare: 1 thing"

    formatter = DisplayFormatter()
    summarize_in_ipython(Bare, display_formatter=formatter)
    data, _ = formatter.format(Bare())
    assert data["text/plain"] == "Bare: 1 thing"
    assert WIDGET_VIEW in data
    # Other widgets keep their ordinary repr.
    assert formatter.format(widgets.Button())[0]["text/plain"].startswith("Button(")


def _built_widgets(lab: Lab) -> list[widgets.Widget]:
    return [
        labkit_widgets.PolicyEditor(lab, value="{}"),
        labkit_widgets.AccessChecker(lab),
        labkit_widgets.AccessMatrix(lab),
        labkit_widgets.MFAEnrollment(lab, "alice"),
        labkit_widgets.PasswordPolicyTester(lab),
        labkit_widgets.SecurityStatus(lab),
        labkit_widgets.TrailViewer(lab),
    ]


def test_every_widget_displays_a_summary_in_words_not_a_repr() -> None:
    formatter = DisplayFormatter()
    classes = [getattr(labkit_widgets, name) for name in labkit_widgets.__all__]
    summarize_in_ipython(*classes, display_formatter=formatter)
    with Lab(seed=1) as lab:
        lab.client("iam").create_user(UserName="alice")
        for widget in _built_widgets(lab):
            data, _ = formatter.format(widget)
            text = data["text/plain"]
            assert WIDGET_VIEW in data, type(widget).__name__
            assert not REPR.match(text), text[:80]
            assert text.startswith(widget_name(widget) + ":"), text[:80]


def test_the_access_checker_summary_names_the_request_and_the_decision() -> None:
    with Lab(seed=11) as lab:
        lab.load("mfa-blocked")
        checker = labkit_widgets.AccessChecker(lab)
        checker.principal.value = "arn:aws:iam::123456789012:user/CTO"
        checker.action.value = "s3:ListAllMyBuckets"
        assert checker.summary() == (
            "Access checker: user CTO → s3:ListAllMyBuckets on * (without MFA): Explicit deny"
        )
        checker.mfa.value = True
        assert checker.summary().endswith("(with MFA): Allowed")
        checker.action.value = ""
        assert checker.summary() == "Access checker: choose a user or role and an action."


def test_the_trail_viewer_summary_counts_what_the_filters_let_through() -> None:
    with Lab(seed=1) as lab:
        iam = lab.client("iam")
        iam.create_user(UserName="alice")
        iam.create_login_profile(UserName="alice", Password="Reads-Orders-2026")
        alice = lab.sign_in("alice", "Reads-Orders-2026")
        for _ in range(2):
            assert not attempt(alice.client("iam").list_users).ok
        viewer = labkit_widgets.TrailViewer(lab)
        everyone = viewer.summary()
        assert everyone.startswith("Trail viewer: ") and "(everyone, all decisions)" in everyone
        viewer.principal.value = "arn:aws:iam::123456789012:user/alice"
        viewer.decision.value = "implicitDeny"
        assert viewer.summary() == (
            "Trail viewer: 2 calls (user/alice, implicit deny): 0 allowed, 2 denied"
        )


def _widget_texts(path: Path) -> list[str]:
    notebook = json.loads(path.read_text())
    return [
        "".join(output["data"].get("text/plain", ""))
        for cell in notebook["cells"]
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    ]


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            p.name,
            marks=pytest.mark.xfail(
                p.name in STORED_BEFORE_SUMMARIES,
                reason="stored before widgets had summaries: re-run it, then take it off the list",
                strict=True,
            ),
        )
        for p in NOTEBOOKS
    ],
)
def test_stored_widget_outputs_read_as_words(name: str) -> None:
    texts = _widget_texts(ROOT / "notebooks" / name)
    assert not [t for t in texts if REPR.match(t)], texts
    assert all(t.strip() for t in texts)

"""Interactive views of the Lab for JupyterLab, built on ipywidgets.

- :class:`PolicyEditor`: write a policy; see errors, findings and a decision as you type.
- :class:`AccessChecker`: may this user or role do that? The decision, why, and a diagram.
- :class:`AccessMatrix`: principals × actions, one decision per cell.
- :class:`MFAEnrollment`: a user's virtual MFA device, from QR code to enabled.
- :class:`PasswordPolicyTester`: a password against the account's password rules.
- :class:`SecurityStatus`: the IAM dashboard's security recommendations.
- :class:`TrailViewer`: who did what, filtered by principal and decision.

Every widget shows problems as messages in itself; nothing typed raises.
Each widget's output carries a plain-text summary of what it shows (see
:class:`labkit.widgets._common.Summarized`), so a notebook opened before it
is run, or on a Git host, reads as words rather than a Python repr.
"""

from labkit.widgets._common import summarize_in_ipython
from labkit.widgets.access_checker import AccessChecker
from labkit.widgets.access_matrix import AccessMatrix
from labkit.widgets.escalation import EscalationExplorer as EscalationExplorer
from labkit.widgets.mfa_enrollment import MFAEnrollment
from labkit.widgets.password_tester import PasswordPolicyTester
from labkit.widgets.policy_editor import PolicyEditor
from labkit.widgets.security_status import SecurityStatus
from labkit.widgets.trail_viewer import TrailViewer

__all__ = [
    "AccessChecker",
    "AccessMatrix",
    "MFAEnrollment",
    "PasswordPolicyTester",
    "PolicyEditor",
    "SecurityStatus",
    "TrailViewer",
]

# Widgets that do not mix in Summarized yet still show a summary, not a repr.
summarize_in_ipython(
    AccessChecker,
    AccessMatrix,
    MFAEnrollment,
    PasswordPolicyTester,
    PolicyEditor,
    SecurityStatus,
    TrailViewer,
)

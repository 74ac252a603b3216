"""The AWS CLI against the Lab: ``%aws`` and ``%%aws`` run the real CLI in the kernel.

Its output is read as a learner reads it (JSON, tables, text), its refusals
are the CLI's own error lines with its exit statuses, and its calls are the
Lab's calls: one mapping from keys to principals, one enforcement, one trail.

AWS CLI v1's exit statuses (AWS CLI User Guide, "Return codes"): 0 success,
255 a command that failed (a refused call among them), 2 a command line the
CLI could not parse.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labkit import cli
from labkit.lab.account import Lab
from labkit.lab.mfa import Authenticator
from labkit.lab.scenarios import CTO, CTO_ROLE

ACCOUNT = "123456789012"
ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=5) as lab:
        lab.clock.freeze(1_700_000_010.0)
        yield lab


def keys(lab: Lab, user: str) -> dict[str, Any]:
    """Fresh access keys for ``user`` (made if missing), as the root user."""
    iam = lab.client("iam")
    if user not in lab.backend.users:
        iam.create_user(UserName=user)
    return dict(iam.create_access_key(UserName=user)["AccessKey"])


def profile(name: str, key_id: str, secret: str, token: str | None = None) -> None:
    """A CLI profile, made as a learner makes it: ``aws configure set``."""
    settings = [
        ("aws_access_key_id", key_id),
        ("aws_secret_access_key", secret),
        ("aws_session_token", token),
        ("region", "us-east-1"),
    ]
    for setting, value in settings:
        if value is not None:
            result = cli.run(["configure", "set", setting, value, "--profile", name])
            assert result.status == 0, result.stderr


def user_profile(lab: Lab, user: str) -> str:
    key = keys(lab, user)
    profile(user, key["AccessKeyId"], key["SecretAccessKey"])
    return user


def table_rows(text: str) -> dict[str, str]:
    """The ``| name | value |`` rows of the CLI's ``--output table``."""
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        cells = [cell for cell in cells if cell]
        if len(cells) == 2:
            rows[cells[0]] = cells[1]
    return rows


# --- output, as a learner reads it ------------------------------------------------


def test_list_users_prints_json(lab: Lab) -> None:
    lab.client("iam").create_user(UserName="analyst")
    result = cli.run("iam list-users")
    assert result.status == 0 and result.stderr == ""
    users = json.loads(result.stdout)["Users"]
    assert [user["UserName"] for user in users] == ["analyst"]
    assert users[0]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/analyst"
    assert result.stdout.startswith('{\n    "Users": [\n')  # the CLI's four-space JSON
    assert result.json() == json.loads(result.stdout)


def test_table_output(lab: Lab) -> None:
    cli.run("iam create-user --user-name analyst")
    result = cli.run("iam get-user --user-name analyst --output table")
    assert result.status == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("-") and "GetUser" in lines[1]
    rows = table_rows(result.stdout)
    assert rows["UserName"] == "analyst"
    assert rows["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/analyst"
    assert rows["Path"] == "/"


def test_query_and_text_output(lab: Lab) -> None:
    for name in ("ana", "bo"):
        cli.run(f"iam create-user --user-name {name}")
    result = cli.run("iam list-users --query Users[].UserName --output text")
    assert result.stdout.split() == ["ana", "bo"]


def test_without_a_profile_commands_run_as_root(lab: Lab) -> None:
    me = cli.run("sts get-caller-identity").json()
    assert me == {"UserId": ACCOUNT, "Account": ACCOUNT, "Arn": ROOT_ARN}
    assert lab.trail.last is not None and lab.trail.last.principal == ROOT_ARN


def test_the_cli_and_a_lab_client_share_one_account_and_one_trail(lab: Lab) -> None:
    cli.run("iam create-group --group-name Developers")
    assert [g["GroupName"] for g in lab.client("iam").list_groups()["Groups"]] == ["Developers"]
    event = lab.trail.filter(action="iam:CreateGroup")[0]
    assert (event.principal, event.operation, event.error_code) == (ROOT_ARN, "CreateGroup", None)


def test_s3_commands(lab: Lab) -> None:
    assert cli.run("s3 mb s3://company-notes").stdout == "make_bucket: company-notes\n"
    listing = cli.run("s3 ls").stdout.split()
    assert listing[-1] == "company-notes"


def test_answers_the_lab_makes_read_as_the_wire_sends_them(lab: Lab, tmp_path: Path) -> None:
    # The CLI v1 prints timestamps as the service sends them (AWS CLI User Guide,
    # "cli_timestamp_format": wire): STS's Expiration is ISO 8601 in UTC.
    expiration = cli.run("sts get-session-token --duration-seconds 900").json()["Credentials"][
        "Expiration"
    ]
    assert expiration == "2023-11-14T22:28:30Z"  # the frozen clock, plus 900 seconds
    # The CLI writes the QR code it decodes from the answer's base64 to --outfile.
    png = tmp_path / "qr.png"
    made = cli.run(
        f"iam create-virtual-mfa-device --virtual-mfa-device-name phone --outfile {png} "
        "--bootstrap-method QRCodePNG"
    )
    assert made.status == 0, made.stderr
    assert made.json() == {
        "VirtualMFADevice": {"SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/phone"}
    }
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


# --- refusals ------------------------------------------------------------------------


def test_a_denied_call_prints_the_clis_error_line(lab: Lab) -> None:
    user_profile(lab, "dev")
    result = cli.run("iam create-user --user-name intruder --profile dev")
    # The CLI writes a blank line, then botocore's ClientError, and returns 255.
    assert result.status == 255 and cli.last_status == 255
    assert result.stdout == ""
    assert result.stderr == (
        "\nAn error occurred (AccessDenied) when calling the CreateUser operation: "
        f"User: arn:aws:iam::{ACCOUNT}:user/dev is not authorized to perform: iam:CreateUser "
        f"on resource: arn:aws:iam::{ACCOUNT}:user/intruder because no identity-based policy "
        "allows the iam:CreateUser action\n"
    )
    event = lab.trail.last
    assert event is not None
    assert (event.principal, event.error_code) == (
        f"arn:aws:iam::{ACCOUNT}:user/dev",
        "AccessDenied",
    )
    assert "intruder" not in lab.backend.users


def test_keys_the_lab_never_issued_are_refused(lab: Lab) -> None:
    profile("stranger", "AKIAIOSFODNN7STRANGE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSTRANGER1")
    result = cli.run("sts get-caller-identity --profile stranger")
    assert result.status == 255
    assert result.stderr == (
        "\nAn error occurred (InvalidClientTokenId) when calling the GetCallerIdentity "
        "operation: The security token included in the request is invalid.\n"
    )


def test_a_missing_profile(lab: Lab) -> None:
    result = cli.run("iam list-users --profile nobody")
    assert result.status == 255
    assert result.stderr == "\nThe config profile (nobody) could not be found\n"


# --- usage errors: the CLI's usage text, never a traceback ------------------------------


@pytest.mark.parametrize(
    ("command", "status", "last_line"),
    [
        ("iam create-user", 2, "aws: error: the following arguments are required: --user-name"),
        ("", 2, "aws: error: the following arguments are required: command"),
        ("iam list-users --colour on", 255, "Unknown options: --colour, on"),
    ],
)
def test_usage_errors(lab: Lab, command: str, status: int, last_line: str) -> None:
    result = cli.run(command)
    assert result.status == status
    assert "usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]" in (
        result.stderr
    )
    assert result.stderr.rstrip("\n").splitlines()[-1] == last_line
    assert "Traceback" not in result.stderr + result.stdout


def test_an_unknown_operation_suggests_the_right_one(lab: Lab) -> None:
    result = cli.run("iam list-userz")
    assert result.status == 2
    assert "Invalid choice: 'list-userz', maybe you meant:\n\n  * list-users" in result.stderr


def test_a_malformed_parameter(lab: Lab) -> None:
    result = cli.run("iam tag-user --user-name x --tags Foo")
    assert result.status == 255
    assert result.stderr.startswith("\nError parsing parameter '--tags': Expected: '='")


def test_unbalanced_quotes_are_refused_as_a_shell_would(lab: Lab) -> None:
    result = cli.run("iam create-user --user-name 'analyst")
    assert (result.status, result.stderr) == (2, "aws: No closing quotation\n")


def test_help_is_plain_text_in_the_cell(lab: Lab) -> None:
    result = cli.run("iam get-user help")
    assert result.status == 0
    assert "Retrieves information about the specified IAM user" in result.stdout
    assert "--user-name" in result.stdout


# --- profiles --------------------------------------------------------------------------


def test_profiles_live_in_the_labs_own_files(lab: Lab) -> None:
    key = keys(lab, "dev")
    profile("dev", key["AccessKeyId"], key["SecretAccessKey"])
    home = Path(lab.cli_home or "")
    credentials = (home / "credentials").read_text()
    assert f"[dev]\naws_access_key_id = {key['AccessKeyId']}\n" in credentials
    assert "[profile dev]\nregion = us-east-1\n" in (home / "config").read_text()
    # Between commands the Lab's environment is as it was: no profile files.
    assert os.environ["AWS_SHARED_CREDENTIALS_FILE"] == os.devnull
    assert os.environ["AWS_CONFIG_FILE"] == os.devnull
    listed = cli.run("configure list --profile dev")
    assert listed.status == 0
    rows = {line.split()[0]: line.split()[1:] for line in listed.stdout.splitlines()[2:]}
    assert rows["access_key"][:2] == [
        f"****************{key['AccessKeyId'][-4:]}",
        "shared-credentials-file",
    ]
    assert cli.run("sts get-caller-identity --profile dev").json()["Arn"].endswith(":user/dev")


def test_a_profiles_own_region_is_the_one_it_uses(lab: Lab) -> None:
    """``aws configure set region`` takes effect, as on a learner's machine;
    a profile without one uses the Lab's region."""
    key = keys(lab, "dev")
    profile("dev", key["AccessKeyId"], key["SecretAccessKey"])
    cli.run("configure set region eu-west-1 --profile dev")
    listed = cli.run("configure list --profile dev").stdout
    region = next(line.split() for line in listed.splitlines() if line.split()[:1] == ["region"])
    assert region[1:3] == ["eu-west-1", "config-file"]
    assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"  # the Lab's, between commands
    root = cli.run("configure list").stdout
    assert any(line.split()[:2] == ["region", "us-east-1"] for line in root.splitlines())


def test_the_cli_files_go_when_the_lab_closes() -> None:
    with Lab(seed=1) as lab:
        cli.run("configure set region eu-west-1 --profile elsewhere")
        home = lab.cli_home
        assert home is not None and os.path.isdir(home)
    assert not os.path.exists(home)
    assert lab.cli_home is None


def test_a_session_token_profile(lab: Lab) -> None:
    user_profile(lab, "dev")
    issued = cli.run("sts get-session-token --profile dev").json()["Credentials"]
    assert issued["AccessKeyId"].startswith("ASIA")
    profile("dev-session", issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"])
    me = cli.run("sts get-caller-identity --profile dev-session").json()
    assert me["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/dev"
    # Credentials from GetSessionToken without MFA cannot call IAM (STS User
    # Guide, "Comparing the AWS STS API operations").
    refused = cli.run("iam list-users --profile dev-session")
    assert refused.status == 255
    assert "An error occurred (InvalidClientTokenId) when calling the ListUsers" in refused.stderr


def test_mfa_session_token_then_using_it() -> None:
    """07-mfa: the CTO, blocked by Allow-MFA, gets MFA credentials and uses them."""
    with Lab(seed=3, scenario="mfa-blocked") as lab:
        lab.clock.freeze(1_700_000_010.0)
        iam = lab.client("iam")
        device = iam.create_virtual_mfa_device(VirtualMFADeviceName=CTO)["VirtualMFADevice"]
        serial = device["SerialNumber"]
        app = Authenticator(device["Base32StringSeed"], lab.clock)  # the learner's phone
        code1, code2 = app.consecutive_codes()
        iam.enable_mfa_device(
            UserName=CTO, SerialNumber=serial, AuthenticationCode1=code1, AuthenticationCode2=code2
        )
        lab.clock.advance(60)
        user_profile(lab, CTO)
        blocked = cli.run("iam create-group --group-name Auditors --profile CTO")
        assert blocked.status == 255
        assert "with an explicit deny in an identity-based policy" in blocked.stderr

        issued = cli.run(
            f"sts get-session-token --serial-number {serial} --token-code {app.code()} "
            "--profile CTO"
        )
        assert issued.status == 0, issued.stderr
        credentials = issued.json()["Credentials"]
        profile(
            "cto-mfa",
            credentials["AccessKeyId"],
            credentials["SecretAccessKey"],
            credentials["SessionToken"],
        )
        made = cli.run("iam create-group --group-name Auditors --profile cto-mfa")
        assert made.status == 0, made.stderr
        assert made.json()["Group"]["GroupName"] == "Auditors"
        events = lab.trail.filter(principal=CTO, action="iam:CreateGroup")
        assert [(e.decision, e.error_code) for e in events] == [
            ("explicitDeny", "AccessDenied"),
            ("allowed", None),
        ]


def test_a_wrong_mfa_code(lab: Lab) -> None:
    user_profile(lab, "dev")
    iam = lab.client("iam")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="dev")["VirtualMFADevice"]
    serial = device["SerialNumber"]
    code1, code2 = Authenticator(device["Base32StringSeed"], lab.clock).consecutive_codes()
    iam.enable_mfa_device(
        UserName="dev", SerialNumber=serial, AuthenticationCode1=code1, AuthenticationCode2=code2
    )
    wrong = "000000" if code2 != "000000" else "111111"
    result = cli.run(
        f"sts get-session-token --serial-number {serial} --token-code {wrong} --profile dev"
    )
    assert result.status == 255
    assert "An error occurred (AccessDenied) when calling the GetSessionToken" in result.stderr


def test_assume_role() -> None:
    with Lab(seed=11, scenario="roles") as lab:
        user_profile(lab, CTO)
        role_arn = f"arn:aws:iam::{ACCOUNT}:role/{CTO_ROLE}"
        assumed = cli.run(
            f"sts assume-role --role-arn {role_arn} --role-session-name cto-work --profile CTO"
        )
        assert assumed.status == 0, assumed.stderr
        answer = assumed.json()
        session_arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/{CTO_ROLE}/cto-work"
        assert answer["AssumedRoleUser"]["Arn"] == session_arn
        credentials = answer["Credentials"]
        profile(
            "admin",
            credentials["AccessKeyId"],
            credentials["SecretAccessKey"],
            credentials["SessionToken"],
        )
        assert cli.run("sts get-caller-identity --profile admin").json()["Arn"] == session_arn
        refused = cli.run(
            f"sts assume-role --role-arn {role_arn} --role-session-name second-hop --profile admin"
        )
        assert refused.status == 255 and "(AccessDenied)" in refused.stderr


# --- the local endpoint, and nothing beyond it ----------------------------------------


def test_endpoint_url_of_the_labs_server(lab: Lab) -> None:
    user_profile(lab, "dev")
    lab.client("iam").attach_user_policy(
        UserName="dev", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess"
    )
    before = len(lab.trail)
    with lab.serve() as server:
        result = cli.run(f"iam list-users --endpoint-url {server.url} --profile dev")
        assert result.status == 0, result.stderr
        assert [u["UserName"] for u in result.json()["Users"]] == ["dev"]
        denied = cli.run(
            f"iam delete-user --user-name dev --endpoint-url {server.url} --profile dev"
        )
        assert denied.status == 255 and "(AccessDenied)" in denied.stderr
    events = list(lab.trail)[before:]
    assert [(e.operation, e.error_code) for e in events] == [
        ("ListUsers", None),
        ("DeleteUser", "AccessDenied"),
    ]  # each call enforced once, by the endpoint


def test_another_endpoint_url_is_still_the_lab(lab: Lab) -> None:
    result = cli.run("sts get-caller-identity --endpoint-url https://sts.eu-west-1.amazonaws.com")
    assert result.status == 0, result.stderr
    assert result.json()["Arn"] == ROOT_ARN


def test_without_a_lab_the_cli_says_so() -> None:
    result = cli.run("iam list-users")
    assert result.status == 255 and cli.last_status == 255
    assert result.stderr == cli.NO_LAB
    assert "No Lab is running" in result.stderr


# --- the magics ----------------------------------------------------------------------


@pytest.fixture
def shell() -> Iterator[Any]:
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_cell("%load_ext labkit", store_history=True)
    yield shell
    shell.user_ns.pop("result", None)


def test_line_magic(lab: Lab, shell: Any, capsys: pytest.CaptureFixture[str]) -> None:
    shell.user_ns["name"] = "analyst"
    shell.run_cell("result = %aws iam create-user --user-name $name", store_history=True)
    result = shell.user_ns["result"]
    assert isinstance(result, cli.CliResult)
    assert (result.status, result.json()["User"]["UserName"]) == (0, "analyst")
    assert capsys.readouterr().out == result.stdout  # printed in the cell
    shell.run_cell("result = %aws iam get-user --user-name nobody", store_history=True)
    captured = capsys.readouterr()
    assert "An error occurred (NoSuchEntity) when calling the GetUser operation" in captured.err
    assert shell.user_ns["result"].status == 255 == cli.last_status


def test_cell_magic(lab: Lab, shell: Any, capsys: pytest.CaptureFixture[str]) -> None:
    shell.user_ns["user"] = "analyst"
    cell = """%%aws --output text
# 02-users: a user and a group
iam create-user --user-name {user} --query User.UserName

iam create-group --group-name Business-Analysts --query Group.GroupName
iam add-user-to-group --group-name Business-Analysts \\
    --user-name {user}
aws iam put-user-policy --user-name analyst --policy-name read --policy-document '{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]}'
iam get-group --group-name Nope
iam list-groups
"""
    shell.run_cell(cell, store_history=True)
    results = shell.user_ns["_"]  # the cell's result, as Out[n]
    captured = capsys.readouterr()
    printed = [line for line in captured.out.splitlines() if not line.startswith("Out[")]
    assert printed == ["analyst", "Business-Analysts"]
    assert "An error occurred (NoSuchEntity) when calling the GetGroup operation" in captured.err
    assert "(Stopped here: the next 1 command did not run.)" in captured.err
    groups = lab.client("iam").list_groups_for_user(UserName="analyst")["Groups"]
    assert [g["GroupName"] for g in groups] == ["Business-Analysts"]
    assert "read" in lab.client("iam").list_user_policies(UserName="analyst")["PolicyNames"]
    assert cli.last_status == 255
    assert isinstance(results, cli.CliResults)
    assert results.status == 255 and len(results) == 5
    assert [result.status for result in results] == [0, 0, 0, 0, 255]


def test_a_variable_beside_json_and_jmespath_braces(
    lab: Lab, shell: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """``{name}`` is expanded even where a JSON document or a JMESPath
    projection in the same command has braces of its own."""
    shell.user_ns["who"] = "analyst"
    cell = """%%aws --output text
iam create-user --user-name {who} --query User.UserName
iam put-user-policy --user-name {who} --policy-name read --policy-document \\
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:Get*",
    "Resource": "*"}]}'
iam list-users --query "Users[].{N: UserName}"
"""
    shell.run_cell(cell, store_history=True)
    printed = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("Out[")]
    assert printed == ["analyst", "analyst"]
    assert lab.client("iam").list_user_policies(UserName="analyst")["PolicyNames"] == ["read"]
    assert cli.last_status == 0


def test_split_commands() -> None:
    text = "# a comment\n\niam list-users   # trailing comment\naws s3 ls\\\n  s3://x\n"
    assert cli.split_commands(text) == [["iam", "list-users"], ["s3", "ls", "s3://x"]]


def this_tree() -> dict[str, str]:
    """An environment in which ``import labkit`` finds this checkout's labkit."""
    return {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}


def test_the_extension_loads_without_boto3_or_awscli() -> None:
    code = (
        "import sys, labkit\n"
        "class Shell:\n"
        "    def register_magic_function(self, f, magic_kind, magic_name):\n"
        "        self.found = (magic_kind, magic_name)\n"
        "shell = Shell(); labkit.load_ipython_extension(shell)\n"
        "assert shell.found == ('line_cell', 'aws'), shell.found\n"
        "heavy = {'boto3', 'botocore', 'moto', 'awscli'} & {m.split('.')[0] for m in sys.modules}\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, env=this_tree())


def test_the_cli_works_when_awscli_was_imported_first(tmp_path: Path) -> None:
    """awscli makes ``import botocore`` find its own copy when imported first;
    the Lab then seals that copy, and any second one loaded as ``awscli.botocore``."""
    code = (
        "import awscli.clidriver, botocore\n"
        "assert 'awscli' in botocore.__file__\n"
        "from labkit import Lab, cli\n"
        "from labkit.lab import seal\n"
        "lab = Lab(seed=1)\n"
        "lab.client('iam').create_user(UserName='a')\n"
        "r = cli.run('iam list-users --query Users[].UserName --output text')\n"
        "assert (r.status, r.stdout) == (0, 'a\\n'), r\n"
        "assert lab.trail.last.operation == 'ListUsers'\n"
        "import awscli.botocore.client as second\n"
        "seal.cover()\n"
        "sealed = lambda: '_sealed_call' in second.BaseClient._make_api_call.__qualname__\n"
        "assert sealed()\n"
        "assert sorted(seal._SAVED) == ['awscli.botocore', 'botocore']\n"
        "lab.close()\n"
        "assert not sealed()\n"
    )
    env = {k: v for k, v in this_tree().items() if not k.startswith("AWS_")}
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300, env=env, cwd=tmp_path)

"""The AWS CLI in a notebook, against the running Lab: ``%aws`` and ``%%aws``.

    %load_ext labkit
    %aws iam list-users
    %aws iam get-user --user-name analyst --output table --profile analyst

    %%aws
    # one command a line; comments and blank lines are skipped
    iam create-group --group-name Developers
    iam add-user-to-group --group-name Developers --user-name analyst

This is the real AWS CLI (``awscli``'s own driver: its argument parsing,
output formats, ``--query``, error lines and exit statuses) running in the
kernel. The clients it makes are botocore clients like any other in the
process, so while a Lab is open they are the Lab's callers
(:mod:`labkit.lab.seal`): one mapping from keys to principals, one
enforcement path, one trail. Nothing leaves the machine.

Without ``--profile`` a command runs as the account's root user (the Lab's
default credentials). Profiles are made as with the real CLI, from keys and
sessions the Lab issued::

    %aws configure set aws_access_key_id AKIA... --profile analyst
    %aws configure set aws_secret_access_key ... --profile analyst

The CLI's config and credentials files live in a temporary directory owned by
the Lab (``lab.cli_home``), used only while a command runs and removed when
the Lab closes. ``$name`` and ``{name}`` expand to notebook variables, as in
IPython's other magics.

Each command's exit status is kept in :data:`last_status` (0 for success, 255
for a failed or refused call, 2 for a command line it cannot parse); the magic returns a
:class:`CliResult` with ``status``, ``stdout``, ``stderr`` and ``json()``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labkit.lab.account import Lab

__all__ = ["CliResult", "CliResults", "last", "last_status", "register", "run", "split_commands"]

NO_LAB = (
    "No Lab is running, so there is no account for the AWS CLI to call. Start one first, "
    "for example: lab = Lab(). The AWS CLI in this notebook only ever calls the Lab's "
    "account, never AWS.\n"
)

last: CliResult | None = None  # the result of the latest command
last_status: int | None = None  # its exit status, as the CLI returned it

# The exit status the CLI gives a command that failed (awscli's main: 255).
_FAILED = 255


@dataclass
class CliResult:
    """One AWS CLI command: what it printed and its exit status."""

    command: str
    status: int
    stdout: str = ""
    stderr: str = ""
    _shown_at: int | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """Whether the command succeeded (exit status 0)."""
        return self.status == 0

    def json(self) -> Any:
        """The command's output read as JSON (the default ``--output json``);
        None when it printed nothing."""
        text = self.stdout.strip()
        return json.loads(text) if text else None

    def text(self) -> str:
        """What a terminal shows: the output, then the errors."""
        return self.stdout + self.stderr

    def _ipython_display_(self) -> None:
        # The magic printed the output already; shown again only when asked later.
        if _shown_now(self._shown_at):
            return
        _display_text(self.text() or f"(no output; exit status {self.status})\n")

    def __repr__(self) -> str:
        return f"CliResult(status={self.status}, command={self.command!r})"


class CliResults(list[CliResult]):
    """The commands of one ``%%aws`` cell, in order, up to the first that failed."""

    _shown_at: int | None = None

    @property
    def status(self) -> int:
        """The exit status of the last command run (0 if none ran)."""
        return self[-1].status if self else 0

    @property
    def ok(self) -> bool:
        """Whether every command succeeded."""
        return self.status == 0

    @property
    def stdout(self) -> str:
        """Every command's output, in order."""
        return "".join(result.stdout for result in self)

    @property
    def stderr(self) -> str:
        """Every command's errors, in order."""
        return "".join(result.stderr for result in self)

    def json(self) -> Any:
        """The last command's output read as JSON."""
        return self[-1].json() if self else None

    def _ipython_display_(self) -> None:
        if _shown_now(self._shown_at):
            return
        _display_text("".join(result.text() for result in self) or "(no output)\n")


def _shown_now(shown_at: int | None) -> bool:
    """Whether the output was printed by the cell that is running now."""
    if shown_at is None:
        return False
    shell = _shell()
    return shell is not None and shell.execution_count == shown_at


def _display_text(text: str) -> None:
    from IPython.display import display

    display({"text/plain": text}, raw=True)


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with JupyterLab
        return None
    return get_ipython()


# --- commands --------------------------------------------------------------------


def split_commands(text: str) -> list[list[str]]:
    """The commands of a cell, as shell words: one a line, ``#`` comments and
    blank lines skipped, a line ending in ``\\`` or an open quote continued on
    the next; a leading ``aws`` is dropped."""
    return [_without_aws(shlex.split(chunk, comments=True)) for chunk in _chunks(text)]


def _chunks(text: str) -> list[str]:
    """The text of each command of a cell."""
    chunks: list[str] = []
    pending = ""
    for line in text.splitlines():
        pending = f"{pending}\n{line}" if pending else line
        if pending.endswith("\\") and not pending.endswith("\\\\"):
            pending = pending[:-1]
            continue
        try:
            words = shlex.split(pending, comments=True)
        except ValueError:  # a quotation still open: it goes on on the next line
            continue
        if words:
            chunks.append(pending)
        pending = ""
    if pending.strip():
        chunks.append(pending)  # unbalanced to the end: shlex says so when it runs
    return chunks


def _without_aws(words: list[str]) -> list[str]:
    return words[1:] if words and words[0] == "aws" else words


def run(command: str | Sequence[str], lab: Lab | None = None) -> CliResult:
    """Run one AWS CLI command against ``lab`` (the running Lab by default).

    ``command`` is what follows ``aws`` on a command line, as a string or as
    words. Returns a :class:`CliResult`; :data:`last_status` keeps its status.
    """
    if isinstance(command, str):
        try:
            words = _without_aws(shlex.split(command, comments=True))
        except ValueError as error:  # unbalanced quotes: a shell would refuse it too
            return _keep(CliResult(command, 2, "", f"aws: {error}\n"))
        text = command.strip()
    else:
        words = _without_aws(list(command))
        text = shlex.join(words)
    if lab is None:
        from labkit.lab.account import active_lab

        lab = active_lab()
    if lab is None or lab.closed:
        return _keep(CliResult(text, _FAILED, "", NO_LAB))
    return _keep(_run_in(lab, text, words))


def _keep(result: CliResult) -> CliResult:
    global last, last_status
    last, last_status = result, result.status
    return result


def _run_in(lab: Lab, text: str, words: list[str]) -> CliResult:
    driver = _driver_module()
    out, err = _Capture(), _Capture()
    with _cli_environment(lab, words), _captured(out, err), _plain_help():
        try:
            cli = driver.create_clidriver()
            _share_loader(cli.session)
            _read_as_sent(cli.session)
            status = cli.main(words)
        except SystemExit as done:  # argparse's usage errors end this way
            code = done.code
            status = code if isinstance(code, int) else (0 if code is None else _FAILED)
            if isinstance(code, str):
                err.write(code + "\n")
        except KeyboardInterrupt:
            status = 130  # as the CLI: 128 + SIGINT
        except Exception as error:  # noqa: BLE001 - the CLI's own last resort
            err.write(f"\n{error}\n")
            status = _FAILED
    return CliResult(text, int(status or 0), out.value(), err.value())


def _driver_module() -> Any:
    """awscli's driver, on the botocore the Lab seals.

    awscli makes a later ``import botocore`` find its own copy unless botocore
    is loaded first; loading ours first keeps one botocore in the process.
    """
    import botocore.client  # noqa: F401 - first, see above
    import botocore.httpsession  # noqa: F401

    with contextlib.suppress(ImportError):
        import s3transfer  # noqa: F401 - boto3's, not the CLI's copy
    import awscli.clidriver
    import awscli.help  # noqa: F401

    from labkit.lab import seal

    seal.cover()  # a copy loaded as awscli.botocore is sealed too
    return awscli.clidriver


_LOADERS: dict[str, Any] = {}


def _share_loader(session: Any) -> None:
    """One botocore data loader for every command: the CLI reads its service
    models (megabytes of JSON) once per kernel, not once per command."""
    path = str(session.get_config_variable("data_path") or "")
    loader = _LOADERS.get(path)
    if loader is None:
        _LOADERS[path] = session.get_component("data_loader")
    else:
        session.register_component("data_loader", loader)


def _read_as_sent(session: Any) -> None:
    """Have the CLI read the answers the Lab makes itself (STS credentials, MFA
    devices, the simulator) as it reads AWS's: off the wire.

    The CLI prints timestamps and blobs as the service sent them (its
    ``cli_timestamp_format`` is ``wire``); an answer the Lab made never went
    over a wire, so it is serialized as the service would send it and parsed
    by the CLI's own parser, before any of the CLI's handlers see it.
    """

    def reread(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if getattr(http_response, "raw", None) is not None:
            return  # moto's answer: already read off the wire
        if getattr(http_response, "status_code", 200) >= 300 or model.output_shape is None:
            return
        from labkit.lab.server import as_sent

        sent = as_sent(parsed, model.service_model.service_name, model.name)
        if sent is None:
            return
        status, headers, body = sent
        factory = session.get_component("response_parser_factory")
        parser = factory.create_parser(model.service_model.protocol)
        read = parser.parse(
            {"status_code": status, "headers": dict(headers), "body": body}, model.output_shape
        )
        metadata = parsed.get("ResponseMetadata")
        parsed.clear()
        parsed.update(read)
        if metadata is not None:
            parsed["ResponseMetadata"] = metadata

    # First among the handlers of every call, so the CLI's own see the wire's values.
    session.get_component("event_emitter").register_first("after-call.*.*", reread)


def cli_home(lab: Lab) -> str:
    """The Lab's directory for the AWS CLI's files, made on first use."""
    if lab.cli_home is None or not os.path.isdir(lab.cli_home):
        lab.cli_home = tempfile.mkdtemp(prefix="labkit-aws-")
    return lab.cli_home


@contextlib.contextmanager
def _cli_environment(lab: Lab, words: list[str]) -> Iterator[None]:
    """The CLI's own files while it runs, and ``aws`` as the program's name
    (its usage errors say ``aws: error: ...``); the Lab's environment around."""
    home = cli_home(lab)
    argv = sys.argv
    sys.argv = ["aws", *words]
    wanted = {
        "AWS_CONFIG_FILE": os.path.join(home, "config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",  # never ask an instance for credentials
    }
    # The Lab's region stands in for a profile's only where the profile names none:
    # the environment would outrank what `aws configure set region` wrote.
    unset = _REGION_VARIABLES if _profile_region(home, words) else ()
    saved = {name: os.environ.get(name) for name in (*wanted, *unset)}
    os.environ.update(wanted)
    for name in unset:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        sys.argv = argv
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


_REGION_VARIABLES = ("AWS_DEFAULT_REGION", "AWS_REGION")


def _profile_region(home: str, words: list[str]) -> str | None:
    """The region the profile a command names has in the CLI's config file."""
    import configparser

    profile = next((words[i + 1] for i, word in enumerate(words[:-1]) if word == "--profile"), None)
    if profile is None:
        return None
    config = configparser.RawConfigParser()
    try:
        config.read(os.path.join(home, "config"))
    except configparser.Error:
        return None
    section = "default" if profile == "default" else f"profile {profile}"
    return config.get(section, "region", fallback=None)


class _Capture(io.TextIOWrapper):
    """A text stream with a ``buffer``, as the CLI expects of ``sys.stdout``."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8", errors="replace", write_through=True)

    def isatty(self) -> bool:
        return False

    def value(self) -> str:
        self.flush()
        raw = self.buffer
        assert isinstance(raw, io.BytesIO)
        return raw.getvalue().decode("utf-8", errors="replace")


_LOGGERS = ("", "awscli", "botocore", "s3transfer", "urllib3")


@contextlib.contextmanager
def _captured(out: _Capture, err: _Capture) -> Iterator[None]:
    """The CLI's output captured; loggers as they were (``--debug`` adds handlers)."""
    import logging

    loggers = [logging.getLogger(name) for name in _LOGGERS]
    saved = [(logger, list(logger.handlers), logger.level) for logger in loggers]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            yield
    finally:
        for logger, handlers, level in saved:
            logger.handlers[:] = handlers
            logger.setLevel(level)


@contextlib.contextmanager
def _plain_help() -> Iterator[None]:
    """``aws ... help`` as plain text in the cell, instead of a pager."""
    import awscli.help as help_module

    saved = help_module.get_renderer
    help_module.get_renderer = _text_renderer  # type: ignore[assignment]
    try:
        yield
    finally:
        help_module.get_renderer = saved


def _text_renderer() -> Any:
    from awscli.help import PagingHelpRenderer

    class TextHelp(PagingHelpRenderer):  # type: ignore[misc]
        def _convert_doc_content(self, contents: bytes) -> bytes:
            from awscli.bcdoc.textwriter import TextWriter
            from docutils.core import publish_string

            return bytes(
                publish_string(
                    contents,
                    writer=TextWriter(),
                    settings_overrides=self._DEFAULT_DOCUTILS_SETTINGS_OVERRIDES,
                )
            )

        def _send_output_to_pager(self, output: bytes) -> None:
            self.output_stream.write(output.decode("utf-8", errors="replace"))
            self.output_stream.flush()

    return TextHelp(output_stream=sys.stdout)


# --- the magics ----------------------------------------------------------------------


def aws_magic(line: str, cell: str | None = None) -> CliResult | CliResults:
    """``%aws COMMAND`` runs one AWS CLI command; ``%%aws`` runs a cell of them,
    one a line, stopping at the first that fails. Options after ``%%aws``
    (``%%aws --profile analyst``) are given to every command of the cell."""
    shell = _shell()
    if cell is None:
        result = run(line)
        _print(result)
        result._shown_at = getattr(shell, "execution_count", None)
        return result
    options = shlex.split(line, comments=True) if line.strip() else []
    results = CliResults()
    chunks = _chunks(cell)
    for index, chunk in enumerate(chunks):
        try:
            words = _without_aws(shlex.split(_expand(shell, chunk), comments=True))
            result = run([*words, *options])
        except ValueError as error:  # unbalanced quotes
            result = _keep(CliResult(chunk.strip(), 2, "", f"aws: {error}\n"))
        _print(result)
        results.append(result)
        if not result.ok:
            left = len(chunks) - index - 1
            if left:
                plural = "command" if left == 1 else "commands"
                print(f"(Stopped here: the next {left} {plural} did not run.)", file=sys.stderr)
            break
    results._shown_at = getattr(shell, "execution_count", None)
    return results


def _print(result: CliResult) -> None:
    if result.stdout:
        sys.stdout.write(result.stdout)
        sys.stdout.flush()
    if result.stderr:
        sys.stderr.write(result.stderr)
        sys.stderr.flush()


def _expand(shell: Any, text: str) -> str:
    """``$name`` and ``{name}`` replaced by notebook variables, as IPython
    expands a line magic's arguments; the text as written if that fails."""
    if shell is None:
        return text
    from IPython.utils.text import DollarFormatter

    try:
        return str(DollarFormatter().vformat(text, args=[], kwargs=dict(shell.user_ns)))
    except Exception:  # noqa: BLE001 - braces that are not all variables: one at a time
        return _BRACED.sub(lambda found: _value_or_text(shell, found), text)


# A {name} or {expression} as IPython expands it; JSON and JMESPath braces
# (with quotes or a colon inside) are left as written.
_BRACED = re.compile(r"\{([^{}:\"']+)\}")


def _value_or_text(shell: Any, found: re.Match[str]) -> str:
    """The value of a braced notebook expression, or the text as written."""
    try:
        return str(eval(found.group(1), shell.user_ns))  # noqa: S307 - the learner's own notebook
    except Exception:  # noqa: BLE001 - not an expression of the notebook: kept as text
        return found.group(0)


def register(ipython: Any) -> None:
    """Register ``%aws`` and ``%%aws`` in an IPython shell."""
    ipython.register_magic_function(aws_magic, magic_kind="line_cell", magic_name="aws")

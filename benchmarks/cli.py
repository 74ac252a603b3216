"""What the AWS CLI and the local endpoint cost a call, against a Lab client.

Run with ``python benchmarks/cli.py``. Prints, all measured in this one run,
each against the same call (``iam list-users`` by the same IAM user) through
a Lab client in the kernel:

(a) ``%aws iam list-users --profile analyst``: the magic in an IPython shell,
    the real CLI's whole round trip (its driver, argument parsing, client,
    the enforced call, JSON output);
(b) the call from another process through ``lab.serve()``: boto3 there with
    ``endpoint_url``, its client already made, timed in that process (aim: at
    most 3).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# Run from a checkout: import this tree's labkit, not an installed copy.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROUNDS = 5
CALLS = 50
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"

OTHER_PROCESS = r"""
import json, statistics, sys, time
import boto3
from botocore.config import Config

url, key, secret, rounds, calls = sys.argv[1], sys.argv[2], sys.argv[3], *map(int, sys.argv[4:6])
iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key,
                   aws_secret_access_key=secret, config=Config(retries={"total_max_attempts": 1}))
iam.list_users()  # the client made and its connection open, as a running program keeps them
samples = []
for _ in range(rounds):
    start = time.perf_counter()
    for _ in range(calls):
        iam.list_users()
    samples.append((time.perf_counter() - start) / calls)
print(json.dumps(samples))
"""


def per_call(call: Callable[[], object], rounds: int = ROUNDS, calls: int = CALLS) -> float:
    """The fastest round's seconds per call (the least disturbed by the machine)."""
    call()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        samples.append((time.perf_counter() - start) / calls)
    return min(samples)


def main() -> None:
    from IPython.core.interactiveshell import InteractiveShell

    from labkit import Lab, cli

    with Lab(seed=1) as lab:
        iam = lab.client("iam")
        iam.create_user(UserName="analyst")
        iam.attach_user_policy(UserName="analyst", PolicyArn=READ_ONLY)
        key = iam.create_access_key(UserName="analyst")["AccessKey"]
        user = lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"]).client("iam")
        for setting, value in (
            ("aws_access_key_id", key["AccessKeyId"]),
            ("aws_secret_access_key", key["SecretAccessKey"]),
            ("region", "us-east-1"),
        ):
            cli.run(["configure", "set", setting, value, "--profile", "analyst"])

        shell = InteractiveShell.instance()
        shell.run_line_magic("load_ext", "labkit")

        def magic() -> None:
            with contextlib.redirect_stdout(io.StringIO()):
                result = shell.run_line_magic("aws", "iam list-users --profile analyst")
            assert result.status == 0, result.stderr

        in_process = per_call(user.list_users)
        cli_call = per_call(magic, calls=10)
        print(f"(a) Lab client, in the kernel:     {in_process * 1000:8.2f} ms")
        print(f"    %aws iam list-users:           {cli_call * 1000:8.2f} ms")
        print(f"    ratio: {cli_call / in_process:.1f}  (the CLI's own start per command)")

        with lab.serve() as server, tempfile.TemporaryDirectory() as home:
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env.update(
                HOME=home, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull
            )
            args = [server.url, key["AccessKeyId"], key["SecretAccessKey"], ROUNDS, CALLS]
            done = subprocess.run(
                [sys.executable, "-c", OTHER_PROCESS, *map(str, args)],
                capture_output=True,
                text=True,
                check=True,
                env=env,
            )
            endpoint = min(json.loads(done.stdout))
        in_process_again = per_call(user.list_users)
        baseline = statistics.mean([in_process, in_process_again])
        print(f"(b) Lab client, in the kernel:     {baseline * 1000:8.2f} ms")
        print(f"    another process, lab.serve():  {endpoint * 1000:8.2f} ms")
        print(f"    ratio: {endpoint / baseline:.2f}  (aim <= 3)")


if __name__ == "__main__":
    main()

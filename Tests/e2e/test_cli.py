"""The AWS CLI v1 (the `aws` installed next to this Python) against the shared server."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import (
    AWS_CLI, EU_ACCOUNT, EU_ID, FULL_ID, PRECISION_ID, SERVED_TIMESTAMPS, UNKNOWN_ID, access_key_for, arn_scope,
    child_env, not_found_message, run_aws, validation_message, wire_job,
)

CLI_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIAMOCKBEDROCKTEST",
    "AWS_SECRET_ACCESS_KEY": "mock-bedrock-secret-access-key",
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
}


def get_job(url: str, identifier: str, *, region: str = "us-east-1",
            access_key: str = "AKIAMOCKBEDROCKTEST") -> subprocess.CompletedProcess:
    return run_aws(url, "bedrock", "get-model-invocation-job", "--job-identifier", identifier,
                   region=region, access_key=access_key)


def test_cli_is_v1():
    result = subprocess.run([sys.executable, str(AWS_CLI), "--version"], capture_output=True, text=True,
                            env=child_env(CLI_ENV), timeout=60)
    assert result.returncode == 0
    assert (result.stdout + result.stderr).startswith("aws-cli/1.")


@pytest.mark.parametrize("job_id", [FULL_ID, PRECISION_ID])
def test_cli_prints_job_json_with_timestamps_as_served(shared_server, shared_jobs, job_id):
    result = get_job(shared_server.url, job_id)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    printed = json.loads(result.stdout)
    expected = wire_job(shared_jobs[job_id]) | SERVED_TIMESTAMPS[job_id]
    assert printed == expected
    # the fixture's timestamp strings, character for character
    for name, served in SERVED_TIMESTAMPS[job_id].items():
        assert printed[name] == served
    if job_id == FULL_ID:
        for name in SERVED_TIMESTAMPS[job_id]:
            assert printed[name] == shared_jobs[job_id][name]


def test_cli_by_arn(shared_server, shared_jobs):
    """The eu-west-1 job of account 210987654321, by ARN, from a CLI in that region and account."""
    arn = shared_jobs[EU_ID]["jobArn"]
    region, account = arn_scope(arn)
    assert (region, account) == ("eu-west-1", EU_ACCOUNT)
    result = get_job(shared_server.url, arn, region=region, access_key=access_key_for(account))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == wire_job(shared_jobs[EU_ID])
    # the same command from the default account and region finds nothing
    result = get_job(shared_server.url, arn)
    assert result.returncode == 255
    assert result.stderr.strip().endswith(not_found_message(arn))


def test_cli_missing_job_exits_255_with_aws_error_line(shared_server):
    result = get_job(shared_server.url, UNKNOWN_ID)
    assert result.returncode == 255
    assert result.stdout == ""
    assert result.stderr.strip() == (
        "An error occurred (ResourceNotFoundException) when calling the GetModelInvocationJob operation: "
        + not_found_message(UNKNOWN_ID))


def test_cli_bad_identifier_exits_255_with_validation_message(shared_server, identifier_pattern):
    result = get_job(shared_server.url, "my-job-name")
    assert result.returncode == 255
    assert result.stdout == ""
    assert result.stderr.strip() == (
        "An error occurred (ValidationException) when calling the GetModelInvocationJob operation: "
        + validation_message("my-job-name", identifier_pattern))

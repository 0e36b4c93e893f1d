# test_batch_jobs.py: drive a Bedrock batch job to each terminal status with mock-bedrock.
import json
import os
import subprocess
import urllib.request

import boto3
import pytest

MOCK_BEDROCK = os.environ.get("MOCK_BEDROCK_BIN", "mock-bedrock")
OUTCOMES = ["Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"]
JOB_IDS = {outcome: f"{outcome.lower():0<12}"[:12] for outcome in OUTCOMES}  # e.g. "failed000000"


def wait_for_job(client, job_id, sleep):
    """The code under test: poll GetModelInvocationJob until the job has ended."""
    while True:
        job = client.get_model_invocation_job(jobIdentifier=job_id)
        if job["status"] in ("Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"):
            return job
        sleep(300)


def post(url, path, body):
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def bedrock(tmp_path_factory):
    fixtures = tmp_path_factory.mktemp("fixtures")
    jobs = [
        {
            "jobArn": f"arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/{JOB_IDS[outcome]}",
            "jobName": f"nightly-{outcome.lower()}",
            "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
            "roleArn": "arn:aws:iam::123456789012:role/BedrockBatchRole",
            "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://my-input/records.jsonl"}},
            "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://my-output/"}},
            "timeoutDurationInHours": 24,
            "outcome": outcome,  # the default lifecycle, ending in this status
        }
        for outcome in OUTCOMES
    ]
    (fixtures / "jobs.json").write_text(json.dumps({"jobs": jobs}))
    server = subprocess.Popen(
        [MOCK_BEDROCK, "--port", "0", "--fixtures", str(fixtures), "--clock-rate", "0", "--log-level", "warning"],
        stdout=subprocess.PIPE, text=True,
    )
    url = server.stdout.readline().split()[-1]  # "mock-bedrock listening on http://127.0.0.1:PORT"
    client = boto3.client("bedrock", endpoint_url=url, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    yield url, client
    server.terminate()
    assert server.wait() == 0


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_wait_for_job_returns_each_terminal_status(bedrock, outcome):
    url, client = bedrock
    post(url, "/_mock/reset", {})  # every test starts from the fixtures, at the clock's start

    # Sleeping advances the frozen mock clock instead of the test's real time.
    job = wait_for_job(client, JOB_IDS[outcome], sleep=lambda seconds: post(url, "/_mock/clock", {"advance": f"{seconds}s"}))

    assert job["status"] == outcome
    assert job["endTime"] == job["lastModifiedTime"] >= job["submitTime"]
    if outcome in ("Failed", "Expired", "PartiallyCompleted"):
        assert job["message"]

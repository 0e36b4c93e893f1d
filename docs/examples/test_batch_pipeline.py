"""A batch pipeline tested against mock-bedrock and an S3 server on this machine: upload the input,
create the job, run it on the mock's clock, read the results and join them to the inputs.

Needs: pip install boto3 "moto[server]" pytest; mock-bedrock on PATH (or MOCK_BEDROCK_BIN).
Run:   pytest docs/examples/test_batch_pipeline.py
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def s3_url():
    """moto_server as the S3 the pipeline uses."""
    port = free_port()
    moto = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
    server = subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(10)


@pytest.fixture
def bedrock_url(s3_url, tmp_path):
    """mock-bedrock reading and writing job data on that S3, its clock frozen until the test moves it."""
    binary = os.environ.get("MOCK_BEDROCK_BIN") or shutil.which("mock-bedrock")
    (tmp_path / "no-fixtures").mkdir()
    server = subprocess.Popen(
        [binary, "--port", "0", "--fixtures", str(tmp_path / "no-fixtures"), "--clock-rate", "0",
         "--s3-endpoint", s3_url, "--s3-credentials", "test:test"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = re.search(r"http://\S+", server.stdout.readline()).group(0)
    yield url
    server.terminate()
    server.wait(10)


def move_clock(bedrock_url, duration):
    request = urllib.request.Request(bedrock_url + "/_mock/clock", data=json.dumps({"advance": duration}).encode(), method="POST")
    urllib.request.urlopen(request).read()


def test_batch_pipeline(s3_url, bedrock_url):
    s3 = boto3.client("s3", endpoint_url=s3_url, config=Config(s3={"addressing_style": "path"}), **CREDENTIALS)
    bedrock = boto3.client("bedrock", endpoint_url=bedrock_url, **CREDENTIALS)
    s3.create_bucket(Bucket="tickets-in")
    s3.create_bucket(Bucket="tickets-out")

    # 1. Upload 150 records.
    inputs = {
        f"ticket-{i:03d}": {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 300,
                            "messages": [{"role": "user", "content": f"Summarise ticket {i}: my order has not arrived."}]}
        for i in range(150)
    }
    body = "".join(json.dumps({"recordId": rid, "modelInput": mi}) + "\n" for rid, mi in inputs.items())
    s3.put_object(Bucket="tickets-in", Key="2026-12-01/tickets.jsonl", Body=body.encode())

    # 2. Create the job.
    arn = bedrock.create_model_invocation_job(
        jobName="ticket-summaries", roleArn="arn:aws:iam::123456789012:role/BedrockBatch",
        modelId="us.anthropic.claude-3-5-haiku-20241022-v1:0",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://tickets-in/2026-12-01/"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://tickets-out/summaries/"}})["jobArn"]

    # 3. Poll it (the clock moves three hours: the default lifecycle ends in Completed).
    move_clock(bedrock_url, "3h")
    job = bedrock.get_model_invocation_job(jobIdentifier=arn)
    assert job["status"] == "Completed"

    # 4. Read the results and join them to the inputs by recordId.
    job_id = arn.split("/")[-1]
    out = s3.get_object(Bucket="tickets-out", Key=f"summaries/{job_id}/tickets.jsonl.out")["Body"].read().decode()
    results = [json.loads(line) for line in out.splitlines()]
    joined = {r["recordId"]: (inputs[r["recordId"]], r) for r in results}
    assert set(joined) == set(inputs)
    for model_input, result in joined.values():
        assert result["modelInput"] == model_input
        assert result["modelOutput"]["content"][0]["type"] == "text"
    manifest = json.loads(s3.get_object(Bucket="tickets-out", Key=f"summaries/{job_id}/manifest.json.out")["Body"].read())
    assert manifest["totalRecordCount"] == job["totalRecordCount"] == 150
    assert manifest["successRecordCount"] == job["successRecordCount"]
    assert manifest["inputTokenCount"] == sum(r["modelOutput"]["usage"]["input_tokens"] for r in results)

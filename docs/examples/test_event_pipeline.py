"""An event-driven batch pipeline tested against mock-bedrock: a handler (what would be your Lambda)
reacts to Bedrock's "Batch Inference Job State Change" events and reads the results when a job
completes. The first test feeds it from mock-bedrock's own event log (GET /_mock/events, a long poll:
no sleeping); the second lets the events go through EventBridge, with a rule and an SQS queue, all in
moto_server on this machine.

Needs: pip install boto3 "moto[server]" pytest; mock-bedrock on PATH (or MOCK_BEDROCK_BIN).
Run:   pytest docs/examples/test_event_pipeline.py
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
def moto_url():
    """moto_server: S3, EventBridge and SQS."""
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
def bedrock_url(moto_url, tmp_path):
    """mock-bedrock with job data on moto's S3 and its events sent to moto's EventBridge."""
    binary = os.environ.get("MOCK_BEDROCK_BIN") or shutil.which("mock-bedrock")
    (tmp_path / "no-fixtures").mkdir()
    server = subprocess.Popen(
        [binary, "--port", "0", "--fixtures", str(tmp_path / "no-fixtures"), "--clock-rate", "0",
         "--s3-endpoint", moto_url, "--s3-credentials", "test:test",
         "--eventbridge-endpoint", moto_url, "--eventbridge-credentials", "test:test"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = re.search(r"http://\S+", server.stdout.readline()).group(0)
    yield url
    server.terminate()
    server.wait(10)


def on_job_state_change(event, s3):
    """The pipeline's handler: on Completed, read the job's results and return them by recordId."""
    detail = event["detail"]
    if event["detail-type"] != "Batch Inference Job State Change" or detail["status"] != "Completed":
        return None
    job_id = detail["batchJobArn"].rsplit("/", 1)[1]
    body = s3.get_object(Bucket="tickets-out", Key=f"summaries/{job_id}/tickets.jsonl.out")["Body"].read().decode()
    return {line["recordId"]: line["modelOutput"] for line in map(json.loads, body.splitlines())}


def submit_job(moto_url, bedrock_url):
    s3 = boto3.client("s3", endpoint_url=moto_url, config=Config(s3={"addressing_style": "path"}), **CREDENTIALS)
    bedrock = boto3.client("bedrock", endpoint_url=bedrock_url, **CREDENTIALS)
    s3.create_bucket(Bucket="tickets-in")
    s3.create_bucket(Bucket="tickets-out")
    records = [{"recordId": f"ticket-{i:03d}", "modelInput": {
        "anthropic_version": "bedrock-2023-05-31", "max_tokens": 300,
        "messages": [{"role": "user", "content": f"Summarise ticket {i}: my order has not arrived."}]}} for i in range(100)]
    s3.put_object(Bucket="tickets-in", Key="tickets.jsonl", Body="".join(json.dumps(r) + "\n" for r in records).encode())
    arn = bedrock.create_model_invocation_job(
        jobName="ticket-summaries", roleArn="arn:aws:iam::123456789012:role/BedrockBatch",
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://tickets-in/tickets.jsonl"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://tickets-out/summaries/"}})["jobArn"]
    return s3, arn


def move_clock(bedrock_url, duration):
    request = urllib.request.Request(bedrock_url + "/_mock/clock", data=json.dumps({"advance": duration}).encode(), method="POST")
    urllib.request.urlopen(request).read()


def test_the_handler_reads_the_results_when_the_mock_says_completed(moto_url, bedrock_url):
    s3, arn = submit_job(moto_url, bedrock_url)
    move_clock(bedrock_url, "3h")  # the default lifecycle ends in Completed after 2h45m
    # Feed the handler every event of the job until it has results: each call waits up to 5 s.
    results, after, deadline = None, 0, time.monotonic() + 60
    while results is None and time.monotonic() < deadline:
        url = f"{bedrock_url}/_mock/events?job={arn.rsplit('/', 1)[1]}&after={after}&wait=5s"
        page = json.load(urllib.request.urlopen(url, timeout=10))
        for item in page["events"]:
            results = on_job_state_change(item["event"], s3) or results
        after = page["lastSequence"]
    assert results is not None and len(results) == 100
    assert all(output["content"][0]["type"] == "text" for output in results.values())


def test_the_handler_reads_the_results_when_eventbridge_routes_completed(moto_url, bedrock_url):
    # A rule like the one in production: Bedrock's batch events to an SQS queue.
    sqs = boto3.client("sqs", endpoint_url=moto_url, **CREDENTIALS)
    events = boto3.client("events", endpoint_url=moto_url, **CREDENTIALS)
    queue = sqs.create_queue(QueueName="batch-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="batch-completed", EventPattern=json.dumps(
        {"source": ["aws.bedrock"], "detail-type": ["Batch Inference Job State Change"], "detail": {"status": ["Completed"]}}))
    events.put_targets(Rule="batch-completed", Targets=[{"Id": "queue", "Arn": queue_arn}])
    s3, arn = submit_job(moto_url, bedrock_url)
    move_clock(bedrock_url, "3h")
    results, deadline = None, time.monotonic() + 60
    while results is None and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", []):
            results = on_job_state_change(json.loads(message["Body"]), s3)
    assert results is not None and len(results) == 100

"""Lifecycle events end to end: every status change of a job becomes AWS's "Batch Inference Job State
Change" event, readable with a long poll on GET /_mock/events, POSTed to a webhook (a real HTTP server
in this process) and sent with PutEvents to a real moto_server, where a rule routes it to an SQS queue.
No test sleeps: each waits on the events route, a condition or SQS's own long poll, with a bound."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import pytest

from conftest import (ACCOUNT, REGION, ROLE_ARN, add_fault, admin, advance, http, make_client, make_job, reset,
                      run_server_to_exit, write_fixtures)
from s3stores import MOTO_SERVER, DirStore, MotoStore, free_port

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
ORDER = ["Submitted", "Validating", "Scheduled", "InProgress", "Completed"]


def create(client, name="events-job", uri="s3://batch-in/input.jsonl", tags=None) -> str:
    extra = {"tags": tags} if tags else {}
    return client.create_model_invocation_job(
        jobName=name, roleArn=ROLE_ARN, modelId=MODEL,
        inputDataConfig={"s3InputDataConfig": {"s3Uri": uri}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://batch-out/results/"}}, **extra)["jobArn"]


def events(server, *, wait: str | None = None, **query) -> dict:
    params = dict(query)
    if wait:
        params["wait"] = wait
    path = "/_mock/events" + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
    result = http(server.url, path)
    assert result.status == 200, result.body
    return result.json()


def wait_for(server, job: str, status: str, bound: float = 20.0) -> list[dict]:
    """Long-polls until the job has an event with `status`; returns all of the job's events then."""
    deadline = time.monotonic() + bound
    after = 0
    while time.monotonic() < deadline:
        answer = events(server, job=job, after=after, wait="5s")
        if any(e["event"]["detail"]["status"] == status for e in answer["events"]):
            return [e["event"] for e in events(server, job=job)["events"]]
        after = answer["lastSequence"]
    raise AssertionError(f"no {status} event for {job} within {bound}s: {events(server, job=job)}")


def clock_job(job_id: str, **members) -> dict:
    """A fixture job on the clock: make_job's written members without those the clock computes."""
    computed = ["status", "message", "lastModifiedTime", "endTime", "jobExpirationTime", "submitTime",
                "processedRecordCount", "successRecordCount", "errorRecordCount", "timeoutDurationInHours"]
    job = make_job(job_id, omit=computed, totalRecordCount=1000)
    job.update(members)
    return job


def statuses(found: list[dict]) -> list[str]:
    return [e["detail"]["status"] for e in found]


def assert_aws_shape(event: dict, arn: str, name: str) -> None:
    assert set(event) == {"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}
    assert event["version"] == "0" and event["source"] == "aws.bedrock"
    assert event["detail-type"] == "Batch Inference Job State Change"
    assert event["account"] == ACCOUNT and event["region"] == REGION and event["resources"] == [arn]
    assert len(event["id"]) == 36 and event["id"][14] == "4"
    time.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ")
    detail = event["detail"]
    assert set(detail) == {"version", "accountId", "batchJobName", "batchJobArn", "batchModelId", "status", "failureMessage", "creationTime"}
    assert detail["version"] == "0.0" and detail["accountId"] == ACCOUNT
    assert detail["batchJobName"] == name and detail["batchJobArn"] == arn
    assert detail["batchModelId"] == f"arn:aws:bedrock:{REGION}::foundation-model/{MODEL}"
    time.strptime(detail["creationTime"], "%b %d, %Y, %I:%M:%S %p")


class Receiver:
    """A webhook: an HTTP server on a loopback port that keeps every body POSTed to it."""

    def __init__(self, answer: int = 200, on_event=None) -> None:
        self.bodies: list[bytes] = []
        self.types: list[str] = []
        self.condition = threading.Condition()
        self.answer = answer
        self.on_event = on_event
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.on_event:
                    receiver.on_event(json.loads(body))
                with receiver.condition:
                    receiver.bodies.append(body)
                    receiver.types.append(self.headers["Content-Type"])
                    receiver.condition.notify_all()
                self.send_response(receiver.answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, bound: float = 20.0) -> list[dict]:
        with self.condition:
            assert self.condition.wait_for(lambda: len(self.bodies) >= count, bound), f"{len(self.bodies)} of {count} events"
            return [json.loads(b) for b in self.bodies]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.close()


def test_a_created_job_is_seen_through_every_status_in_order_without_sleeping(server_factory, tmp_path):
    # given a frozen clock
    server = server_factory(write_fixtures(tmp_path, {}), "--clock-rate", "0")
    client = make_client(server.url)
    # when a job is created, Submitted arrives at once
    arn = create(client)
    job = arn.rsplit("/", 1)[1]
    assert statuses(wait_for(server, job, "Submitted")) == ["Submitted"]
    # and a jump of 3 h brings every change between, in order, each at its own instant
    advance(server, "3h")
    found = wait_for(server, job, "Completed")
    assert statuses(found) == ORDER
    for event in found:
        assert_aws_shape(event, arn, "events-job")
        assert event["detail"]["failureMessage"] == ""
    times = [event["time"] for event in found]
    assert times == sorted(times) and len(set(times)) == 5
    assert client.get_model_invocation_job(jobIdentifier=arn)["status"] == "Completed"
    assert admin(server, "/_mock/stats")["events"]["sent"] >= 5


def test_a_running_clock_sends_events_with_no_request_at_all(server_factory, tmp_path):
    # given a clock at 10,000 simulated seconds a real second: the default lifecycle takes about 1 s
    server = server_factory(write_fixtures(tmp_path, {}), "--clock-rate", "10000")
    arn = create(make_client(server.url))
    # when nobody asks about the job, the one long poll below sees it complete
    answer = events(server, job=arn.rsplit("/", 1)[1], status="Completed", wait="20s")
    assert [e["event"]["detail"]["status"] for e in answer["events"]] == ["Completed"]


def test_failed_stopped_and_expired_jobs_say_so(server_factory, tmp_path):
    server = server_factory(write_fixtures(tmp_path, {}), "--clock-rate", "0")
    client = make_client(server.url)
    failed = create(client, "fails", tags=[{"key": "mock-bedrock:outcome", "value": "Failed"}])
    expired = create(client, "expires", tags=[{"key": "mock-bedrock:outcome", "value": "Expired"}])
    stopped = create(client, "stopped")
    advance(server, "50m")
    client.stop_model_invocation_job(jobIdentifier=stopped)
    advance(server, "8d")
    failed_events = wait_for(server, failed.rsplit("/", 1)[1], "Failed")
    assert statuses(failed_events) == ["Submitted", "Validating", "Failed"]
    assert failed_events[-1]["detail"]["failureMessage"] == client.get_model_invocation_job(jobIdentifier=failed)["message"]
    assert statuses(wait_for(server, expired.rsplit("/", 1)[1], "Expired")) == ["Submitted", "Validating", "Scheduled", "Expired"]
    stop_events = wait_for(server, stopped.rsplit("/", 1)[1], "Stopped")
    assert statuses(stop_events) == ["Submitted", "Validating", "Scheduled", "InProgress", "Stopping", "Stopped"]
    got = client.get_model_invocation_job(jobIdentifier=stopped)
    assert stop_events[-1]["time"] == got["endTime"].strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_polls_phase_moves_on_the_get_that_ends_it(server_factory, tmp_path):
    # given a fixture job that stays Scheduled for 2 Gets
    lifecycle = [{"status": "Submitted", "for": "1m"}, {"status": "Validating", "for": "1m"}, {"status": "Scheduled", "polls": 2},
                 {"status": "InProgress", "for": "10m"}, {"status": "Completed"}]
    job = clock_job("pollsjob0001", lifecycle=lifecycle)
    server = server_factory(write_fixtures(tmp_path, {"jobs.json": {"jobs": [job]}}), "--clock-rate", "0", "--clock-start", "2026-03-01T10:00:00Z")
    client = make_client(server.url)
    advance(server, "5m")
    assert statuses(wait_for(server, "pollsjob0001", "Scheduled")) == ["Submitted", "Validating", "Scheduled"]
    # when two Gets come, the second at 10:07
    client.get_model_invocation_job(jobIdentifier="pollsjob0001")
    advance(server, "2m")
    client.get_model_invocation_job(jobIdentifier="pollsjob0001")
    found = wait_for(server, "pollsjob0001", "InProgress")
    # then InProgress began at that Get
    assert statuses(found) == ["Submitted", "Validating", "Scheduled", "InProgress"]
    assert found[-1]["time"] == "2026-03-01T10:07:00Z"
    advance(server, "10m")
    assert wait_for(server, "pollsjob0001", "Completed")[-1]["time"] == "2026-03-01T10:17:00Z"


def test_a_fixture_jobs_history_before_the_clocks_start_sends_nothing(server_factory, tmp_path):
    job = clock_job("historyjob01", submitTime="2026-03-01T08:00:00Z")
    server = server_factory(write_fixtures(tmp_path, {"jobs.json": {"jobs": [job]}}), "--clock-rate", "0", "--clock-start", "2026-03-01T09:00:00Z")
    advance(server, "2h")
    assert statuses(wait_for(server, "historyjob01", "Completed")) == ["Completed"]


def test_a_reset_starts_over_with_higher_sequences(server_factory, tmp_path):
    job = clock_job("resetjob0001", outcome="Completed")
    server = server_factory(write_fixtures(tmp_path, {"jobs.json": {"jobs": [job]}}), "--clock-rate", "0")
    advance(server, "3h")
    first = wait_for(server, "resetjob0001", "Completed")
    last = events(server)["lastSequence"]
    assert statuses(first) == ORDER
    reset(server)
    answer = events(server, job="resetjob0001", after=last, wait="5s")
    assert [e["event"]["detail"]["status"] for e in answer["events"]] == ["Submitted"]
    assert answer["events"][0]["sequence"] > last
    # the log holds the events since the reset only
    assert statuses([e["event"] for e in events(server)["events"]]) == ["Submitted"]


def test_the_webhook_receives_the_same_events_in_order(server_factory, tmp_path, receiver):
    server = server_factory(write_fixtures(tmp_path, {}), "--clock-rate", "0", "--events-url", receiver.url)
    arn = create(make_client(server.url))
    advance(server, "3h")
    logged = wait_for(server, arn.rsplit("/", 1)[1], "Completed")
    received = receiver.wait_for(5)
    assert received == logged
    assert set(receiver.types) == {"application/json"}
    # The sink counts a delivery once the receiver's answer is back, a moment after the receiver has the event.
    deadline = time.monotonic() + 5
    while (outlet := admin(server, "/_mock/stats")["events"]["outlets"][0])["delivered"] < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert outlet["name"] == "webhook" and outlet["target"] == receiver.url
    assert outlet["delivered"] == 5 and outlet["failed"] == 0 and outlet["dropped"] == 0


def test_completed_reaches_the_webhook_only_after_the_outputs_exist(server_factory, tmp_path):
    # given a job with 120 records in a directory store, and a webhook that looks for the manifest
    # the moment Completed arrives
    store = DirStore(tmp_path / "s3")
    store.make_bucket("batch-in")
    store.make_bucket("batch-out")
    records = [{"recordId": f"r{i:04d}", "modelInput": {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50,
                                                        "messages": [{"role": "user", "content": f"hello {i}"}]}} for i in range(120)]
    store.put("batch-in", "input.jsonl", "".join(json.dumps(r) + "\n" for r in records).encode())
    seen: dict[str, bool] = {}

    def look(event):
        if event["detail"]["status"] == "Completed":
            job = event["detail"]["batchJobArn"].rsplit("/", 1)[1]
            seen["manifest"] = (tmp_path / "s3" / "batch-out" / "results" / job / "manifest.json.out").is_file()

    hook = Receiver(on_event=look)
    try:
        server = server_factory(write_fixtures(tmp_path, {}), "--clock-rate", "0", *store.server_args(), "--events-url", hook.url)
        arn = create(make_client(server.url))
        # when the clock jumps to the end, with no Get
        advance(server, "3h")
        hook.wait_for(5)
    finally:
        hook.close()
    # then the manifest was there when Completed arrived
    assert seen == {"manifest": True}
    manifest = json.loads(store.get("batch-out", f"results/{arn.rsplit('/', 1)[1]}/manifest.json.out"))
    assert manifest["totalRecordCount"] == 120


def test_an_unreadable_input_fails_after_validating_with_its_message(server_factory, tmp_path):
    store = DirStore(tmp_path / "s3")
    store.make_bucket("batch-in")
    store.make_bucket("batch-out")
    server = server_factory(write_fixtures(tmp_path, {}), "--clock-rate", "0", *store.server_args())
    client = make_client(server.url)
    arn = create(client, uri="s3://batch-in/missing.jsonl")
    advance(server, "3h")
    found = wait_for(server, arn.rsplit("/", 1)[1], "Failed")
    assert statuses(found) == ["Submitted", "Validating", "Failed"]
    got = client.get_model_invocation_job(jobIdentifier=arn)
    assert got["status"] == "Failed" and found[-1]["detail"]["failureMessage"] == got["message"]
    assert found[-1]["time"] == got["endTime"].strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_dead_webhook_changes_nothing_else(server_factory, tmp_path):
    # given a webhook URL where nothing listens, and a queue of 5
    dead = f"http://127.0.0.1:{free_port()}/hook"
    server = server_factory(write_fixtures(tmp_path, {}), "--clock-rate", "0", "--events-url", dead, "--events-queue", "5")
    client = make_client(server.url)
    arns = [create(client, f"job-{i}") for i in range(20)]
    advance(server, "3h")
    # then every job completes, the events route has them all, and requests answer at once
    for arn in arns:
        wait_for(server, arn.rsplit("/", 1)[1], "Completed")
    started = time.monotonic()
    assert all(client.get_model_invocation_job(jobIdentifier=arn)["status"] == "Completed" for arn in arns)
    assert time.monotonic() - started < 5
    outlet = admin(server, "/_mock/stats")["events"]["outlets"][0]
    # 100 events for a queue of 5: most are dropped, none is lost silently, the queue stays bounded
    assert outlet["queued"] <= 6
    assert outlet["dropped"] > 0
    assert outlet["delivered"] == 0
    assert outlet["failed"] + outlet["dropped"] + outlet["queued"] == 100
    assert "webhook" in server.stderr_text()


def test_a_webhook_that_never_answers_holds_nothing(server_factory, tmp_path):
    # given a receiver that accepts connections and never answers
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
        server = server_factory(write_fixtures(tmp_path, {}), "--clock-rate", "0", "--events-url", url)
        client = make_client(server.url)
        arn = create(client)
        advance(server, "3h")
        assert statuses(wait_for(server, arn.rsplit("/", 1)[1], "Completed")) == ORDER
        started = time.monotonic()
        assert client.get_model_invocation_job(jobIdentifier=arn)["status"] == "Completed"
        assert time.monotonic() - started < 2
    finally:
        listener.close()


def test_dropped_and_delayed_events_leave_polling_to_find_the_truth(server_factory, tmp_path, receiver):
    server = server_factory(write_fixtures(tmp_path, {}), "--clock-rate", "0", "--events-url", receiver.url)
    client = make_client(server.url)
    add_fault(server, {"event": "drop", "status": "Completed"})
    add_fault(server, {"event": "delay", "delayMs": 300, "status": "Validating"})
    arn = create(client)
    job = arn.rsplit("/", 1)[1]
    advance(server, "3h")
    # Validating comes last (delayed), Completed never
    found = wait_for(server, job, "Validating")
    assert statuses(found) == ["Submitted", "Scheduled", "InProgress", "Validating"]
    assert events(server, job=job, status="Completed", wait="1s")["events"] == []
    assert client.get_model_invocation_job(jobIdentifier=arn)["status"] == "Completed"
    assert statuses(receiver.wait_for(4)) == statuses(found)
    stats = admin(server, "/_mock/stats")["events"]
    assert stats["droppedByFault"] == 1 and stats["delayedByFault"] == 1


def test_the_events_route_refuses_bad_queries(server_factory, tmp_path):
    server = server_factory(write_fixtures(tmp_path, {}), "--clock-rate", "0")
    for query in ["wait=61s", "status=Done", "job=not-a-job", "after=x", "maxResults=0", "colour=red"]:
        result = http(server.url, f"/_mock/events?{query}")
        assert result.status == 400, query
        assert result.headers["x-amzn-ErrorType"].startswith("ValidationException")


@pytest.mark.parametrize("args, message", [
    (["--eventbridge-credentials", "a:b"], "need --eventbridge-endpoint"),
    (["--events-url", "ftp://127.0.0.1/x"], "http"),
    (["--events-queue", "0"], "--events-queue"),
])
def test_bad_event_flags_stop_the_start(tmp_path, args, message):
    result = run_server_to_exit(write_fixtures(tmp_path, {}), *args)
    assert result.returncode != 0
    assert message in result.stderr


def test_eventbridge_without_credentials_stops_the_start(tmp_path):
    result = run_server_to_exit(write_fixtures(tmp_path, {}), "--eventbridge-endpoint", "http://127.0.0.1:1",
                                env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""})
    assert result.returncode == 1
    assert "no credentials to sign PutEvents with" in result.stderr and "--eventbridge-credentials" in result.stderr


@pytest.fixture
def moto(tmp_path):
    made = MotoStore(tmp_path / "moto.log")
    yield made
    made.stop()


def test_eventbridge_receives_every_event_and_a_rule_routes_them_to_sqs(server_factory, tmp_path, moto):
    # given a rule on moto's default bus that sends Bedrock's batch events to an SQS queue
    sqs = boto3.client("sqs", endpoint_url=moto.url, region_name=REGION)
    bridge = boto3.client("events", endpoint_url=moto.url, region_name=REGION)
    queue = sqs.create_queue(QueueName="bedrock-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bridge.put_rule(Name="batch-jobs", EventPattern=json.dumps({"source": ["aws.bedrock"], "detail-type": ["Batch Inference Job State Change"]}))
    bridge.put_targets(Rule="batch-jobs", Targets=[{"Id": "queue", "Arn": queue_arn}])
    server = server_factory(write_fixtures(tmp_path, {}), "--clock-rate", "0", "--eventbridge-endpoint", moto.url)
    arn = create(make_client(server.url))
    advance(server, "3h")
    logged = wait_for(server, arn.rsplit("/", 1)[1], "Completed")
    # when the queue is read (SQS's own long poll, bounded)
    received: list[dict] = []
    deadline = time.monotonic() + 20
    while len(received) < 5 and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            received.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    # then the same events: moto gives them its own ids, and keeps our detail, time and resources
    by_status = {e["detail"]["status"]: e for e in received}
    assert sorted(by_status) == sorted(ORDER)
    for event in logged:
        got = by_status[event["detail"]["status"]]
        assert got["detail"] == event["detail"]
        for key in ("source", "detail-type", "resources", "time", "region"):
            assert got[key] == event[key], key
    outlet = admin(server, "/_mock/stats")["events"]["outlets"][0]
    assert outlet["name"] == "eventbridge" and outlet["delivered"] == 5 and outlet["failed"] == 0


def test_the_documented_event_pipeline_runs(tmp_path):
    import subprocess
    import sys
    from conftest import BIN, REPO, child_env
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(REPO / "docs" / "examples" / "test_event_pipeline.py")],
                            capture_output=True, text=True, env=child_env({"MOCK_BEDROCK_BIN": str(BIN)}), cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "2 passed" in result.stdout


def test_a_fixture_jobs_history_does_not_read_its_input_at_start(server_factory, tmp_path):
    # given a job with data that left Validating an hour before the clock's start, and its input
    # uploaded only after the server is ready
    store = DirStore(tmp_path / "s3")
    store.make_bucket("batch-in")
    store.make_bucket("batch-out")
    job = clock_job("historydata1", submitTime="2026-03-01T08:00:00Z",
                    inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://batch-in/input.jsonl"}},
                    outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://batch-out/results/"}})
    job.pop("totalRecordCount")
    server = server_factory(write_fixtures(tmp_path, {"jobs.json": {"jobs": [job]}}), "--clock-rate", "0",
                            "--clock-start", "2026-03-01T09:00:00Z", *store.server_args())
    records = [{"recordId": f"r{i:04d}", "modelInput": {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50,
                                                        "messages": [{"role": "user", "content": f"hello {i}"}]}} for i in range(100)]
    store.put("batch-in", "input.jsonl", "".join(json.dumps(r) + "\n" for r in records).encode())
    # when the job is read, then finishes
    client = make_client(server.url)
    assert client.get_model_invocation_job(jobIdentifier="historydata1")["status"] == "InProgress"
    advance(server, "2h")
    found = wait_for(server, "historydata1", "Completed")
    # then it read the input the test wrote, and its only event is Completed, after the outputs
    assert statuses(found) == ["Completed"]
    assert json.loads(store.get("batch-out", "results/historydata1/manifest.json.out"))["totalRecordCount"] == 100


def test_a_stopping_server_answers_its_waiting_readers(tmp_path):
    from conftest import start_server
    server = start_server(write_fixtures(tmp_path, {}), "--clock-rate", "0")
    answers: list[int] = []
    reader = threading.Thread(target=lambda: answers.append(http(server.url, "/_mock/events?after=99999&wait=30s").status))
    reader.start()
    deadline = time.monotonic() + 5
    while admin(server, "/_mock/stats")["connections"] < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    server.assert_clean_stop()
    reader.join(10)
    assert answers == [200]
    assert time.monotonic() - started < 1.5


def test_each_jobs_input_is_read_once_while_requests_and_the_worker_both_ask(server_factory, tmp_path):
    # given 1,500 jobs with data, submitted at the clock's start, and Lists that ask for their data
    # work while the event worker asks too (a race: before each run checked that its job still
    # needed it, about one run in three read some inputs twice)
    store = DirStore(tmp_path / "s3")
    store.make_bucket("batch-in")
    store.make_bucket("batch-out")
    store.put("batch-in", "input.jsonl", json.dumps({"recordId": "r1", "modelInput": {
        "anthropic_version": "bedrock-2023-05-31", "max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]}}).encode() + b"\n")
    jobs = [clock_job(f"readonce{i:04d}", inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://batch-in/input.jsonl"}},
                      outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://batch-out/results/"}}) for i in range(1500)]
    server = server_factory(write_fixtures(tmp_path, {"jobs.json": {"jobs": jobs}}), "--clock-rate", "0", "--min-records", "1",
                            "--journal-size", "5000", *store.server_args())
    client = make_client(server.url)
    listing = threading.Event()
    listing.set()

    def list_again_and_again():
        while listing.is_set():
            client.list_model_invocation_jobs(maxResults=1)

    lister = threading.Thread(target=list_again_and_again)
    lister.start()
    try:
        advance(server, "20m")  # every job leaves Validating: its input is read
        scheduled, after, deadline = 0, 0, time.monotonic() + 60
        while scheduled < len(jobs) and time.monotonic() < deadline:
            page = events(server, status="Scheduled", after=after, maxResults=10000, wait="5s")
            scheduled += len(page["events"])
            after = page["lastSequence"]
        assert scheduled == len(jobs)
    finally:
        listing.clear()
        lister.join(10)
    reads: dict[str, int] = {}
    for entry in admin(server, "/_mock/requests")["requests"]:
        if entry.get("operation") == "ReadInput":
            reads[entry["jobId"]] = reads.get(entry["jobId"], 0) + 1
    assert len(reads) == 1500 and set(reads.values()) == {1}, {k: v for k, v in reads.items() if v != 1}

"""Fault injection: AWS-exact errors, latency and broken connections, seen through boto3 and curl."""

from __future__ import annotations

import json
import subprocess
import time

import botocore.endpoint
import botocore.exceptions
import pytest

from conftest import http, make_client, make_job, write_fixtures

JOB = "aaaaaaaaaaa1"
OTHER = "aaaaaaaaaaa2"


@pytest.fixture(scope="module")
def fault_server(tmp_path_factory):
    from conftest import start_server
    fixtures = write_fixtures(tmp_path_factory.mktemp("faults"), {"jobs.json": {"jobs": [
        make_job(JOB, status="InProgress", omit=["endTime"]),
        make_job(OTHER, status="Completed"),
    ]}})
    server = start_server(fixtures, "--log-level", "warning")
    yield server
    server.assert_clean_stop()


@pytest.fixture
def mock(fault_server):
    """The shared server, reset before each test (rules, journal, clock)."""
    assert http(fault_server.url, "/_mock/reset", method="POST").status == 200
    return fault_server


def add_rule(server, rule: dict) -> dict:
    result = http(server.url, "/_mock/faults", method="POST", body=json.dumps(rule).encode())
    assert result.status == 200, result.body
    return result.json()


def journal(server) -> list[dict]:
    return http(server.url, "/_mock/requests").json()["requests"]


MODEL_ERRORS = [
    ("ResourceNotFoundException", 404), ("AccessDeniedException", 403), ("ValidationException", 400),
    ("ThrottlingException", 429), ("InternalServerException", 500), ("ConflictException", 400),
    ("ServiceQuotaExceededException", 400), ("TooManyTagsException", 400), ("ServiceUnavailableException", 503),
]


@pytest.mark.parametrize("code, status", MODEL_ERRORS)
def test_each_error_code_raises_its_modeled_exception_with_the_rules_message(mock, backoff, code, status):
    add_rule(mock, {"error": code, "message": f"injected {code}", "operation": "GetModelInvocationJob"})
    client = make_client(mock.url)
    with pytest.raises(getattr(client.exceptions, code)) as raised:
        client.get_model_invocation_job(jobIdentifier=JOB)
    error = raised.value.response
    assert error["Error"] == {"Code": code, "Message": f"injected {code}"}
    assert error["ResponseMetadata"]["HTTPStatusCode"] == status
    assert journal(mock)[-1]["status"] == status and journal(mock)[-1]["errorCode"] == code


def test_without_a_message_the_error_says_what_the_model_says(mock):
    add_rule(mock, {"error": "ThrottlingException", "times": 1})
    result = http(mock.url, f"/model-invocation-job/{JOB}")
    assert result.status == 429
    assert result.json() == {"message": "The number of requests exceeds the limit. Resubmit your request later."}


def test_throttling_twice_succeeds_on_the_third_attempt(mock, backoff):
    rule = add_rule(mock, {"error": "ThrottlingException", "times": 2, "jobId": JOB})
    response = make_client(mock.url).get_model_invocation_job(jobIdentifier=JOB)
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    requests = journal(mock)
    assert [r["status"] for r in requests] == [429, 429, 200]
    assert [r["attempt"] for r in requests] == [1, 2, 3]
    assert len({r["invocationId"] for r in requests}) == 1 and requests[0]["invocationId"]
    assert [r["ruleId"] for r in requests] == [rule["id"], rule["id"], None]
    assert len(backoff.sleeps) == 2
    faults = http(mock.url, "/_mock/faults").json()["faults"]
    assert faults[0]["fired"] == 2 and faults[0]["matched"] == 3


@pytest.mark.parametrize("config, attempts", [({}, 5), ({"retries": {"mode": "standard"}}, 3)])
def test_unlimited_throttling_exhausts_the_clients_retries(mock, backoff, config, attempts):
    add_rule(mock, {"error": "ThrottlingException"})
    client = make_client(mock.url, **config)
    with pytest.raises(client.exceptions.ThrottlingException) as raised:
        client.get_model_invocation_job(jobIdentifier=JOB)
    assert f"(reached max retries: {attempts - 1})" in str(raised.value)
    assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == attempts - 1
    assert [r["attempt"] for r in journal(mock)] == list(range(1, attempts + 1))
    assert len(backoff.sleeps) == attempts - 1


@pytest.mark.parametrize("code", ["ThrottlingException", "InternalServerException", "ServiceUnavailableException"])
def test_server_errors_and_throttling_are_retried(mock, backoff, code):
    add_rule(mock, {"error": code})
    client = make_client(mock.url)
    with pytest.raises(getattr(client.exceptions, code)):
        client.get_model_invocation_job(jobIdentifier=JOB)
    assert len(journal(mock)) == 5


@pytest.mark.parametrize("code", ["AccessDeniedException", "ValidationException", "ResourceNotFoundException"])
def test_client_errors_are_not_retried(mock, backoff, code):
    add_rule(mock, {"error": code})
    client = make_client(mock.url)
    with pytest.raises(getattr(client.exceptions, code)) as raised:
        client.get_model_invocation_job(jobIdentifier=JOB)
    assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert len(journal(mock)) == 1 and backoff.sleeps == []


def test_a_delay_is_measured_by_the_client(mock):
    add_rule(mock, {"delayMs": 300, "times": 1})
    client = make_client(mock.url)
    started = time.monotonic()
    assert client.get_model_invocation_job(jobIdentifier=JOB)["status"] == "InProgress"
    delayed = time.monotonic() - started
    started = time.monotonic()
    client.get_model_invocation_job(jobIdentifier=JOB)
    undelayed = time.monotonic() - started
    assert 0.3 <= delayed < 2.0
    assert undelayed < 0.3
    assert journal(mock)[0]["delayMs"] == 300


def test_a_delayed_connection_does_not_hold_up_others(mock):
    add_rule(mock, {"delayMs": 1500, "jobId": JOB})
    import threading
    slow = threading.Thread(target=lambda: http(mock.url, f"/model-invocation-job/{JOB}"))
    slow.start()
    time.sleep(0.1)
    started = time.monotonic()
    for _ in range(5):  # more than the server's threads
        assert http(mock.url, f"/model-invocation-job/{OTHER}").status == 200
    assert time.monotonic() - started < 1.0
    slow.join()


@pytest.mark.parametrize("fault", ["reset", "close", "truncate"])
def test_broken_connections_surface_as_connection_errors_and_are_retried(mock, backoff, fault):
    add_rule(mock, {"fault": fault})
    with pytest.raises(botocore.exceptions.ConnectionClosedError):
        make_client(mock.url).get_model_invocation_job(jobIdentifier=JOB)
    requests = journal(mock)
    assert [r["attempt"] for r in requests] == [1, 2, 3, 4, 5]
    assert all(r["fault"] == fault for r in requests)
    assert all(r["status"] is None for r in requests) == (fault != "truncate")


def test_reset_sends_a_tcp_reset_and_close_an_empty_reply(mock):
    reset = subprocess.run(["curl", "-s", f"{mock.url}/model-invocation-job/{JOB}?mockFault=reset"], capture_output=True)
    close = subprocess.run(["curl", "-s", f"{mock.url}/model-invocation-job/{JOB}?mockFault=close"], capture_output=True)
    assert reset.returncode == 56  # CURLE_RECV_ERROR: connection reset by peer
    assert close.returncode == 52  # CURLE_GOT_NOTHING: empty reply


def test_truncate_sends_headers_and_half_the_body(mock):
    full = subprocess.run(["curl", "-s", f"{mock.url}/model-invocation-job/{JOB}"], capture_output=True)
    cut = subprocess.run(["curl", "-s", "-i", f"{mock.url}/model-invocation-job/{JOB}?mockFault=truncate"], capture_output=True)
    assert cut.returncode == 18  # CURLE_PARTIAL_FILE
    head, body = cut.stdout.split(b"\r\n\r\n", 1)
    assert b"HTTP/1.1 200 OK" in head and f"Content-Length: {len(full.stdout)}".encode() in head
    assert body == full.stdout[: len(full.stdout) // 2]


def test_a_stall_holds_the_connection_until_the_client_gives_up(mock, backoff):
    add_rule(mock, {"fault": "stall", "times": 1})
    client = make_client(mock.url, read_timeout=1)
    started = time.monotonic()
    assert client.get_model_invocation_job(jobIdentifier=JOB)["status"] == "InProgress"  # retried after the timeout
    assert 1.0 <= time.monotonic() - started < 5
    assert [r["fault"] for r in journal(mock)] == ["stall", None]


def test_a_seeded_probability_gives_the_same_sequence_every_run(mock):
    def run() -> list[int]:
        http(mock.url, "/_mock/reset", method="POST")
        add_rule(mock, {"error": "InternalServerException", "probability": 0.5, "seed": 42})
        return [http(mock.url, f"/model-invocation-job/{JOB}").status for _ in range(40)]
    first, second = run(), run()
    assert first == second
    assert 10 < first.count(500) < 30 and set(first) == {200, 500}
    http(mock.url, "/_mock/reset", method="POST")
    add_rule(mock, {"error": "InternalServerException", "probability": 0.5, "seed": 7})
    assert [http(mock.url, f"/model-invocation-job/{JOB}").status for _ in range(40)] != first


def test_rules_match_operation_job_and_status_and_let_the_first_matches_through(mock):
    add_rule(mock, {"error": "AccessDeniedException", "jobId": "*a2", "after": 1, "times": 1})
    add_rule(mock, {"error": "ConflictException", "status": "InProgress", "operation": "GetModelInvocationJob"})
    other = [http(mock.url, f"/model-invocation-job/{OTHER}").status for _ in range(3)]
    arn = f"arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Amodel-invocation-job%2F{JOB}"
    job = http(mock.url, f"/model-invocation-job/{arn}")
    assert other == [200, 403, 200]
    assert job.status == 400 and job.headers.get("x-amzn-ErrorType") == "ConflictException"


def test_query_flags_for_curl(mock):
    result = subprocess.run(
        ["curl", "-s", "-i", f"{mock.url}/model-invocation-job/{JOB}?mockError=ThrottlingException&mockMessage=Slow%20down"],
        capture_output=True, text=True)
    assert "HTTP/1.1 429" in result.stdout
    assert "x-amzn-ErrorType: ThrottlingException" in result.stdout
    assert result.stdout.endswith('{"message":"Slow down"}')
    started = time.monotonic()
    assert http(mock.url, f"/model-invocation-job/{JOB}?mockDelayMs=250").status == 200
    assert time.monotonic() - started >= 0.25
    bad = http(mock.url, f"/model-invocation-job/{JOB}?mockFault=explode")
    assert bad.status == 400
    assert bad.json() == {"message": "mockFault: expected one of reset, close, truncate, stall"}


def test_a_boto3_event_hook_adds_the_header_flags(mock, backoff):
    client = make_client(mock.url)

    def inject_fault(request, **kwargs):
        request.headers["x-mock-error"] = "AccessDeniedException"
        request.headers["x-mock-message"] = "Denied by the test"

    client.meta.events.register("before-sign.bedrock.GetModelInvocationJob", inject_fault)
    with pytest.raises(client.exceptions.AccessDeniedException, match="Denied by the test"):
        client.get_model_invocation_job(jobIdentifier=JOB)
    assert journal(mock)[-1]["ruleId"] == "request"


def test_fixture_faults_throttle_the_first_gets_of_their_job(tmp_path, server_factory, backoff):
    job = make_job(JOB, status="Completed", faults=[{"error": "ThrottlingException", "times": 2, "operation": "GetModelInvocationJob"}])
    server = server_factory(write_fixtures(tmp_path, {"jobs.json": {"jobs": [job, make_job(OTHER, status="Completed")]}}))
    client = make_client(server.url)
    assert client.get_model_invocation_job(jobIdentifier=OTHER)["ResponseMetadata"]["RetryAttempts"] == 0
    assert client.get_model_invocation_job(jobIdentifier=JOB)["ResponseMetadata"]["RetryAttempts"] == 2
    rules = http(server.url, "/_mock/faults").json()["faults"]
    assert rules == [{"id": "fault-1", "error": "ThrottlingException", "operation": "GetModelInvocationJob", "jobId": JOB,
                      "times": 2, "fromFixture": True, "fired": 2, "matched": 3}]
    http(server.url, "/_mock/reset", method="POST")
    assert http(server.url, "/_mock/faults").json()["faults"][0]["fired"] == 0
    assert "faults" not in http(server.url, f"/model-invocation-job/{JOB}").json()


def test_a_bad_fixture_rule_names_file_path_and_key(tmp_path):
    from conftest import run_server_to_exit
    job = make_job(JOB, faults=[{"error": "ThrottlingException", "jobId": "x"}, {"fault": "melt"}])
    fixtures = write_fixtures(tmp_path, {"jobs.json": {"jobs": [job]}})
    result = run_server_to_exit(fixtures)
    assert result.returncode == 1
    assert f"{fixtures}/jobs.json: jobs[0].faults[0].jobId: a job's own rules apply to that job; jobId is not allowed here" in result.stderr
    assert f"{fixtures}/jobs.json: jobs[0].faults[1].fault: expected one of reset, close, truncate, stall" in result.stderr


def test_the_faults_admin_api(mock):
    first = add_rule(mock, {"error": "ThrottlingException", "delayMs": [10, 20], "seed": 3})
    second = add_rule(mock, {"fault": "close", "jobId": "nothing-matches"})
    assert first["id"] != second["id"]
    assert first == {"id": first["id"], "error": "ThrottlingException", "delayMs": [10, 20], "seed": 3, "fired": 0, "matched": 0}
    assert [rule["id"] for rule in http(mock.url, "/_mock/faults").json()["faults"]] == [first["id"], second["id"]]
    assert http(mock.url, f"/_mock/faults/{first['id']}", method="DELETE").status == 200
    missing = http(mock.url, f"/_mock/faults/{first['id']}", method="DELETE")
    assert missing.status == 404 and missing.json() == {"message": f"No fault rule has the id '{first['id']}'."}
    assert http(mock.url, "/_mock/faults", method="DELETE").status == 200
    assert http(mock.url, "/_mock/faults").json() == {"faults": []}
    bad = http(mock.url, "/_mock/faults", method="POST", body=b'{"error": "Oops", "times": 0, "color": "red"}')
    assert bad.status == 400
    message = bad.json()["message"]
    assert message.startswith("error: expected an error code of the model: AccessDeniedException, ")
    assert "times: expected a whole number, at least 1" in message
    assert "color: unknown key (allowed: error, message, fault, delayMs, operation, jobId, status, times, after, probability, seed, data, recordErrors, event)" in message
    assert http(mock.url, "/_mock/faults", method="POST", body=b'{"message": "hi"}').json() == {
        "message": "a rule needs error, fault, delayMs, data, recordErrors or event; message: a message goes with an error"}


def test_the_journal_records_and_clears(mock):
    http(mock.url, f"/model-invocation-job/{JOB}")
    http(mock.url, "/model-invocation-job/abcdefghijkl")
    http(mock.url, "/no-such-path")
    http(mock.url, "/_mock/health")  # admin calls are not journaled
    entries = journal(mock)
    assert [(e["operation"], e["jobId"], e["status"], e["errorCode"]) for e in entries] == [
        ("GetModelInvocationJob", JOB, 200, None),
        ("GetModelInvocationJob", "abcdefghijkl", 404, "ResourceNotFoundException"),
        (None, None, 404, "UnknownOperationException"),
    ]
    assert entries[0]["time"].endswith("Z") and entries[0]["clock"].endswith("Z")
    assert http(mock.url, "/_mock/requests", method="DELETE").status == 200
    assert journal(mock) == []


def test_the_journal_is_a_bounded_ring(tmp_path, server_factory):
    server = server_factory(write_fixtures(tmp_path, {"jobs.json": {"jobs": [make_job(JOB)]}}), "--journal-size", "3")
    for index in range(5):
        http(server.url, f"/model-invocation-job/{JOB}?n={index}")
    assert [e["path"] for e in journal(server)] == [f"/model-invocation-job/{JOB}"] * 3
    assert len(journal(server)) == 3


def test_rate_limit_throttles_past_the_quota(tmp_path, server_factory):
    server = server_factory(write_fixtures(tmp_path, {"jobs.json": {"jobs": [make_job(JOB)]}}),
                            "--rate-limit", "GetModelInvocationJob=3/s")
    statuses = [http(server.url, f"/model-invocation-job/{JOB}").status for _ in range(6)]
    assert statuses[:3] == [200, 200, 200] and statuses.count(429) >= 2
    throttled = journal(server)[-1]
    assert throttled["ruleId"] == "rate-limit" and throttled["errorCode"] == "ThrottlingException"
    time.sleep(0.7)  # two tokens come back
    assert http(server.url, f"/model-invocation-job/{JOB}").status == 200
    assert http(server.url, "/_mock/health").status == 200  # admin calls are not limited


def test_bad_rate_limits_exit_64(tmp_path):
    from conftest import run_server_to_exit
    fixtures = write_fixtures(tmp_path, {"jobs.json": {"jobs": []}})
    for value in ["GetModelInvocationJob=0/s", "Nope=5/s", "GetModelInvocationJob"]:
        assert run_server_to_exit(fixtures, "--rate-limit", value).returncode == 64

"""StopModelInvocationJob from every status: static fixture jobs written with each of the 10 statuses, and
jobs on the clock in each phase. Unfinished jobs go Stopping for a minute, then Stopped; finished ones
answer ConflictException; a Stopping job answers {} and stays as it is."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from conftest import (
    ACTIVE_STATUSES, EU_ACCOUNT, JOB_STATUSES, MODEL_ID, ROLE_ARN, TERMINAL_STATUSES, RequestLog, advance,
    create_params, expect_error, http, job_arn, journal, list_all, make_client, make_job, model_pattern,
    not_found_message,
    quote_segment, reset, start_server, validation_message, write_fixtures,
)

UTC = timezone.utc
START = datetime(2026, 3, 1, 10, tzinfo=UTC)
STATIC = {status: f"stopstatic{index:02d}" for index, status in enumerate(JOB_STATUSES)}
CLOCK_FIXTURE = "stopclock001"
COUNTS = ("totalRecordCount", "processedRecordCount", "successRecordCount", "errorRecordCount")
OPERATION = "StopModelInvocationJob"


def _static(status: str) -> dict:
    job_id = STATIC[status]
    if status in TERMINAL_STATUSES:
        return make_job(job_id, status=status, jobName=f"static-{status.lower()}")
    job = make_job(job_id, status=status, jobName=f"static-{status.lower()}", omit=["endTime", "message"],
                   lastModifiedTime="2026-03-01T09:30:00Z")
    if status != "InProgress":
        for name in COUNTS:
            job.pop(name)
    return job


@pytest.fixture(scope="module")
def stop_server(tmp_path_factory):
    jobs = [_static(status) for status in JOB_STATUSES]
    jobs.append({"jobArn": job_arn(CLOCK_FIXTURE), "jobName": "clock-fixture", "modelId": MODEL_ID, "roleArn": ROLE_ARN,
                 "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/clock.jsonl"}},
                 "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/clock/"}},
                 "totalRecordCount": 600})
    directory = write_fixtures(tmp_path_factory.mktemp("stop"), {"jobs.json": {"jobs": jobs}})
    server = start_server(directory, "--clock-start", "2026-03-01T10:00:00Z", "--clock-rate", "0",
                          "--log-level", "warning")
    yield server
    server.assert_clean_stop()


@pytest.fixture
def mock(stop_server):
    reset(stop_server)
    return stop_server


@pytest.fixture
def client(mock):
    return make_client(mock.url)


def get(client, identifier) -> dict:
    job = client.get_model_invocation_job(jobIdentifier=identifier)
    job.pop("ResponseMetadata")
    return job


def stop(client, identifier) -> dict:
    response = client.stop_model_invocation_job(jobIdentifier=identifier)
    metadata = response.pop("ResponseMetadata")
    assert metadata["HTTPStatusCode"] == 200 and metadata["RetryAttempts"] == 0
    return response


def now(mock) -> datetime:
    return datetime.fromisoformat(http(mock.url, "/_mock/clock").json()["now"].replace("Z", "+00:00"))


# --------------------------------------------------------------------------- static fixture jobs


@pytest.mark.parametrize("status", ACTIVE_STATUSES)
def test_an_unfinished_static_job_goes_stopping_then_stopped_after_a_minute(mock, client, status):
    job_id = STATIC[status]
    before = get(client, job_id)
    assert before["status"] == status and "endTime" not in before
    advance(mock, "10m")
    stopped_at = now(mock)
    assert stop(client, job_id) == {}

    stopping = get(client, job_id)
    assert stopping == {k: v for k, v in before.items()} | {"status": "Stopping", "lastModifiedTime": stopped_at}
    advance(mock, "59s")
    assert get(client, job_id) == stopping
    advance(mock, "1s")
    final = get(client, job_id)
    assert final == stopping | {"status": "Stopped", "lastModifiedTime": stopped_at + timedelta(minutes=1),
                                "endTime": stopped_at + timedelta(minutes=1)}
    # the record counts stay as they were (an InProgress fixture has some; the others none)
    assert {k: final.get(k) for k in COUNTS} == {k: before.get(k) for k in COUNTS}
    advance(mock, "5h")
    assert get(client, job_id) == final
    assert job_arn(job_id) in {s["jobArn"] for s in list_all(client, statusEquals="Stopped")}


@pytest.mark.parametrize("status", TERMINAL_STATUSES)
def test_a_finished_static_job_cannot_be_stopped(mock, client, status):
    job_id = STATIC[status]
    before = get(client, job_id)
    log = RequestLog(client, f"before-send.bedrock.{OPERATION}")
    for identifier in (job_id, job_arn(job_id)):
        error = expect_error(client.stop_model_invocation_job, "ConflictException", 400,
                             f"The job is {status} and can no longer be stopped.", jobIdentifier=identifier)
        assert str(error) == (f"An error occurred (ConflictException) when calling the {OPERATION} operation: "
                              f"The job is {status} and can no longer be stopped.")
    assert len(log) == 2  # not retried
    advance(mock, "2m")
    assert get(client, job_id) == before


def test_a_stopping_static_job_answers_again_and_does_not_change(mock, client):
    job_id = STATIC["Stopping"]
    before = get(client, job_id)
    assert before["status"] == "Stopping"
    assert stop(client, job_id) == {}
    assert stop(client, job_arn(job_id)) == {}
    assert get(client, job_id) == before
    advance(mock, "1h")   # served as written: it stays Stopping
    assert stop(client, job_id) == {}
    assert get(client, job_id) == before


def test_every_status_answers_as_documented(mock, client):
    """One pass over the 10 statuses: {} for the unfinished and Stopping ones, ConflictException for the rest."""
    answers = {}
    for status in JOB_STATUSES:
        try:
            answers[status] = stop(client, STATIC[status])
        except client.exceptions.ConflictException as error:
            answers[status] = error.response["Error"]["Message"]
    assert answers == {status: ({} if status not in TERMINAL_STATUSES
                                else f"The job is {status} and can no longer be stopped.") for status in JOB_STATUSES}
    statuses = {status: get(client, STATIC[status])["status"] for status in JOB_STATUSES}
    assert statuses == {status: ("Stopping" if status in ACTIVE_STATUSES else status) for status in JOB_STATUSES}
    advance(mock, "1m")
    statuses = {status: get(client, STATIC[status])["status"] for status in JOB_STATUSES}
    assert statuses == {status: ("Stopped" if status in ACTIVE_STATUSES else status) for status in JOB_STATUSES}


# --------------------------------------------------------------------------- jobs on the clock


@pytest.mark.parametrize("offset, phase", [
    ("0s", "Submitted"), ("4m", "Submitted"), ("5m", "Validating"), ("15m", "Scheduled"), ("45m", "InProgress"),
    ("1h45m", "InProgress"),
])
def test_a_created_job_in_each_active_phase_stops_with_its_counts(mock, client, offset, phase):
    arn = client.create_model_invocation_job(**create_params(f"stop-at-{offset}"))["jobArn"]
    advance(mock, offset)
    before = get(client, arn)
    assert before["status"] == phase
    if offset == "1h45m":
        assert 0 < before["processedRecordCount"] < before["totalRecordCount"] == 1000
    stopped_at = now(mock)
    assert stop(client, arn) == {}
    stopping = get(client, arn)
    assert stopping["status"] == "Stopping"
    assert stopping["lastModifiedTime"] == stopped_at and "endTime" not in stopping
    assert {k: stopping.get(k) for k in COUNTS} == {k: before.get(k) for k in COUNTS}
    assert stopping == before | {"status": "Stopping", "lastModifiedTime": stopped_at}
    advance(mock, "30s")
    assert get(client, arn) == stopping   # counts do not rise while Stopping
    advance(mock, "30s")
    stopped = get(client, arn)
    assert stopped == stopping | {"status": "Stopped", "lastModifiedTime": stopped_at + timedelta(minutes=1),
                                  "endTime": stopped_at + timedelta(minutes=1)}
    advance(mock, "200h")   # past where the lifecycle would have completed and expired
    assert get(client, arn) == stopped


def test_a_fixture_job_on_the_clock_can_be_stopped(mock, client):
    advance(mock, "1h")
    before = get(client, CLOCK_FIXTURE)
    assert before["status"] == "InProgress" and before["totalRecordCount"] == 600
    assert stop(client, CLOCK_FIXTURE) == {}
    advance(mock, "1m")
    after = get(client, CLOCK_FIXTURE)
    assert after["status"] == "Stopped"
    assert {k: after[k] for k in COUNTS} == {k: before[k] for k in COUNTS}


@pytest.mark.parametrize("outcome, after", [
    ("Completed", "3h"), ("PartiallyCompleted", "3h"), ("Failed", "20m"), ("Stopped", "2h"), ("Expired", "169h"),
])
def test_a_job_that_ended_on_the_clock_cannot_be_stopped(mock, client, outcome, after):
    tags = [{"key": "mock-bedrock:outcome", "value": outcome}]
    arn = client.create_model_invocation_job(**create_params(f"ended-{outcome.lower()}", tags=tags))["jobArn"]
    advance(mock, after)
    before = get(client, arn)
    assert before["status"] == outcome
    expect_error(client.stop_model_invocation_job, "ConflictException", 400,
                 f"The job is {outcome} and can no longer be stopped.", jobIdentifier=arn)
    assert get(client, arn) == before


def test_a_job_in_its_own_stopping_phase_answers_and_ends_on_its_own_schedule(mock, client):
    """outcome Stopped: InProgress until 1h45m, Stopping 2 minutes, Stopped at 1h47m."""
    tags = [{"key": "mock-bedrock:outcome", "value": "Stopped"}]
    arn = client.create_model_invocation_job(**create_params("stops-itself", tags=tags))["jobArn"]
    advance(mock, "1h46m")
    before = get(client, arn)
    assert before["status"] == "Stopping"
    assert before["lastModifiedTime"] == START + timedelta(hours=1, minutes=45)
    assert stop(client, arn) == {}
    assert get(client, arn) == before
    advance(mock, "59s")
    assert get(client, arn)["status"] == "Stopping"
    advance(mock, "1s")
    after = get(client, arn)
    assert after["status"] == "Stopped"
    assert after["endTime"] == after["lastModifiedTime"] == START + timedelta(hours=1, minutes=47)


def test_stopping_again_changes_nothing_and_a_stopped_job_is_a_conflict(mock, client):
    arn = client.create_model_invocation_job(**create_params("stop-twice"))["jobArn"]
    advance(mock, "1h")
    stopped_at = now(mock)
    assert stop(client, arn) == {}
    first = get(client, arn)
    advance(mock, "30s")
    assert stop(client, arn) == {}
    assert get(client, arn) == first
    assert first["lastModifiedTime"] == stopped_at
    advance(mock, "30s")   # a minute after the first stop, not after the second
    assert get(client, arn)["status"] == "Stopped"
    assert get(client, arn)["endTime"] == stopped_at + timedelta(minutes=1)
    expect_error(client.stop_model_invocation_job, "ConflictException", 400,
                 "The job is Stopped and can no longer be stopped.", jobIdentifier=arn)


# --------------------------------------------------------------------------- identifiers, wire, reset


def test_stop_by_arn_sends_one_encoded_segment(mock, client):
    arn = job_arn(STATIC["Scheduled"])
    log = RequestLog(client, f"before-send.bedrock.{OPERATION}")
    assert stop(client, arn) == {}
    assert log.requests == [("POST", f"{mock.url}/model-invocation-job/{quote_segment(arn)}/stop")]
    assert get(client, STATIC["Scheduled"])["status"] == "Stopping"
    entry = [r for r in journal(mock) if r["operation"] == OPERATION][-1]
    assert entry["jobId"] == STATIC["Scheduled"] and entry["status"] == 200


def test_raw_http_stop(mock):
    arn = job_arn(STATIC["Validating"])
    result = http(mock.url, f"/model-invocation-job/{quote_segment(arn)}/stop", "POST")
    assert result.status == 200
    assert result.headers.get("Content-Type") == "application/json"
    assert result.json() == {}
    finished = http(mock.url, f"/model-invocation-job/{STATIC['Failed']}/stop", "POST")
    assert finished.status == 400
    assert finished.headers.get("x-amzn-ErrorType", "").split(":")[0] == "ConflictException"
    assert finished.json() == {"message": "The job is Failed and can no longer be stopped."}
    wrong_method = http(mock.url, f"/model-invocation-job/{STATIC['InProgress']}/stop")
    assert wrong_method.status == 405


@pytest.mark.parametrize("identifier", [
    "zzzzzzzzzzzz", job_arn("zzzzzzzzzzzz"),
    job_arn(STATIC["InProgress"], account=EU_ACCOUNT), job_arn(STATIC["InProgress"], region="eu-west-1"),
    job_arn(STATIC["InProgress"], partition="aws-cn"),
], ids=["unknown-id", "unknown-arn", "other-account-arn", "other-region-arn", "other-partition-arn"])
def test_stopping_a_job_that_is_not_there_is_not_found(mock, client, identifier):
    expect_error(client.stop_model_invocation_job, "ResourceNotFoundException", 404, not_found_message(identifier),
                 jobIdentifier=identifier)
    assert get(client, STATIC["InProgress"])["status"] == "InProgress"


@pytest.mark.parametrize("identifier", ["my-job-name", "ABCDEFGHIJKL", "abcdefghijklm"])
def test_stopping_with_a_bad_identifier_is_a_validation_exception(mock, client, identifier):
    expect_error(client.stop_model_invocation_job, "ValidationException", 400,
                 validation_message(identifier, model_pattern("ModelInvocationJobIdentifier")), jobIdentifier=identifier)


def test_reset_forgets_stops(mock, client):
    assert stop(client, STATIC["InProgress"]) == {}
    advance(mock, "1m")
    assert get(client, STATIC["InProgress"])["status"] == "Stopped"
    reset(mock)
    assert get(client, STATIC["InProgress"])["status"] == "InProgress"
    assert stop(client, STATIC["InProgress"]) == {}

"""The lifecycle clock: jobs move through Bedrock's statuses on a virtual clock the test controls."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from conftest import http, make_client, make_job, write_fixtures

START = "2026-03-01T10:00:00Z"
START_DT = datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)
TERMINAL = {"Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"}
ORDER = ["Submitted", "Validating", "Scheduled", "InProgress", "Stopping",
         "Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"]


def clock_job(job_id: str, **members):
    """A job on the clock: the written members of make_job without those the clock computes."""
    computed = ["status", "message", "lastModifiedTime", "endTime", "jobExpirationTime",
                "processedRecordCount", "successRecordCount", "errorRecordCount"]
    job = make_job(job_id, omit=computed + ["submitTime"], totalRecordCount=1000)
    job.pop("timeoutDurationInHours")
    job.update(members)
    return job


@pytest.fixture
def lifecycle_server(tmp_path, server_factory):
    def start(*jobs, rate="0", start=START):
        fixtures = write_fixtures(tmp_path, {"jobs.json": {"jobs": list(jobs)}})
        server = server_factory(fixtures, "--clock-start", start, "--clock-rate", rate, "--log-level", "warning")
        return server, make_client(server.url)
    return start


def advance(server, duration: str) -> dict:
    result = http(server.url, "/_mock/clock", method="POST", body=f'{{"advance": "{duration}"}}'.encode())
    assert result.status == 200, result.body
    return result.json()


def check_consistent(job: dict) -> None:
    """What holds of a job record at any poll."""
    submit, modified = job["submitTime"], job["lastModifiedTime"]
    assert modified >= submit
    assert job["jobExpirationTime"] == submit + timedelta(hours=job["timeoutDurationInHours"])
    if job["status"] in TERMINAL:
        assert job["endTime"] == modified
    else:
        assert "endTime" not in job
    if "processedRecordCount" in job:
        assert job["processedRecordCount"] == job["successRecordCount"] + job["errorRecordCount"]
        assert job["processedRecordCount"] <= job["totalRecordCount"]
    for name in ("submitTime", "lastModifiedTime", "jobExpirationTime"):
        assert job[name].utcoffset() == timedelta(0)


def test_polling_at_an_hour_a_second_sees_every_status_in_order(lifecycle_server):
    # given: the default lifecycle takes 2h45m of clock time, 2.75 s at this rate
    server, client = lifecycle_server(clock_job("aaaaaaaaaaa1"), rate="3600")
    client.get_model_invocation_job(jobIdentifier="aaaaaaaaaaa1")  # boto3's first call loads the model: not timed
    assert http(server.url, "/_mock/reset", method="POST").status == 200  # Submitted again, 83 ms of it from now
    seen: list[str] = []
    previous = None
    deadline = time.monotonic() + 30
    # when
    while time.monotonic() < deadline:
        job = client.get_model_invocation_job(jobIdentifier="aaaaaaaaaaa1")
        check_consistent(job)
        if previous is not None:
            assert job["lastModifiedTime"] >= previous["lastModifiedTime"]
            assert job.get("processedRecordCount", 0) >= previous.get("processedRecordCount", 0)
        if not seen or seen[-1] != job["status"]:
            seen.append(job["status"])
        previous = job
        if job["status"] in TERMINAL:
            break
    # then
    assert seen == ["Submitted", "Validating", "Scheduled", "InProgress", "Completed"]
    assert previous["processedRecordCount"] == previous["totalRecordCount"] == 1000
    assert previous["lastModifiedTime"] == previous["submitTime"] + timedelta(minutes=165)


def test_advance_steps_give_exact_repeatable_statuses_at_phase_boundaries(lifecycle_server):
    server, client = lifecycle_server(clock_job("aaaaaaaaaaa1"))
    steps = [("0s", "Submitted", 0), ("4m59.999s", "Submitted", 0), ("1ms", "Validating", 5),
             ("10m", "Scheduled", 15), ("30m", "InProgress", 45), ("1h59m59.999s", "InProgress", 45),
             ("1ms", "Completed", 165), ("30d", "Completed", 165)]
    for attempt in range(2):
        observed = []
        for step, status, since_minutes in steps:
            advance(server, step)
            job = client.get_model_invocation_job(jobIdentifier="aaaaaaaaaaa1")
            check_consistent(job)
            observed.append((job["status"], job["lastModifiedTime"]))
            assert job["status"] == status, step
            assert job["lastModifiedTime"] == START_DT + timedelta(minutes=since_minutes)
        assert http(server.url, "/_mock/reset", method="POST").json() == {"now": "2026-03-01T10:00:00.000Z", "rate": 0}


def test_record_counts_rise_with_the_clock(lifecycle_server):
    server, client = lifecycle_server(clock_job("aaaaaaaaaaa1"))
    advance(server, "45m")
    counts = []
    for _ in range(5):
        job = client.get_model_invocation_job(jobIdentifier="aaaaaaaaaaa1")
        counts.append(job["processedRecordCount"])
        advance(server, "30m")
    assert counts == [0, 250, 500, 750, 1000]


def test_a_polls_phase_changes_on_exactly_the_nth_get(lifecycle_server):
    # given
    job = clock_job("aaaaaaaaaaa2", lifecycle=[
        {"status": "Submitted", "polls": 3},
        {"status": "Validating", "polls": 1},
        {"status": "Failed", "message": "The input file has no valid records."},
    ])
    server, client = lifecycle_server(job)
    # when
    statuses = [client.get_model_invocation_job(jobIdentifier="aaaaaaaaaaa2")["status"] for _ in range(6)]
    # then: GETs 1-3 see Submitted, the 4th Validating, then Failed with its message
    assert statuses == ["Submitted", "Submitted", "Submitted", "Validating", "Failed", "Failed"]
    failed = client.get_model_invocation_job(jobIdentifier="aaaaaaaaaaa2")
    assert failed["message"] == "The input file has no valid records."
    check_consistent(failed)
    # and a List, a health check or a GET of another job does not count as a poll of this one
    assert http(server.url, "/_mock/reset", method="POST").status == 200
    http(server.url, "/_mock/health")
    http(server.url, "/model-invocation-job/abcdefghijkl")
    assert client.get_model_invocation_job(jobIdentifier="aaaaaaaaaaa2")["status"] == "Submitted"


def test_a_24_hour_job_still_scheduled_at_24h_is_expired_with_end_time(lifecycle_server):
    server, client = lifecycle_server(clock_job("aaaaaaaaaaa3", outcome="Expired", timeoutDurationInHours=24))
    advance(server, "23h59m59.999s")
    assert client.get_model_invocation_job(jobIdentifier="aaaaaaaaaaa3")["status"] == "Scheduled"
    advance(server, "1ms")
    job = client.get_model_invocation_job(jobIdentifier="aaaaaaaaaaa3")
    assert job["status"] == "Expired"
    assert job["endTime"] == job["lastModifiedTime"] == job["jobExpirationTime"] == START_DT + timedelta(hours=24)
    assert job["message"] == "The job did not start before its timeout of 24 hours elapsed."
    check_consistent(job)


@pytest.mark.parametrize("outcome, path", [
    ("Completed", ["Submitted", "Validating", "Scheduled", "InProgress", "Completed"]),
    ("PartiallyCompleted", ["Submitted", "Validating", "Scheduled", "InProgress", "PartiallyCompleted"]),
    ("Failed", ["Submitted", "Validating", "Failed"]),
    ("Stopped", ["Submitted", "Validating", "Scheduled", "InProgress", "Stopping", "Stopped"]),
    ("Expired", ["Submitted", "Validating", "Scheduled", "Expired"]),
])
def test_each_outcome_takes_its_documented_path(lifecycle_server, outcome, path):
    server, client = lifecycle_server(clock_job("aaaaaaaaaaa4", outcome=outcome, timeoutDurationInHours=24))
    seen = []
    for step in range(300):
        job = client.get_model_invocation_job(jobIdentifier="aaaaaaaaaaa4")
        check_consistent(job)
        if not seen or seen[-1] != job["status"]:
            seen.append(job["status"])
        if job["status"] in TERMINAL:
            break
        advance(server, "1m" if step < 180 else "1h")  # no phase of the defaults is shorter than 2m
    assert seen == path
    final = client.get_model_invocation_job(jobIdentifier="aaaaaaaaaaa4")
    if outcome == "Completed":
        assert final["processedRecordCount"] == 1000
    if outcome == "PartiallyCompleted":
        assert 0 < final["processedRecordCount"] < final["totalRecordCount"]
        assert final["message"]
    if outcome == "Failed":
        assert final["message"] and "processedRecordCount" not in final


def test_the_clock_admin_api(lifecycle_server):
    server, _ = lifecycle_server(clock_job("aaaaaaaaaaa1"))
    assert http(server.url, "/_mock/clock").json() == {"now": "2026-03-01T10:00:00.000Z", "rate": 0}
    changed = http(server.url, "/_mock/clock", method="POST", body=b'{"set": "2026-03-02T00:00:00Z", "rate": 60}')
    assert changed.status == 200
    assert changed.json()["rate"] == 60
    assert changed.json()["now"] >= "2026-03-02T00:00:00.000Z"
    bad = http(server.url, "/_mock/clock", method="POST", body=b'{"advance": "1h", "speed": 2}')
    assert bad.status == 400
    assert bad.headers.get("x-amzn-ErrorType") == "ValidationException"
    assert bad.json() == {"message": "speed: unknown key (allowed: set, advance, rate)"}
    back = http(server.url, "/_mock/clock", method="POST", body=b'{"set": "2026-03-01T00:00:00Z"}')
    assert back.status == 400 and back.json()["message"].startswith("set: the clock does not go back")
    assert http(server.url, "/_mock/reset", method="POST").json() == {"now": "2026-03-01T10:00:00.000Z", "rate": 0}


def test_a_static_job_ignores_the_clock(lifecycle_server):
    server, client = lifecycle_server(make_job("aaaaaaaaaaa5", status="Scheduled", omit=["endTime"]))
    advance(server, "400d")
    assert client.get_model_invocation_job(jobIdentifier="aaaaaaaaaaa5")["status"] == "Scheduled"


@pytest.mark.parametrize("args, message", [
    (["--clock-start", "yesterday"], "--clock-start"),
    (["--clock-rate=-1"], "--clock-rate must be from 0 (frozen) to 1e9"),
])
def test_bad_clock_flags_exit_64(tmp_path, args, message):
    from conftest import run_server_to_exit
    fixtures = write_fixtures(tmp_path, {"jobs.json": {"jobs": []}})
    result = run_server_to_exit(fixtures, *args)
    assert result.returncode == 64
    assert message in result.stderr


def test_clock_flags_come_from_the_environment_too(tmp_path, server_factory):
    fixtures = write_fixtures(tmp_path, {"jobs.json": {"jobs": [clock_job("aaaaaaaaaaa1")]}})
    server = server_factory(fixtures, env={"MOCK_BEDROCK_CLOCK_START": "2030-01-01T00:00:00Z", "MOCK_BEDROCK_CLOCK_RATE": "0"})
    assert http(server.url, "/_mock/clock").json() == {"now": "2030-01-01T00:00:00.000Z", "rate": 0}
    assert make_client(server.url).get_model_invocation_job(jobIdentifier="aaaaaaaaaaa1")["submitTime"] == \
        datetime(2030, 1, 1, tzinfo=timezone.utc)


def test_a_lifecycle_fixture_error_names_file_path_and_rule(tmp_path):
    from conftest import run_server_to_exit
    job = clock_job("aaaaaaaaaaa1", lifecycle=[{"status": "Submitted", "for": "1m"}, {"status": "InProgress"}])
    fixtures = write_fixtures(tmp_path, {"jobs.json": {"jobs": [job]}})
    result = run_server_to_exit(fixtures)
    assert result.returncode == 1
    assert f"{fixtures}/jobs.json: jobs[0].lifecycle[1].status: AWS does not move a job from Submitted to InProgress" in result.stderr


def test_a_job_on_the_clock_does_not_exist_before_its_submit_time(lifecycle_server):
    server, client = lifecycle_server(clock_job("aaaaaaaaaaa6", submitTime="2026-03-01T12:00:00Z"))
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_model_invocation_job(jobIdentifier="aaaaaaaaaaa6")
    advance(server, "2h")
    job = client.get_model_invocation_job(jobIdentifier="aaaaaaaaaaa6")
    assert job["status"] == "Submitted" and job["lastModifiedTime"] == job["submitTime"]


def test_a_head_request_is_not_a_poll(lifecycle_server):
    job = clock_job("aaaaaaaaaaa7", lifecycle=[{"status": "Submitted", "polls": 1}, {"status": "Failed"}])
    server, client = lifecycle_server(job)
    assert http(server.url, "/model-invocation-job/aaaaaaaaaaa7", method="HEAD").status == 200
    assert client.get_model_invocation_job(jobIdentifier="aaaaaaaaaaa7")["status"] == "Submitted"
    assert client.get_model_invocation_job(jobIdentifier="aaaaaaaaaaa7")["status"] == "Failed"


def test_a_job_in_progress_at_its_timeout_ends_partially_completed(lifecycle_server):
    job = clock_job("aaaaaaaaaaa8", timeoutDurationInHours=24, lifecycle=[
        {"status": "Submitted", "for": "1h"}, {"status": "Validating", "for": "1h"}, {"status": "Scheduled", "for": "1h"},
        {"status": "InProgress", "for": "42h"}, {"status": "Completed"}])
    server, client = lifecycle_server(job)
    advance(server, "30h")
    job = client.get_model_invocation_job(jobIdentifier="aaaaaaaaaaa8")
    check_consistent(job)
    assert job["status"] == "PartiallyCompleted"
    assert job["endTime"] == job["jobExpirationTime"] == START_DT + timedelta(hours=24)
    assert job["processedRecordCount"] == 500  # 21 of 42 hours


def test_the_clock_stops_at_the_end_of_year_9999(lifecycle_server):
    server, _ = lifecycle_server(clock_job("aaaaaaaaaaa1"))
    too_far = http(server.url, "/_mock/clock", method="POST", body=b'{"advance": "3000000d"}')
    assert too_far.status == 400 and too_far.json() == {"message": "advance: the clock stops at 9999-12-31T23:59:59.999Z"}
    assert advance(server, "2900000d")["now"].startswith("9966-")

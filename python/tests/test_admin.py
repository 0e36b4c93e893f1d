"""The admin API through the package: the clock, fault rules, the journal, reset, stats, health."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import botocore.exceptions
import pytest

from mock_bedrock import FaultRule, MockBedrockError

from conftest import create_job, records


def test_clock_now_advance_set_rate_freeze(mock):
    start = mock.clock.now
    assert start.tzinfo is not None and start.utcoffset() == timedelta(0)
    assert mock.clock.rate == 0
    assert mock.clock.advance("2h") == start + timedelta(hours=2)
    assert mock.clock.advance(90) == start + timedelta(hours=2, seconds=90)
    assert mock.clock.advance(0.25) == start + timedelta(hours=2, seconds=90.25)
    assert mock.clock.advance(timedelta(minutes=30)) == start + timedelta(hours=2, minutes=30, seconds=90.25)
    later = datetime(2099, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)
    assert mock.clock.set(later) == later
    assert mock.clock.set("2099-01-03T00:00:00Z") == datetime(2099, 1, 3, tzinfo=timezone.utc)
    assert mock.clock.set(datetime(2099, 1, 4)) == datetime(2099, 1, 4, tzinfo=timezone.utc)  # naive: UTC
    mock.clock.set_rate(3600)
    assert mock.clock.rate == 3600
    mock.clock.rate = 2
    assert mock.clock.get()["rate"] == 2
    mock.clock.freeze()
    frozen = mock.clock.now
    assert mock.clock.rate == 0 and mock.clock.now == frozen
    assert mock.clock.update(set="2099-02-01T00:00:00Z", advance="1h", rate=0) == datetime(2099, 2, 1, 1, tzinfo=timezone.utc)
    assert mock.reset() == start  # the clock at its start


def test_clock_errors_carry_the_servers_message(mock):
    with pytest.raises(MockBedrockError) as raised:
        mock.clock.set("2000-01-01T00:00:00Z")
    assert raised.value.status == 400 and "does not go back" in raised.value.message
    assert str(raised.value).startswith("400: set: ")
    with pytest.raises(MockBedrockError, match="advance"):
        mock.clock.advance("soon")
    with pytest.raises(ValueError, match="never goes back"):
        mock.clock.advance(-1)


def test_a_fault_rule_fires_on_its_requests_and_is_removed(mock):
    client = mock.client(retries={"max_attempts": 1, "mode": "standard"})
    job_arn = create_job(client, "faulty", "s3://fault-in/x.jsonl", "s3://fault-out/")
    job_id = job_arn.rsplit("/", 1)[1]
    rule = mock.faults.add(error="AccessDeniedException", message="Denied by the test", job_id=job_id,
                           operation="GetModelInvocationJob", times=2)
    assert isinstance(rule, FaultRule) and rule.id.startswith("fault-")
    assert (rule.error, rule.job_id, rule.times, rule.operation) == ("AccessDeniedException", job_id, 2, "GetModelInvocationJob")
    assert rule.fields["jobId"] == job_id and rule.delay_ms is None
    assert (rule.fired, rule.matched) == (0, 0)
    with pytest.raises(client.exceptions.AccessDeniedException, match="Denied by the test"):
        client.get_model_invocation_job(jobIdentifier=job_id)
    assert (rule.fired, rule.matched) == (1, 1)
    assert [r.id for r in mock.faults.list()] == [rule.id]
    rule.remove()
    assert mock.faults.list() == []
    assert client.get_model_invocation_job(jobIdentifier=job_id)["status"] == "Submitted"
    with pytest.raises(MockBedrockError) as raised:
        rule.remove()
    assert raised.value.status == 404 and rule.id in raised.value.message
    with pytest.raises(MockBedrockError, match="removed, or the server was reset"):
        rule.fired


def test_fault_rules_as_context_managers_and_clear(mock):
    with mock.faults.add(delay_ms=[10, 20], seed=7, operation="ListModelInvocationJobs") as rule:
        assert rule.delay_ms == [10, 20] and rule.seed == 7
        mock.client().list_model_invocation_jobs()
        assert rule.fired == 1
    assert mock.faults.list() == []
    mock.faults.add(error="ThrottlingException")
    mock.faults.add(fault="reset", probability=0.5, seed=1, jobId="abc*")  # camelCase keys pass as they are
    assert len(mock.faults.list()) == 2
    mock.faults.clear()
    assert mock.faults.list() == []


def test_invalid_rules_raise_with_the_servers_message(mock):
    with pytest.raises(MockBedrockError) as raised:
        mock.faults.add(error="ThrottlingException", colour="red")
    assert raised.value.status == 400 and "colour: unknown key" in raised.value.message
    with pytest.raises(MockBedrockError, match="error"):
        mock.faults.add(error="NoSuchException")


def test_a_data_fault_fails_the_job_at_validating(mock):
    mock.jobs.write_input("s3://unreadable-in/records.jsonl", records(100))
    client = mock.client()
    job_arn = create_job(client, "unreadable", "s3://unreadable-in/records.jsonl", "s3://unreadable-in/out/")
    rule = mock.faults.add(data="inputUnreadable", message="the test said no", job_id=job_arn)
    assert rule.data == "inputUnreadable"  # kept from the request when the server's answer leaves it out
    mock.clock.advance("20m")
    job = client.get_model_invocation_job(jobIdentifier=job_arn)
    assert job["status"] == "Failed"
    assert "Unable to access the input data" in job["message"] and "the test said no" in job["message"]
    assert rule.fired == 1
    read = [r for r in mock.requests() if r["operation"] == "ReadInput"]
    assert read and read[0]["path"] == "s3://unreadable-in/records.jsonl" and read[0]["errorCode"] == "AccessDenied"
    assert read[0]["status"] >= 400  # docs/batch-data.md says 403; the server journals 400 (reported)


def test_the_journal_and_clearing_it(mock):
    client = mock.client()
    assert mock.requests() == []
    client.list_model_invocation_jobs()
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_model_invocation_job(jobIdentifier="abcdefghijkl")
    journal = mock.requests()
    assert [(r["operation"], r["status"]) for r in journal] == [
        ("ListModelInvocationJobs", 200), ("GetModelInvocationJob", 404)]
    assert journal[1]["errorCode"] == "ResourceNotFoundException" and journal[1]["attempt"] == 1
    mock.clock.now  # admin calls are not journaled
    assert len(mock.requests()) == 2
    mock.clear_requests()
    assert mock.requests() == []


def test_reset_restores_jobs_clock_rules_and_journal(mock):
    start = mock.clock.now
    client = mock.client()
    create_job(client, "before-reset", "s3://reset-in/x.jsonl", "s3://reset-out/")
    mock.faults.add(error="ThrottlingException", operation="StopModelInvocationJob")
    mock.clock.advance("3h")
    mock.clock.set_rate(10)
    assert mock.reset() == start
    assert mock.clock.rate == 0
    assert client.list_model_invocation_jobs()["invocationJobSummaries"] == []
    assert mock.faults.list() == []
    assert [r["operation"] for r in mock.requests()] == ["ListModelInvocationJobs"]


def test_stats_and_health(mock):
    before = mock.stats()
    assert set(before) >= {"answers", "errors", "connections"}
    with pytest.raises(MockBedrockError):
        mock.faults.add()
    after = mock.stats()
    assert after["answers"] > before["answers"] and after["errors"] == before["errors"] + 1
    assert mock.health() == {"status": "ok", "jobs": 0}


def test_admin_calls_need_a_running_server():
    from mock_bedrock import MockBedrock
    with pytest.raises(RuntimeError, match="not started"):
        MockBedrock().reset()


def test_query_flags_still_reach_the_server(mock):
    """The package leaves the AWS side alone: boto3 event hooks and headers work as documented."""
    client = mock.client()

    def deny(request, **kwargs):
        request.headers["x-mock-error"] = "AccessDeniedException"

    client.meta.events.register("before-sign.bedrock.ListModelInvocationJobs", deny)
    with pytest.raises(botocore.exceptions.ClientError, match="AccessDenied"):
        client.list_model_invocation_jobs()


def test_events_and_a_wait_for_completed(mock):
    # given 120 records and a job on them
    mock.jobs.write_input("s3://input-bucket/events.jsonl", records(120))
    mock.jobs.create_bucket("output-bucket")
    arn = create_job(mock.client(), "events-job", "s3://input-bucket/events.jsonl", "s3://output-bucket/results/")
    assert mock.wait_for_event(arn, "Submitted", timeout=10)["detail"]["batchJobArn"] == arn
    # when the clock passes the end
    mock.clock.advance("3h")
    completed = mock.wait_for_event(arn, ["Completed", "Failed"], timeout=20)
    # then the event is AWS's, and the results are there when it comes
    assert completed["detail-type"] == "Batch Inference Job State Change"
    assert completed["detail"]["status"] == "Completed"
    assert mock.jobs.manifest(arn)["totalRecordCount"] == 120
    assert [e["detail"]["status"] for e in mock.events(arn)] == ["Submitted", "Validating", "Scheduled", "InProgress", "Completed"]
    assert [e["detail"]["status"] for e in mock.events({"jobArn": arn}, status="Completed")] == ["Completed"]
    with pytest.raises(TimeoutError):
        mock.wait_for_event(arn, "Failed", timeout=0.3)

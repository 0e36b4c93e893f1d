"""Fault injection and the journal apply to all seven operations: x-mock-* headers (a boto3 event hook),
query flags (raw HTTP), and rules matched by operation and by job (for tag operations, the resourceARN's job)."""

from __future__ import annotations

import json

import pytest

from conftest import (
    add_fault, create_params, expect_error, http, job_arn, journal, list_all, make_client, make_job, reset,
    start_server, write_fixtures,
)

JOB = "faultjob0001"
OTHER = "faultjob0002"
ARN = job_arn(JOB)

CALLS = {
    "CreateModelInvocationJob": lambda c: c.create_model_invocation_job(**create_params("fault-created")),
    "GetModelInvocationJob": lambda c: c.get_model_invocation_job(jobIdentifier=JOB),
    "ListModelInvocationJobs": lambda c: c.list_model_invocation_jobs(),
    "StopModelInvocationJob": lambda c: c.stop_model_invocation_job(jobIdentifier=ARN),
    "TagResource": lambda c: c.tag_resource(resourceARN=ARN, tags=[{"key": "k", "value": "v"}]),
    "UntagResource": lambda c: c.untag_resource(resourceARN=ARN, tagKeys=["team"]),
    "ListTagsForResource": lambda c: c.list_tags_for_resource(resourceARN=ARN),
}
RAW = {  # method, path, body
    "CreateModelInvocationJob": ("POST", "/model-invocation-job", create_params("fault-created")),
    "GetModelInvocationJob": ("GET", f"/model-invocation-job/{JOB}", None),
    "ListModelInvocationJobs": ("GET", "/model-invocation-jobs", None),
    "StopModelInvocationJob": ("POST", f"/model-invocation-job/{JOB}/stop", None),
    "TagResource": ("POST", "/tagResource", {"resourceARN": ARN, "tags": [{"key": "k", "value": "v"}]}),
    "UntagResource": ("POST", "/untagResource", {"resourceARN": ARN, "tagKeys": ["team"]}),
    "ListTagsForResource": ("POST", "/listTagsForResource", {"resourceARN": ARN}),
}
JOB_ID_OF = {op: (None if op in ("CreateModelInvocationJob", "ListModelInvocationJobs") else JOB) for op in CALLS}


@pytest.fixture(scope="module")
def fault_server(tmp_path_factory):
    jobs = [make_job(JOB, status="InProgress", omit=["endTime"], tags=[{"key": "team", "value": "ml"}]),
            make_job(OTHER, status="InProgress", omit=["endTime"], jobName="other-job")]
    directory = write_fixtures(tmp_path_factory.mktemp("faults-all"), {"jobs.json": {"jobs": jobs}})
    server = start_server(directory, "--clock-rate", "0", "--log-level", "warning")
    yield server
    server.assert_clean_stop()


@pytest.fixture
def mock(fault_server):
    reset(fault_server)
    return fault_server


def assert_nothing_happened(client):
    """The refused call did not run: no job created, the job not stopped, its tags unchanged."""
    assert len(list_all(client)) == 2
    assert client.get_model_invocation_job(jobIdentifier=JOB)["status"] == "InProgress"
    assert client.list_tags_for_resource(resourceARN=ARN)["tags"] == [{"key": "team", "value": "ml"}]


@pytest.mark.parametrize("operation", list(CALLS))
def test_x_mock_headers_answer_any_operation(mock, operation):
    client = make_client(mock.url)

    def inject(request, **kwargs):
        request.headers["x-mock-error"] = "AccessDeniedException"
        request.headers["x-mock-message"] = f"Denied {operation} by the test"

    client.meta.events.register(f"before-sign.bedrock.{operation}", inject)
    expect_error(CALLS[operation], "AccessDeniedException", 403, f"Denied {operation} by the test", c=client)
    entry = journal(mock)[-1]
    assert (entry["operation"], entry["status"], entry["errorCode"], entry["ruleId"], entry["jobId"]) == (
        operation, 403, "AccessDeniedException", "request", JOB_ID_OF[operation])
    assert_nothing_happened(make_client(mock.url))


@pytest.mark.parametrize("operation", list(RAW))
def test_query_flags_answer_any_operation(mock, operation):
    method, path, body = RAW[operation]
    result = http(mock.url, path + "?mockError=ThrottlingException&mockMessage=Slow%20down", method,
                  None if body is None else json.dumps(body).encode())
    assert result.status == 429
    assert result.headers.get("x-amzn-ErrorType", "").split(":")[0] == "ThrottlingException"
    assert result.json() == {"message": "Slow down"}
    entry = journal(mock)[-1]
    assert (entry["operation"], entry["status"], entry["ruleId"]) == (operation, 429, "request")
    assert_nothing_happened(make_client(mock.url))


@pytest.mark.parametrize("operation", list(CALLS))
def test_a_rule_for_one_operation_leaves_the_others_alone(mock, operation, backoff):
    add_fault(mock, {"error": "InternalServerException", "operation": operation, "times": 4})
    client = make_client(mock.url)
    response = CALLS[operation](client)   # 4 failures, then the 5th attempt succeeds
    assert response["ResponseMetadata"]["RetryAttempts"] == 4
    for other, call in CALLS.items():
        if other not in (operation, "CreateModelInvocationJob"):
            assert call(client)["ResponseMetadata"]["RetryAttempts"] == 0, other
    entries = [e for e in journal(mock) if e["operation"] == operation]
    assert [e["status"] for e in entries[:5]] == [500, 500, 500, 500, 200]


@pytest.mark.parametrize("operation", ["GetModelInvocationJob", "StopModelInvocationJob", "TagResource",
                                       "UntagResource", "ListTagsForResource"])
def test_a_rules_job_id_picks_the_job_by_id_arn_or_pattern(mock, operation):
    client = make_client(mock.url)
    for job_id in (JOB, ARN, "faultjob000*"):
        reset(mock)
        add_fault(mock, {"error": "ResourceInUseException", "jobId": job_id, "operation": operation,
                         "message": "busy"})
        other = {"GetModelInvocationJob": lambda: client.get_model_invocation_job(jobIdentifier=OTHER),
                 "StopModelInvocationJob": lambda: client.stop_model_invocation_job(jobIdentifier=OTHER),
                 "TagResource": lambda: client.tag_resource(resourceARN=job_arn(OTHER), tags=[]),
                 "UntagResource": lambda: client.untag_resource(resourceARN=job_arn(OTHER), tagKeys=[]),
                 "ListTagsForResource": lambda: client.list_tags_for_resource(resourceARN=job_arn(OTHER))}[operation]
        expect_error(CALLS[operation], "ResourceInUseException", 400, "busy", c=client)
        if job_id.endswith("*"):
            expect_error(lambda: other(), "ResourceInUseException", 400, "busy")
        else:
            other()

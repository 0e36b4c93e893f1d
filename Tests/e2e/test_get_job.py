"""GetModelInvocationJob through boto3 and raw HTTP: members, types, timestamps, request ids."""

from __future__ import annotations

import concurrent.futures
from datetime import datetime, timezone

import pytest

from conftest import (
    ACCOUNT, CN_ID, EU_ACCOUNT, EU_ID, FULL_ID, MINIMAL_ID, PRECISION_ID, REGION, UUID4,
    SERVED_TIMESTAMPS, RequestLog, arn_scope, client_for, http, make_client, not_found_message, quote_segment,
    scope_headers, wire_job,
)

TIMESTAMPS = {"submitTime", "lastModifiedTime", "endTime", "jobExpirationTime"}
INTEGERS = {"timeoutDurationInHours", "totalRecordCount", "processedRecordCount", "successRecordCount",
            "errorRecordCount"}
STRUCTURES = {"inputDataConfig", "outputDataConfig", "vpcConfig"}
STRINGS = {"jobArn", "jobName", "modelId", "clientRequestToken", "roleArn", "status", "message",
           "modelInvocationType"}

# The instants written in the fixtures (conftest), as datetimes.
UTC = timezone.utc
EXPECTED_TIMES = {
    FULL_ID: {
        "submitTime": datetime(2026, 2, 27, 8, 30, 12, 457000, tzinfo=UTC),
        "lastModifiedTime": datetime(2026, 2, 28, 8, 30, 13, 902000, tzinfo=UTC),
        "endTime": datetime(2026, 2, 28, 8, 30, 13, 902000, tzinfo=UTC),
        "jobExpirationTime": datetime(2026, 2, 28, 8, 30, 12, 457000, tzinfo=UTC),
    },
    MINIMAL_ID: {
        "submitTime": datetime(2026, 3, 1, 11, 15, 53, 904000, tzinfo=UTC),
    },
    PRECISION_ID: {
        "submitTime": datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=UTC),
        "lastModifiedTime": datetime(2026, 3, 1, 10, 0, 0, tzinfo=UTC),
        "jobExpirationTime": datetime(2026, 3, 2, 10, 0, 0, 500000, tzinfo=UTC),
    },
    EU_ID: {
        "submitTime": datetime(2026, 2, 26, 7, 12, 40, tzinfo=UTC),
        "lastModifiedTime": datetime(2026, 2, 26, 9, 58, 3, 517000, tzinfo=UTC),
        "endTime": datetime(2026, 2, 26, 9, 58, 3, 517000, tzinfo=UTC),
        "jobExpirationTime": datetime(2026, 2, 28, 7, 12, 40, tzinfo=UTC),
    },
}

def assert_matches_fixture(response: dict, job: dict, job_id: str) -> None:
    expected = wire_job(job)
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    assert set(body) == set(expected), f"extra {set(body) - set(expected)}, missing {set(expected) - set(body)}"
    for name, value in body.items():
        if name in TIMESTAMPS:
            assert isinstance(value, datetime), (name, value)
            assert value.tzinfo is not None and value.utcoffset() is not None, (name, value)
            assert value == EXPECTED_TIMES[job_id][name], name
        elif name in INTEGERS:
            assert type(value) is int, (name, type(value))
            assert value == expected[name], name
        elif name in STRUCTURES:
            assert type(value) is dict, name
            assert value == expected[name], name
        else:
            assert name in STRINGS, f"unexpected member {name}"
            assert type(value) is str, (name, type(value))
            assert value == expected[name], name
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["ResponseMetadata"]["RetryAttempts"] == 0


@pytest.fixture
def job_client(shared_server, shared_jobs, client):
    """job id -> (a client in that job's account and region, a log of the Gets it sends in this test)."""
    logs: list[tuple[object, RequestLog]] = []

    def for_job(job_id: str):
        arn = shared_jobs[job_id]["jobArn"]
        scoped = client if arn_scope(arn) == (REGION, ACCOUNT) else client_for(shared_server.url, arn)
        log = RequestLog(scoped)
        logs.append((scoped, log))
        return scoped, log

    yield for_job
    for scoped, log in logs:
        scoped.meta.events.unregister("before-send.bedrock.GetModelInvocationJob", log._record)


@pytest.mark.parametrize("job_id", [FULL_ID, MINIMAL_ID, PRECISION_ID, EU_ID])
def test_get_by_id_returns_every_member_with_python_types(job_client, shared_jobs, job_id):
    client, request_log = job_client(job_id)
    response = client.get_model_invocation_job(jobIdentifier=job_id)
    assert_matches_fixture(response, shared_jobs[job_id], job_id)
    assert request_log.requests == [("GET", f"{client.meta.endpoint_url}/model-invocation-job/{job_id}")]


@pytest.mark.parametrize("job_id", [FULL_ID, MINIMAL_ID, PRECISION_ID, EU_ID])
def test_get_by_full_arn_sends_one_encoded_segment_and_returns_same_job(job_client, shared_jobs, job_id):
    client, request_log = job_client(job_id)
    arn = shared_jobs[job_id]["jobArn"]
    response = client.get_model_invocation_job(jobIdentifier=arn)
    assert_matches_fixture(response, shared_jobs[job_id], job_id)
    # boto3 sends the ARN as one percent-encoded path segment (':' -> %3A, '/' -> %2F).
    (method, url), = request_log.requests
    assert method == "GET"
    assert url == f"{client.meta.endpoint_url}/model-invocation-job/{quote_segment(arn)}"
    assert "%2F" in url and "%3A" in url


def test_get_by_id_and_by_arn_agree(client, shared_jobs):
    by_id = client.get_model_invocation_job(jobIdentifier=FULL_ID)
    by_arn = client.get_model_invocation_job(jobIdentifier=shared_jobs[FULL_ID]["jobArn"])
    by_id.pop("ResponseMetadata")
    by_arn.pop("ResponseMetadata")
    assert by_id == by_arn


def test_full_job_has_every_member_of_the_output_shape(client, shared_jobs):
    """The 'full' fixture really exercises every member botocore knows for this output."""
    members = set(client.meta.service_model.operation_model("GetModelInvocationJob").output_shape.members)
    assert set(wire_job(shared_jobs[FULL_ID])) == members
    assert set(client.get_model_invocation_job(jobIdentifier=FULL_ID)) - {"ResponseMetadata"} == members


def test_job_in_another_partition_is_served_by_its_arn(shared_server, shared_jobs):
    """A cn-north-1 client (the default account: its access key is not 12 digits) gets the aws-cn job."""
    arn = shared_jobs[CN_ID]["jobArn"]
    assert arn.startswith(f"arn:aws-cn:bedrock:cn-north-1:{ACCOUNT}:")
    client = make_client(shared_server.url, region="cn-north-1")
    response = client.get_model_invocation_job(jobIdentifier=arn)
    assert response["jobArn"] == arn
    assert response["timeoutDurationInHours"] == 168


def test_long_and_zero_counts_and_unicode_message(client, shared_jobs):
    response = client.get_model_invocation_job(jobIdentifier=FULL_ID)
    assert response["totalRecordCount"] == 5_000_000_000
    assert response["errorRecordCount"] == 0
    assert response["message"] == shared_jobs[FULL_ID]["message"]
    assert "\n" in response["message"] and "“" in response["message"] and "\\" in response["message"]


def test_request_id_is_the_header_and_fresh_per_call(client):
    first = client.get_model_invocation_job(jobIdentifier=FULL_ID)["ResponseMetadata"]
    second = client.get_model_invocation_job(jobIdentifier=FULL_ID)["ResponseMetadata"]
    for metadata in (first, second):
        assert metadata["RequestId"] == metadata["HTTPHeaders"]["x-amzn-requestid"]
        assert UUID4.fullmatch(metadata["RequestId"]), metadata["RequestId"]
    assert first["RequestId"] != second["RequestId"]


@pytest.mark.parametrize("job_id", [FULL_ID, PRECISION_ID, EU_ID])
def test_raw_http_serves_timestamps_with_fixture_precision(shared_server, shared_jobs, job_id):
    # unsigned requests are in us-east-1 / 123456789012; the eu-west-1 job needs its credential scope
    headers = scope_headers(shared_jobs[job_id]["jobArn"]) if job_id == EU_ID else None
    result = http(shared_server.url, f"/model-invocation-job/{job_id}", headers=headers)
    assert result.status == 200
    assert result.headers.get("Content-Type") == "application/json"
    assert UUID4.fullmatch(result.headers.get("x-amzn-RequestId") or "")
    body = result.json()
    expected = wire_job(shared_jobs[job_id]) | SERVED_TIMESTAMPS[job_id]
    assert body == expected
    for name, served in SERVED_TIMESTAMPS[job_id].items():
        assert body[name] == served, name


def test_raw_http_by_encoded_arn(shared_server, shared_jobs):
    arn = shared_jobs[EU_ID]["jobArn"]
    assert f":{EU_ACCOUNT}:" in arn and ":eu-west-1:" in arn
    authorization = "AWS4-HMAC-SHA256 Credential=210987654321/20260301/eu-west-1/bedrock/aws4_request, " \
                    "SignedHeaders=host, Signature=x"
    result = http(shared_server.url, f"/model-invocation-job/{quote_segment(arn)}",
                  headers={"Authorization": authorization})
    assert result.status == 200
    assert result.json() == wire_job(shared_jobs[EU_ID]) | SERVED_TIMESTAMPS[EU_ID]
    # without the header the request is in us-east-1 / 123456789012, where the job does not exist
    unsigned = http(shared_server.url, f"/model-invocation-job/{quote_segment(arn)}")
    assert unsigned.status == 404
    assert unsigned.json() == {"message": not_found_message(arn)}


def test_raw_http_minimal_job_has_no_extra_or_null_members(shared_server, shared_jobs):
    result = http(shared_server.url, f"/model-invocation-job/{MINIMAL_ID}")
    assert result.status == 200
    assert result.json() == shared_jobs[MINIMAL_ID]


def test_concurrent_gets_all_succeed(shared_server, shared_jobs):
    ids = [FULL_ID, MINIMAL_ID, PRECISION_ID, EU_ID] * 10
    # two clients per scope (the EU job is seen only from eu-west-1 / 210987654321)
    clients = {job_id: [client_for(shared_server.url, shared_jobs[job_id]["jobArn"]) for _ in range(2)]
               for job_id in set(ids)}

    def get(i_and_id):
        i, job_id = i_and_id
        return job_id, clients[job_id][i % 2].get_model_invocation_job(jobIdentifier=job_id)

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(get, enumerate(ids)))
    assert len(results) == len(ids)
    request_ids = set()
    for job_id, response in results:
        assert response["jobArn"] == shared_jobs[job_id]["jobArn"]
        assert response["jobName"] == shared_jobs[job_id]["jobName"]
        request_ids.add(response["ResponseMetadata"]["RequestId"])
    assert len(request_ids) == len(ids)

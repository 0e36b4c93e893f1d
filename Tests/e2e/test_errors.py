"""Error responses: ResourceNotFound, ValidationException, unknown operations, wrong methods, health."""

from __future__ import annotations

import re
import socket

import pytest
from botocore.exceptions import ClientError

from conftest import (
    ACCOUNT, CN_ID, EU_ACCOUNT, EU_ID, FULL_ID, UNKNOWN_ID, UUID4,
    RequestLog, client_for, http, job_arn, make_client, not_found_message, quote_segment, validation_message,
)

OPERATION = "GetModelInvocationJob"


def assert_one_attempt(error: ClientError, request_log: RequestLog, status: int) -> None:
    metadata = error.response["ResponseMetadata"]
    assert metadata["HTTPStatusCode"] == status
    assert metadata["RetryAttempts"] == 0
    assert len(request_log) == 1, request_log.requests
    assert UUID4.fullmatch(metadata["RequestId"])
    assert metadata["RequestId"] == metadata["HTTPHeaders"]["x-amzn-requestid"]


# --------------------------------------------------------------------------- 404 ResourceNotFoundException


@pytest.mark.parametrize("identifier", [
    UNKNOWN_ID,
    "0a1b2c3d4e5f",
    job_arn(UNKNOWN_ID),
], ids=["id", "digits-id", "arn"])
def test_unknown_job_is_resource_not_found_after_one_request(client, request_log, identifier_pattern, identifier):
    assert re.fullmatch(identifier_pattern, identifier), "test data must be a well-formed identifier"
    with pytest.raises(client.exceptions.ResourceNotFoundException) as info:
        client.get_model_invocation_job(jobIdentifier=identifier)
    error = info.value
    assert_one_attempt(error, request_log, 404)
    message = not_found_message(identifier)
    assert error.response["Error"] == {"Code": "ResourceNotFoundException", "Message": message}
    assert error.response["message"] == message
    assert str(error) == (f"An error occurred (ResourceNotFoundException) when calling the {OPERATION} "
                          f"operation: {message}")


def test_resource_not_found_counted_with_request_created_hook(shared_server):
    """Second, independent count: the request-created event fires once per HTTP attempt."""
    client = make_client(shared_server.url)
    created = []
    client.meta.events.register("request-created.bedrock.GetModelInvocationJob",
                                lambda request, **kw: created.append(request.url))
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_model_invocation_job(jobIdentifier=UNKNOWN_ID)
    assert created == [f"{shared_server.url}/model-invocation-job/{UNKNOWN_ID}"]


def test_not_found_raw_response_shape(shared_server):
    result = http(shared_server.url, f"/model-invocation-job/{UNKNOWN_ID}")
    assert result.status == 404
    assert result.headers.get("Content-Type") == "application/json"
    assert result.headers.get("x-amzn-ErrorType", "").split(":", 1)[0] == "ResourceNotFoundException"
    assert UUID4.fullmatch(result.headers.get("x-amzn-RequestId") or "")
    assert result.json() == {"message": not_found_message(UNKNOWN_ID)}


@pytest.mark.parametrize("change", [
    {"region": "us-west-2"},
    {"account": "999999999999"},
    {"partition": "aws-us-gov"},
], ids=["other-region", "other-account", "other-partition"])
def test_arn_of_existing_job_with_other_region_account_or_partition_is_not_found(
        client, request_log, identifier_pattern, change):
    arn = job_arn(FULL_ID, **change)
    assert re.fullmatch(identifier_pattern, arn)
    client.get_model_invocation_job(jobIdentifier=job_arn(FULL_ID))  # the real ARN works
    request_log.clear()
    with pytest.raises(client.exceptions.ResourceNotFoundException) as info:
        client.get_model_invocation_job(jobIdentifier=arn)
    assert_one_attempt(info.value, request_log, 404)
    assert info.value.response["Error"]["Message"] == not_found_message(arn)


@pytest.mark.parametrize("arn", [
    job_arn(EU_ID, region="us-east-1", account=EU_ACCOUNT),
    job_arn(EU_ID, region="eu-west-1", account=ACCOUNT),
    job_arn(CN_ID, region="cn-north-1", partition="aws"),
], ids=["eu-job-in-us-east-1", "eu-job-in-default-account", "cn-job-in-aws-partition"])
def test_non_default_jobs_only_match_their_own_arn(shared_server, shared_jobs, arn):
    """Asked by a caller in the job's own account and region: the id and the job's ARN find it, an ARN
    differing in region, account or partition does not."""
    job_id = arn.rsplit("/", 1)[1]
    client = client_for(shared_server.url, shared_jobs[job_id]["jobArn"])
    assert client.get_model_invocation_job(jobIdentifier=job_id)["jobArn"] == shared_jobs[job_id]["jobArn"]
    assert client.get_model_invocation_job(jobIdentifier=shared_jobs[job_id]["jobArn"])["jobArn"] == \
        shared_jobs[job_id]["jobArn"]
    assert arn != shared_jobs[job_id]["jobArn"]
    with pytest.raises(client.exceptions.ResourceNotFoundException) as info:
        client.get_model_invocation_job(jobIdentifier=arn)
    assert info.value.response["Error"]["Message"] == not_found_message(arn)


# --------------------------------------------------------------------------- 400 ValidationException

BAD_IDENTIFIERS = {
    "uppercase": "ABCDEFGHIJKL",
    "job-name": "my-job-name",
    "13-chars": "abcdefghijklm",
    "11-chars": "abcdefghijk",
    "arn-11-digit-account": "arn:aws:bedrock:us-east-1:12345678901:model-invocation-job/abcdefghijkl",
    "arn-of-other-resource": "arn:aws:bedrock:us-east-1:123456789012:model-customization-job/abcdefghijkl",
    "slash-inside": "abcdef/ghijkl",
    "non-ascii": "café-job-naïve",
    "quote": "it's-a-job",
    "1011-chars": "a" * 1011,
    "1012-chars": "a" * 1012,
    "empty": "",
}


@pytest.mark.parametrize("identifier", list(BAD_IDENTIFIERS.values()), ids=list(BAD_IDENTIFIERS))
def test_bad_identifier_is_validation_exception_with_aws_message(client, request_log, identifier_pattern,
                                                                 identifier):
    assert not re.fullmatch(identifier_pattern, identifier), "test data must violate the pattern"
    with pytest.raises(client.exceptions.ValidationException) as info:
        client.get_model_invocation_job(jobIdentifier=identifier)
    error = info.value
    assert_one_attempt(error, request_log, 400)
    message = validation_message(identifier, identifier_pattern)
    assert error.response["Error"] == {"Code": "ValidationException", "Message": message}
    assert error.response["message"] == message
    (method, url), = request_log.requests
    assert url == f"{client.meta.endpoint_url}/model-invocation-job/{quote_segment(identifier)}"


def test_validation_message_pattern_is_botocores(identifier_pattern):
    """The expected messages above are built from botocore's model, not from a copy in this suite."""
    assert identifier_pattern == (
        "((arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:model-invocation-job/)?[a-z0-9]{12})")


def test_validation_raw_response_shape(shared_server, identifier_pattern):
    result = http(shared_server.url, "/model-invocation-job/ABCDEFGHIJKL")
    assert result.status == 400
    assert result.headers.get("Content-Type") == "application/json"
    assert result.headers.get("x-amzn-ErrorType", "").split(":", 1)[0] == "ValidationException"
    assert UUID4.fullmatch(result.headers.get("x-amzn-RequestId") or "")
    assert result.json() == {"message": validation_message("ABCDEFGHIJKL", identifier_pattern)}


def test_validation_is_not_retried_under_standard_mode_either(shared_server):
    client = make_client(shared_server.url, retries={"mode": "standard"})
    log = RequestLog(client)
    with pytest.raises(client.exceptions.ValidationException) as info:
        client.get_model_invocation_job(jobIdentifier="my-job-name")
    assert_one_attempt(info.value, log, 400)


# --------------------------------------------------------------------------- routing (raw HTTP, no boto3)


@pytest.mark.parametrize("method,path", [
    ("GET", "/"),
    ("GET", "/nope"),
    ("POST", "/nope"),
    ("GET", "/model-invocation-job/abcdefghijkl/"),
    ("GET", "/model-invocation-job/abcdefghijkl/extra/segments"),
    ("GET", "//model-invocation-job/abcdefghijkl"),
    ("GET", "/MODEL-INVOCATION-JOB/abcdefghijkl"),
    ("DELETE", "/no/such/thing"),
])
def test_unknown_path_is_unknown_operation(shared_server, method, path):
    result = http(shared_server.url, path, method=method)
    assert result.status == 404
    assert result.headers.get("x-amzn-ErrorType") == "UnknownOperationException"
    assert result.headers.get("Content-Type") == "application/json"
    assert UUID4.fullmatch(result.headers.get("x-amzn-RequestId") or "")
    assert result.json() == {"message": f"No operation matches {method} {path}"}


@pytest.mark.parametrize("method,path", [
    ("DELETE", f"/model-invocation-job/{FULL_ID}"),
    ("PUT", f"/model-invocation-job/{FULL_ID}"),
    ("PATCH", f"/model-invocation-job/{UNKNOWN_ID}"),
    ("POST", f"/model-invocation-job/{FULL_ID}"),
    ("POST", "/_mock/health"),
])
def test_known_path_with_wrong_method_is_method_not_allowed(shared_server, method, path):
    body = b"{}" if method in ("POST", "PUT", "PATCH") else None
    result = http(shared_server.url, path, method=method, body=body,
                  headers={"Content-Type": "application/json"} if body else None)
    assert result.status == 405
    assert result.headers.get("x-amzn-ErrorType") == "MethodNotAllowedException"
    assert result.headers.get("Content-Type") == "application/json"
    assert UUID4.fullmatch(result.headers.get("x-amzn-RequestId") or "")
    allow = [m.strip() for m in (result.headers.get("Allow") or "").split(",")]
    assert "GET" in allow and method not in allow
    message = result.json()["message"]
    assert set(result.json()) == {"message"}
    assert method in message and path in message


RAW_REQUESTS = [
    b"GET /model-invocation-job/%ZZ HTTP/1.1\r\n",
    b"GET /model-invocation-job/% HTTP/1.1\r\n",
    b"GET /model-invocation-job/%E2%82 HTTP/1.1\r\n",
    b"GET /model-invocation-job/a%00b HTTP/1.1\r\n",
    b"GET /model-invocation-job/" + b"%2F" * 2000 + b" HTTP/1.1\r\n",
    b"GET /model-invocation-job/abcdefghijkl?x=%ZZ&y HTTP/1.1\r\n",
    b"OPTIONS * HTTP/1.1\r\n",
    b"BREW /model-invocation-job/abcdefghijkl HTTP/1.1\r\n",
    b"HEAD /_mock/health HTTP/1.1\r\n",
    b"GET /model-invocation-job/abcdefghijkl HTTP/1.0\r\n",
]


@pytest.mark.parametrize("request_line", RAW_REQUESTS, ids=range(len(RAW_REQUESTS)))
def test_odd_requests_never_get_a_5xx(shared_server, request_line):
    with socket.create_connection(("127.0.0.1", shared_server.port), timeout=10) as sock:
        sock.sendall(request_line + b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status_line = data.split(b"\r\n", 1)[0]
    match = re.fullmatch(rb"HTTP/1\.[01] ([0-9]{3}) .*", status_line)
    assert match, data[:200]
    status = int(match.group(1))
    assert 200 <= status < 500, status_line
    # the server is still healthy afterwards
    assert http(shared_server.url, "/_mock/health").status == 200


# --------------------------------------------------------------------------- admin


def test_health_reports_status_and_job_count(shared_server, shared_jobs):
    result = http(shared_server.url, "/_mock/health")
    assert result.status == 200
    assert result.headers.get("Content-Type") == "application/json"
    assert UUID4.fullmatch(result.headers.get("x-amzn-RequestId") or "")
    assert result.json() == {"status": "ok", "jobs": len(shared_jobs)}

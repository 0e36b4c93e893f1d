"""Hardening: garbage on the socket, limits, graceful shutdown under load, and what the server exposes
(--no-admin, --admin-token, --verify-sigv4), each against the real binary with real clients."""
from __future__ import annotations

import http.client as httplib
import json
import random
import signal
import socket
import subprocess
import threading
import time

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from conftest import (ACCESS_KEY, AWS_CLI, FULL_ID, REGION, child_env, http, make_client, make_job, write_fixtures)


JOB_ID = "h4r0d3n1n9aa"


@pytest.fixture(scope="module")
def fixtures_dir(tmp_path_factory):
    return write_fixtures(tmp_path_factory.mktemp("hardening"), {"jobs.json": {"jobs": [make_job(JOB_ID)]}})


@pytest.fixture(scope="module")
def garbage_server(fixtures_dir, tmp_path_factory):
    from conftest import start_server
    server = start_server(fixtures_dir, "--idle-timeout", "2", "--max-body-bytes", "4096", "--max-connections", "64",
                          "--threads", "2")
    yield server
    server.assert_clean_stop()


def raw_exchange(port: int, payload: bytes, *, read_timeout: float = 2.0, shutdown: bool = False) -> bytes:
    """Sends payload on a fresh connection and returns whatever comes back before the server closes or goes quiet."""
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as sock:
        try:
            sock.sendall(payload)
            if shutdown:
                sock.shutdown(socket.SHUT_WR)
        except OSError:  # the server may close before it has read it all
            pass
        received = b""
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
        except OSError:
            pass
        return received


def assert_healthy(port: int) -> None:
    result = http(f"http://127.0.0.1:{port}", "/_mock/health")
    assert result.status == 200 and result.json()["status"] == "ok"
    job = http(f"http://127.0.0.1:{port}", f"/model-invocation-job/{JOB_ID}")
    assert job.status == 200 and job.json()["jobArn"].endswith(JOB_ID)


GET = f"GET /model-invocation-job/{JOB_ID} HTTP/1.1\r\nHost: x\r\n\r\n".encode()

GARBAGE = {
    "random bytes": bytes(random.Random(7).randrange(256) for _ in range(4096)),
    "random printable": "".join(random.Random(8).choice("GET /\r\n:%\x00ab") for _ in range(2000)).encode(),
    "half a request line": b"GET /model-invoc",
    "half the headers": b"GET /_mock/health HTTP/1.1\r\nHost: x\r\nX-Half: ",
    "a body shorter than its length": b"POST /model-invocation-job HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"jobName\":",
    "a nonsense method": b"BREW /model-invocation-job/x HTTP/1.1\r\nHost: x\r\n\r\n",
    "a nonsense version": b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    "no host": b"GET /_mock/health HTTP/1.1\r\n\r\n",
    "a negative content length": b"POST /model-invocation-job HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    "a broken chunk": b"POST /model-invocation-job HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n",
    "bad percent-encoding": b"GET /model-invocation-job/%zz%4%%41 HTTP/1.1\r\nHost: x\r\n\r\n",
    "invalid UTF-8 in the path": b"GET /model-invocation-job/%ff%fe%c3%28abcdefgh HTTP/1.1\r\nHost: x\r\n\r\n",
    "raw invalid UTF-8 in the path": b"GET /model-invocation-job/\xff\xfe\xc3\x28abcdefgh HTTP/1.1\r\nHost: x\r\n\r\n",
    "a NUL in the path": b"GET /model-invocation-job/abc\x00def HTTP/1.1\r\nHost: x\r\n\r\n",
    "invalid UTF-8 in a header": b"GET /_mock/health HTTP/1.1\r\nHost: x\r\nX-Mock-Error: \xff\xfe\r\n\r\n",
    "a huge header": b"GET /_mock/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
    "a huge URI": b"GET /model-invocation-job/" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "many headers": b"GET /_mock/health HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(5000)) + b"\r\n",
    "a deep JSON body": (b"POST /_mock/faults HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n\r\n" + b"[" * 10000 + b"]" * 10000),
}


@pytest.mark.parametrize("name", GARBAGE)
def test_garbage_on_the_socket_never_breaks_the_server(garbage_server, name):
    answer = raw_exchange(garbage_server.port, GARBAGE[name], shutdown=True)
    if answer:
        assert answer.startswith(b"HTTP/1.1 "), answer[:200]
        status = int(answer[9:12])
        assert status < 500 or status == 505, answer[:300]
    assert_healthy(garbage_server.port)


@pytest.mark.parametrize("name, status", [("a huge URI", b"414"), ("a huge header", b"431")])
def test_oversized_request_heads_get_libmicrohttpds_4xx(garbage_server, name, status):
    answer = raw_exchange(garbage_server.port, GARBAGE[name])
    assert answer.startswith(b"HTTP/1.1 " + status), answer[:100]
    assert b"Connection: close" in answer


def test_answers_every_pipelined_request_in_order(garbage_server):
    answer = raw_exchange(garbage_server.port, GET + b"GET /_mock/health HTTP/1.1\r\nHost: x\r\n\r\n" + GET, read_timeout=1.0)
    # Responses follow each other directly: a body's end is the next status line's start.
    assert answer.count(b"HTTP/1.1 ") == 3 and answer.count(b"HTTP/1.1 200 OK\r\n") == 3
    assert answer.count(JOB_ID.encode()) >= 2 and b'"status":"ok"' in answer


def test_answers_http_1_0_and_closes(garbage_server):
    answer = raw_exchange(garbage_server.port, f"GET /model-invocation-job/{JOB_ID} HTTP/1.0\r\n\r\n".encode(), read_timeout=5.0)
    assert answer.startswith(b"HTTP/1.0 200") or answer.startswith(b"HTTP/1.1 200")
    assert answer.endswith(b"}")  # the whole body, then the server closed


def test_garbage_from_many_connections_at_once_leaves_it_answering(garbage_server):
    names = list(GARBAGE)
    threads = [threading.Thread(target=raw_exchange, args=(garbage_server.port, GARBAGE[names[i % len(names)]]),
                                kwargs={"shutdown": True}) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert_healthy(garbage_server.port)


# --------------------------------------------------------------------------- limits


def test_a_body_past_the_limit_is_413_in_the_aws_form(garbage_server):
    client = make_client(garbage_server.url, retries={"mode": "standard", "max_attempts": 1})
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        client.create_model_invocation_job(
            jobName="too-big", roleArn="arn:aws:iam::123456789012:role/R", modelId="anthropic.claude-3-haiku-20240307-v1:0",
            inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://in-bucket/" + "x" * 900}},
            outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/"}},
            tags=[{"key": f"k{i}", "value": "v" * 200} for i in range(30)])
    error = raised.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert error["Error"]["Code"] == "RequestEntityTooLargeException"
    assert "4096" in error["Error"]["Message"]
    assert_healthy(garbage_server.port)


def test_a_body_past_the_limit_sent_chunked_is_413_too(garbage_server):
    body = b"x" * 10_000
    payload = (b"POST /model-invocation-job HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
    answer = raw_exchange(garbage_server.port, payload, read_timeout=1.0)
    assert answer.startswith(b"HTTP/1.1 413")
    assert b"x-amzn-ErrorType: RequestEntityTooLargeException" in answer


def test_json_nested_too_deep_is_a_serialization_exception(garbage_server):
    nested = "[" * 100 + "]" * 100
    body = '{"resourceARN": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/x", "tags": ' + nested + "}"
    result = http(garbage_server.url, "/tagResource", "POST", body.encode(), {"Content-Type": "application/json"})
    assert result.status == 400
    assert result.headers["x-amzn-ErrorType"] == "SerializationException"
    assert "nesting deeper than 64" in result.json()["message"]


def test_an_idle_connection_is_closed_after_the_idle_timeout(garbage_server):
    with socket.create_connection(("127.0.0.1", garbage_server.port), timeout=10) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /_mock/hea")  # a slowloris: half a request, then silence
        assert sock.recv(1024) == b""
        waited = time.monotonic() - started
    assert 1.5 <= waited <= 6, waited


def test_connections_past_the_limit_wait_until_one_closes(fixtures_dir, server_factory):
    server = server_factory(fixtures_dir, "--max-connections", "4", "--threads", "2")
    held = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(4)]
    for sock in held:  # each is served: all four are open
        sock.sendall(b"GET /_mock/health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
    with socket.create_connection(("127.0.0.1", server.port), timeout=0.5) as extra:
        extra.sendall(b"GET /_mock/health HTTP/1.1\r\nHost: x\r\n\r\n")
        with pytest.raises(socket.timeout):
            extra.recv(4096)  # past the limit: held unread until a connection closes
        for sock in held:
            sock.close()
        extra.settimeout(5)
        assert extra.recv(4096).startswith(b"HTTP/1.1 200")  # accepted once the others closed


# --------------------------------------------------------------------------- graceful stop


def test_sigterm_under_load_answers_requests_in_flight_and_exits_0_within_2_s(fixtures_dir, server_factory):
    server = server_factory(fixtures_dir)
    stop_load = threading.Event()
    results: dict[str, list] = {"statuses": [], "errors": []}

    def load() -> None:
        connection = httplib.HTTPConnection("127.0.0.1", server.port, timeout=5)
        while not stop_load.is_set():
            try:
                connection.request("GET", f"/model-invocation-job/{JOB_ID}")
                response = connection.getresponse()
                response.read()
                results["statuses"].append(response.status)
            except (OSError, httplib.HTTPException) as error:
                results["errors"].append(type(error).__name__)
                return

    delayed: dict[str, object] = {}

    def slow_request() -> None:
        connection = httplib.HTTPConnection("127.0.0.1", server.port, timeout=5)
        connection.request("GET", f"/model-invocation-job/{JOB_ID}?mockDelayMs=600")
        response = connection.getresponse()
        delayed["status"] = response.status
        delayed["body"] = response.read()

    workers = [threading.Thread(target=load) for _ in range(8)]
    for worker in workers:
        worker.start()
    time.sleep(0.3)
    slow = threading.Thread(target=slow_request)
    slow.start()
    time.sleep(0.1)  # the delayed request is in flight
    started = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    code = server.proc.wait(timeout=5)
    elapsed = time.monotonic() - started
    stop_load.set()
    slow.join(5)
    for worker in workers:
        worker.join(5)
    server.returncode = code
    server.stdout_after_ready = server.proc.stdout.read().decode()
    assert code == 0, server.stderr_text()
    assert elapsed < 2.0, elapsed
    print(f"SIGTERM to exit: {elapsed:.3f} s")
    assert delayed.get("status") == 200 and JOB_ID.encode() in delayed["body"]
    assert results["statuses"] and set(results["statuses"]) == {200}


# --------------------------------------------------------------------------- exposure


def test_no_admin_hides_the_admin_api_but_not_health_or_aws(fixtures_dir, server_factory):
    server = server_factory(fixtures_dir, "--no-admin")
    for method, path in [("GET", "/_mock/clock"), ("POST", "/_mock/clock"), ("POST", "/_mock/reset"), ("GET", "/_mock/faults"),
                         ("DELETE", "/_mock/faults/fault-1"), ("GET", "/_mock/requests")]:
        result = http(server.url, path, method, b"{}" if method == "POST" else None)
        assert (result.status, result.headers["x-amzn-ErrorType"]) == (404, "UnknownOperationException"), path
    assert http(server.url, "/_mock/health").status == 200
    assert make_client(server.url).get_model_invocation_job(jobIdentifier=JOB_ID)["status"]


def test_admin_token_guards_the_admin_api_only(fixtures_dir, server_factory):
    server = server_factory(fixtures_dir, "--admin-token", "s3cret-token")
    missing = http(server.url, "/_mock/clock")
    wrong = http(server.url, "/_mock/clock", headers={"x-mock-admin-token": "s3cret-tokeN"})
    right = http(server.url, "/_mock/clock", headers={"X-Mock-Admin-Token": "s3cret-token"})
    assert (missing.status, missing.headers["x-amzn-ErrorType"]) == (403, "AccessDeniedException")
    assert (wrong.status, wrong.headers["x-amzn-ErrorType"]) == (403, "AccessDeniedException")
    assert "x-mock-admin-token" in missing.json()["message"]
    assert right.status == 200 and "now" in right.json()
    assert http(server.url, "/_mock/health").status == 200
    assert make_client(server.url).get_model_invocation_job(jobIdentifier=JOB_ID)["status"]


def test_admin_token_from_the_environment(fixtures_dir, server_factory):
    server = server_factory(fixtures_dir, env={"MOCK_BEDROCK_ADMIN_TOKEN": "from-env"})
    assert http(server.url, "/_mock/faults").status == 403
    assert http(server.url, "/_mock/faults", headers={"x-mock-admin-token": "from-env"}).status == 200


# --------------------------------------------------------------------------- SigV4


KEY, SECRET = "AKIAMOCKBEDROCK00001", "mock/secret+key/0123456789abcdefghijklmn"
DENIED_KEY, DENIED_SECRET = "AKIAMOCKBEDROCK00002", "denied-secret-0123456789abcdefghijklmnop"


@pytest.fixture(scope="module")
def signed_server(fixtures_dir):
    from conftest import start_server
    server = start_server(fixtures_dir, "--verify-sigv4", "--credentials", f"{KEY}:{SECRET}",
                          "--credentials", f"{DENIED_KEY}:{DENIED_SECRET}", "--deny-access-key", DENIED_KEY)
    yield server
    server.assert_clean_stop()


def signed_client(url: str, key: str = KEY, secret: str = SECRET, **extra):
    return boto3.client("bedrock", endpoint_url=url, region_name=REGION, aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"mode": "standard", "max_attempts": 3}), **extra)


def test_sigv4_accepts_every_operation_signed_with_a_configured_key(signed_server):
    client = signed_client(signed_server.url)
    job = client.get_model_invocation_job(jobIdentifier=JOB_ID)
    assert client.get_model_invocation_job(jobIdentifier=job["jobArn"])["jobArn"] == job["jobArn"]  # an ARN in the path
    created = client.create_model_invocation_job(
        jobName="signed-job", roleArn="arn:aws:iam::123456789012:role/R", modelId="anthropic.claude-3-haiku-20240307-v1:0",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://in-bucket/x"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/"}}, tags=[{"key": "a b", "value": "x y/+=@:"}])
    pages = list(client.get_paginator("list_model_invocation_jobs").paginate(sortOrder="Ascending", PaginationConfig={"PageSize": 1}))
    assert len(pages) >= 2  # nextToken (base64: + / =) signed and checked
    assert client.list_model_invocation_jobs(nameContains="Signed-Job+1")["invocationJobSummaries"] == []
    assert client.list_model_invocation_jobs(maxResults=1, submitTimeAfter="2020-01-01T00:00:00Z")["invocationJobSummaries"]
    client.tag_resource(resourceARN=created["jobArn"], tags=[{"key": "k", "value": "v"}])
    assert client.list_tags_for_resource(resourceARN=created["jobArn"])["tags"]
    client.stop_model_invocation_job(jobIdentifier=created["jobArn"])


def test_sigv4_accepts_session_tokens_and_the_aws_cli(signed_server):
    client = signed_client(signed_server.url, aws_session_token="FwoGZXIvYXdzEXAMPLETOKEN//////////")
    assert client.get_model_invocation_job(jobIdentifier=JOB_ID)
    env = child_env({"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_DEFAULT_REGION": REGION})
    env.pop("AWS_SESSION_TOKEN", None)
    done = subprocess.run([str(AWS_CLI), "bedrock", "get-model-invocation-job", "--endpoint-url", signed_server.url,
                           "--job-identifier", JOB_ID], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["jobArn"].endswith(JOB_ID)


def test_sigv4_rejects_a_wrong_secret_like_aws_without_retrying(signed_server):
    client = signed_client(signed_server.url, secret=SECRET + "x")
    attempts = []
    client.meta.events.register("before-send.bedrock.*", lambda request, **_: attempts.append(request))
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        client.get_model_invocation_job(jobIdentifier=JOB_ID)
    error = raised.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Error"]["Code"] == "InvalidSignatureException"
    assert error["Error"]["Message"].startswith("The request signature we calculated does not match")
    assert len(attempts) == 1


def test_sigv4_rejects_an_unknown_key_and_an_unsigned_request(signed_server):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        signed_client(signed_server.url, key="AKIAUNKNOWN000000000").get_model_invocation_job(jobIdentifier=JOB_ID)
    assert raised.value.response["Error"]["Code"] == "UnrecognizedClientException"
    assert raised.value.response["Error"]["Message"] == "The security token included in the request is invalid."
    unsigned = http(signed_server.url, f"/model-invocation-job/{JOB_ID}")
    assert (unsigned.status, unsigned.headers["x-amzn-ErrorType"]) == (403, "MissingAuthenticationTokenException")
    assert http(signed_server.url, "/_mock/clock").status == 200  # the admin API is not an AWS operation


def test_sigv4_denies_a_denied_key_with_the_modeled_access_denied(signed_server):
    client = signed_client(signed_server.url, key=DENIED_KEY, secret=DENIED_SECRET)
    with pytest.raises(client.exceptions.AccessDeniedException) as raised:
        client.get_model_invocation_job(jobIdentifier=JOB_ID)
    assert "bedrock:GetModelInvocationJob" in raised.value.response["Error"]["Message"]


def test_sigv4_rejects_a_request_signed_too_long_ago(signed_server):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    import datetime
    import unittest.mock
    request = AWSRequest(method="GET", url=f"{signed_server.url}/model-invocation-job/{JOB_ID}")
    old = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=20)
    with unittest.mock.patch("botocore.auth.get_current_datetime", return_value=old.replace(tzinfo=None)):
        SigV4Auth(Credentials(KEY, SECRET), "bedrock", REGION).add_auth(request)
    result = http(signed_server.url, f"/model-invocation-job/{JOB_ID}", headers=dict(request.headers.items()))
    assert (result.status, result.headers["x-amzn-ErrorType"]) == (403, "InvalidSignatureException")
    assert result.json()["message"].startswith("Signature expired: ")

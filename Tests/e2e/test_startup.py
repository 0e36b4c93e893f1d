"""Process behaviour: ready line, fixture errors, environment variables, flags, signals, bundled fixtures."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time

import pytest

from conftest import (
    BUNDLED_FIXTURES, READY_LINE, arn_scope, client_for, fixture_jobs, http, make_client, make_job, quote_segment,
    run_server_to_exit, scope_headers, start_server, write_fixtures,
)


def stderr_lines(result) -> list[str]:
    return result.stderr.splitlines()


def s3uri_pattern() -> str:
    return make_client("http://127.0.0.1:9").meta.service_model.shape_for("S3Uri").metadata["pattern"]


def assert_refused(result, problems: list[str]) -> None:
    """Exit 1, nothing on stdout, each problem line on stderr, and the summary as the last line."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = stderr_lines(result)
    for problem in problems:
        assert f"mock-bedrock: {problem}" in lines, f"missing {problem!r} in:\n{result.stderr}"
    noun = "problem" if len(problems) == 1 else "problems"
    assert lines[-1] == f"mock-bedrock: {len(problems)} {noun} in the fixtures; not starting."
    assert sum(1 for line in lines if line.startswith("mock-bedrock: /")) == len(problems), result.stderr


# --------------------------------------------------------------------------- ready line and signals


def test_ready_line_is_the_only_stdout_and_logs_go_to_stderr(tmp_path, server_factory):
    directory = write_fixtures(tmp_path, {"a.json": make_job("aaaaaaaaaaaa")})
    server = server_factory(directory, "--log-level", "info")
    assert READY_LINE.fullmatch(server.ready_line)
    assert server.ready_line == f"mock-bedrock listening on http://127.0.0.1:{server.port}\n"
    assert http(server.url, "/_mock/health").json() == {"status": "ok", "jobs": 1}
    assert http(server.url, "/model-invocation-job/aaaaaaaaaaaa").status == 200
    assert http(server.url, "/nope").status == 404
    server.assert_clean_stop()  # exit 0 and stdout had nothing after the ready line
    log = server.stderr_text()
    assert "/_mock/health" in log and "/model-invocation-job/aaaaaaaaaaaa" in log and "/nope" in log


def test_warning_log_level_has_no_access_lines(tmp_path, server_factory):
    directory = write_fixtures(tmp_path, {"a.json": make_job("aaaaaaaaaaaa")})
    server = server_factory(directory, "--log-level", "warning")
    assert http(server.url, "/model-invocation-job/aaaaaaaaaaaa").status == 200
    server.assert_clean_stop()
    assert "/model-invocation-job/aaaaaaaaaaaa" not in server.stderr_text()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_with_exit_0(tmp_path, server_factory, sig):
    directory = write_fixtures(tmp_path, {"a.json": make_job("aaaaaaaaaaaa")})
    server = server_factory(directory)
    assert http(server.url, "/_mock/health").status == 200
    server.assert_clean_stop(sig)
    with pytest.raises(OSError):  # the port is really closed
        socket.create_connection(("127.0.0.1", server.port), timeout=2).close()


def test_signal_while_a_client_holds_a_connection(tmp_path, server_factory):
    directory = write_fixtures(tmp_path, {"a.json": make_job("aaaaaaaaaaaa")})
    server = server_factory(directory)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as idle:
        idle.sendall(b"GET /_mock/health HTTP/1.1\r\nHost: x\r\n")  # an unfinished request
        server.assert_clean_stop(signal.SIGTERM)


@pytest.mark.parametrize("sink", ["--events-url=http://127.0.0.1:9/hook", "--eventbridge-endpoint=http://127.0.0.1:9"])
def test_a_signal_right_after_the_ready_line_exits_0_with_event_sinks(tmp_path, sink):
    # Issue 23 (3): the sinks' delivery threads started before the stop signals were blocked, so a
    # SIGTERM just after the ready line could land on one of them and end the process by the signal.
    directory = write_fixtures(tmp_path, {"a.json": make_job("aaaaaaaaaaaa")})
    codes = []
    for _ in range(40):
        server = start_server(directory, sink)
        server.proc.send_signal(signal.SIGTERM)
        codes.append(server.stop())
    assert codes == [0] * 40, codes


def test_a_second_signal_while_stopping_is_taken_and_the_answer_in_flight_still_goes_out(tmp_path):
    directory = write_fixtures(tmp_path, {"a.json": make_job("aaaaaaaaaaaa")})
    server = start_server(directory, "--events-url=http://127.0.0.1:9/hook", env={"MOCK_BEDROCK_TEST_HOOKS": "1"})
    answers: list[bytes] = []

    def slow_request() -> None:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(b"GET /_mock/health HTTP/1.1\r\nHost: x\r\nx-mock-debug-block-ms: 600\r\n\r\n")
            answers.append(sock.recv(4096))

    thread = threading.Thread(target=slow_request)
    thread.start()
    time.sleep(0.2)  # the request is in the server, held by the hook (release builds answer at once)
    server.proc.send_signal(signal.SIGTERM)
    time.sleep(0.1)
    server.proc.send_signal(signal.SIGTERM)
    server.proc.send_signal(signal.SIGINT)
    code = server.stop()
    thread.join(10)
    assert code == 0, server.stderr_text()
    assert answers and answers[0].startswith(b"HTTP/1.1 200"), answers


def test_threads_flag(tmp_path, server_factory):
    directory = write_fixtures(tmp_path, {"a.json": make_job("aaaaaaaaaaaa")})
    server = server_factory(directory, "--threads", "1")
    client = make_client(server.url)
    for _ in range(3):
        assert client.get_model_invocation_job(jobIdentifier="aaaaaaaaaaaa")["jobName"]


@pytest.mark.parametrize("args", [
    ["--port", "abc"],
    ["--port", "70000"],
    ["--threads", "0"],
    ["--log-level", "loud"],
    ["--no-such-flag"],
], ids=["port-abc", "port-70000", "threads-0", "log-level", "unknown-flag"])
def test_invalid_flag_values_exit_64(tmp_path, args):
    directory = write_fixtures(tmp_path, {"a.json": make_job("aaaaaaaaaaaa")})
    result = run_server_to_exit(directory, *args, port=None)
    assert result.returncode == 64, (result.returncode, result.stderr)
    assert result.stdout == ""
    assert result.stderr.strip()


def test_invalid_env_value_exits_64(tmp_path):
    directory = write_fixtures(tmp_path, {"a.json": make_job("aaaaaaaaaaaa")})
    result = run_server_to_exit(directory, env={"MOCK_BEDROCK_PORT": "not-a-port"}, port=None)
    assert result.returncode == 64, (result.returncode, result.stderr)
    assert result.stdout == ""


# --------------------------------------------------------------------------- broken fixtures


def test_bad_s3_uri_in_second_job_names_file_path_and_rule(tmp_path):
    jobs = [make_job("aaaaaaaaaaaa"), make_job("bbbbbbbbbbbb"), make_job("cccccccccccc")]
    jobs[1]["inputDataConfig"]["s3InputDataConfig"]["s3Uri"] = "S3://Bad"
    directory = write_fixtures(tmp_path, {"jobs.json": {"jobs": jobs}})
    result = run_server_to_exit(directory)
    file = directory / "jobs.json"
    assert_refused(result, [
        f"{file}: jobs[1].inputDataConfig.s3InputDataConfig.s3Uri: Value 'S3://Bad' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {s3uri_pattern()}",
    ])


def test_missing_members_and_unknown_member_each_reported(tmp_path):
    no_role = make_job("aaaaaaaaaaaa", omit=("roleArn",))
    no_name = make_job("bbbbbbbbbbbb", omit=("jobName",))
    extra = make_job("cccccccccccc", bogusMember=1)
    directory = write_fixtures(tmp_path, {"jobs.json": {"jobs": [no_role, no_name, extra]}})
    result = run_server_to_exit(directory)
    file = directory / "jobs.json"
    assert result.returncode == 1 and result.stdout == ""
    lines = stderr_lines(result)
    assert f"mock-bedrock: {file}: jobs[0].roleArn: required member is missing" in lines, result.stderr
    assert f"mock-bedrock: {file}: jobs[1].jobName: required member is missing" in lines, result.stderr
    assert any(line.startswith(f"mock-bedrock: {file}: jobs[2].bogusMember: ") for line in lines), result.stderr
    assert lines[-1] == "mock-bedrock: 3 problems in the fixtures; not starting."


def test_response_metadata_in_a_fixture_is_ignored(tmp_path, server_factory):
    job = make_job("aaaaaaaaaaaa", ResponseMetadata={"RequestId": "x", "HTTPStatusCode": 200, "RetryAttempts": 0})
    directory = write_fixtures(tmp_path, {"a.json": job})
    server = server_factory(directory)
    body = http(server.url, "/model-invocation-job/aaaaaaaaaaaa").json()
    assert "ResponseMetadata" not in body
    assert body == {k: v for k, v in job.items() if k != "ResponseMetadata"}


def test_duplicate_id_across_files_names_both_places(tmp_path):
    jobs = [make_job(i * 12) for i in "abcd"]
    duplicate = make_job("dddddddddddd", jobName="another-job")
    directory = write_fixtures(tmp_path, {"a.json": {"jobs": jobs}, "b.json": duplicate})
    result = run_server_to_exit(directory)
    a, b = directory / "a.json", directory / "b.json"
    assert_refused(result, [f"{b}: jobArn: job id 'dddddddddddd' is already defined at {a}: jobs[3]"])


def test_duplicate_id_from_single_job_file_into_jobs_file(tmp_path):
    single = make_job("eeeeeeeeeeee")
    jobs = [make_job("ffffffffffff"), make_job("gggggggggggg"), make_job("eeeeeeeeeeee", region="eu-west-1")]
    directory = write_fixtures(tmp_path, {"a.json": single, "b.json": {"jobs": jobs}})
    result = run_server_to_exit(directory)
    a, b = directory / "a.json", directory / "b.json"
    assert_refused(result, [f"{b}: jobs[2].jobArn: job id 'eeeeeeeeeeee' is already defined at {a}"])


def test_invalid_json_names_line_and_column(tmp_path):
    good = json.dumps(make_job("aaaaaaaaaaaa"))
    broken = '{\n  "jobs": [\n    {"jobArn": }\n  ]\n}\n'
    directory = write_fixtures(tmp_path, {"a.json": good, "broken.json": broken})
    result = run_server_to_exit(directory)
    file = directory / "broken.json"
    assert result.returncode == 1
    assert result.stdout == ""
    lines = stderr_lines(result)
    prefix = f"mock-bedrock: {file}: invalid JSON at line 3, column 16: "
    assert any(line.startswith(prefix) for line in lines), result.stderr
    assert lines[-1] == "mock-bedrock: 1 problem in the fixtures; not starting."


def test_problems_in_several_files_are_all_reported(tmp_path):
    bad_uri = make_job("aaaaaaaaaaaa")
    bad_uri["outputDataConfig"]["s3OutputDataConfig"]["s3Uri"] = "https://bucket/out/"
    directory = write_fixtures(tmp_path, {
        "1.json": bad_uri,
        "2.json": {"jobs": [make_job("bbbbbbbbbbbb", omit=("roleArn",))]},
        "3.json": "[not json",
    })
    result = run_server_to_exit(directory)
    assert result.returncode == 1 and result.stdout == ""
    lines = stderr_lines(result)
    assert any(line.startswith(f"mock-bedrock: {directory / '1.json'}: outputDataConfig.s3OutputDataConfig.s3Uri: "
                               "Value 'https://bucket/out/' failed to satisfy constraint") for line in lines)
    assert f"mock-bedrock: {directory / '2.json'}: jobs[0].roleArn: required member is missing" in lines
    assert any(line.startswith(f"mock-bedrock: {directory / '3.json'}: invalid JSON at line 1, column ")
               for line in lines)
    assert lines[-1] == "mock-bedrock: 3 problems in the fixtures; not starting."


def test_missing_fixture_directory_refuses_to_start(tmp_path):
    result = run_server_to_exit(tmp_path / "does-not-exist")
    assert result.returncode == 1
    assert result.stdout == ""
    assert str(tmp_path / "does-not-exist") in result.stderr


# --------------------------------------------------------------------------- environment variables


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_fixtures_from_env(tmp_path, server_factory):
    directory = write_fixtures(tmp_path, {"a.json": {"jobs": [make_job("aaaaaaaaaaaa"), make_job("bbbbbbbbbbbb")]}})
    server = server_factory(None, env={"MOCK_BEDROCK_FIXTURES": str(directory)})
    assert http(server.url, "/_mock/health").json() == {"status": "ok", "jobs": 2}
    assert http(server.url, "/model-invocation-job/bbbbbbbbbbbb").status == 200


def test_port_from_env(tmp_path, server_factory):
    directory = write_fixtures(tmp_path, {"a.json": make_job("aaaaaaaaaaaa")})
    port = free_port()
    server = server_factory(directory, env={"MOCK_BEDROCK_PORT": str(port)}, port=None)
    assert server.port == port
    assert server.ready_line == f"mock-bedrock listening on http://127.0.0.1:{port}\n"
    assert http(server.url, "/_mock/health").status == 200


def test_fixtures_flag_wins_over_env(tmp_path, server_factory):
    from_env = write_fixtures(tmp_path, {"a.json": make_job("aaaaaaaaaaaa")}, subdir="env")
    from_flag = write_fixtures(tmp_path, {"b.json": {"jobs": [make_job("bbbbbbbbbbbb"), make_job("cccccccccccc")]}},
                               subdir="flag")
    server = server_factory(from_flag, env={"MOCK_BEDROCK_FIXTURES": str(from_env)})
    assert http(server.url, "/_mock/health").json() == {"status": "ok", "jobs": 2}
    assert http(server.url, "/model-invocation-job/bbbbbbbbbbbb").status == 200
    assert http(server.url, "/model-invocation-job/aaaaaaaaaaaa").status == 404


def test_port_flag_wins_over_env(tmp_path, server_factory):
    directory = write_fixtures(tmp_path, {"a.json": make_job("aaaaaaaaaaaa")})
    with socket.socket() as occupied:  # the env port is taken: starting there would fail
        occupied.bind(("127.0.0.1", 0))
        occupied.listen()
        taken = occupied.getsockname()[1]
        server = server_factory(directory, env={"MOCK_BEDROCK_PORT": str(taken)})  # --port 0 on the command line
        assert server.port != taken
        assert http(server.url, "/_mock/health").status == 200


def test_log_level_from_env(tmp_path, server_factory):
    directory = write_fixtures(tmp_path, {"a.json": make_job("aaaaaaaaaaaa")})
    server = server_factory(directory, env={"MOCK_BEDROCK_LOG_LEVEL": "warning"})
    assert http(server.url, "/model-invocation-job/aaaaaaaaaaaa").status == 200
    server.assert_clean_stop()
    assert "/model-invocation-job/aaaaaaaaaaaa" not in server.stderr_text()


# --------------------------------------------------------------------------- the bundled fixtures


def test_bundled_fixtures_load_and_every_job_is_served_as_written(server_factory):
    """Static jobs (with a status) are served exactly as written; jobs on the clock get every member
    they were written with, plus the status and times the clock gives them."""
    jobs = fixture_jobs(BUNDLED_FIXTURES)
    assert jobs, f"no jobs in {BUNDLED_FIXTURES}"
    server = server_factory(BUNDLED_FIXTURES, "--clock-start", "2026-06-01T00:00:00Z", "--clock-rate", "0")
    assert http(server.url, "/_mock/health").json() == {"status": "ok", "jobs": len(jobs)}
    static = [job for job in jobs if "status" in job]
    on_clock = [job for job in jobs if "status" not in job]
    assert len(static) >= 13 and len(on_clock) >= 6
    assert any(arn_scope(job["jobArn"]) != ("us-east-1", "123456789012") for job in static)
    clients = {}  # one client per account and region
    for job in static:
        arn = job["jobArn"]
        # each job is seen by a caller in its own account and region (raw HTTP: the SigV4 credential scope)
        result = http(server.url, f"/model-invocation-job/{quote_segment(arn)}", headers=scope_headers(arn))
        assert result.status == 200, arn
        assert result.json() == {k: v for k, v in job.items() if k != "ResponseMetadata"}, arn
        if arn_scope(arn) not in clients:
            clients[arn_scope(arn)] = client_for(server.url, arn)
        client = clients[arn_scope(arn)]
        response = client.get_model_invocation_job(jobIdentifier=arn.rsplit("/", 1)[1])
        assert response["jobArn"] == arn
        assert set(response) - {"ResponseMetadata"} == set(job) - {"ResponseMetadata"}
    for job in on_clock:
        served = http(server.url, f"/model-invocation-job/{quote_segment(job['jobArn'])}",
                      headers=scope_headers(job["jobArn"])).json()
        # the record counts, totalRecordCount too, appear from InProgress on
        written = {k: v for k, v in job.items() if k not in ("lifecycle", "outcome", "totalRecordCount")}
        assert {k: served[k] for k in written if k != "submitTime"} == {k: v for k, v in written.items() if k != "submitTime"}
        assert served["submitTime"] == "2026-06-01T00:00:00.000Z"  # submitted when the clock starts
        assert served["status"] == "Submitted"
        assert served["lastModifiedTime"] == served["submitTime"]

"""The data plane end to end: a job reads its input from S3 at the end of Validating and writes each
record's output and the manifest when it finishes; real boto3 calls, a real server, and a real store
(a directory with --s3-dir, or moto_server with --s3-endpoint)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from conftest import ROLE_ARN, add_fault, admin, advance, http, journal, make_client, write_fixtures
from s3stores import DirStore, MotoStore

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
IN, OUT = "batch-in", "batch-out"


def claude_record(i: int, *, record_id: str | None = None) -> dict:
    record = {"modelInput": {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 200,
                             "messages": [{"role": "user", "content": f"Summarise ticket {i}: the printer is on fire."}]}}
    if record_id is not False:
        record["recordId"] = record_id or f"rec-{i:05d}"
    return record


def jsonl(records) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


@pytest.fixture(params=["dir", "moto"])
def store(request, tmp_path):
    made = DirStore(tmp_path / "s3") if request.param == "dir" else MotoStore(tmp_path / "moto.log")
    made.make_bucket(IN)
    made.make_bucket(OUT)
    yield made
    made.stop()


@pytest.fixture
def dir_store(tmp_path):
    made = DirStore(tmp_path / "s3")
    made.make_bucket(IN)
    made.make_bucket(OUT)
    return made


def start(server_factory, tmp_path, store, *args, fixtures=None):
    directory = write_fixtures(tmp_path, fixtures or {})
    return server_factory(directory, "--clock-rate", "0", *store.server_args(), *args)


def create(client, uri: str, *, name="data-job", model=MODEL, out=f"s3://{OUT}/results/", **extra) -> str:
    return client.create_model_invocation_job(
        jobName=name, roleArn=ROLE_ARN, modelId=model,
        inputDataConfig={"s3InputDataConfig": {"s3Uri": uri}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": out}}, **extra)["jobArn"]


def finished(server, client, arn: str, duration: str = "3h") -> dict:
    advance(server, duration)
    return client.get_model_invocation_job(jobIdentifier=arn)


def read_jsonl(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode().splitlines() if line.strip()]


COUNTS = ("totalRecordCount", "processedRecordCount", "successRecordCount", "errorRecordCount")


def test_a_boto3_pipeline_uploads_runs_reads_and_joins_every_output(store, server_factory, tmp_path):
    # given 150 records in two files under a prefix, one of them nested
    records = [claude_record(i) for i in range(150)]
    store.put(IN, "jobs/2026-12/part-1.jsonl", jsonl(records[:100]))
    store.put(IN, "jobs/2026-12/more/part-2.jsonl", jsonl(records[100:]))
    store.put(IN, "jobs/2026-12/images/cat.png", b"\x89PNG not a record")
    server = start(server_factory, tmp_path, store)
    client = make_client(server.url)
    # when the job runs to its end on the clock
    arn = create(client, f"s3://{IN}/jobs/2026-12/")
    job_id = arn.rsplit("/", 1)[1]
    assert client.get_model_invocation_job(jobIdentifier=arn)["status"] == "Submitted"
    job = finished(server, client, arn)
    # then it completed with the records it found, and every output is there at once
    assert job["status"] == "Completed", job.get("message")
    assert [job[k] for k in COUNTS] == [150, 150, 150, 0]
    keys = store.keys(OUT, f"results/{job_id}/")
    assert keys == sorted([f"results/{job_id}/part-1.jsonl.out", f"results/{job_id}/more/part-2.jsonl.out",
                           f"results/{job_id}/manifest.json.out"])
    outputs = read_jsonl(store.get(OUT, f"results/{job_id}/part-1.jsonl.out")) + \
        read_jsonl(store.get(OUT, f"results/{job_id}/more/part-2.jsonl.out"))
    by_id = {r["recordId"]: r for r in records}
    assert sorted(o["recordId"] for o in outputs) == sorted(by_id)
    for output in outputs:
        assert output["modelInput"] == by_id[output["recordId"]]["modelInput"]
        assert "modelOutput" in output and "error" not in output
    manifest = json.loads(store.get(OUT, f"results/{job_id}/manifest.json.out"))
    assert [manifest[k] for k in COUNTS] == [job[k] for k in COUNTS]
    assert manifest["inputTokenCount"] > 0 and manifest["outputTokenCount"] > 0
    # and List reports the same counts
    summary = client.list_model_invocation_jobs()["invocationJobSummaries"][0]
    assert [summary[k] for k in COUNTS] == [job[k] for k in COUNTS]


def test_record_counts_are_zero_while_validating_and_rise_over_the_records_found(dir_store, server_factory, tmp_path):
    dir_store.put(IN, "in.jsonl", jsonl(claude_record(i) for i in range(120)))
    server = start(server_factory, tmp_path, dir_store)
    client = make_client(server.url)
    arn = create(client, f"s3://{IN}/in.jsonl")
    advance(server, "6m")
    validating = client.get_model_invocation_job(jobIdentifier=arn)
    assert validating["status"] == "Validating"
    assert validating.get("totalRecordCount", 0) == 0 and validating.get("processedRecordCount", 0) == 0
    advance(server, "9m")  # past Validating: the input was read
    advance(server, "90m")  # an hour into InProgress (2 h long)
    running = client.get_model_invocation_job(jobIdentifier=arn)
    assert running["status"] == "InProgress"
    assert running["totalRecordCount"] == 120 and 0 < running["processedRecordCount"] < 120
    assert dir_store.keys(OUT) == []  # nothing written before the end


def test_a_record_without_record_id_gets_an_11_character_id(dir_store, server_factory, tmp_path):
    dir_store.put(IN, "in.jsonl", jsonl([claude_record(i, record_id=False) for i in range(100)]))
    server = start(server_factory, tmp_path, dir_store)
    client = make_client(server.url)
    arn = create(client, f"s3://{IN}/in.jsonl", out=f"s3://{OUT}")
    assert finished(server, client, arn)["status"] == "Completed"
    outputs = read_jsonl(dir_store.get(OUT, f"{arn.rsplit('/', 1)[1]}/in.jsonl.out"))
    ids = [o["recordId"] for o in outputs]
    assert len(set(ids)) == 100 and all(len(i) == 11 and i.isalnum() and i.isupper() or i.isdigit() for i in ids)


def failing_inputs():
    good = jsonl(claude_record(i) for i in range(150))
    lines = good.splitlines(keepends=True)
    big = b'{"recordId": "big", "modelInput": {"x": "' + b"a" * 10_000_000 + b'"}}'
    return {
        "missing object": ({}, f"s3://{IN}/nothing-here.jsonl", "No .jsonl file was found"),
        "missing bucket": ({}, "s3://no-such-bucket-here/x.jsonl", "does not exist"),
        "prefix without jsonl": ({"data/a.csv": b"a,b\n"}, f"s3://{IN}/data/", "No .jsonl file was found"),
        "not jsonl": ({"data/in.json": good}, f"s3://{IN}/data/in.json", "does not have the .jsonl extension"),
        "malformed line": ({"in.jsonl": b"".join(lines[:6] + [b"{not json\n"] + lines[6:])}, f"s3://{IN}/in.jsonl",
                           f"s3://{IN}/in.jsonl line 7 is not valid JSON"),
        "not an object": ({"in.jsonl": b"".join(lines[:2] + [b"[1, 2]\n"] + lines[2:])}, f"s3://{IN}/in.jsonl",
                          "line 3 is an array, not a JSON object"),
        "no modelInput": ({"in.jsonl": b"".join(lines[:4] + [b'{"recordId": "x"}\n'] + lines[4:])}, f"s3://{IN}/in.jsonl",
                          "line 5 has no modelInput"),
        "invalid utf-8": ({"in.jsonl": b"".join(lines[:9] + [b'{"recordId": "\xff\xfe", "modelInput": {}}\n'] + lines[9:])},
                          f"s3://{IN}/in.jsonl", "line 10 is not valid JSON"),
        "10 MB line": ({"in.jsonl": b"".join(lines[:3] + [big + b"\n"] + lines[3:])},
                       f"s3://{IN}/in.jsonl", f"line 4 is {len(big)} bytes, more than the 8388608"),
        "empty file": ({"in.jsonl": b""}, f"s3://{IN}/in.jsonl", "has 0 records, fewer than the minimum of 100"),
        "too few records": ({"in.jsonl": b"".join(lines[:99])}, f"s3://{IN}/in.jsonl", "has 99 records, fewer than the minimum of 100"),
        "dot-dot key": ({}, f"s3://{IN}/../{OUT}/x.jsonl", "must not hold '.' or '..' segments"),
    }


@pytest.mark.parametrize("case", list(failing_inputs()))
def test_input_that_aws_refuses_fails_the_job_with_a_message_naming_file_and_line(case, dir_store, server_factory, tmp_path):
    objects, uri, expected = failing_inputs()[case]
    for key, data in objects.items():
        dir_store.put(IN, key, data)
    server = start(server_factory, tmp_path, dir_store)
    client = make_client(server.url)
    arn = create(client, uri)
    job = finished(server, client, arn)
    assert job["status"] == "Failed"
    assert expected in job["message"], job["message"]
    assert len(job["message"]) <= 2048
    assert [job.get(k) for k in COUNTS] == [0, 0, 0, 0]
    assert dir_store.keys(OUT) == []
    assert http(server.url, "/_mock/health").status == 200


def test_quotas_are_flags(dir_store, server_factory, tmp_path):
    dir_store.put(IN, "in/a.jsonl", jsonl(claude_record(i) for i in range(30)))
    dir_store.put(IN, "in/b.jsonl", jsonl(claude_record(i) for i in range(30, 60)))
    server = start(server_factory, tmp_path, dir_store, "--min-records", "10", "--max-records-per-file", "25")
    client = make_client(server.url)
    job = finished(server, client, create(client, f"s3://{IN}/in/"))
    assert job["status"] == "Failed"
    # A quota stops the read where it is passed (issue 23, 5): the message says where.
    assert f"s3://{IN}/in/a.jsonl has more than 25 records, the quota of records per file (read up to line 26)" in job["message"]
    assert f"s3://{IN}/in/b.jsonl has more than 25 records" in job["message"]


def test_a_symlink_out_of_the_s3_dir_is_not_followed(dir_store, server_factory, tmp_path):
    secret = tmp_path / "secret.jsonl"
    secret.write_bytes(jsonl(claude_record(i) for i in range(150)))
    os.symlink(secret, dir_store.root / IN / "leak.jsonl")
    os.symlink(tmp_path, dir_store.root / OUT / "escape")
    server = start(server_factory, tmp_path, dir_store)
    client = make_client(server.url)
    job = finished(server, client, create(client, f"s3://{IN}/leak.jsonl"))
    assert job["status"] == "Failed" and "leads outside the --s3-dir directory" in job["message"]
    # and results are never written through a link that leads out
    dir_store.put(IN, "ok.jsonl", jsonl(claude_record(i) for i in range(100)))
    job = finished(server, client, create(client, f"s3://{IN}/ok.jsonl", name="second", out=f"s3://{OUT}/escape/"))
    assert job["status"] == "Failed" and "leads outside the --s3-dir directory" in job["message"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["fixtures", "s3", "secret.jsonl"])


def test_a_stopped_job_writes_the_records_processed_until_then(dir_store, server_factory, tmp_path):
    dir_store.put(IN, "in.jsonl", jsonl(claude_record(i) for i in range(200)))
    server = start(server_factory, tmp_path, dir_store)
    client = make_client(server.url)
    arn = create(client, f"s3://{IN}/in.jsonl")
    advance(server, "105m")  # an hour into InProgress
    client.stop_model_invocation_job(jobIdentifier=arn)
    job = finished(server, client, arn, "2m")
    assert job["status"] == "Stopped"
    processed = job["processedRecordCount"]
    assert 0 < processed < 200
    job_id = arn.rsplit("/", 1)[1]
    assert len(read_jsonl(dir_store.get(OUT, f"results/{job_id}/in.jsonl.out"))) == processed
    assert json.loads(dir_store.get(OUT, f"results/{job_id}/manifest.json.out"))["processedRecordCount"] == processed


def test_data_fault_rules_fail_reads_and_writes_and_make_record_errors(dir_store, server_factory, tmp_path):
    dir_store.put(IN, "in.jsonl", jsonl(claude_record(i) for i in range(200)))
    server = start(server_factory, tmp_path, dir_store)
    client = make_client(server.url)
    add_fault(server, {"data": "inputUnreadable", "times": 1, "message": "the role cannot read the bucket"})
    job = finished(server, client, create(client, f"s3://{IN}/in.jsonl", name="a"))
    assert job["status"] == "Failed" and "the role cannot read the bucket" in job["message"]
    add_fault(server, {"data": "outputWriteFails", "times": 1})
    job = finished(server, client, create(client, f"s3://{IN}/in.jsonl", name="b"))
    assert job["status"] == "Failed" and job["message"].startswith("Unable to write the output")
    add_fault(server, {"recordErrors": 0.25, "times": 1})
    arn = create(client, f"s3://{IN}/in.jsonl", name="c")
    job = finished(server, client, arn)
    assert job["status"] == "Completed" and job["errorRecordCount"] == 50 and job["successRecordCount"] == 150
    lines = read_jsonl(dir_store.get(OUT, f"results/{arn.rsplit('/', 1)[1]}/in.jsonl.out"))
    errors = [line for line in lines if "error" in line]
    assert len(errors) == 50 and all(isinstance(e["error"]["errorCode"], int) for e in errors)
    steps = [(e["operation"], e["status"]) for e in journal(server) if e["operation"] in ("ReadInput", "WriteOutput")]
    assert ("ReadInput", 403) in steps and ("WriteOutput", 403) in steps and ("WriteOutput", 200) in steps


def test_responses_file_answers_records_by_id_and_by_prompt_text(dir_store, server_factory, tmp_path):
    dir_store.put(IN, "in.jsonl", jsonl(claude_record(i) for i in range(100)))
    rules = [{"recordId": "rec-00003", "error": {"errorCode": 400, "errorMessage": "Input is too long for requested model."}},
             {"promptContains": "ticket 7:", "text": "The printer is fine."},
             {"recordId": "rec-00009", "modelOutput": {"custom": True}}]
    (tmp_path / "responses.json").write_text(json.dumps({"responses": rules}))
    server = start(server_factory, tmp_path, dir_store, "--responses", str(tmp_path / "responses.json"))
    client = make_client(server.url)
    arn = create(client, f"s3://{IN}/in.jsonl")
    job = finished(server, client, arn)
    assert (job["status"], job["errorRecordCount"], job["successRecordCount"]) == ("Completed", 1, 99)
    lines = {o["recordId"]: o for o in read_jsonl(dir_store.get(OUT, f"results/{arn.rsplit('/', 1)[1]}/in.jsonl.out"))}
    assert lines["rec-00003"]["error"] == {"errorCode": 400, "errorMessage": "Input is too long for requested model."}
    assert "The printer is fine." in json.dumps(lines["rec-00007"]["modelOutput"])
    assert lines["rec-00009"]["modelOutput"] == {"custom": True}


def test_a_fixture_job_on_the_clock_reads_its_input_too(dir_store, server_factory, tmp_path):
    dir_store.put(IN, "fx.jsonl", jsonl(claude_record(i) for i in range(100)))
    fixture = {"jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/fx0000000001", "jobName": "fx",
               "modelId": MODEL, "roleArn": ROLE_ARN, "submitTime": "2026-01-01T00:00:00Z",
               "inputDataConfig": {"s3InputDataConfig": {"s3Uri": f"s3://{IN}/fx.jsonl"}},
               "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": f"s3://{OUT}/fx/"}},
               "responses": [{"recordId": "rec-00001", "text": "fixture answer"}]}
    server = start(server_factory, tmp_path, dir_store, "--clock-start", "2026-01-02T00:00:00Z", fixtures={"fx.json": fixture})
    client = make_client(server.url)
    job = client.get_model_invocation_job(jobIdentifier="fx0000000001")
    assert job["status"] == "Completed" and job["totalRecordCount"] == 100
    lines = {o["recordId"]: o for o in read_jsonl(dir_store.get(OUT, "fx/fx0000000001/fx.jsonl.out"))}
    assert "fixture answer" in json.dumps(lines["rec-00001"]["modelOutput"])


def test_the_s3_clients_libraries_are_mapped_only_with_an_s3_endpoint(store, server_factory, tmp_path):
    # libcurl and libxml2 are dlopen'ed when the first S3 client is made, which --s3-endpoint does at start
    server = start(server_factory, tmp_path, store)
    maps = Path(f"/proc/{server.proc.pid}/maps").read_text()
    mapped = {name for name in ("/libcurl.so.", "/libxml2.so.") if name in maps}
    assert mapped == (set() if isinstance(store, DirStore) else {"/libcurl.so.", "/libxml2.so."})


def test_bad_flags_and_a_missing_directory_are_refused_at_start(tmp_path):
    from conftest import run_server_to_exit
    fixtures = write_fixtures(tmp_path, {})
    result = run_server_to_exit(fixtures, "--s3-dir", str(tmp_path / "nope"))
    assert result.returncode == 1 and "--s3-dir" in result.stderr and "does not exist" in result.stderr
    result = run_server_to_exit(fixtures, "--s3-dir", str(tmp_path), "--s3-endpoint", "http://127.0.0.1:1")
    assert result.returncode != 0 and "exclude each other" in result.stderr
    (tmp_path / "bad.json").write_text('[{"recordId": 3, "text": "x"}]')
    result = run_server_to_exit(fixtures, "--s3-dir", str(tmp_path), "--responses", str(tmp_path / "bad.json"))
    assert result.returncode == 1 and "bad.json" in result.stderr and "[0].recordId" in result.stderr


def test_the_documented_pytest_pipeline_runs(tmp_path):
    import subprocess
    import sys
    from conftest import BIN, REPO, child_env
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(REPO / "docs" / "examples" / "test_batch_pipeline.py")],
                            capture_output=True, text=True, env=child_env({"MOCK_BEDROCK_BIN": str(BIN)}), cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "1 passed" in result.stdout


def test_a_status_is_never_shown_before_its_data_is_there(dir_store, server_factory, tmp_path):
    # given requests that do not wait for data work at all, and an input that takes a moment to read
    dir_store.put(IN, "in.jsonl", jsonl(claude_record(i) for i in range(20_000)))
    server = start(server_factory, tmp_path, dir_store, "--data-wait", "0")
    client = make_client(server.url)
    arn = create(client, f"s3://{IN}/in.jsonl")
    job_id = arn.rsplit("/", 1)[1]
    advance(server, "3h")
    seen = []
    deadline = time.monotonic() + 60  # the work runs beside the polls (a debug build: a few seconds)
    while time.monotonic() < deadline:
        job = client.get_model_invocation_job(jobIdentifier=arn)
        seen.append(job["status"])
        if job["status"] == "Completed":
            # then the results are there the moment Completed is
            manifest = json.loads(dir_store.get(OUT, f"results/{job_id}/manifest.json.out"))
            assert manifest["processedRecordCount"] == job["processedRecordCount"] == 20_000
            break
    assert seen[-1] == "Completed"
    assert set(seen) <= {"Validating", "InProgress", "Completed"}


def run_records(dir_store, server_factory, tmp_path, model: str, inputs: list[dict], **extra) -> tuple[dict, list[dict]]:
    dir_store.put(IN, "in.jsonl", jsonl({"recordId": f"r{i:04d}", "modelInput": m} for i, m in enumerate(inputs)))
    server = start(server_factory, tmp_path, dir_store, "--min-records", "1")
    client = make_client(server.url)
    arn = create(client, f"s3://{IN}/in.jsonl", model=model, **extra)
    job = finished(server, client, arn)
    lines = read_jsonl(dir_store.get(OUT, f"results/{arn.rsplit('/', 1)[1]}/in.jsonl.out"))
    manifest = json.loads(dir_store.get(OUT, f"results/{arn.rsplit('/', 1)[1]}/manifest.json.out"))
    assert [manifest[k] for k in COUNTS] == [job[k] for k in COUNTS]
    return job, lines


def test_records_the_model_refuses_are_error_lines_and_the_job_still_completes(dir_store, server_factory, tmp_path):
    good = claude_record(0)["modelInput"]
    bad = {"anthropic_version": "bedrock-2023-05-31", "messages": [{"role": "user", "content": "no max_tokens"}]}
    job, lines = run_records(dir_store, server_factory, tmp_path, "us.anthropic.claude-3-5-haiku-20241022-v1:0", [good, bad, good, bad])
    assert (job["status"], job["successRecordCount"], job["errorRecordCount"]) == ("Completed", 2, 2)
    errors = [line["error"] for line in lines if "error" in line]
    assert len(errors) == 2 and all(e["errorCode"] == 400 and "max_tokens" in e["errorMessage"] for e in errors)
    outputs = [line["modelOutput"] for line in lines if "modelOutput" in line]
    assert all(o["type"] == "message" and o["content"][0]["type"] == "text" for o in outputs)
    # every record refused: still Completed
    job, _ = run_records(dir_store, server_factory, tmp_path / "all", MODEL, [bad] * 3)
    assert (job["status"], job["successRecordCount"], job["errorRecordCount"]) == ("Completed", 0, 3)


def test_embeddings_converse_and_tool_calls_have_their_shapes(dir_store, server_factory, tmp_path):
    _, lines = run_records(dir_store, server_factory, tmp_path, "amazon.titan-embed-text-v2:0",
                           [{"inputText": "hello", "dimensions": 256}, {"inputText": "world"}])
    assert [len(line["modelOutput"]["embedding"]) for line in lines] == [256, 1024]
    converse = {"messages": [{"role": "user", "content": [{"text": "Hi"}]}], "inferenceConfig": {"maxTokens": 50}}
    _, lines = run_records(dir_store, server_factory, tmp_path / "c", MODEL, [converse], modelInvocationType="Converse")
    output = lines[0]["modelOutput"]
    assert output["output"]["message"]["role"] == "assistant" and output["stopReason"] in ("end_turn", "max_tokens")
    assert output["usage"]["totalTokens"] == output["usage"]["inputTokens"] + output["usage"]["outputTokens"]
    schema = {"type": "object", "properties": {"sentiment": {"type": "string", "enum": ["positive", "negative"]},
                                               "score": {"type": "integer", "minimum": 1, "maximum": 5}},
              "required": ["sentiment", "score"]}
    tool = dict(claude_record(0)["modelInput"], tools=[{"name": "record_sentiment", "description": "d", "input_schema": schema}],
                tool_choice={"type": "tool", "name": "record_sentiment"})
    _, lines = run_records(dir_store, server_factory, tmp_path / "t", MODEL, [tool])
    output = lines[0]["modelOutput"]
    assert output["stop_reason"] == "tool_use"
    call = next(block for block in output["content"] if block["type"] == "tool_use")
    assert call["name"] == "record_sentiment"
    assert call["input"]["sentiment"] in ("positive", "negative") and 1 <= call["input"]["score"] <= 5


@pytest.fixture
def moto_store(tmp_path):
    made = MotoStore(tmp_path / "moto.log")
    made.make_bucket(IN)
    made.make_bucket(OUT)
    yield made
    made.stop()


def test_s3_going_down_mid_job_fails_the_job_with_a_message_and_the_server_stays_healthy(moto_store, server_factory, tmp_path):
    moto_store.put(IN, "in.jsonl", jsonl(claude_record(i) for i in range(150)))
    server = start(server_factory, tmp_path, moto_store)
    client = make_client(server.url)
    arn = create(client, f"s3://{IN}/in.jsonl")
    advance(server, "16m")
    running = client.get_model_invocation_job(jobIdentifier=arn)
    assert running["status"] == "Scheduled" and running["totalRecordCount"] == 150  # the input was read
    moto_store.stop()  # S3 goes away before the results are written
    started = time.monotonic()
    job = finished(server, client, arn)
    assert time.monotonic() - started < 8
    assert job["status"] == "Failed"
    # (the results are made from the input, read again: that read is what fails first)
    assert job["message"].startswith(f"Unable to read the input data at s3://{IN}/in.jsonl") and "ConnectionFailed" in job["message"], job["message"]
    assert http(server.url, "/_mock/health").status == 200
    # a job created now fails at Validating, naming the input
    job = finished(server, client, create(client, f"s3://{IN}/in.jsonl", name="after"))
    assert job["status"] == "Failed" and job["message"].startswith(f"Unable to read the input data at s3://{IN}/in.jsonl"), job["message"]


def test_an_input_changed_after_validating_fails_the_job_instead_of_counts_that_disagree(dir_store, server_factory, tmp_path):
    dir_store.put(IN, "in.jsonl", jsonl(claude_record(i) for i in range(100)))
    server = start(server_factory, tmp_path, dir_store)
    client = make_client(server.url)
    arn = create(client, f"s3://{IN}/in.jsonl")
    advance(server, "16m")
    assert client.get_model_invocation_job(jobIdentifier=arn)["totalRecordCount"] == 100
    dir_store.put(IN, "in.jsonl", jsonl(claude_record(i) for i in range(60)))
    job = finished(server, client, arn)
    assert job["status"] == "Failed" and "changed after the job was validated" in job["message"], job["message"]
    assert dir_store.keys(OUT) == []


def test_poll_phases_count_each_get_once_with_data(dir_store, server_factory, tmp_path):
    dir_store.put(IN, "in.jsonl", jsonl(claude_record(i) for i in range(100)))
    phases = [{"status": "Submitted", "polls": 1}, {"status": "Validating", "polls": 2}, {"status": "Scheduled", "polls": 1},
              {"status": "InProgress", "polls": 3}, {"status": "Completed"}]
    fixture = {"jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/polls0000001", "jobName": "polls",
               "modelId": MODEL, "roleArn": ROLE_ARN, "lifecycle": phases,
               "inputDataConfig": {"s3InputDataConfig": {"s3Uri": f"s3://{IN}/in.jsonl"}},
               "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": f"s3://{OUT}/p/"}}}
    server = start(server_factory, tmp_path, dir_store, fixtures={"p.json": fixture})
    client = make_client(server.url)
    seen = [client.get_model_invocation_job(jobIdentifier="polls0000001")["status"] for _ in range(9)]
    assert seen == ["Submitted", "Validating", "Validating", "Scheduled", "InProgress", "InProgress", "InProgress", "Completed", "Completed"]
    assert json.loads(dir_store.get(OUT, "p/polls0000001/manifest.json.out"))["processedRecordCount"] == 100


def test_an_s3_server_that_never_answers_holds_no_request_past_data_wait(server_factory, tmp_path):
    import socket
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # connections queue and are never accepted or answered
    try:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        directory = write_fixtures(tmp_path, {})
        server = server_factory(directory, "--clock-rate", "0", "--s3-endpoint", url, "--s3-credentials", "k:s", "--data-wait", "1")
        client = make_client(server.url)
        arn = create(client, f"s3://{IN}/in.jsonl")
        advance(server, "16m")
        started = time.monotonic()
        job = client.get_model_invocation_job(jobIdentifier=arn)
        assert time.monotonic() - started < 3
        assert job["status"] == "Validating"  # shown as it was until its input is read
        assert client.list_model_invocation_jobs()["invocationJobSummaries"][0]["status"] == "Validating"
        assert time.monotonic() - started < 6
        assert http(server.url, "/_mock/health").status == 200
    finally:
        silent.close()


def test_s3_endpoint_without_credentials_is_refused_at_start(tmp_path):
    from conftest import run_server_to_exit
    env = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}
    result = run_server_to_exit(write_fixtures(tmp_path, {}), "--s3-endpoint", "http://127.0.0.1:9", env=env)
    assert result.returncode == 1 and "--s3-credentials" in result.stderr
    result = run_server_to_exit(write_fixtures(tmp_path, {}), "--s3-endpoint", "ftp://x")
    assert result.returncode != 0 and "--s3-endpoint must be an http:// or https:// URL" in result.stderr


def test_a_job_that_times_out_in_progress_writes_the_records_processed_by_then(dir_store, server_factory, tmp_path):
    dir_store.put(IN, "in.jsonl", jsonl(claude_record(i) for i in range(200)))
    phases = [{"status": "Submitted", "for": "1h"}, {"status": "Validating", "for": "30m"}, {"status": "Scheduled", "for": "30m"},
              {"status": "InProgress", "for": "44h"}, {"status": "Completed"}]
    fixture = {"jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/slow00000001", "jobName": "slow",
               "modelId": MODEL, "roleArn": ROLE_ARN, "timeoutDurationInHours": 24, "lifecycle": phases,
               "inputDataConfig": {"s3InputDataConfig": {"s3Uri": f"s3://{IN}/in.jsonl"}},
               "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": f"s3://{OUT}/slow/"}}}
    server = start(server_factory, tmp_path, dir_store, fixtures={"slow.json": fixture})
    client = make_client(server.url)
    job = finished(server, client, "slow00000001", "25h")
    assert job["status"] == "PartiallyCompleted"
    assert job["processedRecordCount"] == 100 and job["totalRecordCount"] == 200  # 22 of 44 hours in progress
    lines = read_jsonl(dir_store.get(OUT, "slow/slow00000001/in.jsonl.out"))
    assert [line["recordId"] for line in lines] == [f"rec-{i:05d}" for i in range(100)]


def test_a_lifecycle_that_ends_stopped_writes_the_records_processed(dir_store, server_factory, tmp_path):
    dir_store.put(IN, "in.jsonl", jsonl(claude_record(i) for i in range(100)))
    server = start(server_factory, tmp_path, dir_store)
    client = make_client(server.url)
    arn = create(client, f"s3://{IN}/in.jsonl", tags=[{"key": "mock-bedrock:outcome", "value": "Stopped"}])
    job = finished(server, client, arn)
    assert job["status"] == "Stopped" and job["processedRecordCount"] == 40
    lines = read_jsonl(dir_store.get(OUT, f"results/{arn.rsplit('/', 1)[1]}/in.jsonl.out"))
    assert len(lines) == 40
    rules = admin(server, "/_mock/faults", {"recordErrors": 0.5, "jobId": "nothing*"})
    assert rules["recordErrors"] == 0.5

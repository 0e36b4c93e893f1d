"""The data-plane helpers: input files, a 150-record job to Completed, its outputs and manifest."""

from __future__ import annotations

import json

import pytest

from mock_bedrock import MockBedrock

from conftest import create_job, records


def test_s3_uris_map_into_the_s3_directory(mock):
    root = mock.jobs.s3_dir
    assert root is not None and root.is_dir()
    assert mock.jobs.path("s3://bucket-a/in/2026/x.jsonl") == root / "bucket-a" / "in" / "2026" / "x.jsonl"
    assert mock.jobs.path("s3://bucket-a/in/") == root / "bucket-a" / "in"
    assert mock.jobs.create_bucket("bucket-b") == root / "bucket-b" and (root / "bucket-b").is_dir()
    for bad in ("bucket-a/x.jsonl", "https://bucket-a/x", "s3:///x", "s3://bucket-a/../x.jsonl", "s3://../x"):
        with pytest.raises(ValueError):
            mock.jobs.path(bad)
    with pytest.raises(ValueError, match="names a file"):
        mock.jobs.write_input("s3://bucket-a/in/", records(1))


def test_write_input_writes_jsonl(mock):
    target = mock.jobs.write_input("s3://write-in/deep/folder/records.jsonl", records(3) + ['{"recordId": "raw", "modelInput": {}}'])
    lines = target.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["recordId"] for line in lines] == ["rec-000", "rec-001", "rec-002", "raw"]
    assert target == mock.jobs.path("s3://write-in/deep/folder/records.jsonl")


def test_a_150_record_job_to_completed_and_its_results(mock):
    inputs = records(150, "ticket")
    mock.jobs.write_input("s3://tickets-in/2026-12-01/tickets.jsonl", inputs)
    mock.jobs.create_bucket("tickets-out")
    client = mock.client()
    job_arn = create_job(client, "ticket-summaries", "s3://tickets-in/2026-12-01/tickets.jsonl", "s3://tickets-out/summaries/")
    job_id = job_arn.rsplit("/", 1)[1]

    with pytest.raises(FileNotFoundError, match="it is Submitted"):
        mock.jobs.outputs(job_arn)
    mock.clock.advance("3h")
    job = client.get_model_invocation_job(jobIdentifier=job_arn)
    assert job["status"] == "Completed" and job["totalRecordCount"] == 150

    assert mock.jobs.output_dir(job) == mock.jobs.s3_dir / "tickets-out" / "summaries" / job_id
    outputs = mock.jobs.outputs(job_arn)
    assert list(outputs) == ["tickets.jsonl.out"]
    results = outputs["tickets.jsonl.out"]
    assert [r["recordId"] for r in results] == [r["recordId"] for r in inputs]
    assert all(r["modelInput"] == i["modelInput"] for r, i in zip(results, inputs))
    assert all(r["modelOutput"]["content"][0]["type"] == "text" for r in results)
    manifest = mock.jobs.manifest(job_id)  # a bare id: the default account and region
    assert manifest["totalRecordCount"] == manifest["processedRecordCount"] == manifest["successRecordCount"] == 150
    assert manifest["errorRecordCount"] == 0
    assert manifest["inputTokenCount"] == sum(r["modelOutput"]["usage"]["input_tokens"] for r in results)
    assert mock.jobs.outputs(job) == outputs  # the Get's answer: no request at all
    gets = [r for r in mock.requests() if r["operation"] == "GetModelInvocationJob"]
    assert len(gets) == 4  # the test's one, and one each for outputs(arn), manifest(id) and the failed outputs(arn)


def test_record_errors_and_a_folder_of_inputs(mock):
    mock.jobs.write_input("s3://folder-in/batch/a.jsonl", records(80, "a"))
    mock.jobs.write_input("s3://folder-in/batch/nested/b.jsonl", records(80, "b"))
    (mock.jobs.path("s3://folder-in/batch/image.png")).write_bytes(b"\x89PNG")
    client = mock.client()
    job_arn = create_job(client, "with-errors", "s3://folder-in/batch/", "s3://folder-in/results")
    rule = mock.faults.add(record_errors=0.25, job_id=job_arn.rsplit("/", 1)[1])
    assert rule.record_errors == 0.25
    mock.clock.advance("3h")
    job = client.get_model_invocation_job(jobIdentifier=job_arn)
    assert job["status"] == "Completed" and job["totalRecordCount"] == 160
    outputs = mock.jobs.outputs(job_arn)
    assert sorted(outputs) == ["a.jsonl.out", "nested/b.jsonl.out"]
    errors = [r for lines in outputs.values() for r in lines if "error" in r]
    assert len(errors) == job["errorRecordCount"] == mock.jobs.manifest(job)["errorRecordCount"] == 40
    assert {r["error"]["errorCode"] for r in errors} == {500}
    assert rule.fired == 1


def test_a_job_of_another_account_and_region_is_found_by_its_arn(mock):
    mock.jobs.write_input("s3://elsewhere-in/x.jsonl", records(100))
    scope = mock.scope(account="210987654321", region="eu-west-1")
    job_arn = create_job(scope.client(), "elsewhere", "s3://elsewhere-in/x.jsonl", "s3://elsewhere-in/out/")
    assert ":eu-west-1:210987654321:" in job_arn
    mock.clock.advance("3h")
    assert mock.jobs.manifest(job_arn)["totalRecordCount"] == 100  # the ARN's account and region
    assert scope.jobs.manifest(job_arn.rsplit("/", 1)[1])["totalRecordCount"] == 100  # the scope's
    with pytest.raises(Exception, match="ResourceNotFoundException"):
        mock.jobs.manifest(job_arn.rsplit("/", 1)[1])  # a bare id in the default scope: not there


def test_a_job_stopped_through_the_api_writes_its_results(mock):
    mock.jobs.write_input("s3://stopped-in/x.jsonl", records(100))
    client = mock.client()
    job_arn = create_job(client, "stop-me", "s3://stopped-in/x.jsonl", "s3://stopped-in/out/")
    mock.clock.advance("50m")
    assert client.get_model_invocation_job(jobIdentifier=job_arn)["status"] == "InProgress"
    client.stop_model_invocation_job(jobIdentifier=job_arn)
    mock.clock.advance("5m")
    job = client.get_model_invocation_job(jobIdentifier=job_arn)
    assert job["status"] == "Stopped"
    assert len(mock.jobs.outputs(job)["x.jsonl.out"]) == job["processedRecordCount"]


def test_without_a_directory_the_helpers_say_where_the_data_is():
    on_s3 = MockBedrock(s3_endpoint="http://127.0.0.1:9000")
    assert on_s3.jobs.s3_dir is None and on_s3.jobs.s3_endpoint == "http://127.0.0.1:9000"
    with pytest.raises(RuntimeError, match=r"S3 endpoint http://127.0.0.1:9000.*S3 client"):
        on_s3.jobs.path("s3://bucket/x.jsonl")
    with pytest.raises(RuntimeError, match="S3 client"):
        on_s3.jobs.outputs({"jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl",
                            "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out/"}}})
    with pytest.raises(RuntimeError, match="s3_dir"):
        MockBedrock().jobs.write_input("s3://bucket/x.jsonl", [])
    assert MockBedrock(args=["--s3-dir=/tmp/given"]).jobs.s3_dir.as_posix() == "/tmp/given"

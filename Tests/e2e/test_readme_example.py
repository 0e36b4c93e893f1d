# test_batch_jobs.py: drive a Bedrock batch job to each terminal status with mock-bedrock's pytest plugin.
import pytest

OUTCOMES = ["Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"]
RECORDS = [
    {"recordId": f"ticket-{i:03d}",
     "modelInput": {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 200,
                    "messages": [{"role": "user", "content": f"Summarise ticket {i}."}]}}
    for i in range(100)
]


def wait_for_job(client, job_arn, sleep):
    """The code under test: poll GetModelInvocationJob until the job has ended."""
    while True:
        job = client.get_model_invocation_job(jobIdentifier=job_arn)
        if job["status"] in ("Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"):
            return job
        sleep(300)


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_wait_for_job_returns_each_terminal_status(bedrock, outcome):
    # `bedrock` is the plugin's mock, reset for this test: its clock frozen, an account of its own.
    bedrock.jobs.write_input("s3://tickets/in/records.jsonl", RECORDS)
    client = bedrock.client()
    job_arn = client.create_model_invocation_job(
        jobName=f"nightly-{outcome.lower()}",
        roleArn=f"arn:aws:iam::{bedrock.account}:role/BedrockBatchRole",
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://tickets/in/records.jsonl"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://tickets/out/"}},
        timeoutDurationInHours=24,
        tags=[{"key": "mock-bedrock:outcome", "value": outcome}],  # how the mock ends the job
    )["jobArn"]

    # Sleeping advances the frozen mock clock instead of the test's real time.
    job = wait_for_job(client, job_arn, sleep=bedrock.clock.advance)

    assert job["status"] == outcome
    assert job["endTime"] == job["lastModifiedTime"] >= job["submitTime"]
    if outcome in ("Failed", "Expired", "PartiallyCompleted"):
        assert job["message"]
    if outcome in ("Completed", "PartiallyCompleted"):  # the results, as the job wrote them
        results = bedrock.jobs.outputs(job)["records.jsonl.out"]
        assert len(results) == job["processedRecordCount"] == bedrock.jobs.manifest(job)["processedRecordCount"]

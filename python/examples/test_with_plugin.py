"""Ten lines with the plugin only: `pip install mock-bedrock pytest`, then `pytest` this file."""


def test_a_job_runs_to_completed(bedrock):
    client = bedrock.client()
    arn = client.create_model_invocation_job(
        jobName="nightly", roleArn="arn:aws:iam::123456789012:role/batch", modelId="anthropic.claude-3-haiku-20240307-v1:0",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://in-bucket/batch.jsonl"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/"}})["jobArn"]
    bedrock.clock.advance("3h")
    assert client.get_model_invocation_job(jobIdentifier=arn)["status"] in ("Completed", "Failed")

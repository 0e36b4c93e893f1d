"""Ten lines with the plugin only: `pip install mock-bedrock pytest`, then `pytest` this file."""


def test_a_job_reads_its_input_and_writes_its_results(bedrock):
    record = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50, "messages": [{"role": "user", "content": "Hi"}]}
    bedrock.jobs.write_input("s3://in-bucket/batch.jsonl", [{"recordId": f"r{i}", "modelInput": record} for i in range(100)])
    arn = bedrock.client().create_model_invocation_job(
        jobName="nightly", roleArn="arn:aws:iam::123456789012:role/batch", modelId="anthropic.claude-3-haiku-20240307-v1:0",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://in-bucket/batch.jsonl"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://in-bucket/out/"}})["jobArn"]
    bedrock.clock.advance("3h")
    assert bedrock.client().get_model_invocation_job(jobIdentifier=arn)["status"] == "Completed"
    assert len(bedrock.jobs.outputs(arn)["batch.jsonl.out"]) == 100

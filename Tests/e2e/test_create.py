"""CreateModelInvocationJob through boto3 and raw HTTP: every constraint of the request in AWS's words,
several at once, SerializationException, idempotency, names, the active-job quota, and the job it makes."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError

from conftest import (
    ACCOUNT, EU_ACCOUNT, JOB_ARN_RE, MODEL_ID, REGION, ROLE_ARN, UUID4, RequestLog, add_fault, advance,
    clock_now, create_params, expect_error, http, job_arn, journal, list_all, make_client, make_job,
    model_pattern, one_violation, parse_time, reset, run_aws, start_server, violation, violations, write_fixtures,
)

STATIC_ID = "crstatic0001"
CLOCK_ID = "crclock00001"
EU_ID = "creu00000001"
CLOCK_START = "2026-03-01T10:00:00Z"
START = datetime(2026, 3, 1, 10, tzinfo=timezone.utc)
OPERATION = "CreateModelInvocationJob"
BASELINE = 2  # the fixture jobs in us-east-1 / 123456789012


@pytest.fixture(scope="module")
def create_server(tmp_path_factory):
    jobs = [
        make_job(STATIC_ID, status="Completed", jobName="existing-static-job"),
        {"jobArn": job_arn(CLOCK_ID), "jobName": "existing-clock-job", "modelId": MODEL_ID, "roleArn": ROLE_ARN,
         "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/clock.jsonl"}},
         "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/clock/"}}},
        make_job(EU_ID, region="eu-west-1", account=EU_ACCOUNT, status="Completed", jobName="eu-only-name"),
    ]
    directory = write_fixtures(tmp_path_factory.mktemp("create"), {"jobs.json": {"jobs": jobs}})
    server = start_server(directory, "--clock-start", CLOCK_START, "--clock-rate", "0", "--log-level", "warning")
    yield server
    server.assert_clean_stop()


@pytest.fixture
def mock(create_server):
    reset(create_server)
    return create_server


@pytest.fixture
def client(mock):
    return make_client(mock.url)


def post_create(server, body: bytes | dict, headers: dict | None = None):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return http(server.url, "/model-invocation-job", "POST", data, {"Content-Type": "application/json", **(headers or {})})


def job_count(client) -> int:
    return len(list_all(client))


# --------------------------------------------------------------------------- one constraint at a time (boto3)

SUBNETS_17 = [f"subnet-{i:02d}" for i in range(1, 18)]
GROUPS_6 = [f"sg-{i}" for i in range(1, 7)]
VPC = {"subnetIds": ["subnet-0a1f2e3d4c5b6a798"], "securityGroupIds": ["sg-0123abcd4567ef890"]}
S3_IN = "inputDataConfig.s3InputDataConfig"
S3_OUT = "outputDataConfig.s3OutputDataConfig"


def s3_in(**members):
    return {"inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/input/records.jsonl", **members}}}


def s3_out(**members):
    return {"outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/output/", **members}}}


def length_max(n):
    return f"Member must have length less than or equal to {n}"


def pattern_of(shape):
    return f"Member must satisfy regular expression pattern: {model_pattern(shape)}"


LONG_ROLE = "arn:aws:iam::123456789012:role/" + "r" * (2049 - 31)
LONG_IN_URI = "s3://in-bucket/" + "a" * (1025 - 15)
LONG_OUT_URI = "s3://out-bucket/" + "b" * (1025 - 16)
LONG_KEY_ID = "alias/" + "k" * 2043

# id: (request members replacing the valid ones, the violation's path, value as AWS shows it, constraint)
CONSTRAINTS = {
    "jobName-length-64": ({"jobName": "a" * 64}, "jobName", "a" * 64, length_max(63)),
    "jobName-pattern": ({"jobName": "nightly_summaries"}, "jobName", "nightly_summaries",
                        pattern_of("ModelInvocationJobName")),
    "roleArn-pattern": ({"roleArn": "BedrockBatchRole"}, "roleArn", "BedrockBatchRole", pattern_of("RoleArn")),
    "roleArn-length-2049": ({"roleArn": LONG_ROLE}, "roleArn", LONG_ROLE, length_max(2048)),
    "modelId-pattern": ({"modelId": "anthropic.claude 3"}, "modelId", "anthropic.claude 3", pattern_of("ModelId")),
    "modelId-length-2049": ({"modelId": "m" * 2049}, "modelId", "m" * 2049, length_max(2048)),
    "clientRequestToken-pattern": ({"clientRequestToken": "token_1"}, "clientRequestToken", "token_1",
                                   pattern_of("ModelInvocationIdempotencyToken")),
    "clientRequestToken-length-257": ({"clientRequestToken": "t" * 257}, "clientRequestToken", "t" * 257,
                                      length_max(256)),
    "input-s3Uri-pattern": (s3_in(s3Uri="s3://In-Bucket/records.jsonl"), f"{S3_IN}.s3Uri",
                            "s3://In-Bucket/records.jsonl", pattern_of("S3Uri")),
    "input-s3Uri-length-1025": (s3_in(s3Uri=LONG_IN_URI), f"{S3_IN}.s3Uri", LONG_IN_URI, length_max(1024)),
    "output-s3Uri-pattern": (s3_out(s3Uri="https://out-bucket/output/"), f"{S3_OUT}.s3Uri",
                             "https://out-bucket/output/", pattern_of("S3Uri")),
    "output-s3Uri-length-1025": (s3_out(s3Uri=LONG_OUT_URI), f"{S3_OUT}.s3Uri", LONG_OUT_URI, length_max(1024)),
    "input-s3BucketOwner-pattern": (s3_in(s3BucketOwner="12345"), f"{S3_IN}.s3BucketOwner", "12345",
                                    pattern_of("AccountId")),
    "output-s3BucketOwner-pattern": (s3_out(s3BucketOwner="1234567890123"), f"{S3_OUT}.s3BucketOwner",
                                     "1234567890123", pattern_of("AccountId")),
    "s3EncryptionKeyId-pattern": (s3_out(s3EncryptionKeyId="my key"), f"{S3_OUT}.s3EncryptionKeyId", "my key",
                                  pattern_of("KmsKeyId")),
    "s3EncryptionKeyId-length-2049": (s3_out(s3EncryptionKeyId=LONG_KEY_ID), f"{S3_OUT}.s3EncryptionKeyId",
                                      LONG_KEY_ID, length_max(2048)),
    "s3InputFormat-enum": (s3_in(s3InputFormat="CSV"), f"{S3_IN}.s3InputFormat", "CSV",
                           "Member must satisfy enum value set: [JSONL]"),
    "subnetIds-count-17": ({"vpcConfig": {**VPC, "subnetIds": SUBNETS_17}}, "vpcConfig.subnetIds",
                           "[" + ", ".join(SUBNETS_17) + "]", length_max(16)),
    "subnetId-pattern": ({"vpcConfig": {**VPC, "subnetIds": ["subnet-1", "subnet_2"]}},
                         "vpcConfig.subnetIds.2.member", "subnet_2", pattern_of("SubnetId")),
    "subnetId-length-33": ({"vpcConfig": {**VPC, "subnetIds": ["subnet-" + "a" * 26]}},
                           "vpcConfig.subnetIds.1.member", "subnet-" + "a" * 26, length_max(32)),
    "securityGroupIds-count-6": ({"vpcConfig": {**VPC, "securityGroupIds": GROUPS_6}}, "vpcConfig.securityGroupIds",
                                 "[" + ", ".join(GROUPS_6) + "]", length_max(5)),
    "securityGroupId-pattern": ({"vpcConfig": {**VPC, "securityGroupIds": ["sg 1"]}},
                                "vpcConfig.securityGroupIds.1.member", "sg 1", pattern_of("SecurityGroupId")),
    "securityGroupId-length-33": ({"vpcConfig": {**VPC, "securityGroupIds": ["sg-1", "sg-2", "sg-" + "f" * 30]}},
                                  "vpcConfig.securityGroupIds.3.member", "sg-" + "f" * 30, length_max(32)),
    "timeoutDurationInHours-169": ({"timeoutDurationInHours": 169}, "timeoutDurationInHours", "169",
                                   "Member must have value less than or equal to 168"),
    "modelInvocationType-enum": ({"modelInvocationType": "Chat"}, "modelInvocationType", "Chat",
                                 "Member must satisfy enum value set: [InvokeModel, Converse]"),
    "tag-key-length-129": ({"tags": [{"key": "k" * 129, "value": "v"}]}, "tags.1.member.key", "k" * 129,
                           length_max(128)),
    "tag-key-pattern": ({"tags": [{"key": "team", "value": "ml"}, {"key": "cost*center", "value": "42"}]},
                        "tags.2.member.key", "cost*center", pattern_of("TagKey")),
    "tag-value-pattern": ({"tags": [{"key": "owner", "value": "ops#1"}]}, "tags.1.member.value", "ops#1",
                          pattern_of("TagValue")),
    "tag-value-length-257": ({"tags": [{"key": "note", "value": "v" * 257}]}, "tags.1.member.value", "v" * 257,
                             length_max(256)),
}


@pytest.mark.parametrize("case", list(CONSTRAINTS))
def test_each_constraint_is_a_validation_exception_in_aws_words(mock, client, case):
    members, path, value, rule = CONSTRAINTS[case]
    log = RequestLog(client, f"before-send.bedrock.{OPERATION}")
    error = expect_error(client.create_model_invocation_job, "ValidationException", 400,
                         one_violation(value, path, rule), **create_params(f"case-{len(case)}", **members))
    assert error.response["message"] == error.response["Error"]["Message"]
    assert str(error) == (f"An error occurred (ValidationException) when calling the {OPERATION} operation: "
                          + one_violation(value, path, rule))
    assert len(log) == 1
    assert job_count(client) == BASELINE  # only the fixture jobs of this account and region: nothing was created


def test_the_constraint_table_covers_every_member_of_the_request(client):
    """Every string/list/number member of CreateModelInvocationJobRequest with a max, pattern or enum has a case."""
    paths = {case[1].replace(".1.member", ".N").replace(".2.member", ".N").replace(".3.member", ".N")
             for case in CONSTRAINTS.values()}
    expected = set()

    def walk(shape, path):
        if shape.type_name == "structure":
            for name, member in shape.members.items():
                walk(member, f"{path}.{name}" if path else name)
        elif shape.type_name == "list":
            if "max" in shape.metadata:
                expected.add(path)
            walk(shape.member, f"{path}.N")
        elif shape.metadata.get("max") is not None or shape.metadata.get("pattern") or shape.enum:
            expected.add(path)

    walk(client.meta.service_model.operation_model(OPERATION).input_shape, "")
    paths.add("tags")  # test_tags_over_200_fail_the_models_list_length
    assert "vpcConfig.subnetIds.N" in expected and "tags.N.key" in expected
    assert expected - paths == set()


def test_tags_over_200_fail_the_models_list_length(mock, client):
    tags = [{"key": f"k{i}", "value": "v"} for i in range(201)]
    error = expect_error(client.create_model_invocation_job, "ValidationException", 400,
                         **create_params("many-tags", tags=tags))
    message = error.response["Error"]["Message"]
    assert re.fullmatch(r"1 validation error detected: Value '\[.*\]' at 'tags' failed to satisfy constraint: "
                        r"Member must have length less than or equal to 200", message), message


def test_tags_over_50_and_at_most_200_are_refused_by_the_mocks_limit(mock, client):
    for count in (51, 200):
        tags = [{"key": f"k{i}", "value": "v"} for i in range(count)]
        expect_error(client.create_model_invocation_job, "ValidationException", 400,
                     f"A job can have at most 50 tags; the request has {count}.",
                     **create_params("many-tags", tags=tags))
    tags = [{"key": f"k{i}", "value": "v"} for i in range(50)]
    arn = client.create_model_invocation_job(**create_params("fifty-tags", tags=tags))["jobArn"]
    assert client.list_tags_for_resource(resourceARN=arn)["tags"] == tags


def test_a_tag_key_given_twice_is_a_validation_exception(mock, client):
    tags = [{"key": "team", "value": "ml"}, {"key": "env", "value": "a"}, {"key": "env", "value": "b"}]
    expect_error(client.create_model_invocation_job, "ValidationException", 400,
                 "The tag key 'env' is given more than once.", **create_params("dup-tags", tags=tags))
    assert job_count(client) == BASELINE


def test_values_at_every_maximum_are_accepted(mock, client):
    params = create_params(
        "a" * 63,
        roleArn="arn:aws:iam::123456789012:role/" + "r" * (2048 - 31),
        modelId="m" * 2048,
        clientRequestToken="t" * 256,
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://in-bucket/" + "a" * (1024 - 15), "s3InputFormat": "JSONL",
                                               "s3BucketOwner": "345678901234"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/" + "b" * (1024 - 16),
                                                 "s3EncryptionKeyId": "alias/" + "k" * 2042,
                                                 "s3BucketOwner": ACCOUNT}},
        vpcConfig={"subnetIds": [f"subnet-{i:025d}" for i in range(16)], "securityGroupIds": ["sg-" + "f" * 29] * 5},
        timeoutDurationInHours=168,
        modelInvocationType="InvokeModel",
        tags=[{"key": "k" * 128, "value": "v" * 256}, {"key": "a b._:/=+@-", "value": ""}],
    )
    arn = client.create_model_invocation_job(**params)["jobArn"]
    job = client.get_model_invocation_job(jobIdentifier=arn)
    for name, value in params.items():
        if name != "tags":
            assert job[name] == value, name


# --------------------------------------------------------------------------- several at once, order, raw-only rules


def test_several_violations_are_one_exception_in_request_order(mock, client):
    params = {
        "jobName": "bad_name",
        "roleArn": ROLE_ARN,
        "modelId": "anthropic.claude 3",
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/x.jsonl", "s3InputFormat": "CSV"}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/"}},
        "vpcConfig": {"subnetIds": ["subnet-1", "subnet_2"], "securityGroupIds": ["sg-1"]},
        "timeoutDurationInHours": 999,
        "tags": [{"key": "ok", "value": "fine"}, {"key": "bad!", "value": "x"}],
        "modelInvocationType": "Chat",
    }
    expected = [
        violation("bad_name", "jobName", pattern_of("ModelInvocationJobName")),
        violation("anthropic.claude 3", "modelId", pattern_of("ModelId")),
        violation("CSV", f"{S3_IN}.s3InputFormat", "Member must satisfy enum value set: [JSONL]"),
        violation("subnet_2", "vpcConfig.subnetIds.2.member", pattern_of("SubnetId")),
        violation("999", "timeoutDurationInHours", "Member must have value less than or equal to 168"),
        violation("bad!", "tags.2.member.key", pattern_of("TagKey")),
        violation("Chat", "modelInvocationType", "Member must satisfy enum value set: [InvokeModel, Converse]"),
    ]
    expect_error(client.create_model_invocation_job, "ValidationException", 400, violations(*expected), **params)
    # the same members written in the opposite order (raw HTTP): the message follows the body
    result = post_create(mock, dict(reversed(list(params.items()))))
    assert result.status == 400
    assert result.headers.get("x-amzn-ErrorType", "").split(":")[0] == "ValidationException"
    assert result.json() == {"message": violations(*reversed(expected))}
    assert job_count(client) == BASELINE


def test_one_member_breaking_two_rules_gives_two_errors(mock, client):
    name = "a" * 60 + "_" + "b" * 5
    expect_error(client.create_model_invocation_job, "ValidationException", 400, violations(
        violation(name, "jobName", length_max(63)),
        violation(name, "jobName", pattern_of("ModelInvocationJobName"))), **create_params(name))


RAW_ONLY = {  # rules botocore checks itself (required, min, union), so only raw HTTP reaches the server with them
    "missing-jobName": ({"jobName": None}, [violation(None, "jobName", "Member must not be null")]),
    "missing-all": ("{}", [violation(None, name, "Member must not be null") for name in
                           ("jobName", "roleArn", "modelId", "inputDataConfig", "outputDataConfig")]),
    "missing-nested-s3Uri": ({"inputDataConfig": {"s3InputDataConfig": {"s3InputFormat": "JSONL"}}},
                             [violation(None, f"{S3_IN}.s3Uri", "Member must not be null")]),
    "missing-tag-value": ({"tags": [{"key": "team"}]},
                          [violation(None, "tags.1.member.value", "Member must not be null")]),
    "empty-jobName": ({"jobName": ""}, [violation("", "jobName", "Member must have length greater than or equal to 1"),
                                        violation("", "jobName", pattern_of("ModelInvocationJobName"))]),
    "timeout-23": ({"timeoutDurationInHours": 23},
                   [violation("23", "timeoutDurationInHours", "Member must have value greater than or equal to 24")]),
    "empty-subnets": ({"vpcConfig": {"subnetIds": [], "securityGroupIds": ["sg-1"]}},
                      [violation("[]", "vpcConfig.subnetIds", "Member must have length greater than or equal to 1")]),
    "empty-input-union": ({"inputDataConfig": {}}, [violation(
        "{}", "inputDataConfig", "Member must have exactly one of [s3InputDataConfig] set")]),
    "empty-output-union": ({"outputDataConfig": {}}, [violation(
        "{}", "outputDataConfig", "Member must have exactly one of [s3OutputDataConfig] set")]),
}


@pytest.mark.parametrize("case", list(RAW_ONLY))
def test_rules_botocore_checks_itself_are_answered_to_raw_http(mock, client, case):
    members, expected = RAW_ONLY[case]
    if isinstance(members, str):
        body = members.encode()
    else:
        params = create_params("raw-case", **members)
        body = json.dumps({k: v for k, v in params.items() if v is not None}).encode()
    result = post_create(mock, body)
    assert result.status == 400, result.body
    assert result.headers.get("x-amzn-ErrorType", "").split(":")[0] == "ValidationException"
    assert UUID4.fullmatch(result.headers.get("x-amzn-RequestId") or "")
    assert result.json() == {"message": violations(*expected)}
    assert job_count(client) == BASELINE


def test_a_union_with_a_second_member_is_a_validation_exception(mock, client):
    """The data-config unions must have exactly one member set: a second (unknown) member breaks that."""
    params = create_params("two-members")
    params["inputDataConfig"]["s3InputDataConfigV2"] = {"s3Uri": "s3://in-bucket/other.jsonl"}
    result = post_create(mock, params)
    assert result.status == 400, result.body
    assert result.headers.get("x-amzn-ErrorType", "").split(":")[0] == "ValidationException"
    message = result.json()["message"]
    assert message.startswith("1 validation error detected: Value '{")
    assert message.endswith("}' at 'inputDataConfig' failed to satisfy constraint: "
                            "Member must have exactly one of [s3InputDataConfig] set")
    assert job_count(client) == BASELINE


SERIALIZATION = {
    "malformed": b'{"jobName": "x", ',
    "not-json": b"jobName=x",
    "trailing-garbage": json.dumps(create_params("trailing")).encode() + b" {}",
    "array": b"[]",
    "null": b"null",
    "string": b'"job"',
    "jobName-number": json.dumps(create_params("x") | {"jobName": 42}).encode(),
    "timeout-string": json.dumps(create_params("x") | {"timeoutDurationInHours": "24"}).encode(),
    "timeout-fraction": json.dumps(create_params("x") | {"timeoutDurationInHours": 24.5}).encode(),
    "inputDataConfig-string": json.dumps(create_params("x") | {"inputDataConfig": "s3://in-bucket/x"}).encode(),
    "subnetIds-string": json.dumps(create_params("x") | {"vpcConfig": {"subnetIds": "subnet-1",
                                                                        "securityGroupIds": ["sg-1"]}}).encode(),
    "tags-object": json.dumps(create_params("x") | {"tags": {"team": "ml"}}).encode(),
}


@pytest.mark.parametrize("case", list(SERIALIZATION))
def test_unreadable_bodies_and_wrong_json_types_are_serialization_exceptions(mock, client, case):
    result = post_create(mock, SERIALIZATION[case])
    assert result.status == 400, result.body
    assert result.headers.get("x-amzn-ErrorType") == "SerializationException"
    assert result.headers.get("Content-Type") == "application/json"
    assert UUID4.fullmatch(result.headers.get("x-amzn-RequestId") or "")
    body = result.json()
    assert set(body) == {"message"} and body["message"]
    assert job_count(client) == BASELINE


def test_boto3_raises_a_client_error_with_code_serialization_exception(mock, client):
    """A body mangled on its way out (after botocore's own checks) gives a ClientError, not retried."""
    def mangle(request, **kwargs):
        request.data = b'{"jobName": '

    client.meta.events.register(f"before-sign.bedrock.{OPERATION}", mangle)
    log = RequestLog(client, f"before-send.bedrock.{OPERATION}")
    error = expect_error(client.create_model_invocation_job, "SerializationException", 400,
                         **create_params("mangled"))
    assert type(error) is ClientError
    assert error.response["Error"]["Message"]
    assert len(log) == 1


# --------------------------------------------------------------------------- idempotency, names, quota


def test_the_same_token_and_parameters_answer_the_same_job(mock, client):
    params = create_params("idempotent-job", clientRequestToken="token-0001",
                           tags=[{"key": "team", "value": "ml"}], timeoutDurationInHours=72)
    first = client.create_model_invocation_job(**params)
    second = client.create_model_invocation_job(**params)
    assert first["jobArn"] == second["jobArn"]
    assert second["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert [s["jobArn"] for s in list_all(client, nameContains="idempotent-job")] == [first["jobArn"]]
    assert client.get_model_invocation_job(jobIdentifier=first["jobArn"])["clientRequestToken"] == "token-0001"
    # the members in another order (raw HTTP) are the same parameters
    result = post_create(mock, dict(reversed(list(params.items()))))
    assert result.status == 200 and result.json() == {"jobArn": first["jobArn"]}
    assert job_count(client) == BASELINE + 1


@pytest.mark.parametrize("change", [
    {"modelId": "amazon.nova-lite-v1:0"},
    {"timeoutDurationInHours": 48},
    {"tags": [{"key": "team", "value": "data"}]},
    {"tags": None},
    {"jobName": "other-name"},
    {"outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/other/"}}},
], ids=["modelId", "timeout", "tag-value", "no-tags", "jobName", "output"])
def test_the_same_token_with_other_parameters_is_a_conflict(mock, client, change):
    params = create_params("token-owner", clientRequestToken="token-0002",
                           tags=[{"key": "team", "value": "ml"}], timeoutDurationInHours=72)
    arn = client.create_model_invocation_job(**params)["jobArn"]
    other = {k: v for k, v in (params | change).items() if v is not None}
    error = expect_error(client.create_model_invocation_job, "ConflictException", 400, **other)
    assert "token-0002" in error.response["Error"]["Message"]
    assert [s["jobArn"] for s in list_all(client, nameContains="token-owner")] == [arn]
    assert job_count(client) == BASELINE + 1


def test_without_a_token_botocore_sends_a_fresh_one_per_call(mock, client):
    first = client.create_model_invocation_job(**create_params("auto-token-1"))["jobArn"]
    second = client.create_model_invocation_job(**create_params("auto-token-2"))["jobArn"]
    assert first != second
    tokens = [client.get_model_invocation_job(jobIdentifier=arn)["clientRequestToken"] for arn in (first, second)]
    assert all(UUID4.fullmatch(token) for token in tokens) and tokens[0] != tokens[1]
    # the same name again with a new token: the name is taken
    expect_error(client.create_model_invocation_job, "ConflictException", 400,
                 "A model invocation job named 'auto-token-1' already exists.", **create_params("auto-token-1"))
    assert job_count(client) == BASELINE + 2


@pytest.mark.parametrize("name", ["existing-static-job", "existing-clock-job"])
def test_a_name_used_by_a_fixture_job_is_a_conflict(mock, client, name):
    expect_error(client.create_model_invocation_job, "ConflictException", 400,
                 f"A model invocation job named '{name}' already exists.", **create_params(name))
    # names are case-sensitive, and the eu-west-1 fixture's name is free here
    client.create_model_invocation_job(**create_params(name.upper()))
    client.create_model_invocation_job(**create_params("eu-only-name"))


def test_a_retry_after_a_broken_response_returns_the_job_the_first_attempt_made(mock, client, backoff):
    """The first attempt creates the job but its response is cut off; boto3 retries with the same token."""
    add_fault(mock, {"fault": "truncate", "times": 1, "operation": OPERATION})
    response = client.create_model_invocation_job(**create_params("flaky-network"))
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    creates = [r for r in journal(mock) if r["operation"] == OPERATION]
    assert [r["attempt"] for r in creates] == [1, 2]
    assert [r["fault"] for r in creates] == ["truncate", None]
    assert [s["jobArn"] for s in list_all(client, nameContains="flaky-network")] == [response["jobArn"]]


def test_throttled_creates_are_retried_and_make_one_job(mock, client, backoff):
    add_fault(mock, {"error": "ThrottlingException", "times": 2, "operation": OPERATION})
    response = client.create_model_invocation_job(**create_params("throttled-create"))
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    creates = [r for r in journal(mock) if r["operation"] == OPERATION]
    assert [r["status"] for r in creates] == [429, 429, 200]
    assert len({r["invocationId"] for r in creates}) == 1
    assert len(list_all(client, nameContains="throttled-create")) == 1


def test_max_active_jobs_is_a_service_quota_per_account_and_region(tmp_path, server_factory):
    jobs = [
        make_job("quota0active", status="InProgress", omit=["endTime"], jobName="active-fixture"),
        make_job("quota00done0", status="Completed", jobName="done-fixture"),
        make_job("quota000eu00", region="eu-west-1", account=EU_ACCOUNT, status="Submitted", omit=["endTime"],
                 jobName="eu-fixture"),
    ]
    directory = write_fixtures(tmp_path, {"jobs.json": {"jobs": jobs}})
    server = server_factory(directory, "--max-active-jobs", "2", "--clock-start", CLOCK_START, "--clock-rate", "0",
                            "--log-level", "warning")
    client = make_client(server.url)
    first = client.create_model_invocation_job(**create_params("quota-1"))["jobArn"]   # 2 unfinished now
    error = expect_error(client.create_model_invocation_job, "ServiceQuotaExceededException", 400,
                         **create_params("quota-2"))
    assert error.response["Error"]["Message"]
    assert [r["status"] for r in journal(server) if r["operation"] == OPERATION] == [200, 400]  # not retried
    # another account and region has its own count
    eu = make_client(server.url, region="eu-west-1", access_key=EU_ACCOUNT)
    eu.create_model_invocation_job(**create_params("quota-eu"))
    expect_error(eu.create_model_invocation_job, "ServiceQuotaExceededException", 400, **create_params("quota-eu-2"))
    # a Stopping job is still unfinished; once Stopped, the slot is free
    client.stop_model_invocation_job(jobIdentifier=first)
    expect_error(client.create_model_invocation_job, "ServiceQuotaExceededException", 400, **create_params("quota-2"))
    advance(server, "1m")
    assert client.get_model_invocation_job(jobIdentifier=first)["status"] == "Stopped"
    second = client.create_model_invocation_job(**create_params("quota-2"))["jobArn"]
    # a job that completes on the clock frees its slot too
    expect_error(client.create_model_invocation_job, "ServiceQuotaExceededException", 400, **create_params("quota-3"))
    advance(server, "3h")
    assert client.get_model_invocation_job(jobIdentifier=second)["status"] == "Completed"
    client.create_model_invocation_job(**create_params("quota-3"))
    assert len(list_all(client)) == 5


# --------------------------------------------------------------------------- the created job


def test_the_created_job_has_every_member_create_gave_and_the_clocks_times(mock, client):
    params = create_params(
        "full-create",
        clientRequestToken="full-create-token-1",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://in-bucket/in/records.jsonl", "s3InputFormat": "JSONL",
                                               "s3BucketOwner": "345678901234"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/out/",
                                                 "s3EncryptionKeyId": "alias/bedrock-batch",
                                                 "s3BucketOwner": ACCOUNT}},
        vpcConfig={"subnetIds": ["subnet-0a1f2e3d4c5b6a798", "subnet-0b7c6d5e4f3a2b190"],
                   "securityGroupIds": ["sg-0123abcd4567ef890"]},
        timeoutDurationInHours=48,
        modelInvocationType="Converse",
        tags=[{"key": "team", "value": "ml"}, {"key": "cost-center", "value": "4711"}],
    )
    response = client.create_model_invocation_job(**params)
    assert set(response) == {"jobArn", "ResponseMetadata"}
    arn = response["jobArn"]
    match = JOB_ARN_RE.fullmatch(arn)
    assert match and match.groups()[:3] == ("aws", REGION, ACCOUNT), arn
    job = client.get_model_invocation_job(jobIdentifier=match.group(4))
    job.pop("ResponseMetadata")
    expected = {name: value for name, value in params.items() if name != "tags"} | {
        "jobArn": arn, "status": "Submitted", "submitTime": START, "lastModifiedTime": START,
        "jobExpirationTime": START + timedelta(hours=48),
    }
    assert job == expected
    assert job["submitTime"].utcoffset() == timedelta(0)
    assert client.list_tags_for_resource(resourceARN=arn)["tags"] == params["tags"]
    # on the wire: the clock's time to the millisecond, no tags, no endTime, no counts
    raw = http(mock.url, f"/model-invocation-job/{match.group(4)}").json()
    assert raw["submitTime"] == raw["lastModifiedTime"] == "2026-03-01T10:00:00.000Z"
    assert raw["jobExpirationTime"] == "2026-03-03T10:00:00.000Z"
    assert "tags" not in raw and "endTime" not in raw and "totalRecordCount" not in raw


def test_a_minimal_create_gets_168_hours_and_the_clocks_now(mock, client):
    advance(mock, "90m")
    now = parse_time(clock_now(mock))
    arn = client.create_model_invocation_job(**create_params("minimal-create"))["jobArn"]
    job = client.get_model_invocation_job(jobIdentifier=arn)
    assert job["status"] == "Submitted"
    assert job["submitTime"] == now == START + timedelta(minutes=90)
    assert job["submitTime"].tzinfo is not None
    assert job["timeoutDurationInHours"] == 168
    assert job["jobExpirationTime"] == now + timedelta(hours=168)
    assert UUID4.fullmatch(job["clientRequestToken"])
    assert set(job) - {"ResponseMetadata"} == {
        "jobArn", "jobName", "modelId", "clientRequestToken", "roleArn", "status", "submitTime", "lastModifiedTime",
        "inputDataConfig", "outputDataConfig", "timeoutDurationInHours", "jobExpirationTime"}
    assert client.list_tags_for_resource(resourceARN=arn)["tags"] == []


def test_created_ids_are_12_characters_and_distinct(mock, client):
    arns = [client.create_model_invocation_job(**create_params(f"many-{i}"))["jobArn"] for i in range(40)]
    ids = [JOB_ARN_RE.fullmatch(arn).group(4) for arn in arns]
    assert len(set(ids)) == 40
    assert all(re.fullmatch(r"[a-z0-9]{12}", job_id) for job_id in ids)


def test_the_created_job_follows_the_default_lifecycle(mock, client):
    arn = client.create_model_invocation_job(**create_params("lifecycle-create"))["jobArn"]
    phases = [("4m59s", "Submitted"), ("1s", "Validating"), ("10m", "Scheduled"), ("30m", "InProgress"),
              ("2h", "Completed")]
    for step, status in phases:
        advance(mock, step)
        job = client.get_model_invocation_job(jobIdentifier=arn)
        assert job["status"] == status, step
    assert job["totalRecordCount"] == job["processedRecordCount"] == job["successRecordCount"] == 1000
    assert job["errorRecordCount"] == 0
    assert job["endTime"] == job["lastModifiedTime"] == START + timedelta(hours=2, minutes=45)


@pytest.mark.parametrize("outcome, after, extra", [
    ("Failed", "1h", {"processedRecordCount": None}),
    ("Completed", "3h", {"processedRecordCount": 1000}),
    ("PartiallyCompleted", "3h", {"processedRecordCount": 800}),
    ("Stopped", "3h", {}),
    ("Expired", "169h", {}),
])
def test_the_outcome_tag_picks_how_a_created_job_ends(mock, client, outcome, after, extra):
    tags = [{"key": "team", "value": "ml"}, {"key": "mock-bedrock:outcome", "value": outcome}]
    arn = client.create_model_invocation_job(**create_params(f"outcome-{outcome.lower()}", tags=tags))["jobArn"]
    plain = client.create_model_invocation_job(**create_params(f"plain-{outcome.lower()}"))["jobArn"]
    assert client.get_model_invocation_job(jobIdentifier=arn)["status"] == "Submitted"
    advance(mock, after)
    job = client.get_model_invocation_job(jobIdentifier=arn)
    assert job["status"] == outcome
    assert job["endTime"] == job["lastModifiedTime"]
    if outcome in ("Failed", "PartiallyCompleted", "Expired"):
        assert job["message"]
    if "processedRecordCount" in extra:
        assert job.get("processedRecordCount") == extra["processedRecordCount"]
    assert client.list_tags_for_resource(resourceARN=arn)["tags"] == tags
    # the same request without the tag takes the default path
    assert client.get_model_invocation_job(jobIdentifier=plain)["status"] == ("InProgress" if after == "1h" else "Completed")


def test_an_unknown_outcome_tag_is_a_validation_exception(mock, client):
    tags = [{"key": "mock-bedrock:outcome", "value": "Bogus"}]
    error = expect_error(client.create_model_invocation_job, "ValidationException", 400, **create_params("bogus-outcome", tags=tags))
    assert error.response["Error"]["Message"] == (
        "The tag mock-bedrock:outcome picks the job's outcome: one of Completed, PartiallyCompleted, Failed, Expired, Stopped, not 'Bogus'.")
    assert job_count(client) == BASELINE


def test_reset_forgets_created_jobs_and_their_tokens(mock, client):
    params = create_params("forgotten", clientRequestToken="token-reset-1")
    arn = client.create_model_invocation_job(**params)["jobArn"]
    reset(mock)
    expect_error(client.get_model_invocation_job, "ResourceNotFoundException", 404, jobIdentifier=arn)
    assert job_count(client) == BASELINE
    again = client.create_model_invocation_job(**params)["jobArn"]
    assert again != arn


def test_the_aws_cli_prints_the_validation_message_and_exits_255(mock):
    result = run_aws(mock.url, "bedrock", "create-model-invocation-job", "--job-name", "bad_name",
                     "--role-arn", ROLE_ARN, "--model-id", MODEL_ID, "--timeout-duration-in-hours", "200",
                     "--input-data-config", '{"s3InputDataConfig": {"s3Uri": "s3://in-bucket/x.jsonl"}}',
                     "--output-data-config", '{"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/"}}')
    assert result.returncode == 255
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"An error occurred (ValidationException) when calling the {OPERATION} operation: " + violations(
            violation("bad_name", "jobName", pattern_of("ModelInvocationJobName")),
            violation("200", "timeoutDurationInHours", "Member must have value less than or equal to 168")))

"""TagResource, UntagResource and ListTagsForResource on job ARNs: values replaced in place, the order
keys were first set, the 50-tag limit (TooManyTagsException with resourceName), resourceARN validation,
tags from Create and from fixtures, and 404 for jobs of other callers."""

from __future__ import annotations

import json

import pytest

from conftest import (
    EU_ACCOUNT, RequestLog, add_fault, create_params, expect_error, http, job_arn, journal, make_client, make_job,
    model_pattern, one_violation, reset, resource_not_found_message, run_server_to_exit, start_server, violation,
    violations, write_fixtures,
)

TAGGED = "tagged000001"      # a fixture with tags
PLAIN = "plain0000001"       # a fixture without
EU_TAGGED = "eutagged0001"   # eu-west-1 / 210987654321, with tags
FIXTURE_TAGS = [{"key": "team", "value": "ml"}, {"key": "cost-center", "value": "4711"},
                {"key": "Env", "value": ""}]
EU_TAGS = [{"key": "team", "value": "eu"}]
ARN = job_arn(TAGGED)
PLAIN_ARN = job_arn(PLAIN)
EU_ARN = job_arn(EU_TAGGED, region="eu-west-1", account=EU_ACCOUNT)


@pytest.fixture(scope="module")
def tag_server(tmp_path_factory):
    jobs = [
        make_job(TAGGED, status="InProgress", omit=["endTime"], tags=FIXTURE_TAGS),
        make_job(PLAIN, status="Completed"),
        make_job(EU_TAGGED, region="eu-west-1", account=EU_ACCOUNT, status="Completed", tags=EU_TAGS),
    ]
    directory = write_fixtures(tmp_path_factory.mktemp("tags"), {"jobs.json": {"jobs": jobs}})
    server = start_server(directory, "--clock-start", "2026-03-01T10:00:00Z", "--clock-rate", "0",
                          "--log-level", "warning")
    yield server
    server.assert_clean_stop()


@pytest.fixture
def mock(tag_server):
    reset(tag_server)
    return tag_server


@pytest.fixture
def client(mock):
    return make_client(mock.url)


def tags_of(client, arn) -> list[dict]:
    response = client.list_tags_for_resource(resourceARN=arn)
    assert set(response) == {"tags", "ResponseMetadata"}
    return response["tags"]


def tag(client, arn, **pairs) -> None:
    response = client.tag_resource(resourceARN=arn, tags=[{"key": k, "value": v} for k, v in pairs.items()])
    assert set(response) == {"ResponseMetadata"} and response["ResponseMetadata"]["HTTPStatusCode"] == 200


def pairs(tags) -> list[tuple[str, str]]:
    return [(t["key"], t["value"]) for t in tags]


def test_fixture_tags_are_listed_in_order_and_never_served_by_get(mock, client):
    assert tags_of(client, ARN) == FIXTURE_TAGS
    assert tags_of(client, PLAIN_ARN) == []
    assert "tags" not in http(mock.url, f"/model-invocation-job/{TAGGED}").json()
    assert "tags" not in client.get_model_invocation_job(jobIdentifier=TAGGED)


def test_tag_untag_and_list_round_trip(mock, client):
    tag(client, PLAIN_ARN, team="search", stage="beta")
    assert pairs(tags_of(client, PLAIN_ARN)) == [("team", "search"), ("stage", "beta")]
    tag(client, PLAIN_ARN, owner="ops")
    assert pairs(tags_of(client, PLAIN_ARN)) == [("team", "search"), ("stage", "beta"), ("owner", "ops")]
    response = client.untag_resource(resourceARN=PLAIN_ARN, tagKeys=["stage"])
    assert set(response) == {"ResponseMetadata"}
    assert pairs(tags_of(client, PLAIN_ARN)) == [("team", "search"), ("owner", "ops")]
    client.untag_resource(resourceARN=PLAIN_ARN, tagKeys=["team", "owner"])
    assert tags_of(client, PLAIN_ARN) == []
    # tagging does not change what Get serves
    before = http(mock.url, f"/model-invocation-job/{PLAIN}").json()
    tag(client, PLAIN_ARN, x="y")
    assert http(mock.url, f"/model-invocation-job/{PLAIN}").json() == before


def test_a_key_tagged_again_takes_the_new_value_in_its_place(mock, client):
    tag(client, ARN, **{"cost-center": "0815", "new": "1"})
    assert pairs(tags_of(client, ARN)) == [("team", "ml"), ("cost-center", "0815"), ("Env", ""), ("new", "1")]
    tag(client, ARN, team="data", Env="prod")
    assert pairs(tags_of(client, ARN)) == [("team", "data"), ("cost-center", "0815"), ("Env", "prod"), ("new", "1")]
    # keys are case-sensitive
    tag(client, ARN, env="lower", TEAM="upper")
    assert [k for k, _ in pairs(tags_of(client, ARN))] == ["team", "cost-center", "Env", "new", "env", "TEAM"]
    # a key removed and set again is set for the first time again: it goes last
    client.untag_resource(resourceARN=ARN, tagKeys=["team"])
    tag(client, ARN, team="back")
    assert [k for k, _ in pairs(tags_of(client, ARN))] == ["cost-center", "Env", "new", "env", "TEAM", "team"]


def test_untagging_keys_the_job_lacks_and_empty_lists_are_fine(mock, client):
    assert client.untag_resource(resourceARN=ARN, tagKeys=["nope", "also-not"])["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert client.untag_resource(resourceARN=ARN, tagKeys=[])["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert client.tag_resource(resourceARN=ARN, tags=[])["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert tags_of(client, ARN) == FIXTURE_TAGS


def test_fifty_tags_is_the_limit_including_the_ones_a_job_has(mock, client):
    many = {f"key-{i:02d}": f"value-{i}" for i in range(47)}
    tag(client, ARN, **many)                      # 3 + 47 = 50
    assert len(tags_of(client, ARN)) == 50
    tag(client, ARN, team="replaced")             # replacing a value at 50 is fine
    log = RequestLog(client, "before-send.bedrock.TagResource")
    error = expect_error(client.tag_resource, "TooManyTagsException", 400, resourceARN=ARN,
                         tags=[{"key": "team", "value": "again"}, {"key": "one-too-many", "value": "x"}])
    assert isinstance(error, client.exceptions.TooManyTagsException)
    assert error.response["resourceName"] == ARN
    assert error.response["Error"]["Message"]
    assert len(log) == 1
    tags = tags_of(client, ARN)               # nothing of the refused request was applied
    assert len(tags) == 50 and ("team", "replaced") in pairs(tags) and "one-too-many" not in dict(pairs(tags))
    client.untag_resource(resourceARN=ARN, tagKeys=["key-00"])
    tag(client, ARN, **{"one-too-many": "now fits"})
    assert pairs(tags_of(client, ARN))[-1] == ("one-too-many", "now fits")


def test_fifty_one_tags_in_one_request_are_too_many(mock, client):
    tags = [{"key": f"k{i}", "value": "v"} for i in range(51)]
    error = expect_error(client.tag_resource, "TooManyTagsException", 400, resourceARN=PLAIN_ARN, tags=tags)
    assert error.response["resourceName"] == PLAIN_ARN
    assert tags_of(client, PLAIN_ARN) == []
    client.tag_resource(resourceARN=PLAIN_ARN, tags=tags[:50])
    assert tags_of(client, PLAIN_ARN) == tags[:50]


def test_too_many_tags_raw_response(mock):
    body = json.dumps({"resourceARN": PLAIN_ARN, "tags": [{"key": f"k{i}", "value": "v"} for i in range(51)]})
    result = http(mock.url, "/tagResource", "POST", body.encode(), {"Content-Type": "application/json"})
    assert result.status == 400
    assert result.headers.get("x-amzn-ErrorType", "").split(":")[0] == "TooManyTagsException"
    payload = result.json()
    assert payload["resourceName"] == PLAIN_ARN and payload["message"]


def test_a_tag_key_given_twice_in_one_request_is_a_validation_exception(mock, client):
    expect_error(client.tag_resource, "ValidationException", 400, "The tag key 'team' is given more than once.",
                 resourceARN=ARN, tags=[{"key": "team", "value": "a"}, {"key": "team", "value": "b"}])
    assert tags_of(client, ARN) == FIXTURE_TAGS


@pytest.mark.parametrize("tags, path, value, rule", [
    ([{"key": "k" * 129, "value": "v"}], "tags.1.member.key", "k" * 129, "Member must have length less than or equal to 128"),
    ([{"key": "ok", "value": "v"}, {"key": "no!", "value": "v"}], "tags.2.member.key", "no!", "pattern:TagKey"),
    ([{"key": "ok", "value": "a|b"}], "tags.1.member.value", "a|b", "pattern:TagValue"),
    ([{"key": "ok", "value": "v" * 257}], "tags.1.member.value", "v" * 257, "Member must have length less than or equal to 256"),
], ids=["key-length", "key-pattern", "value-pattern", "value-length"])
def test_tag_constraints_are_validation_exceptions(mock, client, tags, path, value, rule):
    if rule.startswith("pattern:"):
        rule = "Member must satisfy regular expression pattern: " + model_pattern(rule.split(":")[1])
    expect_error(client.tag_resource, "ValidationException", 400, one_violation(value, path, rule),
                 resourceARN=ARN, tags=tags)
    assert tags_of(client, ARN) == FIXTURE_TAGS


def test_untag_key_constraints_are_validation_exceptions(mock, client):
    expect_error(client.untag_resource, "ValidationException", 400, one_violation(
        "bad|key", "tagKeys.1.member", "Member must satisfy regular expression pattern: " + model_pattern("TagKey")),
        resourceARN=ARN, tagKeys=["bad|key"])


def test_more_than_200_tags_break_the_models_list_length(mock, client):
    error = expect_error(client.tag_resource, "ValidationException", 400, resourceARN=ARN,
                         tags=[{"key": f"k{i}", "value": "v"} for i in range(201)])
    message = error.response["Error"]["Message"]
    assert message.startswith("1 validation error detected: Value '")
    assert message.endswith("' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 200")


# --------------------------------------------------------------------------- resourceARN

ARN_PATTERN = "Member must satisfy regular expression pattern: " + model_pattern("TaggableResourcesArn")


@pytest.mark.parametrize("operation", ["ListTagsForResource", "TagResource", "UntagResource"])
@pytest.mark.parametrize("resource, expected", [
    ("a" * 19, [violation("a" * 19, "resourceARN", "Member must have length greater than or equal to 20")]),
    ("a" * 1012, [violation("a" * 1012, "resourceARN", "Member must have length less than or equal to 1011")]),
    ("arn:aws:s3:::my-bucket-for-batch", [violation("arn:aws:s3:::my-bucket-for-batch", "resourceARN", ARN_PATTERN)]),
    ("", [violation("", "resourceARN", "Member must have length greater than or equal to 20"),
          violation("", "resourceARN", ARN_PATTERN)]),
], ids=["19-chars", "1012-chars", "s3-arn", "empty"])
def test_resource_arn_is_validated_against_the_model(mock, operation, resource, expected):
    body = {"resourceARN": resource} | {"TagResource": {"tags": [{"key": "k", "value": "v"}]},
                                        "UntagResource": {"tagKeys": ["k"]}}.get(operation, {})
    path = {"ListTagsForResource": "/listTagsForResource", "TagResource": "/tagResource",
            "UntagResource": "/untagResource"}[operation]
    result = http(mock.url, path, "POST", json.dumps(body).encode(), {"Content-Type": "application/json"})
    assert result.status == 400, result.body
    assert result.headers.get("x-amzn-ErrorType", "").split(":")[0] == "ValidationException"
    assert result.json() == {"message": violations(*expected)}


def test_missing_members_of_tag_requests_are_validation_exceptions(mock):
    for path, body, missing in [("/tagResource", {"resourceARN": ARN}, ["tags"]),
                                ("/untagResource", {"tagKeys": ["k"]}, ["resourceARN"]),
                                ("/listTagsForResource", {}, ["resourceARN"]),
                                ("/tagResource", {}, ["resourceARN", "tags"])]:
        result = http(mock.url, path, "POST", json.dumps(body).encode())
        assert result.status == 400, (path, result.body)
        assert result.json() == {"message": violations(*[violation(None, name, "Member must not be null")
                                                         for name in missing])}


@pytest.mark.parametrize("resource", [
    job_arn("zzzzzzzzzzzz"),
    "arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123def456",
    "arn:aws:bedrock:us-east-1:123456789012:model-evaluation-job/" + TAGGED,
    "my-resource-name-12345",
    TAGGED + "x" * 8,
], ids=["unknown-job", "guardrail", "evaluation-job-with-a-job-id", "plain-name", "id-like-name"])
def test_a_valid_arn_that_is_not_one_of_the_callers_jobs_is_not_found(mock, client, resource):
    message = resource_not_found_message(resource)
    expect_error(client.list_tags_for_resource, "ResourceNotFoundException", 404, message, resourceARN=resource)
    expect_error(client.tag_resource, "ResourceNotFoundException", 404, message, resourceARN=resource,
                 tags=[{"key": "k", "value": "v"}])
    expect_error(client.untag_resource, "ResourceNotFoundException", 404, message, resourceARN=resource, tagKeys=["k"])


def test_a_job_id_is_not_a_resource_arn(mock, client):
    """TagResource takes the ARN; the bare id is 12 characters (under the model's 20), the id as a name is unknown."""
    result = http(mock.url, "/listTagsForResource", "POST", json.dumps({"resourceARN": TAGGED}).encode())
    assert result.status == 400
    assert result.json() == {"message": one_violation(TAGGED, "resourceARN",
                                                      "Member must have length greater than or equal to 20")}


@pytest.mark.parametrize("region, key, arn", [
    ("eu-west-1", EU_ACCOUNT, ARN),                 # the us-east-1 job from the EU caller
    ("us-east-1", "555555555555", ARN),             # from another account in its region
    ("us-west-2", "AKIAMOCKBEDROCKTEST", ARN),      # from its account in another region
    ("us-east-1", "AKIAMOCKBEDROCKTEST", EU_ARN),   # the EU job from the default caller
    ("eu-west-1", "AKIAMOCKBEDROCKTEST", EU_ARN),   # the EU job from the default account in eu-west-1
], ids=["us-job-from-eu", "us-job-other-account", "us-job-other-region", "eu-job-from-us", "eu-job-other-account"])
def test_tags_of_another_callers_job_are_not_found(mock, region, key, arn):
    foreign = make_client(mock.url, region=region, access_key=key)
    message = resource_not_found_message(arn)
    expect_error(foreign.list_tags_for_resource, "ResourceNotFoundException", 404, message, resourceARN=arn)
    expect_error(foreign.tag_resource, "ResourceNotFoundException", 404, message, resourceARN=arn,
                 tags=[{"key": "team", "value": "stolen"}])
    expect_error(foreign.untag_resource, "ResourceNotFoundException", 404, message, resourceARN=arn,
                 tagKeys=["team"])
    owner_region, owner_account = arn.split(":")[3:5]
    owner = make_client(mock.url, region=owner_region,
                        access_key=owner_account if owner_account == EU_ACCOUNT else "AKIAMOCKBEDROCKTEST")
    assert tags_of(owner, arn) == (FIXTURE_TAGS if arn == ARN else EU_TAGS)


def test_the_eu_job_is_tagged_by_its_own_caller(mock):
    eu = make_client(mock.url, region="eu-west-1", access_key=EU_ACCOUNT)
    assert tags_of(eu, EU_ARN) == EU_TAGS
    tag(eu, EU_ARN, stage="prod")
    assert pairs(tags_of(eu, EU_ARN)) == [("team", "eu"), ("stage", "prod")]


# --------------------------------------------------------------------------- Create, reset, faults, fixtures


def test_tags_given_on_create_are_listed(mock, client):
    tags = [{"key": "team", "value": "ml"}, {"key": "mock-bedrock:outcome", "value": "Failed"},
            {"key": "a b", "value": "c d"}]
    arn = client.create_model_invocation_job(**create_params("tagged-on-create", tags=tags))["jobArn"]
    assert tags_of(client, arn) == tags
    tag(client, arn, team="data", extra="1")
    assert pairs(tags_of(client, arn)) == [("team", "data"), ("mock-bedrock:outcome", "Failed"), ("a b", "c d"),
                                           ("extra", "1")]


def test_reset_restores_the_fixture_tags(mock, client):
    tag(client, ARN, team="changed", added="yes")
    client.untag_resource(resourceARN=ARN, tagKeys=["Env"])
    created = client.create_model_invocation_job(**create_params("reset-tags", tags=[{"key": "a", "value": "b"}]))
    reset(mock)
    assert tags_of(client, ARN) == FIXTURE_TAGS
    expect_error(client.list_tags_for_resource, "ResourceNotFoundException", 404,
                 resource_not_found_message(created["jobArn"]), resourceARN=created["jobArn"])


def test_a_fault_rules_job_id_matches_the_resource_arns_job(mock, client):
    for operation in ("TagResource", "UntagResource", "ListTagsForResource"):
        add_fault(mock, {"error": "AccessDeniedException", "operation": operation, "jobId": TAGGED})
    for call, extra in [(client.tag_resource, {"tags": [{"key": "k", "value": "v"}]}),
                        (client.untag_resource, {"tagKeys": ["team"]}), (client.list_tags_for_resource, {})]:
        expect_error(call, "AccessDeniedException", 403, resourceARN=ARN, **extra)
        call(resourceARN=PLAIN_ARN, **extra)   # another job: no rule
    entries = [r for r in journal(mock) if r["operation"] in ("TagResource", "UntagResource", "ListTagsForResource")]
    assert [(r["operation"], r["jobId"], r["status"]) for r in entries] == [
        ("TagResource", TAGGED, 403), ("TagResource", PLAIN, 200),
        ("UntagResource", TAGGED, 403), ("UntagResource", PLAIN, 200),
        ("ListTagsForResource", TAGGED, 403), ("ListTagsForResource", PLAIN, 200)]
    assert tags_of(client, PLAIN_ARN) == [{"key": "k", "value": "v"}]


@pytest.mark.parametrize("tags, problem", [
    ([{"key": "k", "value": "v"}, {"key": "k", "value": "w"}], "jobs[0].tags: the tag key 'k' is given twice"),
    ([{"key": f"k{i}", "value": "v"} for i in range(51)], "jobs[0].tags: 51 tags is more than the 50 a resource can have"),
    ([{"key": "bad!", "value": "v"}], "jobs[0].tags[0].key: Value 'bad!' failed to satisfy constraint: Member must "
                                      "satisfy regular expression pattern: " + model_pattern("TagKey")),
    ({"team": "ml"}, "jobs[0].tags: expected an array, found an object"),
], ids=["duplicate", "51", "key-pattern", "object"])
def test_fixture_tags_are_checked_at_startup(tmp_path, tags, problem):
    directory = write_fixtures(tmp_path, {"jobs.json": {"jobs": [make_job(TAGGED, status="Completed", tags=tags)]}})
    result = run_server_to_exit(directory)
    assert result.returncode == 1
    assert f"mock-bedrock: {directory / 'jobs.json'}: {problem}" in result.stderr.splitlines(), result.stderr

"""Accounts and regions: a job is seen (Get, Stop, tags, List) only by a caller in its own account and
region, as in AWS. The region is the SigV4 credential scope's, the account a 12-digit access key id,
else the server's --region / --account-id."""

from __future__ import annotations

import json

import pytest

from conftest import (
    ACCESS_KEY, ACCOUNT, EU_ACCOUNT, JOB_ARN_RE, REGION, create_params, expect_error, http, job_arn, list_all,
    make_client, make_job, not_found_message, quote_segment, reset, resource_not_found_message,
    run_server_to_exit, sigv4_authorization, start_server, write_fixtures,
)

US_ID = "scopeus00001"      # us-east-1 / 123456789012 (the defaults)
EU_ID = "scopeeu00001"      # eu-west-1 / 210987654321
WEST_ID = "scopeusw0001"    # us-west-2 / 123456789012 (default account, another region)
EU_REGION = "eu-west-1"
OTHER_ACCOUNT = "555555555555"

JOBS = {
    US_ID: make_job(US_ID, status="InProgress", omit=["endTime"], jobName="us-east-job",
                    tags=[{"key": "team", "value": "us"}]),
    EU_ID: make_job(EU_ID, region=EU_REGION, account=EU_ACCOUNT, status="InProgress", omit=["endTime"],
                    jobName="eu-west-job", tags=[{"key": "team", "value": "eu"}]),
    WEST_ID: make_job(WEST_ID, region="us-west-2", status="Scheduled", omit=["endTime"], jobName="us-west-job"),
}


@pytest.fixture(scope="module")
def scoped_server(tmp_path_factory):
    directory = write_fixtures(tmp_path_factory.mktemp("scoping"), {"jobs.json": {"jobs": list(JOBS.values())}})
    server = start_server(directory, "--clock-start", "2026-03-01T10:00:00Z", "--clock-rate", "0",
                          "--log-level", "warning")
    yield server
    server.assert_clean_stop()


@pytest.fixture
def mock(scoped_server):
    reset(scoped_server)
    return scoped_server


def own_client(url, job_id):
    job = JOBS[job_id]
    region, account = job["jobArn"].split(":")[3:5]
    return make_client(url, region=region, access_key=ACCESS_KEY if account == ACCOUNT else account)


# (job, how the foreign caller differs, its region, its access key)
FOREIGN_CALLERS = [
    (US_ID, "other-account", REGION, OTHER_ACCOUNT),
    (US_ID, "other-region", "us-west-2", ACCESS_KEY),
    (EU_ID, "other-account-default", EU_REGION, ACCESS_KEY),       # eu-west-1, but account 123456789012
    (EU_ID, "other-region", REGION, EU_ACCOUNT),                   # account 210987654321, but us-east-1
]


@pytest.mark.parametrize("job_id, change, region, key", FOREIGN_CALLERS,
                         ids=[f"{job_id}-{change}" for job_id, change, _, _ in FOREIGN_CALLERS])
def test_a_job_is_404_from_another_account_or_region_by_id_and_by_arn(mock, job_id, change, region, key):
    arn = JOBS[job_id]["jobArn"]
    owner = own_client(mock.url, job_id)
    before = owner.get_model_invocation_job(jobIdentifier=job_id)
    before_tags = owner.list_tags_for_resource(resourceARN=arn)["tags"]
    assert owner.get_model_invocation_job(jobIdentifier=arn)["jobArn"] == arn

    foreign = make_client(mock.url, region=region, access_key=key)
    for identifier in (job_id, arn):
        expect_error(foreign.get_model_invocation_job, "ResourceNotFoundException", 404,
                     not_found_message(identifier), jobIdentifier=identifier)
        expect_error(foreign.stop_model_invocation_job, "ResourceNotFoundException", 404,
                     not_found_message(identifier), jobIdentifier=identifier)
    expect_error(foreign.list_tags_for_resource, "ResourceNotFoundException", 404,
                 resource_not_found_message(arn), resourceARN=arn)
    expect_error(foreign.tag_resource, "ResourceNotFoundException", 404, resource_not_found_message(arn),
                 resourceARN=arn, tags=[{"key": "intruder", "value": "yes"}])
    expect_error(foreign.untag_resource, "ResourceNotFoundException", 404, resource_not_found_message(arn),
                 resourceARN=arn, tagKeys=["team"])
    assert arn not in {summary["jobArn"] for summary in list_all(foreign)}

    # nothing the foreign caller did reached the job
    after = owner.get_model_invocation_job(jobIdentifier=job_id)
    before.pop("ResponseMetadata"), after.pop("ResponseMetadata")
    assert after == before
    assert owner.list_tags_for_resource(resourceARN=arn)["tags"] == before_tags
    assert arn in {summary["jobArn"] for summary in list_all(owner)}


def test_a_created_job_is_seen_only_in_its_creators_account_and_region(mock):
    eu = make_client(mock.url, region=EU_REGION, access_key=EU_ACCOUNT)
    arn = eu.create_model_invocation_job(**create_params("eu-created"))["jobArn"]
    match = JOB_ARN_RE.fullmatch(arn)
    assert match and match.groups()[:3] == ("aws", EU_REGION, EU_ACCOUNT), arn
    job_id = match.group(4)
    assert eu.get_model_invocation_job(jobIdentifier=job_id)["status"] == "Submitted"
    for region, key in [(REGION, ACCESS_KEY), (EU_REGION, ACCESS_KEY), (REGION, EU_ACCOUNT)]:
        other = make_client(mock.url, region=region, access_key=key)
        for identifier in (job_id, arn):
            expect_error(other.get_model_invocation_job, "ResourceNotFoundException", 404,
                         not_found_message(identifier), jobIdentifier=identifier)


@pytest.mark.parametrize("region, partition", [
    ("us-east-1", "aws"), ("eu-central-1", "aws"), ("ap-southeast-2", "aws"),
    ("cn-north-1", "aws-cn"), ("cn-northwest-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"),
])
def test_the_partition_of_a_created_job_follows_the_region(mock, region, partition):
    client = make_client(mock.url, region=region)
    arn = client.create_model_invocation_job(**create_params(f"job-in-{region}"))["jobArn"]
    match = JOB_ARN_RE.fullmatch(arn)
    assert match and match.groups()[:3] == (partition, region, ACCOUNT), arn
    assert client.get_model_invocation_job(jobIdentifier=arn)["jobArn"] == arn
    # the same id under the plain aws partition (or any other) is not this job
    other_partition = "aws-cn" if partition == "aws" else "aws"
    wrong = arn.replace(f"arn:{partition}:", f"arn:{other_partition}:", 1)
    expect_error(client.get_model_invocation_job, "ResourceNotFoundException", 404, not_found_message(wrong),
                 jobIdentifier=wrong)


@pytest.mark.parametrize("key, account", [
    ("210987654321", "210987654321"),
    ("000000000000", "000000000000"),
    ("AKIAMOCKBEDROCKTEST", ACCOUNT),
    ("21098765432", ACCOUNT),          # 11 digits
    ("2109876543210", ACCOUNT),        # 13 digits
    ("AKIA210987654321", ACCOUNT),
])
def test_a_12_digit_access_key_is_the_account_any_other_key_the_default(mock, key, account):
    client = make_client(mock.url, access_key=key)
    arn = client.create_model_invocation_job(**create_params("whose-job"))["jobArn"]
    assert JOB_ARN_RE.fullmatch(arn).groups()[:3] == ("aws", REGION, account)


def test_unsigned_raw_http_is_in_us_east_1_and_the_default_account(mock):
    assert http(mock.url, f"/model-invocation-job/{US_ID}").status == 200
    eu = http(mock.url, f"/model-invocation-job/{EU_ID}")
    assert eu.status == 404 and eu.json() == {"message": not_found_message(EU_ID)}
    # the credential scope of a (never checked) SigV4 header moves the request
    signed = {"Authorization": sigv4_authorization(EU_REGION, EU_ACCOUNT)}
    assert http(mock.url, f"/model-invocation-job/{EU_ID}", headers=signed).json()["jobArn"] == JOBS[EU_ID]["jobArn"]
    assert http(mock.url, f"/model-invocation-job/{US_ID}", headers=signed).status == 404
    eu_arn = quote_segment(JOBS[EU_ID]["jobArn"])
    assert http(mock.url, f"/model-invocation-job/{eu_arn}", headers=signed).status == 200
    # a bearer token has no scope: the defaults
    bearer = {"Authorization": "Bearer mock-token"}
    assert http(mock.url, f"/model-invocation-job/{US_ID}", headers=bearer).status == 200
    assert http(mock.url, f"/model-invocation-job/{EU_ID}", headers=bearer).status == 404
    created = http(mock.url, "/model-invocation-job", "POST", json.dumps(create_params("raw-created")).encode(),
                   {"Content-Type": "application/json"})
    assert created.status == 200, created.body
    assert JOB_ARN_RE.fullmatch(created.json()["jobArn"]).groups()[:3] == ("aws", REGION, ACCOUNT)


def test_list_shows_only_the_callers_jobs(mock):
    expected = {
        (REGION, ACCESS_KEY): [US_ID],
        (EU_REGION, EU_ACCOUNT): [EU_ID],
        ("us-west-2", ACCESS_KEY): [WEST_ID],
        ("us-west-2", "123456789012"): [WEST_ID],   # the default account given as its 12 digits
        (EU_REGION, ACCESS_KEY): [],
        (REGION, OTHER_ACCOUNT): [],
    }
    for (region, key), ids in expected.items():
        summaries = list_all(make_client(mock.url, region=region, access_key=key))
        assert [s["jobArn"].rsplit("/", 1)[1] for s in summaries] == ids, (region, key)


def test_names_and_client_tokens_are_per_account_and_region(mock):
    """A jobName or clientRequestToken used in one account and region is free in every other."""
    params = create_params("us-east-job", clientRequestToken="shared-token-1")  # the us-east-1 fixture's name
    callers = [(EU_REGION, EU_ACCOUNT), ("us-west-2", ACCESS_KEY), (REGION, OTHER_ACCOUNT)]
    arns = [make_client(mock.url, region=r, access_key=k).create_model_invocation_job(**params)["jobArn"]
            for r, k in callers]
    assert len(set(arns)) == 3
    assert [JOB_ARN_RE.fullmatch(a).groups()[1:3] for a in arns] == [
        (EU_REGION, EU_ACCOUNT), ("us-west-2", ACCOUNT), (REGION, OTHER_ACCOUNT)]
    # in the fixture's own scope the name is taken
    expect_error(make_client(mock.url).create_model_invocation_job, "ConflictException", 400,
                 "A model invocation job named 'us-east-job' already exists.", **params)


def test_region_and_account_id_flags_set_the_scope_of_unsigned_and_non_numeric_callers(tmp_path, server_factory):
    directory = write_fixtures(tmp_path, {"jobs.json": {"jobs": list(JOBS.values())}})
    server = server_factory(directory, "--region", EU_REGION, "--account-id", EU_ACCOUNT, "--log-level", "warning")
    assert http(server.url, f"/model-invocation-job/{EU_ID}").status == 200
    assert http(server.url, f"/model-invocation-job/{US_ID}").status == 404
    # boto3 in eu-west-1 with a non-numeric key: the --account-id
    assert make_client(server.url, region=EU_REGION).get_model_invocation_job(jobIdentifier=EU_ID)["jobArn"] == \
        JOBS[EU_ID]["jobArn"]
    # the default account is no longer 123456789012 for such keys, but still is for its 12 digits
    expect_error(make_client(server.url).get_model_invocation_job, "ResourceNotFoundException", 404,
                 jobIdentifier=US_ID)
    assert make_client(server.url, access_key=ACCOUNT).get_model_invocation_job(jobIdentifier=US_ID)["jobArn"] == \
        JOBS[US_ID]["jobArn"]
    created = http(server.url, "/model-invocation-job", "POST", json.dumps(create_params("flag-scope")).encode())
    assert JOB_ARN_RE.fullmatch(created.json()["jobArn"]).groups()[:3] == ("aws", EU_REGION, EU_ACCOUNT)


def test_region_and_account_id_come_from_the_environment_too(tmp_path, server_factory):
    directory = write_fixtures(tmp_path, {"jobs.json": {"jobs": list(JOBS.values())}})
    server = server_factory(directory, env={"MOCK_BEDROCK_REGION": "us-west-2", "MOCK_BEDROCK_ACCOUNT_ID": ACCOUNT})
    assert http(server.url, f"/model-invocation-job/{WEST_ID}").status == 200
    assert http(server.url, f"/model-invocation-job/{US_ID}").status == 404


@pytest.mark.parametrize("flag, value", [
    ("--account-id", "12345"), ("--account-id", "1234567890123"), ("--account-id", "abcdefghijkl"),
    ("--region", "US-EAST-1"), ("--region", ""), ("--region", "a" * 21), ("--max-active-jobs", "0"),
])
def test_invalid_scope_flags_exit_64(tmp_path, flag, value):
    directory = write_fixtures(tmp_path, {"jobs.json": {"jobs": [JOBS[US_ID]]}})
    result = run_server_to_exit(directory, flag, value)
    assert result.returncode == 64, (result.returncode, result.stderr)
    assert result.stdout == ""
    assert flag in result.stderr


def test_arns_in_the_callers_scope_but_for_other_resources_or_ids_are_not_found(mock):
    client = make_client(mock.url)
    for identifier in [job_arn("zzzzzzzzzzzz"), "zzzzzzzzzzzz"]:
        expect_error(client.get_model_invocation_job, "ResourceNotFoundException", 404,
                     not_found_message(identifier), jobIdentifier=identifier)

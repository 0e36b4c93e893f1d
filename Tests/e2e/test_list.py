"""ListModelInvocationJobs: botocore's paginator over 2,500 jobs (stable while jobs are created), the
filters, sort orders, page sizes, nextToken checks, validation, and the AWS CLI's auto-pagination."""

from __future__ import annotations

import json
import random
import re
import threading
import urllib.parse
from datetime import datetime, timedelta, timezone

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.handlers import enable_millisecond_timestamp_precision

from conftest import (
    ACCESS_KEY, EU_ACCOUNT, JOB_STATUSES, MODEL_ID, REGION, ROLE_ARN, SECRET_KEY, RequestLog, advance, create_params,
    expect_error, http, job_arn, journal, list_all, make_client, make_job, model_pattern, one_violation, reset,
    run_aws, start_server, violation, violations, write_fixtures,
)

UTC = timezone.utc
N = 2500
BASE = datetime(2026, 1, 1, tzinfo=UTC)
CLOCK_START = "2026-03-01T00:00:00Z"   # after every fixture job
LIST = "ListModelInvocationJobs"
TOKEN_MESSAGE = "The nextToken is not valid for this request; start the listing again without it."


def iso(instant: datetime) -> str:
    return instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def submit_of(rank: int) -> datetime:
    """The rank-th oldest job's submitTime: 10 minutes apart, plus a millisecond part (0 for rank 0, 1000, 2000)."""
    return BASE + timedelta(seconds=600 * rank, milliseconds=rank % 1000)


def name_of(i: int) -> str:
    return f"Nightly-Report-{i:04d}" if i % 7 == 0 else f"batch-job-{i:04d}"


def _big_jobs() -> list[dict]:
    ranks = list(range(N))
    random.Random(20260301).shuffle(ranks)  # ids and submit order disagree: the order must be by submitTime
    jobs = []
    for i in range(N):
        jobs.append({
            "jobArn": job_arn(f"l{i:011d}"),
            "jobName": name_of(i),
            "modelId": MODEL_ID,
            "roleArn": ROLE_ARN,
            "status": JOB_STATUSES[i % 10],
            "submitTime": iso(submit_of(ranks[i])),
            "inputDataConfig": {"s3InputDataConfig": {"s3Uri": f"s3://in-bucket/batch/{i:04d}.jsonl"}},
            "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/batch/"}},
        })
    # jobs of other callers, interleaved in time: never in these listings
    for k in range(5):
        jobs.append(make_job(f"eu{k:010d}", region="eu-west-1", account=EU_ACCOUNT, status="Completed",
                             jobName=f"batch-job-eu-{k}", submitTime=iso(submit_of(k * 400) + timedelta(seconds=1))))
        jobs.append(make_job(f"ot{k:010d}", account="555555555555", status="Completed",
                             jobName=f"batch-job-other-{k}", submitTime=iso(submit_of(k * 400) + timedelta(seconds=2))))
    return jobs


BIG_JOBS = _big_jobs()
OURS = [job for job in BIG_JOBS if job["jobArn"].split(":")[3:5] == [REGION, "123456789012"]]
assert len(OURS) == N
DESC = [job["jobArn"] for job in sorted(OURS, key=lambda job: job["submitTime"], reverse=True)]
ASC = list(reversed(DESC))
BY_ARN = {job["jobArn"]: job for job in OURS}


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    directory = write_fixtures(tmp_path_factory.mktemp("list"), {"jobs.json": {"jobs": BIG_JOBS}})
    server = start_server(directory, "--clock-start", CLOCK_START, "--clock-rate", "0", "--log-level", "warning")
    yield server
    server.assert_clean_stop()


@pytest.fixture
def mock(big):
    reset(big)
    return big


def arns(summaries) -> list[str]:
    return [summary["jobArn"] for summary in summaries]


def pages_of(client, **params) -> list[dict]:
    return list(client.get_paginator("list_model_invocation_jobs").paginate(**params))


def raw_list(server, query: dict | str = "", headers=None):
    text = query if isinstance(query, str) else urllib.parse.urlencode(query)
    return http(server.url, "/model-invocation-jobs" + (f"?{text}" if text else ""), headers=headers)


# --------------------------------------------------------------------------- the paginator over 2,500 jobs


@pytest.mark.parametrize("order, expected", [(None, DESC), ("Descending", DESC), ("Ascending", ASC)],
                         ids=["default", "Descending", "Ascending"])
def test_the_paginator_returns_each_of_2500_jobs_once_in_order(mock, order, expected):
    client = make_client(mock.url)
    log = RequestLog(client, f"before-send.bedrock.{LIST}")
    params = {"PaginationConfig": {"PageSize": 100}} | ({"sortOrder": order} if order else {})
    pages = pages_of(client, **params)
    assert [len(page["invocationJobSummaries"]) for page in pages] == [100] * 25
    assert all(page.get("nextToken") for page in pages[:-1])
    assert "nextToken" not in pages[-1]
    summaries = [s for page in pages for s in page["invocationJobSummaries"]]
    assert arns(summaries) == expected
    for summary in summaries:  # each summary is its fixture job
        job = BY_ARN[summary["jobArn"]]
        assert (summary["jobName"], summary["status"]) == (job["jobName"], job["status"])
        assert summary["submitTime"] == datetime.fromisoformat(job["submitTime"].replace("Z", "+00:00"))
    assert len(log) == 25
    assert all("maxResults=100" in url for _, url in log.requests)
    assert sum("nextToken=" in url for _, url in log.requests) == 24


def test_sort_by_creation_time_is_the_submit_order(mock):
    client = make_client(mock.url)
    page = client.list_model_invocation_jobs(sortBy="CreationTime", sortOrder="Ascending", maxResults=50)
    assert arns(page["invocationJobSummaries"]) == ASC[:50]


@pytest.mark.parametrize("order", ["Descending", "Ascending"])
def test_pagination_is_stable_while_a_thread_creates_jobs(mock, order):
    """Between every two pages a second thread creates 3 jobs (each a second later on the clock). Paging by
    position (submitTime, id) shows every fixture job exactly once, in order, and no job twice."""
    lister = make_client(mock.url)
    creator = make_client(mock.url)
    created: list[str] = []
    go, done, finished = threading.Semaphore(0), threading.Semaphore(0), threading.Event()
    failures: list[BaseException] = []

    def create_jobs():
        try:
            while go.acquire() and not finished.is_set():
                for _ in range(3):
                    name = f"concurrent-{len(created):04d}"
                    created.append(creator.create_model_invocation_job(**create_params(name))["jobArn"])
                    advance(mock, "1s")
                done.release()
        except BaseException as error:  # surfaced by the main thread
            failures.append(error)
            done.release()

    thread = threading.Thread(target=create_jobs)
    thread.start()
    seen: list[str] = []
    pages = 0
    try:
        for page in lister.get_paginator("list_model_invocation_jobs").paginate(
                sortOrder=order, PaginationConfig={"PageSize": 100}):
            seen += arns(page["invocationJobSummaries"])
            pages += 1
            go.release()
            assert done.acquire(timeout=30) and not failures, failures
    finally:
        finished.set()
        go.release()
        thread.join(timeout=30)
    assert len(created) == 3 * pages and pages >= 25
    assert len(seen) == len(set(seen)), "a job was listed twice"
    if order == "Descending":
        # the new jobs are newer than the listing's position from the first page on
        assert seen == DESC
    else:
        # the new jobs come after every fixture job, in the order they were made; all but the last three
        # (made after the last page was fetched) are listed
        assert seen[:N] == ASC
        assert seen[N:] == created[:-3]
    assert len(list_all(lister)) == N + len(created)


def test_pagination_is_stable_with_a_free_running_creator(mock):
    """The same without lock-step: a thread creates jobs as fast as it can while the paginator runs."""
    lister, creator = make_client(mock.url), make_client(mock.url)
    finished = threading.Event()
    created: list[str] = []

    def create_jobs():
        while not finished.is_set():
            created.append(creator.create_model_invocation_job(**create_params(f"free-{len(created):05d}"))["jobArn"])
            advance(mock, "1s")

    thread = threading.Thread(target=create_jobs)
    thread.start()
    try:
        seen = arns(list_all(lister, sortOrder="Ascending", PaginationConfig={"PageSize": 100}))
    finally:
        finished.set()
        thread.join(timeout=30)
    assert created, "the creator made no job while the listing ran"
    assert len(seen) == len(set(seen))
    assert seen[:N] == ASC
    assert seen[N:] == created[:len(seen) - N]


def test_the_aws_cli_paginates_by_itself(mock):
    result = run_aws(mock.url, "bedrock", "list-model-invocation-jobs",
                     "--query", "invocationJobSummaries[].jobName")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [BY_ARN[arn]["jobName"] for arn in DESC]
    lists = [r for r in journal(mock) if r["operation"] == LIST]
    assert len(lists) == 25  # 100 a page by default
    assert all(r["status"] == 200 and r["path"] == "/model-invocation-jobs" for r in lists)


def test_the_aws_cli_filters_and_sorts(mock):
    result = run_aws(mock.url, "bedrock", "list-model-invocation-jobs", "--status-equals", "Failed",
                     "--name-contains", "nightly", "--sort-order", "Ascending", "--page-size", "10",
                     "--query", "invocationJobSummaries[].[jobName,status]")
    assert result.returncode == 0, result.stderr
    expected = [[BY_ARN[arn]["jobName"], "Failed"] for arn in ASC
                if BY_ARN[arn]["status"] == "Failed" and "nightly" in BY_ARN[arn]["jobName"].lower()]
    assert expected and json.loads(result.stdout) == expected


# --------------------------------------------------------------------------- filters at scale


def test_status_equals_lists_exactly_the_jobs_with_that_status(mock):
    client = make_client(mock.url)
    for status in JOB_STATUSES:
        listed = arns(list_all(client, statusEquals=status, PaginationConfig={"PageSize": 100}))
        assert listed == [arn for arn in DESC if BY_ARN[arn]["status"] == status], status
        assert len(listed) == N // 10


@pytest.mark.parametrize("part", ["nightly-report", "NIGHTLY-REPORT", "Nightly-Report-01", "report-00"])
def test_name_contains_matches_case_insensitively(mock, part):
    listed = arns(list_all(make_client(mock.url), nameContains=part, PaginationConfig={"PageSize": 1000}))
    expected = [arn for arn in DESC if part.lower() in BY_ARN[arn]["jobName"].lower()]
    assert expected and listed == expected


def test_name_contains_is_a_substring_anywhere_in_the_name(mock):
    listed = arns(list_all(make_client(mock.url), nameContains="job-00"))
    expected = [arn for arn in DESC if "job-00" in BY_ARN[arn]["jobName"]]
    assert listed == expected and len(expected) > 50


def test_filters_combine(mock):
    after = submit_of(700)
    listed = arns(list_all(make_client(mock.url), statusEquals="Completed", nameContains="BATCH", sortOrder="Ascending",
                           submitTimeAfter=after, PaginationConfig={"PageSize": 7}))
    expected = [arn for arn in ASC if BY_ARN[arn]["status"] == "Completed" and "batch" in BY_ARN[arn]["jobName"]
                and BY_ARN[arn]["submitTime"] > iso(after)]
    assert expected and listed == expected


def millisecond_client(url):
    """A client whose serializer writes timestamps to the millisecond (`.123Z`), as some botocore services do."""
    session = botocore.session.Session()
    session.register("creating-serializer.bedrock", enable_millisecond_timestamp_precision)
    return boto3.Session(botocore_session=session).client(
        "bedrock", endpoint_url=url, region_name=REGION, aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY, config=Config(read_timeout=10))


# (rank of the job at the bound, the query form botocore sends, the client)
TIME_FORMS = {
    "whole-seconds": (1000, r"\d{4}-\d\d-\d\dT\d\d%3A\d\d%3A\d\dZ", make_client),           # ms part 0
    "microseconds": (1234, r"\d{4}-\d\d-\d\dT\d\d%3A\d\d%3A\d\d\.\d{6}Z", make_client),     # .234000Z
    "milliseconds": (1234, r"\d{4}-\d\d-\d\dT\d\d%3A\d\d%3A\d\d\.\d{3}Z", millisecond_client),
}


@pytest.mark.parametrize("form", list(TIME_FORMS))
def test_submit_time_bounds_are_exclusive_in_each_form_botocore_sends(mock, form):
    rank, wire, make = TIME_FORMS[form]
    client = make(mock.url)
    log = RequestLog(client, f"before-send.bedrock.{LIST}")
    bound = submit_of(rank)
    after = arns(list_all(client, submitTimeAfter=bound, sortOrder="Ascending", PaginationConfig={"PageSize": 1000}))
    before = arns(list_all(client, submitTimeBefore=bound, sortOrder="Ascending", PaginationConfig={"PageSize": 1000}))
    assert after == ASC[rank + 1:]      # the job submitted at the bound is in neither
    assert before == ASC[:rank]
    assert len(log) == (3 if rank == 1000 else 4)  # 1,000 jobs before rank 1000 fit one page
    for _, url in log.requests:
        (name, value), = [(k, v) for k, v in (item.split("=", 1) for item in url.split("?", 1)[1].split("&"))
                          if k.startswith("submitTime")]
        assert re.fullmatch(wire, value), (form, value)
    both = arns(list_all(client, submitTimeAfter=submit_of(rank - 3), submitTimeBefore=submit_of(rank + 3),
                         sortOrder="Ascending"))
    assert both == ASC[rank - 2:rank + 3]


def test_naive_and_offset_datetimes_are_the_same_instants(mock):
    client = make_client(mock.url)
    bound = submit_of(1500)
    naive = bound.replace(tzinfo=None)
    shifted = bound.astimezone(timezone(timedelta(hours=-5)))
    results = [arns(list_all(client, submitTimeAfter=value, PaginationConfig={"PageSize": 1000}))
               for value in (bound, naive, shifted)]
    assert results[0] == results[1] == results[2] == DESC[:N - 1501]


def test_raw_timestamps_with_offsets_and_seconds_fractions(mock):
    bound = submit_of(2000)  # 2026-01-14T21:20:00Z, no milliseconds
    for text in ["2026-01-14T21:20:00Z", "2026-01-14T21:20:00.000Z", "2026-01-14T21:20:00.000000Z",
                 "2026-01-14T22:20:00+01:00", "2026-01-14T21:20:00+00:00"]:
        assert iso(bound) == "2026-01-14T21:20:00.000Z"
        result = raw_list(mock, {"submitTimeBefore": text, "sortOrder": "Ascending", "maxResults": 1000})
        assert result.status == 200, (text, result.body)
        assert arns(result.json()["invocationJobSummaries"]) == ASC[:1000], text


# --------------------------------------------------------------------------- page sizes and nextToken


def test_without_max_results_a_page_has_100_jobs(mock):
    body = raw_list(mock).json()
    assert arns(body["invocationJobSummaries"]) == DESC[:100]
    assert isinstance(body["nextToken"], str) and body["nextToken"]


@pytest.mark.parametrize("size, pages", [(1000, [1000, 1000, 500]), (999, [999, 999, 502]), (2500, None),
                                         (1, None)])
def test_max_results_sets_the_page_size(mock, size, pages):
    client = make_client(mock.url)
    if size > 1000:
        expect_error(client.list_model_invocation_jobs, "ValidationException", 400, one_violation(
            str(size), "maxResults", "Member must have value less than or equal to 1000"), maxResults=size)
        return
    if pages is None:
        page = client.list_model_invocation_jobs(maxResults=size)
        assert arns(page["invocationJobSummaries"]) == DESC[:size] and page["nextToken"]
        return
    listed = pages_of(client, PaginationConfig={"PageSize": size})
    assert [len(p["invocationJobSummaries"]) for p in listed] == pages
    assert arns(s for p in listed for s in p["invocationJobSummaries"]) == DESC


def test_the_last_page_has_no_next_token_member(mock):
    first = raw_list(mock, {"maxResults": 1000}).json()
    second = raw_list(mock, {"maxResults": 1000, "nextToken": first["nextToken"]}).json()
    third = raw_list(mock, {"maxResults": 1000, "nextToken": second["nextToken"]}).json()
    assert set(third) == {"invocationJobSummaries"} and len(third["invocationJobSummaries"]) == 500
    # an exactly full last page: no token either
    page = raw_list(mock, {"statusEquals": "Failed", "maxResults": 250}).json()
    assert set(page) == {"invocationJobSummaries"} and len(page["invocationJobSummaries"]) == 250
    # nothing matches: an empty list, no token
    assert raw_list(mock, {"nameContains": "no-such-job"}).json() == {"invocationJobSummaries": []}


def test_a_token_can_be_used_again_and_with_another_page_size(mock):
    client = make_client(mock.url)
    token = client.list_model_invocation_jobs(maxResults=10)["nextToken"]
    again = [arns(client.list_model_invocation_jobs(maxResults=10, nextToken=token)["invocationJobSummaries"])
             for _ in range(2)]
    assert again[0] == again[1] == DESC[10:20]
    assert arns(client.list_model_invocation_jobs(maxResults=25, nextToken=token)["invocationJobSummaries"]) == \
        DESC[10:35]


def _token(client, **filters) -> str:
    return client.list_model_invocation_jobs(maxResults=5, **filters)["nextToken"]


def _garble(token: str) -> str:
    middle = len(token) // 2
    return token[:middle] + ("0" if token[middle] != "0" else "1") + token[middle + 1:]


@pytest.mark.parametrize("case", [
    "forged-word", "forged-hex", "forged-base64", "garbled", "truncated", "extended",
    "other-status", "status-dropped", "status-added", "other-order", "other-name", "other-after", "other-before",
])
def test_a_next_token_not_made_for_this_listing_is_refused(mock, case):
    client = make_client(mock.url)
    filters = {"statusEquals": "Completed", "nameContains": "batch", "sortOrder": "Descending",
               "submitTimeAfter": submit_of(10), "submitTimeBefore": submit_of(2400)}
    token = _token(client, **filters)
    use = dict(filters)
    if case == "forged-word":
        token = "page2"
    elif case == "forged-hex":
        token = "317c313738303237323030303030307c6c303030303030303030307c616263"
    elif case == "forged-base64":
        token = "eyJvZmZzZXQiOiAxMDB9"
    elif case == "garbled":
        token = _garble(token)
    elif case == "truncated":
        token = token[:-2]
    elif case == "extended":
        token = token + "00"
    elif case == "other-status":
        use["statusEquals"] = "Failed"
    elif case == "status-dropped":
        del use["statusEquals"]
    elif case == "status-added":
        token = _token(client, **{k: v for k, v in filters.items() if k != "statusEquals"})
    elif case == "other-order":
        use["sortOrder"] = "Ascending"
    elif case == "other-name":
        use["nameContains"] = "BATCH-job"
    elif case == "other-after":
        use["submitTimeAfter"] = submit_of(11)
    elif case == "other-before":
        del use["submitTimeBefore"]
    expect_error(client.list_model_invocation_jobs, "ValidationException", 400, TOKEN_MESSAGE,
                 nextToken=token, maxResults=5, **use)
    # the genuine token still works with its own filters
    assert client.list_model_invocation_jobs(maxResults=5, nextToken=_token(client, **filters), **filters)


def test_a_token_from_another_server_process_is_refused(mock, tmp_path):
    directory = write_fixtures(tmp_path, {"jobs.json": {"jobs": BIG_JOBS[:20]}})
    other = start_server(directory, "--clock-start", CLOCK_START, "--clock-rate", "0", "--log-level", "warning")
    try:
        token = _token(make_client(other.url))
    finally:
        other.assert_clean_stop()
    expect_error(make_client(mock.url).list_model_invocation_jobs, "ValidationException", 400, TOKEN_MESSAGE,
                 nextToken=token, maxResults=5)


def test_a_token_of_another_caller_is_refused_or_lists_only_the_callers_jobs(mock):
    """A token carries no jobs of its own: a caller in eu-west-1 never sees us-east-1 jobs through it."""
    token = _token(make_client(mock.url))
    eu = make_client(mock.url, region="eu-west-1", access_key=EU_ACCOUNT)
    try:
        page = eu.list_model_invocation_jobs(maxResults=5, nextToken=token)
    except eu.exceptions.ValidationException:
        return
    assert all(s["jobArn"].split(":")[3:5] == ["eu-west-1", EU_ACCOUNT] for s in page["invocationJobSummaries"])


# --------------------------------------------------------------------------- validation of the query


STATUS_ENUM = "Member must satisfy enum value set: [" + ", ".join(
    botocore.session.Session().get_service_model("bedrock").shape_for("ModelInvocationJobStatus").enum) + "]"
NAME_PATTERN = "Member must satisfy regular expression pattern: " + model_pattern("ModelInvocationJobName")

BOTO_INVALID = {
    "maxResults-5000": ({"maxResults": 5000}, "5000", "maxResults", "Member must have value less than or equal to 1000"),
    "maxResults-1001": ({"maxResults": 1001}, "1001", "maxResults", "Member must have value less than or equal to 1000"),
    "statusEquals": ({"statusEquals": "Running"}, "Running", "statusEquals", STATUS_ENUM),
    "sortOrder": ({"sortOrder": "Newest"}, "Newest", "sortOrder", "Member must satisfy enum value set: [Ascending, Descending]"),
    "sortBy": ({"sortBy": "Name"}, "Name", "sortBy", "Member must satisfy enum value set: [CreationTime]"),
    "nameContains-pattern": ({"nameContains": "bad name!"}, "bad name!", "nameContains", NAME_PATTERN),
    "nameContains-length": ({"nameContains": "n" * 64}, "n" * 64, "nameContains",
                            "Member must have length less than or equal to 63"),
    "nextToken-pattern": ({"nextToken": "two words"}, "two words", "nextToken",
                          "Member must satisfy regular expression pattern: \\S*"),
    "nextToken-length": ({"nextToken": "t" * 2049}, "t" * 2049, "nextToken",
                         "Member must have length less than or equal to 2048"),
}


@pytest.mark.parametrize("case", list(BOTO_INVALID))
def test_invalid_query_values_from_boto3_are_validation_exceptions(mock, case):
    params, value, name, rule = BOTO_INVALID[case]
    assert STATUS_ENUM.endswith("[Submitted, InProgress, Completed, Failed, Stopping, Stopped, PartiallyCompleted, "
                                "Expired, Validating, Scheduled]")
    client = make_client(mock.url)
    log = RequestLog(client, f"before-send.bedrock.{LIST}")
    expect_error(client.list_model_invocation_jobs, "ValidationException", 400, one_violation(value, name, rule),
                 **params)
    assert len(log) == 1


RAW_INVALID = {
    "maxResults=0": ("0", "maxResults", "Member must have value greater than or equal to 1"),
    "maxResults=-5": ("-5", "maxResults", "Member must have value greater than or equal to 1"),
    "maxResults=abc": ("abc", "maxResults", "Member must be an integer"),
    "maxResults=1.5": ("1.5", "maxResults", "Member must be an integer"),
    "maxResults=": ("", "maxResults", "Member must be an integer"),
    "submitTimeAfter=yesterday": ("yesterday", "submitTimeAfter", "Member must be a timestamp in ISO 8601 format"),
    "submitTimeBefore=2026-13-01T00%3A00%3A00Z": ("2026-13-01T00:00:00Z", "submitTimeBefore",
                                                  "Member must be a timestamp in ISO 8601 format"),
    "submitTimeAfter=1767225600": ("1767225600", "submitTimeAfter", "Member must be a timestamp in ISO 8601 format"),
    "submitTimeAfter=2026-01-01": ("2026-01-01", "submitTimeAfter", "Member must be a timestamp in ISO 8601 format"),
    "nextToken=": ("", "nextToken", "Member must have length greater than or equal to 1"),
}


@pytest.mark.parametrize("query", list(RAW_INVALID))
def test_invalid_query_values_from_raw_http_are_validation_exceptions(mock, query):
    value, name, rule = RAW_INVALID[query]
    result = raw_list(mock, query)
    assert result.status == 400, result.body
    assert result.headers.get("x-amzn-ErrorType", "").split(":")[0] == "ValidationException"
    assert result.json() == {"message": one_violation(value, name, rule)}


def test_an_empty_name_contains_breaks_length_and_pattern(mock):
    result = raw_list(mock, "nameContains=")
    assert result.json() == {"message": violations(
        violation("", "nameContains", "Member must have length greater than or equal to 1"),
        violation("", "nameContains", NAME_PATTERN))}


def test_several_invalid_query_values_are_one_exception(mock):
    result = raw_list(mock, "maxResults=0&statusEquals=Running&sortOrder=Newest")
    assert result.status == 400
    message = result.json()["message"]
    items = {
        violation("0", "maxResults", "Member must have value greater than or equal to 1"),
        violation("Running", "statusEquals", STATUS_ENUM),
        violation("Newest", "sortOrder", "Member must satisfy enum value set: [Ascending, Descending]"),
    }
    assert message.startswith("3 validation errors detected: ")
    assert set(message.removeprefix("3 validation errors detected: ").split("; ")) == items


# --------------------------------------------------------------------------- a small server: summaries, clock, ties

SMALL_START = "2026-03-01T10:00:00Z"
TIE_IDS = [f"stie0000000{k}" for k in range(1, 6)]


def _clock_job(job_id: str, name: str, **extra) -> dict:
    return {"jobArn": job_arn(job_id), "jobName": name, "modelId": MODEL_ID, "roleArn": ROLE_ARN,
            "inputDataConfig": {"s3InputDataConfig": {"s3Uri": f"s3://in-bucket/{job_id}.jsonl"}},
            "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/"}}, **extra}


SMALL_JOBS = [
    make_job("sfull0000001", jobName="full-static"),
    _clock_job("sclock000001", "clock-default"),
    _clock_job("sclock000002", "clock-failed", outcome="Failed", totalRecordCount=40),
    _clock_job("sfuture00001", "clock-future", submitTime="2026-03-01T12:00:00Z"),
    make_job("smicro000001", status="Completed", jobName="micro-job", submitTime="2026-02-01T10:00:00.123456Z"),
    make_job("smilli000001", status="Completed", jobName="milli-job", submitTime="2026-02-01T10:00:00.123Z"),
    *[make_job(job_id, status="Completed", jobName=f"tie-{job_id}", submitTime="2026-02-02T00:00:00Z")
      for job_id in TIE_IDS],
]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    directory = write_fixtures(tmp_path_factory.mktemp("list-small"), {"jobs.json": {"jobs": SMALL_JOBS}})
    server = start_server(directory, "--clock-start", SMALL_START, "--clock-rate", "0", "--log-level", "warning")
    yield server
    server.assert_clean_stop()


@pytest.fixture
def small_mock(small):
    reset(small)
    return small


def raw_summaries(server, **query) -> list[dict]:
    body = raw_list(server, {"maxResults": 1000, **query}).json()
    assert "nextToken" not in body
    return body["invocationJobSummaries"]


@pytest.mark.parametrize("advance_by", ["0s", "50m", "2h", "4h"])
def test_a_summary_is_the_same_json_as_get(small_mock, advance_by):
    client = make_client(small_mock.url)
    created = client.create_model_invocation_job(**create_params(
        "summary-created", vpcConfig={"subnetIds": ["subnet-1"], "securityGroupIds": ["sg-1"]},
        modelInvocationType="InvokeModel", tags=[{"key": "a", "value": "b"}]))["jobArn"]
    stopped = client.create_model_invocation_job(**create_params("summary-stopped"))["jobArn"]
    client.stop_model_invocation_job(jobIdentifier=stopped)
    advance(small_mock, advance_by)
    summaries = raw_summaries(small_mock)
    assert {created, stopped} <= set(arns(summaries))
    for summary in summaries:
        get = http(small_mock.url, f"/model-invocation-job/{summary['jobArn'].rsplit('/', 1)[1]}")
        assert get.status == 200
        assert summary == get.json(), summary["jobArn"]


def test_summaries_carry_every_member_of_a_full_job(small_mock):
    client = make_client(small_mock.url)
    summary, = [s for s in client.list_model_invocation_jobs(nameContains="full-static")["invocationJobSummaries"]]
    members = set(client.meta.service_model.shape_for("ModelInvocationJobSummary").members)
    assert set(summary) == members


def test_status_equals_is_the_status_at_the_clocks_time(small_mock):
    client = make_client(small_mock.url)
    created = client.create_model_invocation_job(**create_params("status-created"))["jobArn"]
    clock_ids = {job_arn("sclock000001"), job_arn("sclock000002"), created}

    def having(status):
        return set(arns(list_all(client, statusEquals=status))) & (clock_ids | {job_arn("sfuture00001")})

    assert having("Submitted") == clock_ids
    advance(small_mock, "20m")
    assert having("Submitted") == set()
    assert having("Scheduled") == {job_arn("sclock000001"), created}
    assert having("Failed") == {job_arn("sclock000002")}
    advance(small_mock, "30m")
    assert having("InProgress") == {job_arn("sclock000001"), created}
    client.stop_model_invocation_job(jobIdentifier=created)
    assert having("Stopping") == {created}
    advance(small_mock, "1m")
    assert having("Stopped") == {created}
    # the future job exists from its submitTime (12:00) on
    assert having("Submitted") == set()
    advance(small_mock, "69m")
    assert having("Submitted") == {job_arn("sfuture00001")}


def test_a_job_is_listed_only_once_its_submit_time_has_come(small_mock):
    client = make_client(small_mock.url)
    assert job_arn("sfuture00001") not in arns(list_all(client))
    advance(small_mock, "1h59m59s")
    assert job_arn("sfuture00001") not in arns(list_all(client))
    advance(small_mock, "1s")
    assert arns(list_all(client))[0] == job_arn("sfuture00001")


def test_jobs_with_the_same_submit_time_page_one_at_a_time_each_once(small_mock):
    client = make_client(small_mock.url)
    params = {"submitTimeAfter": datetime(2026, 2, 1, 23, tzinfo=UTC), "submitTimeBefore": datetime(2026, 2, 2, 1, tzinfo=UTC)}
    descending = arns(list_all(client, PaginationConfig={"PageSize": 1}, **params))
    ascending = arns(list_all(client, sortOrder="Ascending", PaginationConfig={"PageSize": 1}, **params))
    assert sorted(descending) == sorted(job_arn(job_id) for job_id in TIE_IDS)
    assert ascending == list(reversed(descending))


def test_microsecond_bounds_are_not_rounded_to_milliseconds(small_mock):
    """botocore sends `.%fZ` (6 digits) when a bound has microseconds; a job is compared at its full precision."""
    client = make_client(small_mock.url)
    window = {"nameContains": "job", "sortOrder": "Ascending"}
    micro, milli = job_arn("smicro000001"), job_arn("smilli000001")   # 10:00:00.123456 and 10:00:00.123
    t = lambda us: datetime(2026, 2, 1, 10, 0, 0, us, tzinfo=UTC)
    assert arns(list_all(client, submitTimeAfter=t(123455), submitTimeBefore=t(123457), **window)) == [micro]
    assert arns(list_all(client, submitTimeAfter=t(123400), **window)) == [micro]
    assert arns(list_all(client, submitTimeBefore=t(123001), **window)) == [milli]
    assert arns(list_all(client, submitTimeBefore=t(123500), **window)) == [milli, micro]
    assert arns(list_all(client, submitTimeAfter=t(123456), **window)) == []
    assert arns(list_all(client, submitTimeBefore=t(123000), **window)) == []

"""End to end: the seven operations in one story with boto3 (a throttle on each, retried; the journal
names every operation), and the README's AWS CLI and boto3 walkthroughs run as written."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
import time
from datetime import datetime, timedelta

import pytest

from conftest import (
    ACCOUNT, BUNDLED_FIXTURES, JOB_ARN_RE, REGION, REPO, add_fault, admin, create_params, fixture_jobs, journal,
    make_client, make_job, parse_time, reset, run_aws, write_fixtures,
)

OPERATIONS = ["CreateModelInvocationJob", "GetModelInvocationJob", "ListModelInvocationJobs",
              "StopModelInvocationJob", "TagResource", "UntagResource", "ListTagsForResource"]
PHASES = [(timedelta(minutes=5), "Submitted"), (timedelta(minutes=15), "Validating"),
          (timedelta(minutes=45), "Scheduled"), (timedelta(hours=2, minutes=45), "InProgress")]


def clock(server) -> datetime:
    return parse_time(admin(server, "/_mock/clock")["now"])


def phases_between(low: timedelta, high: timedelta) -> set[str]:
    """The default lifecycle's statuses at any elapsed time from low to high."""
    found = set()
    start = timedelta(0)
    for end, status in PHASES + [(timedelta.max, "Completed")]:
        if low < end and high >= start:
            found.add(status)
        start = end
    return found


def test_the_seven_operations_end_to_end_with_a_throttle_on_each(tmp_path, server_factory, backoff):
    directory = write_fixtures(tmp_path, {"jobs.json": make_job("oldfixture01", status="Completed")})
    server = server_factory(directory, "--clock-rate", "3600", "--log-level", "warning")  # an hour a second
    for operation in OPERATIONS:
        add_fault(server, {"error": "ThrottlingException", "times": 1, "operation": operation})
    client = make_client(server.url)

    def call(method, **params):
        response = getattr(client, method)(**params)
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
        return response

    before_create = clock(server)
    created = call("create_model_invocation_job", **create_params(
        "end-to-end", tags=[{"key": "team", "value": "ml"}, {"key": "drop-me", "value": "x"}]))
    after_create = clock(server)
    arn = created["jobArn"]
    assert JOB_ARN_RE.fullmatch(arn).groups()[:3] == ("aws", REGION, ACCOUNT)

    low = clock(server)
    job = call("get_model_invocation_job", jobIdentifier=arn)
    high = clock(server)
    submit = job["submitTime"]
    assert before_create <= submit <= after_create
    # Submitted lasts 5 simulated minutes (83 ms here): the status is the one of the clock's time during
    # the Get, which is Submitted unless the machine stalled for that long
    assert job["status"] in phases_between(low - submit, high - submit), (job["status"], low - submit, high - submit)

    listing = call("list_model_invocation_jobs")
    assert [s["jobArn"] for s in listing["invocationJobSummaries"]][0] == arn     # newest first
    assert len(listing["invocationJobSummaries"]) == 2

    call("tag_resource", resourceARN=arn, tags=[{"key": "env", "value": "test"}])
    call("untag_resource", resourceARN=arn, tagKeys=["drop-me"])
    assert call("list_tags_for_resource", resourceARN=arn)["tags"] == [
        {"key": "team", "value": "ml"}, {"key": "env", "value": "test"}]

    before_stop = clock(server)
    stopped = call("stop_model_invocation_job", jobIdentifier=arn)
    after_stop = clock(server)
    assert set(stopped) == {"ResponseMetadata"}
    job = call("get_model_invocation_job", jobIdentifier=arn)
    assert job["status"] in ("Stopping", "Stopped")   # Stopping lasts a simulated minute: 17 ms here
    deadline = time.monotonic() + 5
    while job["status"] == "Stopping" and time.monotonic() < deadline:
        assert before_stop <= job["lastModifiedTime"] <= after_stop
        time.sleep(0.01)
        job = call("get_model_invocation_job", jobIdentifier=arn)
    assert job["status"] == "Stopped"
    assert job["endTime"] == job["lastModifiedTime"]
    assert before_stop + timedelta(minutes=1) <= job["endTime"] <= after_stop + timedelta(minutes=1)

    # each operation: throttled once, then answered on boto3's retry with the same invocation id
    entries = journal(server)
    assert {entry["operation"] for entry in entries} == set(OPERATIONS)
    for operation in OPERATIONS:
        mine = [e for e in entries if e["operation"] == operation]
        assert [(e["status"], e["errorCode"], e["attempt"]) for e in mine[:2]] == [
            (429, "ThrottlingException", 1), (200, None, 2)], operation
        assert mine[0]["invocationId"] == mine[1]["invocationId"]
        assert all(e["status"] == 200 for e in mine[2:])
    faults = admin(server, "/_mock/faults")["faults"]
    assert sorted((f["operation"], f["fired"]) for f in faults) == sorted((op, 1) for op in OPERATIONS)
    assert len(backoff.sleeps) == len(OPERATIONS)


# --------------------------------------------------------------------------- the README, run as written


def readme_block(heading: str, language: str) -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index(heading)
    match = re.compile(rf"```{language}\n(.*?)```\n", re.S).search(text, start)
    assert match, f"no ```{language} block after {heading!r} in README.md"
    return match.group(1)


def logical_lines(block: str) -> list[str]:
    return [line.strip() for line in block.replace("\\\n", " ").splitlines() if line.strip()]


def shorthand_tags(args: list[str]) -> list[dict]:
    """`--tags key=a,value=b ...` as the CLI sends them."""
    values = args[args.index("--tags") + 1:]
    tags = []
    for value in values:
        if value.startswith("--"):
            break
        tags.append(dict(part.split("=", 1) for part in value.split(",")))
    return tags


@pytest.fixture(scope="module")
def readme_server(tmp_path_factory):
    """The server as the README starts it: the bundled fixtures, the clock at the real time, rate 1."""
    from conftest import start_server
    server = start_server(BUNDLED_FIXTURES, "--log-level", "warning")
    yield server
    server.assert_clean_stop()


def test_the_readme_cli_walkthrough_runs_as_written(readme_server):
    reset(readme_server)
    env: dict[str, str] = {}
    aliases: dict[str, list[str]] = {}
    commands: list[tuple[list[str], list[str]]] = []   # (argv, the comments that follow it)
    for line in logical_lines(readme_block("### A walkthrough with the AWS CLI", "sh")):
        if line.startswith("#"):
            assert commands, line
            commands[-1][1].append(line.lstrip("# "))
        elif line.startswith("export "):
            env.update(item.split("=", 1) for item in shlex.split(line)[1:])
        elif line.startswith("alias "):
            name, value = shlex.split(line)[1].split("=", 1)
            aliases[name] = [part.replace("http://127.0.0.1:4599", readme_server.url) for part in shlex.split(value)]
        else:
            argv = shlex.split(line)
            commands.append((aliases.get(argv[0], argv[:1]) + argv[1:], []))
    assert env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_DEFAULT_REGION") == "us-east-1"

    placeholder = None
    job_id = None
    arn = None
    created_with: list[str] = []
    tags: list[dict] = []
    ran = []
    for argv, comments in commands:
        assert argv[:2] == ["aws", "bedrock"] and "--endpoint-url" in argv, argv
        if placeholder:
            argv = [part.replace(placeholder, job_id) for part in argv]
        result = run_aws(None, *argv[1:], region=None, access_key=env["AWS_ACCESS_KEY_ID"], env=env)
        rest = argv[2:]
        while rest[0].startswith("--"):   # global options the alias puts first (--endpoint-url URL)
            rest = rest[2:]
        subcommand = rest[0]
        ran.append(subcommand)
        if any("exit code 255" in comment for comment in comments):
            assert result.returncode == 255, (argv, result.stdout, result.stderr)
            expected = comments[0].split("...")[0].strip()
            assert result.stderr.strip().startswith(expected), result.stderr
            identifier = argv[argv.index("--job-identifier") + 1]
            assert result.stderr.strip().endswith(f"Could not find the model invocation job '{identifier}'.")
            continue
        assert result.returncode == 0, (argv, result.stderr)
        if subcommand == "create-model-invocation-job":
            arn = json.loads(result.stdout)["jobArn"]
            match = JOB_ARN_RE.fullmatch(arn)
            assert match and match.groups()[:3] == ("aws", "us-east-1", ACCOUNT), arn
            job_id = match.group(4)
            shown = json.loads(comments[0])["jobArn"]          # the README's example answer
            assert JOB_ARN_RE.fullmatch(shown).groups()[:3] == match.groups()[:3]
            placeholder = shown.rsplit("/", 1)[1]
            created_with = argv
            tags += shorthand_tags(argv)
        elif subcommand == "get-model-invocation-job":
            job = json.loads(result.stdout)
            assert job["jobArn"] == arn and job["status"] in ("Submitted", "Stopping", "Stopped")
            assert job["jobName"] == created_with[created_with.index("--job-name") + 1]
            assert job["modelId"] == created_with[created_with.index("--model-id") + 1]
            assert job["inputDataConfig"] == json.loads(created_with[created_with.index("--input-data-config") + 1])
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", job["submitTime"])
            assert job["timeoutDurationInHours"] == 168 and "tags" not in job
        elif subcommand == "list-model-invocation-jobs":
            listed = json.loads(result.stdout)
            name = created_with[created_with.index("--job-name") + 1]
            assert [name, "Submitted"] in listed or name in listed, listed
        elif subcommand in ("stop-model-invocation-job", "tag-resource", "untag-resource"):
            assert result.stdout.strip() == "", result.stdout
            if subcommand == "tag-resource":
                tags += shorthand_tags(argv)
        elif subcommand == "list-tags-for-resource":
            assert json.loads(result.stdout) == {"tags": tags}
    assert {"create-model-invocation-job", "get-model-invocation-job", "list-model-invocation-jobs",
            "stop-model-invocation-job", "tag-resource", "list-tags-for-resource"} <= set(ran), ran
    # what the walkthrough did, seen by boto3
    job = make_client(readme_server.url).get_model_invocation_job(jobIdentifier=job_id)
    assert job["status"] == "Stopping"


def test_the_readme_boto3_walkthrough_runs_as_written(readme_server):
    reset(readme_server)
    code = readme_block("### The same with boto3", "python").replace("http://127.0.0.1:4599", readme_server.url)
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(code, "README.md (boto3 walkthrough)", "exec"), {})
    lines = output.getvalue().splitlines()
    status, submitted = lines[0].split(" ", 1)
    assert status == "Submitted" and datetime.fromisoformat(submitted).tzinfo is not None
    # the bundled static Completed jobs of us-east-1 / 123456789012, newest first (the others are on the clock)
    completed = sorted((job for job in fixture_jobs(BUNDLED_FIXTURES) if job.get("status") == "Completed"
                        and job["jobArn"].split(":")[3:5] == [REGION, ACCOUNT]),
                       key=lambda job: parse_time(job["submitTime"]), reverse=True)
    assert len(completed) >= 2
    assert lines[1:-2] == [f"{job['jobName']} Completed" for job in completed]
    assert lines[-2] == str([{"key": "team", "value": "ml"}, {"key": "env", "value": "test"}])
    assert lines[-1] == "Could not find the model invocation job 'abcdefghijkl'."

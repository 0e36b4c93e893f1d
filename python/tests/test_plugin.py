"""The pytest plugin, run by pytester in subprocesses: the fixtures, options, the marker, pytest-xdist."""

from __future__ import annotations

import json
import os
import textwrap

import pytest

from mock_bedrock import find_binary

from conftest import PACKAGE_SRC

# The plugin is given with -p, as an uninstalled checkout needs; with the package installed the entry
# point loads it as well, which the plugin allows.
PLUGIN = ("-p", "mock_bedrock.plugin")

HELPERS = '''
import json, os, time
import pytest

def new_job(bedrock, name):
    bedrock.jobs.write_input("s3://plugin-in/records.jsonl", [
        {"recordId": f"r{i:03d}", "modelInput": {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50,
         "messages": [{"role": "user", "content": "hello"}]}} for i in range(100)])
    return bedrock.client().create_model_invocation_job(
        jobName=name, roleArn=f"arn:aws:iam::{bedrock.account}:role/R",
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://plugin-in/records.jsonl"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://plugin-in/out/"}})["jobArn"]

def record(bedrock, name):
    """What each test saw, for the outer test to compare."""
    with open(os.path.join(os.environ["PLUGIN_RECORDS"], name + ".json"), "w") as out:
        json.dump({"account": bedrock.account, "port": bedrock.port, "clock": bedrock.clock.now.isoformat(),
                   "worker": os.environ.get("PYTEST_XDIST_WORKER", "")}, out)
'''


@pytest.fixture
def runs(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path):
    """pytester with the package importable from its subprocesses and a folder for the tests' records."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(PACKAGE_SRC), os.environ.get("PYTHONPATH")])))
    records = tmp_path / "records"
    records.mkdir()
    monkeypatch.setenv("PLUGIN_RECORDS", str(records))
    pytester.makepyfile(plugin_helpers=HELPERS)
    return pytester, records


def seen(records):
    return {path.stem: json.loads(path.read_text()) for path in sorted(records.glob("*.json"))}


def test_the_bedrock_fixture_gives_each_test_a_fresh_server_state_and_an_account(runs):
    pytester, records = runs
    pytester.makepyfile(test_fresh=textwrap.dedent('''
        import re, time
        from plugin_helpers import new_job, record

        def test_first(bedrock):
            record(bedrock, "first")
            assert re.fullmatch(r"9000[0-9]{8}", bedrock.account)
            arn = new_job(bedrock, "first")
            assert f":us-east-1:{bedrock.account}:" in arn
            bedrock.faults.add(error="ThrottlingException", operation="StopModelInvocationJob")
            bedrock.clock.advance("3h")
            assert bedrock.client().get_model_invocation_job(jobIdentifier=arn)["status"] == "Completed"
            assert bedrock.jobs.manifest(arn)["totalRecordCount"] == 100
            (bedrock.jobs.s3_dir / "left-behind").mkdir()

        def test_second(bedrock, mock_bedrock):
            record(bedrock, "second")
            assert bedrock.requests() == [] and bedrock.faults.list() == []
            assert sorted(p.name for p in bedrock.jobs.s3_dir.iterdir()) == []
            assert bedrock.client().list_model_invocation_jobs()["invocationJobSummaries"] == []
            assert mock_bedrock.health()["jobs"] == 0  # the first test's job went with the reset
            before = bedrock.clock.now
            time.sleep(0.05)
            assert bedrock.clock.now == before and bedrock.clock.rate == 0  # frozen
            assert bedrock.server is mock_bedrock and bedrock.endpoint_url == mock_bedrock.endpoint_url
    '''))
    result = pytester.runpytest_subprocess(*PLUGIN)
    result.assert_outcomes(passed=2)
    first, second = seen(records)["first"], seen(records)["second"]
    assert first["port"] == second["port"]  # one server for the session
    assert first["account"] != second["account"]
    assert first["clock"] == second["clock"]  # each test starts at the clock's start


def test_the_clock_marker(runs):
    pytester, _ = runs
    pytester.makepyfile(test_marker=textwrap.dedent('''
        from datetime import datetime, timedelta, timezone
        import pytest

        @pytest.mark.mock_bedrock_clock(rate=3600)
        def test_running(bedrock):
            assert bedrock.clock.rate == 3600

        @pytest.mark.mock_bedrock_clock(start="2099-03-01T10:00:00Z", advance="2h")
        def test_start_and_advance(bedrock):
            assert bedrock.clock.now == datetime(2099, 3, 1, 12, tzinfo=timezone.utc)
            assert bedrock.clock.rate == 0

        @pytest.mark.mock_bedrock_clock(start=datetime(2000, 1, 1, tzinfo=timezone.utc))
        def test_start_in_the_past(bedrock):
            pass

        def test_unmarked_after_them(bedrock):
            assert bedrock.clock.rate == 0 and bedrock.clock.now.year < 2099
    '''))
    result = pytester.runpytest_subprocess(*PLUGIN)
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*mock_bedrock_clock: set: the clock does not go back*never goes back*--clock-start*"])
    markers = pytester.runpytest_subprocess(*PLUGIN, "--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.mock_bedrock_clock(start=None, advance=None, rate=None):*"])


def test_options_and_ini_keys(runs):
    pytester, _ = runs
    binary = str(find_binary())
    pytester.makeini(textwrap.dedent(f'''
        [pytest]
        mock_bedrock_bin = {binary}
        mock_bedrock_args =
            --clock-rate 5
            --max-active-jobs=1
    '''))
    pytester.makepyfile(test_options=textwrap.dedent('''
        from datetime import datetime, timezone
        import pytest
        from plugin_helpers import new_job

        def test_flags(bedrock):
            assert bedrock.clock.rate == 5
            assert bedrock.clock.now >= datetime(2030, 1, 1, tzinfo=timezone.utc)  # --mock-bedrock-arg
            new_job(bedrock, "one")
            client = bedrock.client()
            with pytest.raises(client.exceptions.ServiceQuotaExceededException):
                new_job(bedrock, "two")
    '''))
    result = pytester.runpytest_subprocess(*PLUGIN, "--mock-bedrock-arg=--clock-start=2030-01-01T00:00:00Z")
    result.assert_outcomes(passed=1)
    missing = pytester.runpytest_subprocess(*PLUGIN, "--mock-bedrock-bin", str(pytester.path / "no-such-binary"))
    missing.assert_outcomes(errors=1)
    missing.stdout.fnmatch_lines(["*BinaryNotFoundError*no-such-binary*not an executable file*"])


def test_the_plugin_loads_under_its_entry_point_and_its_module_name_together(runs, monkeypatch):
    """An installed package registers the plugin as `mock_bedrock` (entry point); `-p mock_bedrock.plugin`
    or `pytest_plugins` name the module: both at once must not fail. A stand-in distribution declares
    the entry point here."""
    pytester, _ = runs
    dist = pytester.path / "site" / "mock_bedrock_standin-0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: mock-bedrock-standin\nVersion: 0\n")
    (dist / "entry_points.txt").write_text("[pytest11]\nmock_bedrock = mock_bedrock.plugin\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(pytester.path / "site"), os.environ["PYTHONPATH"]]))
    pytester.makeconftest('pytest_plugins = ["mock_bedrock.plugin"]')
    pytester.makepyfile(test_loaded=textwrap.dedent('''
        def test_loaded(bedrock, pytestconfig):
            manager = pytestconfig.pluginmanager
            assert manager.get_plugin("mock_bedrock") or manager.get_plugin("mock_bedrock.plugin")
            assert bedrock.health()["status"] == "ok"
    '''))
    pytester.runpytest_subprocess().assert_outcomes(passed=1)  # the entry point, then pytest_plugins
    pytester.runpytest_subprocess(*PLUGIN).assert_outcomes(passed=1)  # -p, the entry point, pytest_plugins


def test_parallel_tests_under_xdist(runs):
    """pytest-xdist must be installed for this suite (Tests/e2e/requirements.txt pins it)."""
    try:
        import xdist  # noqa: F401
    except ImportError:
        pytest.fail("pytest-xdist is not installed: the suite needs it to check parallel runs (pip install pytest-xdist)")
    pytester, records = runs
    pytester.makepyfile(test_parallel=textwrap.dedent('''
        import time
        import pytest
        from plugin_helpers import new_job, record

        @pytest.mark.parametrize("n", range(6))
        def test_own_jobs(bedrock, n):
            record(bedrock, f"test{n}")
            arn = new_job(bedrock, f"job-{n}")
            time.sleep(0.1)
            bedrock.clock.advance("3h")
            listed = bedrock.client().list_model_invocation_jobs()["invocationJobSummaries"]
            assert [job["jobArn"] for job in listed] == [arn]
            assert [r["operation"] for r in bedrock.requests()][:1] == ["CreateModelInvocationJob"]
            assert len(bedrock.jobs.outputs(arn)["records.jsonl.out"]) == 100
    '''))
    result = pytester.runpytest_subprocess(*PLUGIN, "-n", "2")
    result.assert_outcomes(passed=6)
    tests = seen(records)
    workers = {test["worker"] for test in tests.values()}
    assert workers == {"gw0", "gw1"}
    ports = {test["worker"]: test["port"] for test in tests.values()}
    assert len(set(ports.values())) == 2  # a server per worker
    accounts = [test["account"] for test in tests.values()]
    assert len(set(accounts)) == 6
    assert {account[:4] for account in accounts} == {"9001", "9002"}  # the worker's number in the account

"""The package's suite: the real server (the bundled binary, else $MOCK_BEDROCK_BIN, else PATH).

Run from the repository: `PYTHONPATH=python/src python -m pytest python/tests -p mock_bedrock.plugin`,
or with the package installed: `python -m pytest python/tests`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import mock_bedrock
from mock_bedrock import MockBedrock, find_binary

# pytester runs small test files in subprocesses; the plugin is loaded here too so that the suite
# also runs without -p (loading it under both names is allowed, see the plugin).
pytest_plugins = ["pytester", "mock_bedrock.plugin"]

PACKAGE_SRC = Path(mock_bedrock.__file__).resolve().parents[1]
MODEL_ID = "anthropic.claude-3-haiku-20240307-v1:0"
ROLE_ARN = "arn:aws:iam::123456789012:role/BedrockBatchRole"

# pytester's runs happen in other folders: a relative MOCK_BEDROCK_BIN must survive that.
if os.environ.get("MOCK_BEDROCK_BIN"):
    os.environ["MOCK_BEDROCK_BIN"] = str(Path(os.environ["MOCK_BEDROCK_BIN"]).resolve())


def pytest_configure(config: pytest.Config) -> None:
    try:
        find_binary()
    except FileNotFoundError as error:
        raise pytest.UsageError(str(error)) from None


def records(count: int, prefix: str = "rec") -> List[Dict[str, Any]]:
    """`count` Claude records, recordIds prefix-000, prefix-001, ..."""
    return [
        {"recordId": f"{prefix}-{i:03d}",
         "modelInput": {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100,
                        "messages": [{"role": "user", "content": f"Summarise ticket {i}: the parcel is late."}]}}
        for i in range(count)
    ]


def create_job(client: Any, name: str, input_uri: str, output_uri: str, **extra: Any) -> str:
    return client.create_model_invocation_job(
        jobName=name, roleArn=ROLE_ARN, modelId=MODEL_ID,
        inputDataConfig={"s3InputDataConfig": {"s3Uri": input_uri}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": output_uri}}, **extra)["jobArn"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockBedrock]:
    """One server for a test module: clock frozen, job data in a directory."""
    with MockBedrock(clock_rate=0, s3_dir=tmp_path_factory.mktemp("s3"), log_level="warning") as mock:
        yield mock


@pytest.fixture
def mock(server: MockBedrock) -> MockBedrock:
    """The module's server, reset."""
    server.reset()
    return server


def write_json(path: Path, content: Any) -> Path:
    path.write_text(json.dumps(content), encoding="utf-8")
    return path

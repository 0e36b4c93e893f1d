"""The data plane's helpers: input files and results under --s3-dir."""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Union

if TYPE_CHECKING:
    from ._server import _Surface

PathLike = Union[str, "os.PathLike[str]"]
Duration = Union[str, int, float, timedelta]
JobRef = Union[str, Mapping[str, Any]]

FINISHED_WITH_RESULTS = ("Completed", "PartiallyCompleted", "Stopped")
JOB_ARN = re.compile(r"^arn:[a-z-]+:bedrock:([a-z0-9-]+):([0-9]{12}):model-invocation-job/([a-z0-9]{12})$")

class Jobs:
    """Where jobs read their input and write their results, for a server with `--s3-dir`."""

    def __init__(self, surface: "_Surface") -> None:
        self._surface = surface

    @property
    def s3_dir(self) -> Optional[Path]:
        """The directory that serves S3 (`--s3-dir`), or None."""
        return self._surface._core._s3_dir

    @property
    def s3_endpoint(self) -> Optional[str]:
        """The S3 endpoint jobs use (`--s3-endpoint`), or None."""
        return self._surface._core._s3_endpoint

    def _directory(self) -> Path:
        s3_dir = self.s3_dir
        if s3_dir is not None:
            return s3_dir
        endpoint = self.s3_endpoint
        if endpoint:
            raise RuntimeError(
                f"this server keeps job data on the S3 endpoint {endpoint}, not in a directory: read and "
                f"write it with an S3 client, e.g. boto3.client('s3', endpoint_url={endpoint!r})"
            )
        raise RuntimeError("this server has no object store: start it with s3_dir=... (--s3-dir) for the data plane")

    def path(self, s3_uri: str) -> Path:
        """The file that serves `s3://bucket/key` (`<s3_dir>/bucket/key`)."""
        parsed = urllib.parse.urlsplit(s3_uri)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ValueError(f"not an s3://bucket/key URI: {s3_uri!r}")
        key = parsed.path.lstrip("/")
        parts = [part for part in key.split("/") if part]
        if parsed.netloc in (".", "..") or any(part in (".", "..") for part in parts):
            raise ValueError(f"{s3_uri!r} has a '.' or '..' segment")
        target = self._directory() / parsed.netloc
        for part in parts:
            target = target / part
        return target

    def create_bucket(self, bucket: str) -> Path:
        """A bucket is a folder of the S3 directory that must exist; this makes it."""
        folder = self.path(f"s3://{bucket}/")
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def write_input(self, s3_uri: str, records: Iterable[Union[Mapping[str, Any], str]]) -> Path:
        """Writes `records` (dicts, each one JSON line; strings as they are) as the JSONL object
        `s3_uri`, making its bucket and folders. Answers the file's path."""
        target = self.path(s3_uri)
        if s3_uri.endswith("/"):
            raise ValueError(f"an input object's URI names a file, not a folder: {s3_uri!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="\n") as out:
            for record in records:
                line = record if isinstance(record, str) else json.dumps(record, ensure_ascii=False)
                out.write(line.rstrip("\n") + "\n")
        return target

    def job(self, job: JobRef) -> Dict[str, Any]:
        """The job: as given when it is a dict (a Get's answer), else GetModelInvocationJob with a
        client of the ARN's account and region (a bare id: this handle's). That Get is a request like
        any other: it is journaled, counts as a poll, and makes the server do due data work."""
        if isinstance(job, Mapping):
            return dict(job)
        match = JOB_ARN.match(job)
        if match:
            client = self._surface.client(region=match.group(1), account=match.group(2))
        else:
            client = self._surface.client()
        answer = dict(client.get_model_invocation_job(jobIdentifier=job))
        answer.pop("ResponseMetadata", None)
        return answer

    def output_dir(self, job: JobRef) -> Path:
        """`<output s3Uri>/<jobId>/` as a path of the S3 directory (it exists once the job has results)."""
        found = self.job(job)
        return self._output_dir_of(found)

    def _output_dir_of(self, job: Mapping[str, Any]) -> Path:
        self._directory()
        uri = job["outputDataConfig"]["s3OutputDataConfig"]["s3Uri"]
        job_id = job["jobArn"].rsplit("/", 1)[-1]
        return self.path(uri.rstrip("/") + "/" + job_id + "/")

    def _results(self, job: JobRef) -> Path:
        found = self.job(job)
        folder = self._output_dir_of(found)
        if not (folder / "manifest.json.out").is_file():
            raise FileNotFoundError(
                f"job {found['jobArn']} has no results at {folder}: it is {found.get('status')}; results are "
                f"written when it ends {', '.join(FINISHED_WITH_RESULTS)} and a request reads it there"
            )
        return folder

    def outputs(self, job: JobRef) -> Dict[str, List[Dict[str, Any]]]:
        """The job's output files: {name below the job folder (`records.jsonl.out`): [parsed lines]}."""
        folder = self._results(job)
        outputs: Dict[str, List[Dict[str, Any]]] = {}
        for file in sorted(folder.rglob("*")):
            name = file.relative_to(folder).as_posix()
            if not file.is_file() or name == "manifest.json.out" or file.name.startswith(".mock-bedrock"):
                continue
            with open(file, encoding="utf-8") as lines:
                outputs[name] = [json.loads(line) for line in lines if line.strip()]
        return outputs

    def manifest(self, job: JobRef) -> Dict[str, Any]:
        """The job's `manifest.json.out`: totalRecordCount, processedRecordCount, ... outputTokenCount."""
        with open(self._results(job) / "manifest.json.out", encoding="utf-8") as manifest:
            return dict(json.load(manifest))


# --------------------------------------------------------------------------- the API both share

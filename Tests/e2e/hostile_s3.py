"""A small S3 server on loopback that misbehaves on purpose, for the data plane's hostile cases: listings
that lie (sizes, keys outside the prefix), objects that trickle, never end or serve more than they
declare, answers that fail a few times first, writes that stall. Path-style requests only; the mock's
client signs them and this server does not check signatures.

Every object is an `Entry` under (bucket, key); what the server did is kept for the test to read
(`served_bytes`, `requests`, `closed_early`). It stops on `stop()`; its trickles check the stop event,
so no thread outlives the test."""

from __future__ import annotations

import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape


@dataclass
class Entry:
    data: bytes = b""
    # The size a listing and HEAD declare (default: len(data)).
    declared: int | None = None
    # "normal", "trickle" (`rate` bytes a second), "endless" (data repeated until the client leaves).
    mode: str = "normal"
    rate: int = 2048

    @property
    def size(self) -> int:
        return len(self.data) if self.declared is None else self.declared


@dataclass
class Failure:
    """The first `times` requests of `method` whose key ends with `suffix` answer `status` with `code`."""
    method: str
    suffix: str
    times: int
    status: int = 503
    code: str = "SlowDown"


class HostileS3:
    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], Entry] = {}
        self.buckets: set[str] = set()
        # Raw ListObjectsV2 bodies by bucket, served instead of the listing made from `objects`.
        self.listings: dict[str, bytes] = {}
        # Listings by bucket served as an `Entry` streams (a listing that trickles).
        self.slow_listings: dict[str, Entry] = {}
        self.failures: list[Failure] = []
        # Seconds a PUT whose key ends with the suffix waits before it answers.
        self.put_delays: dict[str, float] = {}
        self.requests: list[tuple[str, str]] = []
        self.served_bytes: dict[str, int] = {}
        self.closed_early: set[str] = set()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def server_args(self) -> list[str]:
        return ["--s3-endpoint", self.url, "--s3-credentials", "test:test"]

    def put(self, bucket: str, key: str, data: bytes = b"", **entry) -> None:
        self.buckets.add(bucket)
        self.objects[(bucket, key)] = Entry(data=data, **entry)

    def keys(self, bucket: str) -> list[str]:
        with self.lock:
            return sorted(key for (b, key) in self.objects if b == bucket)

    def get(self, bucket: str, key: str) -> bytes:
        return self.objects[(bucket, key)].data

    def count(self, method: str, suffix: str = "") -> int:
        with self.lock:
            return sum(1 for m, path in self.requests if m == method and path.endswith(suffix))

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        s3 = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _target(self) -> tuple[str, str, dict[str, list[str]]]:
                parts = urllib.parse.urlsplit(self.path)
                path = urllib.parse.unquote(parts.path)
                bucket, _, key = path.lstrip("/").partition("/")
                return bucket, key, urllib.parse.parse_qs(parts.query)

            def _answer(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                if "Content-Length" not in (headers or {}):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD" and body:
                    self.wfile.write(body)

            def _error(self, status: int, code: str) -> None:
                body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{code}</Message></Error>".encode()
                self._answer(status, body, {"Content-Type": "application/xml"})

            def _failure(self, key: str) -> bool:
                with s3.lock:
                    s3.requests.append((self.command, self.path))
                    for failure in s3.failures:
                        if failure.method == self.command and key.endswith(failure.suffix) and failure.times > 0:
                            failure.times -= 1
                            break
                    else:
                        return False
                self._error(failure.status, failure.code)
                return True

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def do_GET(self) -> None:
                bucket, key, query = self._target()
                if self._failure(key):
                    return
                if not key:
                    return self._list(bucket, query)
                entry = s3.objects.get((bucket, key))
                if entry is None:
                    return self._error(404, "NoSuchKey")
                if entry.mode == "normal":
                    return self._answer(200, entry.data, {"Content-Type": "application/octet-stream"})
                self._stream(key, entry)

            def _stream(self, key: str, entry: Entry) -> None:
                # Sent with Connection: close and no length: the body ends when this server closes it.
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                sent = 0
                chunk = max(1, entry.rate // 10) if entry.mode == "trickle" else 65536
                data = entry.data or b"\n"
                try:
                    while not s3.stopping.is_set():
                        if entry.mode == "trickle":
                            if sent >= len(data):
                                break
                            piece = data[sent:sent + chunk]
                        else:
                            start = sent % len(data)
                            piece = (data[start:] + data * (chunk // len(data) + 1))[:chunk]
                        self.wfile.write(piece)
                        self.wfile.flush()
                        sent += len(piece)
                        with s3.lock:
                            s3.served_bytes[key] = sent
                        if entry.mode == "trickle":
                            time.sleep(0.1)
                except OSError:
                    with s3.lock:
                        s3.closed_early.add(key)

            def _list(self, bucket: str, query) -> None:
                if bucket not in s3.buckets:
                    return self._error(404, "NoSuchBucket")
                if bucket in s3.slow_listings:
                    return self._stream(f"listing:{bucket}", s3.slow_listings[bucket])
                if bucket in s3.listings:
                    return self._answer(200, s3.listings[bucket], {"Content-Type": "application/xml"})
                prefix = query.get("prefix", [""])[0]
                with s3.lock:
                    listed = sorted((key, entry.size) for (b, key), entry in s3.objects.items() if b == bucket and key.startswith(prefix))
                contents = "".join(f"<Contents><Key>{escape(key)}</Key><Size>{size}</Size></Contents>" for key, size in listed)
                body = ("<?xml version='1.0' encoding='UTF-8'?><ListBucketResult xmlns='http://s3.amazonaws.com/doc/2006-03-01/'>"
                        f"<Name>{bucket}</Name><KeyCount>{len(listed)}</KeyCount><IsTruncated>false</IsTruncated>{contents}</ListBucketResult>")
                self._answer(200, body.encode(), {"Content-Type": "application/xml"})

            def do_HEAD(self) -> None:
                bucket, key, _ = self._target()
                if self._failure(key):
                    return
                entry = s3.objects.get((bucket, key))
                if entry is None:
                    return self._answer(404)
                self._answer(200, headers={"Content-Length": str(entry.size)})

            def do_PUT(self) -> None:
                bucket, key, _ = self._target()
                body = self._body()
                if self._failure(key):
                    return
                for suffix, seconds in s3.put_delays.items():
                    if key.endswith(suffix):
                        s3.stopping.wait(seconds)
                if bucket not in s3.buckets:
                    return self._error(404, "NoSuchBucket")
                with s3.lock:
                    s3.objects[(bucket, key)] = Entry(data=body)
                self._answer(200, headers={"ETag": '"0"'})

            def do_DELETE(self) -> None:
                bucket, key, _ = self._target()
                if self._failure(key):
                    return
                with s3.lock:
                    s3.objects.pop((bucket, key), None)
                self._answer(204)

        return Handler

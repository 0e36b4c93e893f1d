"""Issue 14: many connections on few threads. libmicrohttpd 0.9.75's epoll mode stopped serving every open
connection of a thread once 128 or more were ready at once, and its poll() mode accepts one connection a
round; the server now waits in poll() and accepts on a thread of its own. Raw sockets, one thread."""
from __future__ import annotations

import resource
import selectors
import socket
import time

import pytest

from conftest import http, make_job, write_fixtures

JOB_ID = "c0nn3ct10n5a"
GET = f"GET /model-invocation-job/{JOB_ID} HTTP/1.1\r\nHost: x\r\n\r\n".encode()


@pytest.fixture(scope="module")
def fixtures_dir(tmp_path_factory):
    return write_fixtures(tmp_path_factory.mktemp("connections"), {"jobs.json": {"jobs": [make_job(JOB_ID)]}})


@pytest.fixture
def enough_descriptors():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, 4096))
    if wanted < 2200:
        pytest.skip(f"needs about 2,200 open files; the hard limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def answer_all(sockets: list[socket.socket], deadline: float) -> tuple[int, float]:
    """Reads one whole answer (head and Content-Length body) from each socket; returns how many came
    before the deadline and when the last one did (seconds from now)."""
    started = time.monotonic()
    pending = {sock: b"" for sock in sockets}
    done, last = 0, 0.0
    with selectors.DefaultSelector() as selector:
        for sock in sockets:
            selector.register(sock, selectors.EVENT_READ)
        while pending and time.monotonic() - started < deadline:
            for key, _ in selector.select(timeout=0.1):
                sock = key.fileobj
                chunk = sock.recv(65536)
                if not chunk:
                    selector.unregister(sock)
                    pending.pop(sock, None)
                    continue
                pending[sock] += chunk
                head, separator, body = pending[sock].partition(b"\r\n\r\n")
                if separator:
                    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
                    if len(body) >= length:
                        assert head.startswith(b"HTTP/1.1 200"), head[:100]
                        selector.unregister(sock)
                        del pending[sock]
                        done += 1
                        last = time.monotonic() - started
    return done, last


def test_256_connections_ready_at_once_on_one_thread_are_served_round_after_round(fixtures_dir, server_factory):
    server = server_factory(fixtures_dir, "--threads", "1", "--log-level", "warning")
    sockets = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(256)]
    try:
        for round_number in range(20):
            for sock in sockets:  # every connection has a request waiting before the server reads any
                sock.sendall(GET)
            done, last = answer_all(sockets, deadline=5)
            assert done == 256, f"round {round_number}: {done} of 256 answered (the epoll stall)"
    finally:
        for sock in sockets:
            sock.close()


def test_1024_connections_opened_at_once_on_one_thread_are_accepted_and_answered_promptly(fixtures_dir, server_factory,
                                                                                         enough_descriptors):
    server = server_factory(fixtures_dir, "--threads", "1", "--max-connections", "2048", "--log-level", "warning")
    started = time.monotonic()
    sockets = []
    try:
        for _ in range(1024):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", server.port))
            sockets.append(sock)
        for sock in sockets:
            sent = False
            for _ in range(200):  # the connect may still be under way
                try:
                    sock.send(GET)
                    sent = True
                    break
                except BlockingIOError:
                    time.sleep(0.005)
            assert sent
        done, last = answer_all(sockets, deadline=10)
        print(f"1024 connections: all answered {time.monotonic() - started:.2f} s after the first connect")
        assert done == 1024
        assert last < 5.0, last  # about 9 s with libmicrohttpd's own accept, one connection a round; 0.2 s here
    finally:
        for sock in sockets:
            sock.close()


def test_stats_count_answers_errors_and_open_connections(fixtures_dir, server_factory):
    server = server_factory(fixtures_dir)
    before = http(server.url, "/_mock/stats").json()
    for _ in range(3):
        assert http(server.url, f"/model-invocation-job/{JOB_ID}").status == 200
    assert http(server.url, "/model-invocation-job/zzzzzzzzzzzz").status == 404
    with socket.create_connection(("127.0.0.1", server.port)) as held:
        held.sendall(GET)
        assert held.recv(65536).startswith(b"HTTP/1.1 200")
        after = http(server.url, "/_mock/stats").json()
    assert after["answers"] - before["answers"] == 6  # 3 + 1 + the held one + the first stats
    assert after["errors"] - before["errors"] == 1
    assert after["connections"] >= 2  # the held connection and this one


def test_stats_are_part_of_the_admin_api(fixtures_dir, server_factory):
    server = server_factory(fixtures_dir, "--no-admin")
    assert http(server.url, "/_mock/stats").status == 404
    assert http(server.url, "/_mock/health").status == 200

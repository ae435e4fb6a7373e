"""``argmap serve`` keeps answering while many idle connections are open."""

from __future__ import annotations

import socket
import time
import urllib.request

from tests.api.servers import argmap_env, free_port, start_service, wait_until


def health(base: str, timeout: float) -> int:
    with urllib.request.urlopen(base + "/api/v1/health", timeout=timeout) as response:
        return response.status


def test_health_answers_with_120_idle_connections_open(tmp_path):
    from argmap.cli import waitress_options
    from argmap.settings import Settings

    options = waitress_options(8, Settings())
    assert options["connection_limit"] > 120 and options["connection_limit"] > options["threads"]
    assert options["channel_timeout"] <= 60

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = argmap_env(ARGMAP_INSTANCE_PATH=str(tmp_path / "instance"), ARGMAP_RATE_LIMITS="off")
    service = start_service(env, port, tmp_path / "serve.log")
    idle: list[socket.socket] = []
    try:
        def up():
            try:
                return health(base, 2) == 200
            except OSError:
                return False

        wait_until(up, timeout=120, what="argmap serve to answer")
        for _ in range(120):
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        idle[-1].sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")  # and one half-sent request
        time.sleep(0.5)
        started = time.monotonic()
        assert health(base, 5) == 200, service.output()
        assert time.monotonic() - started < 5
    finally:
        for sock in idle:
            sock.close()
        service.stop()

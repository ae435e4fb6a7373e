"""Real helper processes for the job tests: redis-server, ``argmap worker`` and ``argmap serve``."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, *, timeout: float, what: str, interval: float = 0.2):
    """Poll ``condition()`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class Process:
    """A child process whose output goes to a log file (shown when a test fails)."""

    def __init__(self, argv: list[str], *, env: dict, log: Path):
        self.log = log
        self.handle = open(log, "ab")
        self.popen = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=self.handle, stderr=subprocess.STDOUT,
                                      start_new_session=True)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to tidy up or acknowledge anything."""
        if self.alive():
            os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)
        self.handle.close()

    def stop(self, timeout: float = 20) -> None:
        if self.alive():
            self.popen.terminate()
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)
        self.handle.close()

    def output(self, tail: int | None = 4000) -> str:
        text = self.log.read_text(errors="replace")
        return text[-tail:] if tail else text


def redis_server_binary() -> str | None:
    return shutil.which("redis-server")


def start_redis(folder: Path, port: int | None = None) -> tuple[Process, str]:
    """redis-server on 127.0.0.1 on ``port`` (a free one by default), keeping its files in ``folder``;
    returns (process, URL)."""
    import redis

    port = port or free_port()
    process = Process([redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
                       "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
                      env=dict(os.environ), log=folder / "redis.log")
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)

    def answers():
        try:
            return client.ping()
        except redis.ConnectionError:
            assert process.alive(), process.output()
            return False

    wait_until(answers, timeout=20, what="redis-server to answer")
    return process, url


def argmap_env(**settings: str) -> dict:
    """The environment for an argmap child process: this checkout first on the path, offline models."""
    env = dict(os.environ)
    env.update({"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
                "PYTHONUNBUFFERED": "1"})
    env.pop("ARGMAP_BROKER_URL", None)
    env.pop("ARGMAP_DATABASE_URL", None)
    env.update(settings)
    return env


def start_worker(env: dict, log: Path) -> Process:
    return Process([sys.executable, "-m", "argmap.cli", "worker", "--loglevel", "info"], env=env, log=log)


def start_service(env: dict, port: int, log: Path) -> Process:
    return Process([sys.executable, "-m", "argmap.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                   env=env, log=log)


class ThreadedServer:
    """A real HTTP server for an app, on a thread of this process (werkzeug's, which stops cleanly)."""

    def __init__(self, app):
        import threading

        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

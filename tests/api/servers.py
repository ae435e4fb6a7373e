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

    def __init__(self, argv: list[str], *, env: dict, log: Path, **popen):
        self.log = log
        self.handle = open(log, "ab")
        self.popen = subprocess.Popen(argv, env=env, cwd=popen.pop("cwd", ROOT), stdout=self.handle,
                                      stderr=subprocess.STDOUT, start_new_session=True, **popen)

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


def postgres_binaries() -> Path | None:
    """The folder of Debian's PostgreSQL server programs (``initdb``, ``postgres``), if installed."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return candidates[-1].parent if candidates else None


def postgres_unavailable() -> str | None:
    """Why a PostgreSQL server cannot be started here, or None."""
    if postgres_binaries() is None:
        return "PostgreSQL is not installed (Debian: apt-get install postgresql)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    if os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run PostgreSQL as"
    return None


def start_postgres() -> tuple[Process, str, Path]:
    """A throw-away PostgreSQL server (``initdb`` on a new data folder, trust authentication) on
    127.0.0.1 on a free port, run as the ``postgres`` user when the tests run as root (PostgreSQL
    refuses root); returns (process, admin URL, folder). Remove the folder after stopping it."""
    import tempfile

    bin_dir = postgres_binaries()
    folder = Path(tempfile.mkdtemp(prefix="argmap-pg-"))  # not under pytest's root-only tmp folders
    as_user: dict = {}
    if os.geteuid() == 0:
        import pwd

        account = pwd.getpwnam("postgres")
        os.chown(folder, account.pw_uid, account.pw_gid)
        as_user = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    data = folder / "data"
    env = {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    subprocess.run([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                    "--no-sync"], env=env, cwd=folder, check=True, capture_output=True, timeout=120, **as_user)
    port = free_port()
    process = Process([str(bin_dir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(folder),
                       "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
                       "-c", "full_page_writes=off", "-c", "max_connections=200"],
                      env=env, log=Path(tempfile.mkstemp(prefix="argmap-pg-", suffix=".log")[1]), cwd=folder,
                      **as_user)
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def answers():
        import psycopg

        assert process.alive(), process.output()
        try:
            psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres", connect_timeout=2).close()
            return True
        except psycopg.OperationalError:
            return False

    wait_until(answers, timeout=60, what="PostgreSQL to answer")
    return process, url, folder


def create_postgres_database(admin_url: str) -> tuple[str, str]:
    """A new, empty database on the server at ``admin_url``; returns (name, URL). The URL is
    written as the README tells users to (``postgresql://``: the store picks psycopg for it)."""
    import uuid

    import sqlalchemy as sa

    name = "t_" + uuid.uuid4().hex[:16]
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE DATABASE {name}"))
    finally:
        admin.dispose()
    url = admin_url.rsplit("/", 1)[0].replace("postgresql+psycopg://", "postgresql://") + "/" + name
    return name, url


def drop_postgres_database(admin_url: str, name: str, url: str) -> None:
    """Close this process's connections to database ``name`` (at ``url``) and drop it, ending any
    other process's sessions on it."""
    import sqlalchemy as sa

    from argmap import store as store_module

    store_module.dispose(url)
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    finally:
        admin.dispose()


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

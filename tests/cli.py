"""Running ``argmap`` in a fresh process, as a user does, for the CLI tests."""

from __future__ import annotations

import os
import resource
import subprocess
import sys

from tests.conftest import ROOT

MEMORY_CAP = 1536 * 1024 * 1024  # address space: reading /dev/zero whole would hit it


def cap_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def argmap(*args: str, shell_redirect: str = "", stdin=None, timeout: float = 120,
           env: dict | None = None) -> subprocess.CompletedProcess:
    """``argmap ARGS`` in a fresh process (``env`` added to the environment); ``shell_redirect``
    is appended to a bash command line."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", **(env or {})}
    command = [sys.executable, "-m", "argmap.cli", *args]
    if shell_redirect:
        line = " ".join(f"'{part}'" for part in command) + " " + shell_redirect
        command = ["bash", "-c", line]
    return subprocess.run(command, cwd=ROOT, env=env, stdin=stdin, capture_output=True, timeout=timeout,
                          preexec_fn=cap_memory)


def one_error_line(result: subprocess.CompletedProcess) -> str:
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2, (result.returncode, stderr)
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("argmap: error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]

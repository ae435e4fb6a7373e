"""Settings read from the environment, with the embedded defaults."""

from __future__ import annotations

import os
from pathlib import Path


def instance_path() -> Path:
    """The folder for argmap's database and caches (``ARGMAP_INSTANCE_PATH``)."""
    configured = os.environ.get("ARGMAP_INSTANCE_PATH")
    if configured:
        path = Path(configured).expanduser()
    else:
        base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
        path = Path(base) / "argmap"
    path.mkdir(parents=True, exist_ok=True)
    return path


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    try:
        return int(value) if value else default
    except ValueError:
        return default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    try:
        return float(value) if value else default
    except ValueError:
        return default


MAX_COMMENTS_DEFAULT = 5000

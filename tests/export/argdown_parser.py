"""The official Argdown parser (tools/argdown, on Node.js) run over an export."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

TOOL = ROOT / "tools" / "argdown"


def parse_argdown(text: str, tmp_path: Path) -> dict:
    """Run the official parser on the text; returns its statements, relations and errors."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed (the Argdown parser runs on Node.js)")
    if not (TOOL / "node_modules" / "@argdown" / "core").is_dir():
        pytest.skip("tools/argdown/node_modules is missing: run (cd tools/argdown && npm ci)")
    path = tmp_path / "map.argdown"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(["node", "parse.mjs", str(path)], cwd=TOOL, capture_output=True, text=True, timeout=120)
    parsed = json.loads(result.stdout)
    assert result.returncode == 0 and parsed["errors"] == [], parsed["errors"][:5]
    return parsed

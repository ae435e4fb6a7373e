"""One settings object: read once from the environment (and a file), documented in the README."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from argmap.errors import ArgmapError
from argmap.settings import Settings, readme_table
from tests.conftest import ROOT


def test_the_readme_table_is_the_settings_object():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_table() in readme, "regenerate the table: python -m argmap.settings"


def test_only_the_settings_module_reads_the_environment():
    touching = set()
    for path in (ROOT / "argmap").rglob("*.py"):
        if path.name == "settings.py" or "evaluation" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                touching.add(str(path.relative_to(ROOT)))
    # the others only hand os.environ to Settings.from_env or set HF_HUB_* defaults for the model libraries
    assert touching <= {"argmap/cli.py", "argmap/service/__init__.py", "argmap/embed/torch_runtime.py"}


def test_file_then_environment(tmp_path):
    file = tmp_path / "argmap.toml"
    file.write_text('max_comments = 40\nworkers = 3\napi_tokens = ["a"]\n')
    settings = Settings.from_env({"ARGMAP_WORKERS": "5"}, file)
    assert (settings.max_comments, settings.workers, settings.api_tokens) == (40, 5, ("a",))


def test_bad_values_and_unknown_keys_are_clear_errors(tmp_path):
    with pytest.raises(ArgmapError, match="ARGMAP_MAX_COMMENTS"):
        Settings.from_env({"ARGMAP_MAX_COMMENTS": "lots"})
    file = tmp_path / "argmap.toml"
    file.write_text("max_comment = 4\n")
    with pytest.raises(ArgmapError, match="max_comment"):
        Settings.from_env({}, file)


def test_every_setting_has_a_documented_variable():
    table = readme_table()
    names = re.findall(r"\| `([A-Z_]+)` \|", table)
    assert len(names) == len(set(names)) == len(Settings.__dataclass_fields__)
    assert Path(ROOT / "argmap" / "settings.py").exists()

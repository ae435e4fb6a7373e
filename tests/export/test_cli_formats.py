"""``argmap analyze SAMPLE --format F`` writes every registered format (one process, models loaded once)."""

import pytest
from click.testing import CliRunner

from argmap.cli import main
from argmap.export import format_names

from ..conftest import SAMPLE_JSON

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("fmt", format_names())
def test_cli_writes_each_format(tmp_path, fmt):
    out = tmp_path / f"map.{fmt}"
    result = CliRunner().invoke(main, ["analyze", str(SAMPLE_JSON), "--format", fmt, "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 200

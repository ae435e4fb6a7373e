"""The maps the export tests read back: the hand-made debate (fast) and the sample thread."""

import pytest

from argmap.analytics.graph import build_graph

from ..analytics.debate import debate_analysis


@pytest.fixture(scope="session")
def debate_map():
    analysis = debate_analysis()
    return analysis, build_graph(analysis)

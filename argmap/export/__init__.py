"""Exports by name: each format is one module with a ``render(analysis, graph) -> bytes``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from argmap.errors import ArgmapError


@dataclass(frozen=True)
class Exporter:
    name: str
    extension: str
    mimetype: str
    render: Callable  # (Analysis, nx.DiGraph) -> bytes
    description: str = ""


EXPORTERS: dict[str, Exporter] = {}


def register(exporter: Exporter) -> Exporter:
    EXPORTERS[exporter.name] = exporter
    return exporter


def get_exporter(name: str) -> Exporter:
    _load_builtin()
    try:
        return EXPORTERS[name]
    except KeyError:
        raise ArgmapError(f"unknown format {name!r}; choose one of: {', '.join(sorted(EXPORTERS))}") from None


def format_names() -> list[str]:
    _load_builtin()
    return sorted(EXPORTERS)


def render_kept(store, analysis_id: str, fmt: str) -> bytes:
    """A done analysis's export in ``fmt``: rendered once from the stored result, then kept.

    A finished analysis never changes, so every later download is the kept bytes.
    """
    kept = store.get_export(analysis_id, fmt)
    if kept is not None:
        return kept
    result = store.get_result(analysis_id)
    if result is None:
        raise LookupError(f"analysis {analysis_id} has no result")
    analysis, graph = result
    if graph is None:  # stored before graphs were kept: built again (topics then come from word vectors)
        from argmap.analytics.graph import build_graph

        graph = build_graph(analysis)
    body = get_exporter(fmt).render(analysis, graph)
    store.put_export(analysis_id, fmt, body)
    return body


def _load_builtin() -> None:
    from argmap.export import graphml, node_link  # noqa: F401  (each registers itself)
    from argmap.export import aif, argdown, authors, csv_tables, cytoscape, graphml_yed, summary_md  # noqa: F401

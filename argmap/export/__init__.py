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


def _load_builtin() -> None:
    from argmap.export import graphml, node_link  # noqa: F401  (each registers itself)
    from argmap.export import aif, argdown, authors, csv_tables, cytoscape, graphml_yed, summary_md  # noqa: F401

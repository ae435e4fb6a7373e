"""Exports by name: each format is one module with a ``render(analysis, graph) -> bytes``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import networkx as nx

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


# ----------------------------------------------------------------------------------
# what every export does to the text it writes

# Characters XML 1.0 cannot hold (C0 controls but tab, newline and carriage return; U+FFFE,
# U+FFFF); lone surrogates, which no UTF-8 file can hold, become U+FFFD.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
URL_KEYS = ("url",)


def text_safe(text: str) -> str:
    """Text that encodes as UTF-8: lone surrogates become U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def xml_safe(text: str) -> str:
    """Text an XML 1.0 document can hold: illegal control characters removed, lone surrogates U+FFFD."""
    return _XML_ILLEGAL.sub("", text_safe(text))


def safe_url(value) -> str:
    """``value`` when it is an http(s) URL, else "" (no ``javascript:``, ``data:`` or ``file:`` links)."""
    if isinstance(value, str) and value.strip().lower().startswith(("http://", "https://")):
        return value.strip()
    return ""


def clean(value, *, xml: bool = False):
    """``value`` with every string in it (dict keys and values, list items) made safe to write."""
    if isinstance(value, str):
        return xml_safe(value) if xml else text_safe(value)
    if isinstance(value, dict):
        return {clean(k, xml=xml): clean(v, xml=xml) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v, xml=xml) for v in value]
    return value


def _clean_attrs(attrs: dict, xml: bool) -> dict:
    out = {key: clean(value, xml=xml) for key, value in attrs.items()}
    for key in URL_KEYS:
        if key in out and out[key] is not None:
            out[key] = safe_url(out[key])
    return out


def export_graph(graph: nx.DiGraph, *, xml: bool = False) -> nx.DiGraph:
    """A copy of the map fit to export: every string encodable (and legal XML with ``xml``),
    every ``url`` attribute an http(s) URL or "" (stored text from before input cleaning,
    or a source's odd link, must not break a download or become a clickable script)."""
    ids = {node: clean(node, xml=xml) for node in graph.nodes}
    out = nx.DiGraph()
    out.graph.update(_clean_attrs(graph.graph, xml))
    out.add_nodes_from((ids[node], _clean_attrs(attrs, xml)) for node, attrs in graph.nodes(data=True))
    out.add_edges_from((ids[s], ids[t], _clean_attrs(attrs, xml)) for s, t, attrs in graph.edges(data=True))
    return out
def render_kept(store, analysis_id: str, fmt: str) -> bytes:
    """A done analysis's export in ``fmt``: rendered once from the stored result, then kept.

    A version never changes, so every later download is the kept bytes (a refresh's new
    version clears them; bytes rendered from the version it replaced are not kept).
    """
    kept = store.get_export(analysis_id, fmt)
    if kept is not None:
        return kept
    stamp = store.result_stamp(analysis_id)
    result = store.get_result(analysis_id)
    if result is None:
        raise LookupError(f"analysis {analysis_id} has no result")
    analysis, graph = result
    if graph is None:  # stored before graphs were kept: built again (topics then come from word vectors)
        from argmap.analytics.graph import build_graph

        graph = build_graph(analysis)
    body = get_exporter(fmt).render(analysis, graph)
    store.put_export(analysis_id, fmt, body, stamp=stamp)
    return body


def _load_builtin() -> None:
    from argmap.export import graphml, node_link  # noqa: F401  (each registers itself)
    from argmap.export import aif, argdown, authors, csv_tables, cytoscape, graphml_yed, summary_md  # noqa: F401

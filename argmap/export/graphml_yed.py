"""GraphML styled for yEd: the plain GraphML plus yFiles graphics, so the map opens readable.

Claims are rounded boxes coloured by topic, sized by ``rank``, laid out in one column per
topic; supports are green arrows, rebuttals red, restatements grey and dashed.
"""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET

import networkx as nx

from argmap.export import Exporter, export_graph, register
from argmap.export.graphml import graphml_graph, write_graphml

GRAPHML = "http://graphml.graphdrawing.org/xmlns"
YFILES = "http://www.yworks.com/xml/graphml"
TOPIC_COLOURS = ("#8DD3C7", "#FFFFB3", "#BEBADA", "#FB8072", "#80B1D3", "#FDB462",
                 "#B3DE69", "#FCCDE5", "#D9D9D9", "#BC80BD", "#CCEBC5", "#FFED6F")
RELATION_STYLE = {"supports": ("#2E7D32", "line"), "rebuts": ("#C62828", "line"), "restates": ("#757575", "dashed")}
LABEL_WIDTH = 36  # characters per line in a box
LABEL_CHARS = 180


def box_label(text: str) -> list[str]:
    short = textwrap.shorten(" ".join(text.split()), LABEL_CHARS, placeholder=" …")
    return textwrap.wrap(short, LABEL_WIDTH) or [""]


MAX_BOX_WIDTH = 480.0  # 240 for the least important claim, twice that for the most
GAP = 40.0  # between columns and between boxes in a column


def box_size(attrs: dict) -> tuple[list[str], float, float]:
    """A claim's label lines and its box's width and height, both grown with its rank."""
    lines = box_label(attrs.get("text", ""))
    scale = 1.0 + min(max(float(attrs.get("rank", 0.0)), 0.0), 1.0)
    return lines, 240.0 * scale, (18.0 * len(lines) + 12.0) * scale


def node_graphics(attrs: dict, x: float, y: float) -> ET.Element:
    lines, width, height = box_size(attrs)
    scale = width / 240.0
    shape = ET.Element(f"{{{YFILES}}}ShapeNode")
    ET.SubElement(shape, f"{{{YFILES}}}Geometry", height=f"{height:.1f}", width=f"{width:.1f}", x=f"{x:.1f}", y=f"{y:.1f}")
    colour = TOPIC_COLOURS[int(attrs.get("topic", 0)) % len(TOPIC_COLOURS)]
    ET.SubElement(shape, f"{{{YFILES}}}Fill", color=colour, transparent="false")
    border = "#C62828" if attrs.get("contested") else "#000000"
    ET.SubElement(shape, f"{{{YFILES}}}BorderStyle", color=border, type="line", width="2.0" if attrs.get("contested") else "1.0")
    label = ET.SubElement(shape, f"{{{YFILES}}}NodeLabel", alignment="left", fontSize=f"{12 * scale:.0f}",
                          modelName="internal", modelPosition="c")
    label.text = "\n".join(lines)
    ET.SubElement(shape, f"{{{YFILES}}}Shape", type="roundrectangle")
    return shape


def edge_graphics(attrs: dict) -> ET.Element:
    colour, line = RELATION_STYLE.get(attrs.get("relation", ""), ("#000000", "line"))
    edge = ET.Element(f"{{{YFILES}}}PolyLineEdge")
    width = 1.0 + 2.0 * float(attrs.get("confidence", 0.0))
    ET.SubElement(edge, f"{{{YFILES}}}LineStyle", color=colour, type=line, width=f"{width:.1f}")
    ET.SubElement(edge, f"{{{YFILES}}}Arrows", source="none", target="standard")
    label = ET.SubElement(edge, f"{{{YFILES}}}EdgeLabel")
    label.text = attrs.get("relation", "")
    return edge


def positions(graph: nx.DiGraph) -> dict:
    """One column per topic, claims in thread order down it; no two boxes overlap.

    >>> g = nx.DiGraph()
    >>> g.add_node("a", topic=0, text="One.", rank=1.0); g.add_node("b", topic=0, text="Two."); g.add_node("c", topic=1)
    >>> positions(g)
    {'a': (0.0, 0.0), 'b': (0.0, 100.0), 'c': (520.0, 0.0)}
    """
    tops: dict[int, float] = {}
    placed = {}
    for node, attrs in graph.nodes(data=True):
        topic = int(attrs.get("topic", 0))
        top = tops.get(topic, 0.0)
        placed[node] = (topic * (MAX_BOX_WIDTH + GAP), top)
        tops[topic] = top + box_size(attrs)[2] + GAP
    return placed


def render(analysis, graph: nx.DiGraph) -> bytes:
    graph = export_graph(graph, xml=True)
    ET.register_namespace("", GRAPHML)
    ET.register_namespace("y", YFILES)
    root = ET.fromstring(write_graphml(graphml_graph(graph)))
    first_graph = root.find(f"{{{GRAPHML}}}graph")
    insert_at = list(root).index(first_graph)
    root.insert(insert_at, ET.Element(f"{{{GRAPHML}}}key", {"id": "yfiles_node", "for": "node", "yfiles.type": "nodegraphics"}))
    root.insert(insert_at, ET.Element(f"{{{GRAPHML}}}key", {"id": "yfiles_edge", "for": "edge", "yfiles.type": "edgegraphics"}))
    placed = positions(graph)
    for element in first_graph.findall(f"{{{GRAPHML}}}node"):
        node = element.get("id")
        data = ET.SubElement(element, f"{{{GRAPHML}}}data", key="yfiles_node")
        data.append(node_graphics(graph.nodes[node], *placed[node]))
    for element in first_graph.findall(f"{{{GRAPHML}}}edge"):
        data = ET.SubElement(element, f"{{{GRAPHML}}}data", key="yfiles_edge")
        data.append(edge_graphics(graph.edges[element.get("source"), element.get("target")]))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


register(Exporter("graphml-yed", "yed.graphml", "application/graphml+xml", render, "GraphML with yEd styling"))

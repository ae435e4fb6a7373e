"""What a map says, in a few lines: its topics and key claims, the most contested claims,
the strongest consensus, the weighty claims nobody answered, and where each person stands.

Reads only the attributes ``graph.annotate`` sets, so every export shows the same summary.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import networkx as nx

KEY_CLAIMS = 3  # per topic
LISTED = 5  # contested / consensus / unanswered claims shown
UNKNOWN_AUTHOR = "[unknown]"


def claim_ref(graph: nx.DiGraph, node: str) -> dict:
    """A claim as the summary lists it."""
    attrs = graph.nodes[node]
    return {
        "id": node,
        "text": attrs["text"],
        "author": attrs.get("author") or UNKNOWN_AUTHOR,
        "comment_id": attrs["comment_id"],
        "url": attrs.get("url", ""),
        "topic": attrs["topic"],
        "rank": attrs["rank"],
        "controversy": attrs["controversy"],
        "supports": attrs["supports"],
        "rebuts": attrs["rebuts"],
        "supporters": attrs.get("supporters", 0),
        "opponents": attrs.get("opponents", 0),
    }


def top(graph: nx.DiGraph, nodes, key, count: int = LISTED) -> list[dict]:
    return [claim_ref(graph, n) for n in sorted(nodes, key=key, reverse=True)[:count]]


def topic_summaries(graph: nx.DiGraph) -> list[dict]:
    members = defaultdict(list)
    for node, attrs in graph.nodes(data=True):
        members[attrs["topic"]].append(node)
    out = []
    for topic in graph.graph.get("topics", []):
        nodes = members[topic["id"]]
        out.append({
            "id": topic["id"],
            "label": topic["label"],
            "key_phrases": list(topic["key_phrases"]),
            "size": topic["size"],
            "central_claim": claim_ref(graph, topic["central_claim"]),
            "key_claims": top(graph, nodes, lambda n: graph.nodes[n]["rank"], KEY_CLAIMS),
            "contested": sum(graph.nodes[n]["contested"] for n in nodes),
        })
    return out


def people(graph: nx.DiGraph) -> list[dict]:
    """Per known author: how many claims, whom they supported/rebutted and who answered them.

    Sorted by claims made. Claims without an author (deleted accounts, pasted text) are
    left out: they are not one person. Answering one's own claim is not counted. A reply
    counts once toward whom it agrees or disagrees with, however many edges it draws.
    """
    claims = Counter()
    best: dict[str, str] = {}
    given = defaultdict(lambda: {"supports": Counter(), "rebuts": Counter()})
    received = defaultdict(lambda: {"supports": Counter(), "rebuts": Counter()})
    for node, attrs in graph.nodes(data=True):
        author = attrs.get("author")
        if not author:
            continue
        claims[author] += 1
        if author not in best or attrs["rank"] > graph.nodes[best[author]]["rank"]:
            best[author] = node
    counted: set[tuple] = set()
    for source, target, attrs in graph.edges(data=True):
        relation = attrs["relation"]
        speaker = graph.nodes[source].get("author")
        addressee = graph.nodes[target].get("author")
        if relation not in ("supports", "rebuts") or not speaker or not addressee or speaker == addressee:
            continue
        key = (attrs.get("reply_id") or graph.nodes[source]["comment_id"], relation, addressee)
        if key in counted:
            continue
        counted.add(key)
        given[speaker][relation][addressee] += 1
        received[addressee][relation][speaker] += 1
    out = []
    for author, count in sorted(claims.items(), key=lambda item: (-item[1], item[0])):
        out.append({
            "author": author,
            "claims": count,
            "top_claim": claim_ref(graph, best[author]),
            "supported": dict(given[author]["supports"].most_common()),
            "rebutted": dict(given[author]["rebuts"].most_common()),
            "supported_by": dict(received[author]["supports"].most_common()),
            "rebutted_by": dict(received[author]["rebuts"].most_common()),
        })
    return out


DISPUTE_PEOPLE = 2  # a dispute: at least this many people against, and someone for
CONSENSUS_PEOPLE = 2  # a consensus: at least this many people for, nobody against


def is_disputed(attrs: dict) -> bool:
    """Many different people dispute the claim and others defend it (counted by person, not sentence)."""
    return attrs.get("opponents", 0) >= DISPUTE_PEOPLE and attrs.get("supporters", 0) >= 1


def is_consensus(attrs: dict) -> bool:
    """Several different people back the claim and nobody disputes it."""
    return attrs.get("supporters", 0) >= CONSENSUS_PEOPLE and attrs.get("opponents", 0) == 0


def summarize(graph: nx.DiGraph) -> dict:
    """The thread summary: a plain JSON-ready dict."""
    nodes = list(graph.nodes)
    attrs = graph.nodes
    relations = Counter(a["relation"] for _s, _t, a in graph.edges(data=True))
    return {
        "title": graph.graph.get("title", ""),
        "url": graph.graph.get("url", ""),
        "claims": len(nodes),
        "relations": {name: relations.get(name, 0) for name in ("supports", "rebuts", "restates")},
        "topics": topic_summaries(graph),
        "most_contested": top(graph, [n for n in nodes if is_disputed(attrs[n])],
                              lambda n: (min(attrs[n]["opponents"], attrs[n]["supporters"]),
                                         attrs[n]["opponents"] + attrs[n]["supporters"], attrs[n]["rank"])),
        "strongest_consensus": top(graph, [n for n in nodes if is_consensus(attrs[n])],
                                   lambda n: (attrs[n]["supporters"], attrs[n]["support_weight"], attrs[n]["rank"])),
        "unanswered": top(graph, [n for n in nodes if attrs[n]["unanswered"]], lambda n: (attrs[n]["rank"], attrs[n].get("score", 0.0))),
        "people": people(graph),
        **({"threads": graph.graph["threads"], "recurring_disputes": graph.graph.get("recurring", [])}
           if "threads" in graph.graph else {}),
    }


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")
_MD_LINE_START = re.compile(r"^([-+]|\d+(?=[.)]))([.)]?)")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def md(text) -> str:
    """Text from the thread as inert Markdown: one line, Markdown's characters backslash-escaped,
    ``& < >`` as entities (no HTML gets through), nothing that starts a list or heading."""
    text = " ".join(str(text).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2) if m.group(2) else "\\" + m.group(1), text)
    return "".join(_HTML.get(ch, ch) for ch in text)
def status_summary(analysis, graph: nx.DiGraph, *, count: int = LISTED) -> dict:
    """What status pages show of a done analysis: counts, the top claims by rank, the notes.

    The top claims are ranked as ``summarize`` ranks key claims (``rank``, from PageRank).
    """
    counts = {key: value for key, value in analysis.stats.items() if isinstance(value, int)}
    counts.setdefault("comments", len(analysis.thread.comments))
    counts.setdefault("claims", len(analysis.claims))
    counts.setdefault("edges", len(analysis.relations))
    attrs = graph.nodes
    ranked = sorted(graph.nodes, key=lambda n: attrs[n].get("rank", 0.0), reverse=True)[:count]
    return {
        "title": analysis.thread.title,
        "counts": counts,
        "top_claims": [{"id": n, "text": attrs[n]["text"], "author": attrs[n].get("author") or None,
                        "replies": attrs[n].get("supports", 0) + attrs[n].get("rebuts", 0)} for n in ranked],
        "notes": [n for n in analysis.stats.get("notes", analysis.thread.notes) if isinstance(n, str)],
    }


def _quote(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _count(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number} {noun if number == 1 else (plural or noun + 's')}"


def _line(claim: dict, extra: str = "") -> str:
    return f"- “{md(_quote(claim['text']))}” — {md(claim['author'])}{extra}"


def summary_text(summary: dict, *, people_listed: int = 5) -> str:
    """The summary as Markdown text (the ``summary`` export and the README example)."""
    relations = summary["relations"]
    lines = [f"# {md(summary['title']) or 'Thread'}", "",
             f"{_count(summary['claims'], 'claim')}; {_count(relations['supports'], 'support')}, "
             f"{_count(relations['rebuts'], 'rebuttal')}, {_count(relations['restates'], 'restatement')}.", "",
             "## Topics"]
    for topic in summary["topics"]:
        lines.append(f"### {topic['id']}. {md(topic['label'])} ({_count(topic['size'], 'claim')}, "
                     f"{topic['contested']} contested)")
        lines.append(_line(topic["central_claim"], " (most central)"))
        for claim in topic["key_claims"]:
            if claim["id"] != topic["central_claim"]["id"]:
                lines.append(_line(claim, f" (rank {claim['rank']:.2f})"))
    sections = (("Most contested", "most_contested",
                 lambda c: f" ({_count(c['opponents'], 'person', 'people')} against, {c['supporters']} for)"),
                ("Strongest consensus", "strongest_consensus",
                 lambda c: f" ({_count(c['supporters'], 'person', 'people')} for, nobody against)"),
                ("Unanswered", "unanswered", lambda c: f" (rank {c['rank']:.2f})"))
    for title, key, extra in sections:
        lines += ["", f"## {title}"]
        lines += [_line(c, extra(c)) for c in summary[key]] or ["- none"]
    if "threads" in summary:  # a corpus map: its threads, and the disputes that recur across them
        lines += ["", "## Threads"]
        lines += [f"- {md(t['title'])} ({md(t['key'])}; {_count(t['claims'], 'claim')})" for t in summary["threads"]]
        lines += ["", "## Disputes that recur"]
        for dispute in summary["recurring_disputes"]:
            sides = [f"in {', '.join(md(t) for t in dispute['threads'])}",
                     "made by " + ", ".join(md(a) for a in dispute["asserted_by"])]
            if dispute["supported_by"]:
                sides.append("supported by " + ", ".join(md(a) for a in dispute["supported_by"]))
            sides.append("rebutted by " + ", ".join(md(a) for a in dispute["rebutted_by"]))
            lines.append(f"- {md(dispute['point'])} ({'; '.join(sides)})")
        if not summary["recurring_disputes"]:
            lines.append("- none (no point made in two threads is rebutted in either)")
    lines += ["", "## People"]
    if not summary["people"]:
        lines.append("- no authors known")
    for person in summary["people"][:people_listed]:
        stance = []
        for key, verb in (("supported", "supported"), ("rebutted", "rebutted"),
                          ("supported_by", "supported by"), ("rebutted_by", "rebutted by")):
            if person[key]:
                stance.append(f"{verb} " + ", ".join(f"{md(who)} ×{n}" for who, n in list(person[key].items())[:3]))
        lines.append(f"- {md(person['author'])}: {_count(person['claims'], 'claim')}" + ("; " + "; ".join(stance) if stance else ""))
    return "\n".join(lines) + "\n"

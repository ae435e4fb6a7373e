"""The map of a pasted thread against the map of the same thread fetched: ``python -m argmap.evaluation.paste_pairs``.

Each labelled test thread (``argmap.evaluation.stance_labels``) is analysed four ways:
fetched (its real reply tree), pasted as a copied HN page (``render_hn_copy``: headers
with the links HN writes, which ``argmap.sources.paste_formats`` reads back as tree cues)
and pasted as plain text, no authors, two ways: one comment per line, as the sample thread is
written (``render_comment_lines``), and every paragraph on a line of its own
(``render_lines``: what a copy of multi-paragraph comments without headers gives). The pasted
comments are mapped back to the recorded ones by page order, and every labelled reply →
parent pair is read off the edges between their claims as ``argmap.evaluation.edges``
reads them (supports = agree, rebuts = disagree, no edge = neither). Copied HN pages are
rendered for the HN threads only (Reddit user names do not fit HN's header).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict

from argmap.evaluation import stance_labels
from argmap.evaluation.edges import READING, score_pairs


def kept_comments(thread) -> list:
    """The comments a copy shows with text, in page order."""
    return [c for c in thread.comments if not c.deleted and c.text.strip()]


def render_hn_copy(thread) -> str:
    """The text a reader gets by copying the thread's HN page: title, story line, then per
    comment a header (author, time, the ``root | parent | prev | next`` links its place in the
    real tree gives), its paragraphs and ``reply``. Deleted comments are left out (their
    replies keep the links of their real place, as on the page)."""
    from argmap.training.paste_parents import page_cues

    cues = page_cues(thread, "hn")
    later_sibling: dict[str, bool] = {}
    seen_parent: dict[str, str] = {}
    for comment in reversed(thread.comments):
        later_sibling[comment.id] = comment.parent_id in seen_parent
        seen_parent[comment.parent_id] = comment.id
    lines = [thread.title or "Untitled", f"100 points by {thread.author or 'someone'} 9 hours ago | hide | past | "
             f"favorite | {len(thread.comments)} comments"]
    if thread.text.strip():
        lines += [thread.text.strip(), ""]
    for comment in kept_comments(thread):
        cue = cues[comment.id]
        links = (["root"] if cue.depth_min >= 2 else []) + (["parent"] if cue.depth_min >= 1 else [])
        links += (["prev"] if cue.has_prev else []) + (["next"] if later_sibling[comment.id] else [])
        header = f"{comment.author or 'anonymous'} 3 hours ago"
        header += "".join(f" | {link}" for link in links) + " [–]"
        lines += ["", header, "", comment.text.strip(), "", "reply"]
    return "\n".join(lines) + "\n"


def render_comment_lines(thread) -> tuple[str, list[str]]:
    """The sample's format: one comment per line, its paragraphs joined by spaces, the quotes
    it opens with on ``>`` lines of their own before it (later quotes are left out); and, per
    pasted comment, the id of the comment it came from.

    >>> from argmap.model import Comment, Thread
    >>> thread = Thread(source="text", id="t", comments=[
    ...     Comment(id="a", parent_id="t", text="Rust is fast.\\n\\nAnd safe."),
    ...     Comment(id="b", parent_id="a", text="> Rust is fast.\\nNot to compile.\\n\\n> And safe.\\nTrue.")])
    >>> render_comment_lines(thread)
    ('Rust is fast. And safe.\\n> Rust is fast.\\nNot to compile. True.\\n', ['a', 'b'])
    """
    from argmap.sources.text import quote_text

    lines, origin = [], []
    for comment in kept_comments(thread):
        opening, body = [], []
        for line in (part.strip() for part in comment.text.split("\n")):
            if not line:
                continue
            if quote_text(line) is not None:
                if not body:
                    opening.append(line)
                continue
            body.append(line)
        if body:
            lines += opening + [" ".join(body)]
            origin.append(comment.id)
    return "\n".join(lines) + "\n", origin


def render_lines(thread) -> tuple[str, list[str]]:
    """Every line of every comment on a line of its own (a comment's paragraphs one after
    another, quotes joined to the line after them; a comment's closing quote lines are left
    out) and, per pasted line, the id of the comment it came from."""
    from argmap.sources.text import quote_text
    from argmap.training.paste_parents import split_lines

    lines, origin = [], []
    for comment in kept_comments(thread):
        for piece in split_lines(comment.text):
            if all(quote_text(line) is not None for line in piece.split("\n")):
                continue  # quotes with no reply after them would join the next comment's first line
            lines.append(piece)
            origin += [comment.id]
    return "\n".join(lines) + "\n", origin


def mapped_readings(analysis, origin: dict[str, str]) -> dict[tuple[str, str], str]:
    """(recorded reply id, recorded parent id) → agree/disagree from the edges between their claims."""
    comment_of = {claim.id: claim.comment_id for claim in analysis.claims}
    weight: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for relation in analysis.relations:
        if relation.relation not in READING:
            continue
        source = origin.get(comment_of.get(relation.source))
        target = origin.get(comment_of.get(relation.target))
        if source is None or target is None or source == target:
            continue
        weight[(source, target)][READING[relation.relation]] += relation.confidence
    return {pair: max(w, key=w.get) for pair, w in weight.items()}


def pasted_origin(pasted, ids: list[str]) -> dict[str, str]:
    """Pasted comment id → the recorded comment it came from (``ids`` in paste order); a
    stand-in for quoted words the paste lacks (``quoted_only``) came from none."""
    comments = [c for c in pasted.comments if not c.quoted_only]
    if len(comments) != len(ids):
        raise ValueError(f"the paste read back {len(comments)} comments, expected {len(ids)}")
    return {c.id: original for c, original in zip(comments, ids)}


def evaluate(split: str = "test", progress=None) -> dict:
    from argmap.pipeline import analyze_thread
    from argmap.sources.text import parse_text

    rows = [r for r in stance_labels.read_labels() if r["split"] == split]
    by_thread: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_thread[row["thread"]].append(row)
    per_thread: dict[str, dict] = {}
    totals: dict[str, tuple[list, dict]] = {}
    for thread_file, thread_rows in sorted(by_thread.items()):
        thread = stance_labels.load_thread(thread_file)
        runs = {"fetched": (thread, {c.id: c.id for c in thread.comments})}
        if thread_file.startswith("hn/"):
            pasted = parse_text(render_hn_copy(thread))
            runs["copied HN page"] = (pasted, pasted_origin(pasted, [c.id for c in kept_comments(thread)]))
        text, ids = render_comment_lines(thread)
        pasted = parse_text(text)
        runs["one comment per line"] = (pasted, pasted_origin(pasted, ids))
        text, ids = render_lines(thread)
        pasted = parse_text(text)
        runs["lines"] = (pasted, pasted_origin(pasted, ids))
        per_thread[thread_file] = {}
        for name, (to_analyse, origin) in runs.items():
            analysis, _graph = analyze_thread(to_analyse)
            readings = mapped_readings(analysis, origin)
            per_thread[thread_file][name] = score_pairs(thread_rows, readings)
            kept_rows, kept_readings = totals.setdefault(
                f"{name} (HN threads)" if thread_file.startswith("hn/") else f"{name} (Reddit threads)", ([], {}))
            kept_rows += thread_rows
            kept_readings.update(readings)
            if progress:
                progress(thread_file, name, per_thread[thread_file][name])
    return {"overall": {name: score_pairs(r, readings) for name, (r, readings) in sorted(totals.items())},
            "per_thread": per_thread}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("test", "dev"), default="test")
    args = parser.parse_args(argv)
    report = evaluate(args.split, progress=lambda t, n, r: print(t, n, json.dumps(r), file=sys.stderr))
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

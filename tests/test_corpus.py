"""Corpus maps: recorded threads merged into one map, with cross-thread restates and recurring disputes."""

from __future__ import annotations

import copy
import json

import networkx as nx
import pytest

from argmap.corpus import CorpusPart, build_corpus, part_of, thread_key
from argmap.model import Analysis, Claim, Comment, Relation, Thread
from argmap.pipeline import analyze_thread
from argmap.sources.files import load_file

from .cli import argmap, one_error_line

THREADS = ("reddit/rtv_2xmo63.json", "hn/hackernewsandroid_10939306_planet9.json", "reddit/praw_yjk55.json")
PLANTED = "Public transit funding should double in every large city by next year."
NEGATED = "Public transit funding should not double in every large city by next year."


def with_comment(thread: Thread, comment_id: str, author: str, text: str) -> Thread:
    grown = copy.deepcopy(thread)
    grown.comments.append(Comment(id=comment_id, parent_id=grown.id, text=text, author=author))
    return grown


@pytest.fixture(scope="module")
def planted(threads_dir, settings):
    """Three recorded threads: the same sentence planted in the first two, its negation in the third."""
    first, second, third = (load_file(threads_dir / name) for name in THREADS)
    threads = [with_comment(first, "planted-a", "alice", PLANTED), with_comment(second, "planted-b", "bob", PLANTED),
               with_comment(third, "planted-c", "carol", NEGATED)]
    parts = [part_of(analyze_thread(t, settings=settings)[0], settings=settings) for t in threads]
    return threads, build_corpus(parts, title="Three threads")


def test_a_sentence_planted_in_two_threads_is_linked_and_its_negation_is_not(planted):
    threads, (analysis, graph) = planted
    a, b, c = (f"{thread_key(t)}/{cid}:0" for t, cid in zip(threads, ("planted-a", "planted-b", "planted-c")))
    assert {a, b, c} <= set(graph.nodes)
    across = {(s, t) for s, t, attrs in graph.edges(data=True) if attrs["origin"] == "across"}
    assert (a, b) in across or (b, a) in across
    assert all(attrs["relation"] == "restates" for _s, _t, attrs in graph.edges(data=True) if attrs["origin"] == "across")
    assert not [edge for edge in across if c in edge]  # the contradiction guard holds across threads
    # every cross-thread link joins two threads; every claim keeps its thread
    assert all(graph.nodes[s]["thread"] != graph.nodes[t]["thread"] for s, t in across)
    assert all(node.startswith(graph.nodes[node]["thread"] + "/") for node in graph.nodes)
    assert analysis.stats["cross_thread_restates"] == len(across)


def test_the_corpus_keeps_every_thread_whole(planted, settings):
    threads, (analysis, graph) = planted
    assert [row["key"] for row in graph.graph["threads"]] == [thread_key(t) for t in threads]
    own = sum(1 for _s, _t, attrs in graph.edges(data=True) if attrs["origin"] != "across")
    alone = [analyze_thread(t, settings=settings)[0] for t in threads]  # read back from the kept results
    assert own == sum(len(a.relations) for a in alone)
    assert graph.number_of_nodes() == sum(len(a.claims) for a in alone)
    assert len({graph.nodes[n]["topic"] for n in graph.nodes}) == len(graph.graph["topics"])
    # a comment's link still points at its own site
    node = next(n for n in graph.nodes if n.startswith("hn:"))
    assert graph.nodes[node]["url"].startswith("https://news.ycombinator.com/item?id=")


def test_recurring_disputes_name_the_threads_and_the_sides(settings):
    point = "Remote work makes software teams more productive than office work."

    def thread(tid: str, author: str, rebutter: str | None) -> Analysis:
        comments = [Comment("c1", tid, point, author=author)]
        claims = [Claim("c1:0", "c1", point, 0, len(point), author=author)]
        relations = []
        if rebutter:
            reply = "That is wrong, every study of pair programming says otherwise."
            comments.append(Comment("c2", "c1", reply, author=rebutter))
            claims.append(Claim("c2:0", "c2", reply, 0, len(reply), author=rebutter))
            relations.append(Relation("c2:0", "c1:0", "rebuts", 0.8, "reply", reply_id="c2", parent_id="c1",
                                      stance="disagree"))
        return Analysis(Thread("hn", tid, title=f"thread {tid}", comments=comments), claims, relations)

    parts = [part_of(thread("1", "ann", "bea"), settings=settings), part_of(thread("2", "cal", None), settings=settings)]
    analysis, graph = build_corpus(parts)
    [recurring] = graph.graph["recurring"]
    assert recurring["threads"] == ["hn:1", "hn:2"]
    assert recurring["asserted_by"] == ["ann", "cal"] and recurring["rebutted_by"] == ["bea"]
    assert recurring["point"] == point
    from argmap.export import get_exporter

    text = get_exporter("summary").render(analysis, graph).decode("utf-8")
    recurs = text.split("## Disputes that recur")[1].split("##")[0]
    assert point in recurs and "hn:1, hn:2" in recurs and "rebutted by bea" in recurs
    assert "## Threads" in text and "thread 2" in text


def test_a_thread_twice_is_refused(settings):
    analysis = Analysis(Thread("hn", "1"), [], [])
    import numpy as np

    part = CorpusPart(analysis, np.zeros((0, 384), dtype=np.float32))
    with pytest.raises(ValueError, match="twice"):
        build_corpus([part, part])


def test_cli_corpus_writes_graphml_with_a_thread_on_every_node(threads_dir, tmp_path):
    (tmp_path / "list.txt").write_text("# two recorded threads\n" + "\n".join(
        str(threads_dir / name) for name in THREADS[:2]) + "\n", encoding="utf-8")
    result = argmap("corpus", f"@{tmp_path / 'list.txt'}", str(threads_dir / THREADS[0]), "--format", "graphml",
                    "-o", str(tmp_path / "corpus.graphml"))
    assert result.returncode == 0, result.stderr.decode()
    assert "corpus: 2 threads" in result.stderr.decode()  # the thread named twice is mapped once
    graph = nx.read_graphml(tmp_path / "corpus.graphml")
    assert graph.number_of_nodes() > 100
    assert {graph.nodes[n]["thread"] for n in graph.nodes} == {"reddit:2xmo63", "hn:10939306"}


def test_cli_corpus_errors(tmp_path):
    assert "cannot read the list" in one_error_line(argmap("corpus", f"@{tmp_path / 'missing.txt'}"))
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    result = argmap("corpus", str(tmp_path / "bad.json"))
    assert "no thread of the corpus could be read" in one_error_line_last(result)


def one_error_line_last(result) -> str:
    stderr = result.stderr.decode()
    assert result.returncode == 2, stderr
    assert "Traceback" not in stderr
    return stderr.strip().splitlines()[-1]


def test_corpus_json_export_carries_the_threads_and_recurring_disputes(planted):
    from argmap.export import get_exporter

    _threads, (analysis, graph) = planted
    data = json.loads(get_exporter("json").render(analysis, graph))
    assert [row["key"] for row in data["graph"]["threads"]] == [row["key"] for row in graph.graph["threads"]]
    assert "recurring" in data["graph"]
    assert all("thread" in node and "thread_title" in node for node in data["nodes"])
    cytoscape = json.loads(get_exporter("cytoscape").render(analysis, graph))
    assert all(node["data"]["thread"] and "thread_title" in node["data"] for node in cytoscape["elements"]["nodes"])
    import csv
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(get_exporter("csv").render(analysis, graph))) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("claims.csv").decode("utf-8-sig"))))
    assert len(rows) == graph.number_of_nodes() and all(row["thread"] for row in rows)


def test_cli_corpus_names_a_source_it_could_not_read(threads_dir, tmp_path):
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    result = argmap("corpus", str(threads_dir / THREADS[0]), str(tmp_path / "bad.json"), "-q",
                    "-o", str(tmp_path / "corpus.json"))
    assert result.returncode == 1, result.stderr.decode()  # the map is written; the status says one was left out
    data = json.loads((tmp_path / "corpus.json").read_text(encoding="utf-8"))
    assert any("bad.json" in note for note in data["stats"]["notes"])


def test_judged_cross_thread_links_point_at_debagreement_messages(shared_dir):
    """The judged links are ids and labels only; each id names a submission and a message of
    its subreddit in ../shared's DEBAGREEMENT dev pairs, or a conversation and a comment of
    SubReddit (Dis)agreement (where the texts stay)."""
    import csv

    from argmap.evaluation.corpus_links import DEBAGREEMENT, JUDGED, conversation_threads, score

    with open(JUDGED, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["split"] for r in rows} == {"dev", "test"}
    assert sum(r["split"] == "test" for r in rows) == 50
    assert all(r["same_point"] in ("yes", "no") and r["second_reader"] in ("", "yes", "no") for r in rows)
    assert not {r["subreddit"] for r in rows if r["split"] == "dev"} & {r["subreddit"] for r in rows if r["split"] == "test"}
    messages: dict[str, set] = {}
    with open(DEBAGREEMENT, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            known = messages.setdefault(row["subreddit"], set())
            known.update({row["submission_id"], row["msg_id_parent"], row["msg_id_child"]})
    for name in ("CovidVaccine",):
        messages[name] = {thread.id for thread in conversation_threads(name)} | \
            {comment.id for thread in conversation_threads(name) for comment in thread.comments}
    for row in rows:
        for claim in (row["claim_a"], row["claim_b"]):
            submission, rest = claim.removeprefix("reddit:").split("/", 1)
            assert submission in messages[row["subreddit"]] and rest.split(":")[0] in messages[row["subreddit"]]
    shipped = score()["test: drawn (cosine >= 0.9)"]
    assert shipped["links"] == 8 and shipped["same_point"] >= 0.85
    assert score()["dev r/CovidVaccine: drawn (cosine >= 0.9)"]["links"] == 15


def test_conversations_without_thread_ids_become_threads(shared_dir):
    """SubReddit (Dis)agreement has quote → response rows and no thread ids: a comment that is
    the response of one row and the quote of the next is one comment, and every reply's parent
    comes before it in its conversation."""
    from argmap.evaluation.corpus_links import conversation_threads

    threads = conversation_threads("MaskMandate")
    comments = [comment for thread in threads for comment in thread.comments]
    assert len({" ".join(c.text.lower().split()) for c in comments}) == len(comments)  # each text once
    assert any(len(thread.comments) > 2 for thread in threads)  # chains were joined
    for thread in threads:
        seen = {thread.id}
        for comment in thread.comments:
            assert comment.parent_id in seen
            seen.add(comment.id)

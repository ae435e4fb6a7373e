"""One encoder pass: comment vectors pooled from claim vectors, claims encoded while spaCy reads on,
and a start-up that imports nothing heavy the command does not need."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from argmap.cache import cache_for
from argmap.claims.extraction import extract_claims
from argmap.embed import comments
from argmap.embed import vectors as embed
from argmap.model import Comment, Thread

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]

THREAD = Thread(source="hn", id="t", title="Nuclear power is the safest source of energy we have.", comments=[
    Comment("a", "t", "No. Coal kills far more people per terawatt hour. Solar is safer than both."),
    Comment("b", "a", "lol"),
    Comment("c", "a", "Solar is safer than both."),
])


def test_comment_vectors_pool_claims_and_encode_only_claimless_comments(tmp_path, monkeypatch):
    cache = cache_for(str(tmp_path))
    claims = extract_claims(THREAD, cache=cache)
    vectors = embed.embed_texts([c.text for c in claims], cache=cache)
    encoded: list[str] = []
    real_encode = embed.encode

    def counting_encode(texts, **options):
        encoded.extend(texts)
        return real_encode(texts, **options)

    monkeypatch.setattr(embed, "encode", counting_encode)
    by_id = comments.thread_comment_vectors(THREAD, claims, vectors, cache=cache)
    assert set(by_id) == {"t", "a", "b", "c"}
    assert encoded == ["lol"], "only the comment without claims is encoded again"
    # a one-claim comment's vector is its claim's vector; a two-claim comment's is their weighted mean
    own = {c.text: vectors[i] for i, c in enumerate(claims)}
    assert np.allclose(by_id["c"], own["Solar is safer than both."], atol=1e-6)
    rows = [i for i, c in enumerate(claims) if c.comment_id == "a"]
    assert len(rows) >= 2
    expected = comments.pooled_vector(vectors[rows], np.array([len(claims[i].text) for i in rows]))
    assert np.allclose(by_id["a"], expected, atol=1e-6)
    assert np.allclose(np.linalg.norm(np.stack(list(by_id.values())), axis=1), 1.0, atol=1e-4)


def test_text_vectors_outside_a_thread_equal_the_threads(tmp_path):
    """Training pairs get their vectors the way the pipeline makes them in a thread."""
    cache = cache_for(str(tmp_path))
    claims = extract_claims(THREAD, cache=cache)
    vectors = embed.embed_texts([c.text for c in claims], cache=cache)
    by_id = comments.thread_comment_vectors(THREAD, claims, vectors, cache=cache)
    by_text = comments.text_vectors([c.text for c in THREAD.comments], cache=cache)
    for comment in THREAD.comments:
        assert np.allclose(by_text[comment.text], by_id[comment.id], atol=1e-6)


def test_claims_are_handed_on_chunk_by_chunk_in_order(tmp_path, monkeypatch):
    from argmap.claims import extraction

    monkeypatch.setattr(extraction, "COMMENT_CHUNK", 2)
    chunks: list[list[str]] = []
    claims = extract_claims(THREAD, cache=cache_for(str(tmp_path)),
                            on_claims=lambda chunk: chunks.append([c.id for c in chunk]))
    assert len(chunks) >= 2
    assert [i for chunk in chunks for i in chunk] == [c.id for c in claims]


def _run(code: str, instance: Path) -> dict:
    env = {**os.environ, "ARGMAP_INSTANCE_PATH": str(instance), "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=REPO,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


ANALYSE_ONE_SENTENCE = """
import json, sys
from argmap.cli import main
try:
    main(["analyze", sys.argv[1] if len(sys.argv) > 1 else "{paste}", "-q", "-o", "{out}"])
except SystemExit:
    pass
print(json.dumps({{name: name in sys.modules for name in ("torch", "sklearn", "transformers", "spacy")}}))
"""


def test_analyze_imports_no_torch_or_sklearn_and_a_cached_run_no_spacy(tmp_path):
    paste = tmp_path / "one.txt"
    paste.write_text("Nuclear power is safer than coal because it kills fewer people per terawatt hour.\n")
    code = ANALYSE_ONE_SENTENCE.format(paste=paste, out=tmp_path / "map.json")
    first = _run(code, tmp_path / "instance")
    assert json.loads((tmp_path / "map.json").read_text())["nodes"], "the sentence was mapped"
    assert first == {"torch": False, "sklearn": False, "transformers": False, "spacy": True}
    again = _run(code, tmp_path / "instance")
    assert again["spacy"] is False, "a cached thread is not parsed again, so spaCy is not even imported"

"""Topics: claims grouped by meaning, each labelled with key phrases and its most central claim.

Claims are clustered by community detection (Louvain, scikit-network's compiled one: 0.2 s
where networkx's took 2 s on a 7,000-claim thread) on a k-nearest-neighbour graph of
their MiniLM vectors; measured against agglomerative clustering on real threads it gave
fewer, more coherent topics (``tests/analytics/test_topics.py`` checks their coherence).
Labels are class-based TF-IDF key phrases: words frequent in one topic and rare
in the others.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

NEIGHBOURS = 10  # each claim links to its k most similar claims
SIMILARITY_FLOOR = 0.3  # weaker links say nothing about meaning
RESOLUTION = 1.0
SEED = 7  # Louvain is randomised: a fixed seed gives the same topics every run
MAX_TOPICS = 12
KEY_PHRASES = 3
# Words that say nothing about a topic's subject, on top of scikit-learn's English list (stop_words.py).
FILLER_WORDS = frozenset("""
don't doesn't didn't isn't aren't wasn't weren't can't couldn't won't wouldn't shouldn't haven't hasn't
it's that's there's here's what's i'm i've i'd i'll you're you've you'd they're they've we're we've
let's he's she's just like really actually think thing things lot way make makes going want know
yeah yes ok okay sure maybe probably pretty good bad right ah oh lol haha heh hey wow um uh guys
did does got get gets went say said says use used using try tried mean means thought believe
new time day days year years
""".split())


@dataclass
class Topic:
    id: int
    size: int
    key_phrases: list[str]
    central: int  # index of the claim nearest the topic's centroid
    members: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        return ", ".join(self.key_phrases) if self.key_phrases else "other"


def text_vectors(texts: list[str]) -> np.ndarray:
    """Unit TF-IDF vectors: a stand-in for sentence vectors when none were computed."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        matrix = TfidfVectorizer(stop_words="english").fit_transform(texts)
    except ValueError:  # only stop words: every claim is alike
        return np.ones((len(texts), 1), dtype=np.float32)
    return matrix.toarray().astype(np.float32)


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def knn_edges(vectors: np.ndarray, k: int = NEIGHBOURS, floor: float = SIMILARITY_FLOOR,
              block: int = 1024) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sources, targets, cosines): each claim's k most similar claims with cosine ≥ floor
    (``argmap.analytics.neighbours.nearest``: exact for a thread, HNSW for a big corpus)."""
    from argmap.analytics.neighbours import nearest

    count = len(vectors)
    k = min(k, count - 1)
    if k <= 0:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros(0, dtype=np.float32)
    top, found = nearest(vectors, k, block=block)
    keep = found >= floor
    sources = np.repeat(np.arange(count), k)[keep.ravel()]
    return sources, top[keep], found[keep]


def knn_graph(vectors: np.ndarray, k: int = NEIGHBOURS, floor: float = SIMILARITY_FLOOR) -> nx.Graph:
    """Undirected graph linking each claim to its k most similar claims (cosine ≥ floor)."""
    graph = nx.Graph()
    graph.add_nodes_from(range(len(vectors)))
    sources, targets, weights = knn_edges(vectors, k, floor)
    graph.add_weighted_edges_from(zip(sources.tolist(), targets.tolist(), weights.tolist()))
    return graph


def louvain_labels(vectors: np.ndarray, resolution: float = RESOLUTION) -> np.ndarray:
    """Community of each claim in the kNN similarity graph (symmetric: a link either way counts)."""
    from scipy import sparse
    from sknetwork.clustering import Louvain

    count = len(vectors)
    sources, targets, weights = knn_edges(vectors)
    if len(weights) == 0:
        return np.zeros(count, dtype=int)
    adjacency = sparse.csr_matrix((weights.astype(np.float64), (sources, targets)), shape=(count, count))
    adjacency = adjacency.maximum(adjacency.T).tocsr()
    return np.asarray(Louvain(resolution=resolution, random_state=SEED).fit_predict(adjacency), dtype=int)


def limit_topics(labels: np.ndarray, vectors: np.ndarray, max_topics: int = MAX_TOPICS) -> np.ndarray:
    """Renumber clusters by size (0 = largest); fold clusters beyond ``max_topics`` and
    clusters too small to read as a topic into their nearest kept topic."""
    ids, sizes = np.unique(labels, return_counts=True)
    order = ids[np.argsort(-sizes, kind="stable")]
    min_size = max(2, math.ceil(0.01 * len(labels)))
    kept = [c for c in order[:max_topics] if (labels == c).sum() >= min_size] or [order[0]]
    centroids = unit_rows(np.stack([vectors[labels == c].mean(axis=0) for c in kept]))
    new = np.full(len(labels), -1, dtype=int)
    for index, cluster in enumerate(kept):
        new[labels == cluster] = index
    stray = new < 0
    if stray.any():
        new[stray] = np.argmax(vectors[stray] @ centroids.T, axis=1)
    by_size = np.argsort(-np.bincount(new), kind="stable")
    return np.argsort(by_size)[new]


TERM_PATTERN = re.compile(r"(?u)\b[a-zA-Z][\w'-]+\b")


def term_counts(documents: list[str], stop_words: frozenset[str]) -> tuple[list[str], np.ndarray]:
    """Words and bigrams (stop words dropped first) counted per document, terms sorted;
    what scikit-learn's ``CountVectorizer(ngram_range=(1, 2))`` counts, without importing it.

    >>> terms, counts = term_counts(["the cat sat", "a cat"], frozenset({"the", "a"}))
    >>> terms, counts.tolist()
    (['cat', 'cat sat', 'sat'], [[1.0, 1.0, 1.0], [1.0, 0.0, 0.0]])
    """
    per_document = []
    for document in documents:
        words = [word for word in TERM_PATTERN.findall(document.lower()) if word not in stop_words]
        per_document.append(Counter(words + [f"{a} {b}" for a, b in zip(words, words[1:])]))
    terms = sorted(set().union(*per_document))
    column = {term: i for i, term in enumerate(terms)}
    counts = np.zeros((len(documents), len(terms)))
    for row, counter in enumerate(per_document):
        for term, count in counter.items():
            counts[row, column[term]] = count
    return terms, counts


def key_phrases(texts: list[str], labels: np.ndarray, topics: int, top: int = KEY_PHRASES) -> list[list[str]]:
    """Class-based TF-IDF: per topic, the words and bigrams most particular to it."""
    from argmap.analytics.stop_words import ENGLISH_STOP_WORDS

    documents = [" ".join(t for t, label in zip(texts, labels) if label == topic).replace("\u2019", "'")
                 for topic in range(topics)]
    terms, counts = term_counts(documents, ENGLISH_STOP_WORDS | FILLER_WORDS)
    if not terms:  # nothing but stop words
        return [[] for _ in range(topics)]
    frequency = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    average_words = counts.sum() / max(topics, 1)
    weights = frequency * np.log1p(average_words / np.maximum(counts.sum(axis=0), 1.0))
    phrases = []
    for topic in range(topics):
        ranked = [i for i in np.argsort(-weights[topic])[: 20 * top] if weights[topic, i] > 0]
        # a one-off word in a big topic is noise, not its subject: repeated words go first
        if counts[topic].sum() > 40:
            ranked = [i for i in ranked if counts[topic, i] >= 2] + [i for i in ranked if counts[topic, i] < 2]
        chosen: list[str] = []
        for index in ranked:
            term = terms[index]
            if not any(term in other or other in term for other in chosen):
                chosen.append(term)
            if len(chosen) == top:
                break
        phrases.append(chosen)
    return phrases


def find_topics(texts: list[str], vectors: np.ndarray | None = None, *,
                max_topics: int = MAX_TOPICS) -> tuple[np.ndarray, list[Topic]]:
    """Topic of each claim (0 = largest topic) and the topics with labels and central claims."""
    if not texts:
        return np.zeros(0, dtype=int), []
    vectors = unit_rows(text_vectors(texts) if vectors is None else vectors)
    labels = limit_topics(louvain_labels(vectors), vectors, max_topics)
    count = int(labels.max()) + 1
    phrases = key_phrases(texts, labels, count)
    topics = []
    for topic in range(count):
        members = np.flatnonzero(labels == topic)
        centroid = unit_rows(vectors[members].mean(axis=0, keepdims=True))[0]
        central = int(members[np.argmax(vectors[members] @ centroid)])
        topics.append(Topic(topic, len(members), phrases[topic], central, members.tolist()))
    return labels, topics


def silhouette(vectors: np.ndarray, labels: np.ndarray) -> float:
    """Mean cosine silhouette, the measure the clustering methods were compared by."""
    from sklearn.metrics import silhouette_score

    if len(set(labels.tolist())) < 2:
        return 0.0
    return float(silhouette_score(unit_rows(vectors), labels, metric="cosine"))

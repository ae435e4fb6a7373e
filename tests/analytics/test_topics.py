"""Topics: Louvain on a kNN similarity graph, c-TF-IDF labels, central claims."""

import numpy as np
import pytest

from argmap.analytics.topics import find_topics, knn_graph, silhouette, unit_rows

THEMES = {
    "database": ["database", "index", "query", "postgres"],
    "weather": ["rain", "forecast", "storm", "umbrella"],
    "pets": ["cat", "dog", "vet", "kitten"],
}


def themed_claims(per_theme: int = 40, seed: int = 1):
    """Texts built from each theme's words and vectors clustered by theme."""
    rng = np.random.default_rng(seed)
    texts, vectors, truth = [], [], []
    centres = rng.standard_normal((len(THEMES), 64))
    filler = ["today", "surely", "honestly", "again", "anyway"]
    for index, words in enumerate(THEMES.values()):
        for i in range(per_theme):
            picked = rng.choice(words, 2, replace=False)
            texts.append(f"The {picked[0]} and the {picked[1]} matter {filler[i % 5]}.")
            vectors.append(centres[index] + 0.5 * rng.standard_normal(64))
            truth.append(index)
    return texts, np.array(vectors, dtype=np.float32), np.array(truth)


def test_recovers_clusters_with_key_phrases_and_central_claims():
    texts, vectors, truth = themed_claims()
    labels, topics = find_topics(texts, vectors)
    assert len(topics) == 3
    for theme_index, words in enumerate(THEMES.values()):
        found = set(labels[truth == theme_index].tolist())
        assert len(found) == 1, "one theme, one topic"
        topic = topics[found.pop()]
        assert set(topic.key_phrases) <= set(words) and len(topic.key_phrases) == 3
        assert truth[topic.central] == theme_index
    assert [t.size for t in topics] == sorted((t.size for t in topics), reverse=True)
    assert silhouette(vectors, labels) > 0.3


def test_same_input_same_topics():
    texts, vectors, _truth = themed_claims(seed=3)
    first, _ = find_topics(texts, vectors)
    second, _ = find_topics(texts, vectors)
    assert (first == second).all()


def test_tiny_and_stopword_only_inputs():
    labels, topics = find_topics(["It is."], None)
    assert labels.tolist() == [0] and topics[0].label == "other"
    labels, topics = find_topics(["Cats purr.", "Dogs bark loudly."], None)
    assert len(labels) == 2 and all(0 <= t < len(topics) for t in labels)


def test_topic_count_is_capped():
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((600, 32)).astype(np.float32)
    texts = [f"claim number {i} about thing{i % 40}" for i in range(600)]
    labels, topics = find_topics(texts, vectors, max_topics=5)
    assert len(topics) <= 5 and set(labels.tolist()) == set(range(len(topics)))
    sizes = [t.size for t in topics]
    assert sizes == sorted(sizes, reverse=True) == np.bincount(labels).tolist(), "0 is the largest after merging"
    assert all(len(t.key_phrases) == 3 for t in topics), "every topic gets phrases, even of one-off words"


def test_knn_graph_links_each_claim_to_its_neighbours():
    _texts, vectors, truth = themed_claims(per_theme=10)
    graph = knn_graph(unit_rows(vectors), k=3)
    assert graph.number_of_nodes() == 30
    same = sum(truth[a] == truth[b] for a, b in graph.edges)
    assert same / graph.number_of_edges() > 0.95


@pytest.mark.slow
def test_sample_thread_topics_read_sensibly(sample_analysis):
    """With the real MiniLM vectors the sanctions claims and the 'facade' claims each share a topic."""
    _analysis, graph = sample_analysis
    topic_of = {attrs["text"]: attrs["topic"] for _n, attrs in graph.nodes(data=True)}

    def topic(fragment):
        return next(t for text, t in topic_of.items() if fragment in text)

    assert topic("sanctions only prevent") == topic("sanctions will be very effective")
    assert topic("thin facade of product") == topic("“facade” of product tested")
    assert topic("thin facade of product") != topic("sanctions only prevent")
    assert 2 <= len(graph.graph["topics"]) <= 6


def test_term_counts_equal_scikit_learns_count_vectorizer(threads_dir):
    """Key phrases count terms without importing scikit-learn; the counts are CountVectorizer's."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as SKLEARN_STOP_WORDS
    from sklearn.feature_extraction.text import CountVectorizer

    from argmap.analytics.stop_words import ENGLISH_STOP_WORDS
    from argmap.analytics.topics import FILLER_WORDS, TERM_PATTERN, term_counts
    from argmap.sources.resolver import resolve

    assert ENGLISH_STOP_WORDS == SKLEARN_STOP_WORDS
    thread = resolve(str(threads_dir / "hn" / "circumflex_26312516_speed.json"))
    texts = [c.text.replace("\u2019", "'") for c in thread.comments if c.text]
    documents = [" ".join(texts[i::7]) for i in range(7)]  # seven "topics" of real comment text
    stop_words = ENGLISH_STOP_WORDS | FILLER_WORDS
    vectorizer = CountVectorizer(stop_words=sorted(stop_words), ngram_range=(1, 2), token_pattern=TERM_PATTERN.pattern)
    expected = vectorizer.fit_transform(documents).toarray()
    terms, counts = term_counts(documents, stop_words)
    assert terms == vectorizer.get_feature_names_out().tolist()
    assert len(terms) > 1000
    assert (counts == expected).all()

"""Comment stance: the whole reply's relation to the whole parent comment.

Blended into the probabilities of the reply's claim-level reply and quote edges.
"""

from __future__ import annotations

import numpy as np

from argmap.embed.vectors import Encoder, embed_texts
from argmap.model import Thread
from argmap.relations.judging import DEFAULT_METHOD, PairJudge, predict_proba

# Share of the reply's comment-level stance in its claim-level reply/quote edges: on the
# validation proxy (metrics.json ``comment_stance_blend``) 0.75 beat 0 and 0.5.
COMMENT_MAX_TOKENS = 128
COMMENT_STANCE_WEIGHT = 0.75


def comment_stances(thread: Thread, comment_ids: set[str], *, cache,
                    encoder=None, method: str | PairJudge = DEFAULT_METHOD) -> dict[str, np.ndarray]:
    """P(supports, rebuts, none) of each listed reply comment's whole text vs. its parent comment's.

    Comments are embedded cut to ``COMMENT_MAX_TOKENS``: on DEBAGREEMENT validation that
    scores the same as the full 256 tokens (macro-F1 0.579 both) for about half the work.
    """
    by_id = {thread.id: thread.root_comment(), **thread.comment_by_id()}
    replies = [by_id[i] for i in sorted(comment_ids)
               if i in by_id and by_id[i].parent_id in by_id and by_id[i].text and by_id[by_id[i].parent_id].text]
    if not replies:
        return {}
    texts = sorted({c.text for c in replies} | {by_id[c.parent_id].text for c in replies})
    vectors = embed_texts(texts, cache=cache, max_tokens=COMMENT_MAX_TOKENS, encoder=encoder or Encoder())
    row = {text: i for i, text in enumerate(texts)}
    probabilities = predict_proba([(by_id[c.parent_id].text, c.text) for c in replies],
                                  vectors[[row[by_id[c.parent_id].text] for c in replies]],
                                  vectors[[row[c.text] for c in replies]], method=method)
    return {c.id: row for c, row in zip(replies, probabilities)}

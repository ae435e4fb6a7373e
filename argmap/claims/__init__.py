"""Claims: the sentences of a comment that assert something.

``lexicon`` holds the words and patterns, ``segmentation`` cuts a comment into lines and
clauses, ``kinds`` gives each sentence its kind, ``extraction`` runs spaCy over a thread
and keeps the claims (see its docstring for what counts as a claim). ``nlp`` loads spaCy.
"""

from argmap.claims.extraction import extract_claims, extract_units

__all__ = ["extract_claims", "extract_units"]

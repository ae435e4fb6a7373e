"""Relations: which claim supports, rebuts or restates which.

``candidates`` picks the pairs worth judging; ``judging`` labels them by a method chosen
by name (``classifier``, the trained model, or ``rules``, the marker fallback);
``comment_stance`` judges whole replies against their parents; ``edges`` blends and
thresholds them into the map's edges; ``training`` retrains the classifier.
"""

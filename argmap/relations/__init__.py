"""Relations: which claim supports, rebuts or restates which — one argument per reply.

``stance`` judges each reply's stance toward its parent (the model and the marker rules,
chosen by name); ``anchor`` picks the parent claim it answers and the reply claim that
carries it; ``edges`` draws the map's edges from them (plus reasons within a comment and
restatements across branches). ``classifier``, ``judging``, ``rules`` and ``training`` are
the previous release's pair classifier, kept as the evaluation baseline and for the
marker features the stance model shares.
"""

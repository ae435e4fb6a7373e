"""Analytics over the argument graph: ``graph`` builds it and annotates rank, controversy
and stance flags, ``topics`` finds topics, ``summary`` says what the thread argues (the one
summary: the API, the web pages and every export use it).
"""

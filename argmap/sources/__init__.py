"""Sources: where threads come from, each normalised to the canonical ``Thread``.

``urls`` validates thread URLs (``parse_url``), ``hn`` and ``reddit`` fetch them (over
``http``'s allow-listed client), ``files`` and ``text`` read recorded JSON and pasted
text, ``markup`` turns HTML/Markdown into plain text, ``trees`` orders and cuts reply
trees, and ``resolver.resolve`` takes whatever a user typed.
"""

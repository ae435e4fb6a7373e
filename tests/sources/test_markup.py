"""HN HTML and Reddit Markdown become argmap's plain text (quotes, code, links kept apart)."""

import pytest

from argmap.sources.markup import hn_html_to_text, link_text, markdown_to_text


def test_hn_paragraphs_entities_and_italics():
    html = "It&#x27;s <i>not</i> &quot;free&quot; &amp; easy.<p>Second &lt;para&gt;."
    assert hn_html_to_text(html) == "It's not \"free\" & easy.\n\nSecond <para>."


def test_hn_quote_paragraph_becomes_a_quote_line():
    html = "&gt; The system is broken.<p>It is not broken.<p>&gt;&gt;nested"
    assert hn_html_to_text(html) == "> The system is broken.\n\nIt is not broken.\n\n> nested"


def test_hn_links_keep_text_and_url():
    html = ('See <a href="https:&#x2F;&#x2F;example.com&#x2F;a&#x2F;long&#x2F;path" rel="nofollow">'
            'https:&#x2F;&#x2F;example.com&#x2F;a&#x2F;lo...</a> and <a href="https://x.org/">the docs</a>.')
    assert hn_html_to_text(html) == "See https://example.com/a/long/path and the docs (https://x.org/)."


def test_hn_code_is_kept_apart_indented():
    html = "Try this:<p><pre><code>  for x in y:\n      print(x)\n</code></pre>It works."
    text = hn_html_to_text(html)
    assert text == "Try this:\n\n      for x in y:\n          print(x)\n\nIt works."
    assert all(line.startswith("    ") for line in text.split("\n\n")[1].split("\n"))


def test_hn_empty_and_script():
    assert hn_html_to_text(None) == ""
    assert hn_html_to_text("<script>alert(1)</script>ok") == "ok"


@pytest.mark.parametrize("markdown, expected", [
    ("**Bold** and *italic* and `code`", "Bold and italic and code"),
    # struck-through words are taken back: the claim is what is left
    ("~~Nobody likes~~ a lot of people don't like New Reddit", "a lot of people don't like New Reddit"),
    ("it was ~~bad~~good, and ~~very~~ fine", "it was good, and fine"),
    ("I think ~~Rust~~, Go is simpler", "I think, Go is simpler"),
    ("Bonjour ~~x~~ ami ! Ratio 3 : 1", "Bonjour ami ! Ratio 3 : 1"),  # spaces away from the strike stay
    ("* ~~struck item~~\n* kept item", "- kept item"),
    ("snake_case_name stays", "snake_case_name stays"),
    ("a [link](https://a.b/c) here", "a link (https://a.b/c) here"),
    ("[https://a.b/c](https://a.b/c)", "https://a.b/c"),
    ("wiki [page](https://en.wikipedia.org/wiki/Foo_(bar))", "wiki page (https://en.wikipedia.org/wiki/Foo_(bar))"),
    ("line one\nline two\n\nnext para", "line one line two\n\nnext para"),
    ("&gt; quoted\n\nreply", "> quoted\n\nreply"),
    (">quoted **text**\n>\n>more\n\nreply", "> quoted text\n> more\n\nreply"),
    ("intro\n\n    code line\n    second\n\nafter", "intro\n\n    code line\n    second\n\nafter"),
    ("```\nfenced()\n```\nafter", "    fenced()\n\nafter"),
    ("* one\n* two\n1. three", "- one\n- two\n- three"),
    ("# Title\n\n---\n\ntext", "Title\n\ntext"),
    (">!spoiler!< ^(tiny) \\*literal\\* &#x200B;", "spoiler tiny *literal*"),
    ("typed <a href=\"http://spam.example\">html</a> and `<b>code</b>` and a<b", "typed html and <b>code</b> and a<b"),
    ("", ""),
])
def test_markdown_to_text(markdown, expected):
    assert markdown_to_text(markdown) == expected


def test_link_text():
    assert link_text("docs", "https://x.org") == "docs (https://x.org)"
    assert link_text("", "https://x.org") == "https://x.org"
    assert link_text("click", "javascript:alert(1)") == "click"

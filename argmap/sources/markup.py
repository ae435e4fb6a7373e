"""HN's comment HTML and Reddit's Markdown, turned into argmap's plain text.

Plain text: paragraphs separated by a blank line, quote lines start with ``> ``, code
is kept apart as lines indented by four spaces (claim extraction skips them), and a
link becomes its text followed by the URL in parentheses when the two differ.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


def link_text(text: str, url: str) -> str:
    """``text (url)``, or just the URL when the text is the URL or a shortened copy of it."""
    text, url = text.strip(), url.strip()
    if not url or url.startswith(("javascript:", "#")):
        return text
    if not text:
        return url
    bare = text.rstrip(".…").rstrip()
    if text == url or (bare and url.startswith(bare) and (text.endswith(("...", "…")) or bare == url.rstrip("/"))):
        return url
    return f"{text} ({url})"


def tidy_paragraphs(paragraphs: list[str]) -> str:
    """Join non-empty paragraphs with blank lines, prose whitespace collapsed (code kept as is)."""
    kept = []
    for paragraph in paragraphs:
        lines = []
        for line in paragraph.split("\n"):
            if line.startswith("    "):
                lines.append(line.rstrip())
            else:
                line = _SPACES.sub(" ", _INVISIBLE.sub("", line)).strip()
                if line:
                    lines.append(line)
        if lines:
            kept.append("\n".join(lines))
    return "\n\n".join(kept)


def code_block(text: str) -> str:
    """Code as lines indented by four spaces (empty lines dropped so the block stays one piece)."""
    lines = text.replace("\r\n", "\n").strip("\n").split("\n")
    return "\n".join("    " + line.rstrip() for line in lines if line.strip())


# ----------------------------------------------------------------------------------
# Hacker News HTML


class _HnParser(HTMLParser):
    """Collects paragraphs from HN's small HTML dialect (<p>, <i>, <a>, <pre><code>)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.link: list | None = None  # [href, text parts]
        self.pre: list[str] | None = None
        self.skip = 0

    def _flush(self):
        self.paragraphs.append("".join(self.current))
        self.current = []

    def _emit(self, text: str):
        if self.skip:
            return
        if self.pre is not None:
            self.pre.append(text)
        elif self.link is not None:
            self.link[1].append(text)
        else:
            self.current.append(text)

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in ("p", "div", "blockquote", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr"):
            self._flush()
        elif tag == "br":
            self._emit("\n")
        elif tag == "pre":
            self._flush()
            self.pre = []
        elif tag == "a" and self.pre is None:
            self.link = [dict(attrs).get("href") or "", []]

    def handle_startendtag(self, tag, attrs):
        if tag in ("br", "p"):
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag == "pre" and self.pre is not None:
            block = code_block("".join(self.pre))
            self.pre = None
            if block:
                self.paragraphs.append(block)
        elif tag == "a" and self.link is not None:
            href, parts = self.link
            self.link = None
            self.current.append(link_text("".join(parts), href))
        elif tag in ("p", "div", "blockquote", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr"):
            self._flush()

    def handle_data(self, data):
        self._emit(data)

    def finish(self) -> list[str]:
        self.close()
        if self.link is not None:
            href, parts = self.link
            self.current.append(link_text("".join(parts), href))
        if self.pre is not None:
            self.paragraphs.append(code_block("".join(self.pre)))
        self._flush()
        return self.paragraphs


def hn_html_to_text(markup: str | None) -> str:
    """Plain text from an HN comment or story body (HTML with entities, <p>, <i>, <a>, <pre>)."""
    if not markup:
        return ""
    parser = _HnParser()
    parser.feed(markup)
    paragraphs = []
    for paragraph in parser.finish():
        if paragraph.startswith("    "):
            paragraphs.append(paragraph)
            continue
        # HN has no quote markup: people start a paragraph (or a line) with ">".
        lines = [_quote_line(line) for line in paragraph.split("\n")]
        paragraphs.append("\n".join(lines))
    return tidy_paragraphs(paragraphs)


def _quote_line(line: str) -> str:
    stripped = line.strip()
    if stripped.startswith(">"):
        return "> " + stripped.lstrip(">").strip()
    return line


# ----------------------------------------------------------------------------------
# Reddit Markdown

_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+(.*)$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]*(?:\([^)\s]*\)[^)\s>]*)*)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]+)>")
_SPOILER = re.compile(r">!(.*?)!<")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS_STAR = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_EMPHASIS_UNDERSCORE = re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")
# struck-through words are what the writer took back: "~~Nobody likes~~ Many people dislike it" says the second part
_STRIKE = re.compile(r"[ \t]*~~(?=[^\s~])(?:[^~]|~(?!~))*?(?<=\S)~~(?=[,.;:!?])"  # "I think ~~X~~, Y": "I think, Y"
                     r"|(?:(?<=\s)|^)~~(?=[^\s~])(?:[^~]|~(?!~))*?(?<=\S)~~(?:[ \t]+|$)"
                     r"|~~(?=[^\s~])(?:[^~]|~(?!~))*?(?<=\S)~~")
_SUPERSCRIPT = re.compile(r"\^\(([^)]*)\)|\^(?=\S)")
_HTML_TAG = re.compile(r"</?(?:a|p|b|i|u|s|em|strong|span|div|br|hr|font|img|ul|ol|li|sup|sub|blockquote|h[1-6])"
                       r"(?:\s[^<>]*)?/?>", re.I)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~^|<&])")


def markdown_inline(text: str) -> str:
    """Inline Markdown (links, emphasis, code spans, spoilers, escapes) to plain text."""
    return _inline(text, [], _placeholder_mark(text))


_MARKS = ("\x00", "\ufdd0", "\ufdd1", "\ufdd2", "\ufdd3")


def _placeholder_mark(text: str) -> str:
    """A character the text does not hold, to mark stashed pieces (NUL for any real text)."""
    for mark in _MARKS:
        if mark not in text:
            return mark
    return next(chr(code) for code in range(0xE000, 0xF900) if chr(code) not in text)


def _inline(text: str, stash: list[str], mark: str) -> str:
    """``markdown_inline`` with the stash shared by a link's text, so pieces stashed before
    the link (a code span, an escaped character) come back inside it."""

    def keep(value: str) -> str:
        stash.append(value)
        return f"{mark}{len(stash) - 1}{mark}"

    text = _ESCAPE.sub(lambda m: keep(m.group(1)), text)
    text = _INLINE_CODE.sub(lambda m: keep(m.group(2).strip()), text)
    text = _IMAGE.sub(lambda m: keep(link_text(m.group(1), m.group(2))), text)
    text = _LINK.sub(lambda m: keep(link_text(_inline(m.group(1), stash, mark), m.group(2))), text)
    text = _AUTOLINK.sub(lambda m: keep(m.group(1)), text)
    text = _SPOILER.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)  # Reddit shows typed HTML as text; it is markup noise, not words
    for _ in range(2):
        text = _STRONG.sub(r"\2", text)
        text = _STRIKE.sub("", text)
        text = _EMPHASIS_STAR.sub(r"\1", text)
        text = _EMPHASIS_UNDERSCORE.sub(r"\1", text)
    text = _SUPERSCRIPT.sub(lambda m: m.group(1) or "", text)
    placeholder = re.compile(re.escape(mark) + r"(\d+)" + re.escape(mark))
    return placeholder.sub(lambda m: stash[int(m.group(1))] if int(m.group(1)) < len(stash) else m.group(0), text)


def markdown_to_text(markdown: str | None) -> str:
    """Plain text from Reddit Markdown: quotes stay ``> `` lines, code stays apart, links keep URLs."""
    if not markdown:
        return ""
    text = html.unescape(markdown.replace("\r\n", "\n").replace("\r", "\n"))
    paragraphs: list[str] = []
    prose: list[str] = []  # soft-wrapped lines of the paragraph being read
    block: list[str] = []  # lines of the current paragraph (quote, list and prose lines)
    code: list[str] | None = None
    fence = ""
    previous_blank = True

    def end_prose():
        if prose:
            block.append(markdown_inline(" ".join(prose)))
            prose.clear()

    def end_paragraph():
        end_prose()
        if block:
            paragraphs.append("\n".join(block))
            block.clear()

    lines = text.split("\n")
    for index, line in enumerate(lines):
        if code is not None:
            if fence and line.strip().startswith(fence):
                paragraphs.append(code_block("\n".join(code)))
                code, fence = None, ""
            else:
                code.append(line)
            continue
        fenced = _FENCE.match(line)
        if fenced:
            end_paragraph()
            code, fence = [], fenced.group(1)
            continue
        if not line.strip():
            end_paragraph()
            previous_blank = True
            continue
        if previous_blank and (line.startswith("    ") or line.startswith("\t")) and not block and not prose:
            indented = [line]
            while index + len(indented) < len(lines):
                following = lines[index + len(indented)]
                if following.startswith(("    ", "\t")) or not following.strip():
                    indented.append(following)
                else:
                    break
            lines[index + 1:index + len(indented)] = [""] * (len(indented) - 1)
            paragraphs.append(code_block("\n".join(item[4:] if item.startswith("    ") else item[1:]
                                                   for item in indented)))
            previous_blank = True
            continue
        previous_blank = False
        stripped = line.strip()
        if stripped.startswith(">") and not stripped.startswith(">!"):
            end_prose()
            inner = stripped.lstrip(">").strip()
            if inner:
                block.append("> " + markdown_inline(inner))
            continue
        if _RULE.match(line) or _TABLE_RULE.match(line):
            end_paragraph()
            continue
        heading = _HEADING.match(line)
        if heading:
            end_paragraph()
            paragraphs.append(markdown_inline(heading.group(1)))
            continue
        item = _LIST_ITEM.match(line)
        if item:
            end_prose()
            words = markdown_inline(item.group(1))
            if words.strip():  # an item whose words were all struck through is gone
                block.append("- " + words)
            continue
        if line.endswith("  "):
            prose.append(stripped)
            end_prose()
            continue
        prose.append(stripped)
    if code is not None:
        paragraphs.append(code_block("\n".join(code)))
    end_paragraph()
    return tidy_paragraphs(paragraphs)

"""Quotation finding that never raises: every common quote mark, news paragraph conventions, stray marks.

Why not a simple regex: news quotes run over several paragraphs where a paragraph ends without a closing
mark and the next opens again; straight single quotes double as apostrophes ("students' union", "don't");
and real text has stray or unbalanced marks. Each quote is read on its own, so one broken mark degrades
that quote only, never the article.
"""

from __future__ import annotations

from dataclasses import dataclass

# Opening mark -> closing marks that may end it. „ (low-9) is closed by “ (German) or ” (Polish, Romanian).
_PAIRS: dict[str, str] = {
    "“": "”",
    "„": "“”",
    "«": "»",
    "»": "«",  # Danish/Swedish-style »...«
    "‘": "’",
    "‚": "‘’",
    '"': '"',
    "'": "'",
    "”": "”",  # Swedish/Finnish ”...”
}
_DOUBLE_OPENERS = frozenset('“„«»"”')
_CLOSERS = frozenset("”“»«’‘\"'")
# A paragraph break is a newline; a blank line or a single newline both count in wire copy.
_PARAGRAPH_BREAK = "\n"


@dataclass(frozen=True)
class Quote:
    """One quotation: ``start``/``end`` include the marks, ``inner_*`` exclude them.

    ``closed`` is False when the quote ran to the end of its paragraph without a closing mark;
    ``continues`` is True when the next paragraph reopens it (the news convention), so that the
    caller can attribute both paragraphs together.
    """

    start: int
    end: int
    inner_start: int
    inner_end: int
    closed: bool
    continues: bool = False


def _is_word_char(ch: str) -> bool:
    return ch.isalnum()


def _can_open(text: str, i: int) -> bool:
    """A mark opens a quote when it is not glued to a preceding word and something follows it."""
    mark = text[i]
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if after.isspace() and mark in "\"'”»":
        return False
    if mark == "'":  # straight single quote: only at a word start, never an apostrophe
        return not _is_word_char(before) and (_is_word_char(after) or after in '“"')
    if mark in "’":
        return False
    return not (mark in '"”' and _is_word_char(before))


def _can_close(text: str, i: int, opener: str) -> bool:
    mark = text[i]
    if mark not in _PAIRS.get(opener, ""):
        return False
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if opener in "'‘‚" and mark in "'’":
        # "students' union" or "don't" inside a single-quoted span: a closer is not followed by a letter
        return not _is_word_char(after) and not before.isspace()
    if opener in '"”' and mark == opener:
        return not before.isspace() or not _is_word_char(after)
    return True


def find_quotes(text: str, max_quote_chars: int = 5000) -> list[Quote]:
    """All quotations in ``text``, in order, non-overlapping (nested quotes stay inside the outer one).

    ``max_quote_chars`` bounds a quote whose closer is missing: it then ends at its paragraph end.
    """
    quotes: list[Quote] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch not in _PAIRS or not _can_open(text, i):
            i += 1
            continue
        opener = ch
        paragraph_end = text.find(_PARAGRAPH_BREAK, i)
        if paragraph_end == -1:
            paragraph_end = n
        limit = min(paragraph_end, i + max_quote_chars)
        j = i + 1
        close_at = -1
        while j < limit:
            if text[j] in _CLOSERS and _can_close(text, j, opener):
                close_at = j
                break
            j += 1
        if close_at >= 0:
            if close_at > i + 1:
                quotes.append(Quote(i, close_at + 1, i + 1, close_at, closed=True))
            i = close_at + 1
            continue
        # Unclosed: a single straight/curly single mark is most likely an apostrophe or a stray mark.
        if opener in "'‘‚":
            i += 1
            continue
        end = limit
        while end > i + 1 and text[end - 1].isspace():
            end -= 1
        if end <= i + 1:
            i += 1
            continue
        continues = _next_paragraph_reopens(text, paragraph_end, opener)
        quotes.append(Quote(i, end, i + 1, end, closed=False, continues=continues))
        i = max(end, i + 1)
    return quotes


def _next_paragraph_reopens(text: str, paragraph_end: int, opener: str) -> bool:
    """Whether the paragraph after ``paragraph_end`` starts with an opening mark of the same family."""
    k = paragraph_end
    while k < len(text) and text[k].isspace():
        k += 1
    if k >= len(text):
        return False
    mark = text[k]
    return mark == opener or (opener in _DOUBLE_OPENERS and mark in _DOUBLE_OPENERS)


def quote_index(quotes: list[Quote]) -> list[tuple[int, int]]:
    """(start, end) of each quote, for fast containment tests by the caller."""
    return [(q.start, q.end) for q in quotes]

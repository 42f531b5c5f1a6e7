"""A review (a Word file's tracked changes and comments, or the difference between two versions
of a page, changes/versions.py) as a Document of its own: one block per change, in words that say
what happened ("Alice Moreau deleted: “30 days”"), located where the change is, with `change`,
`author` and `date` in the locator.

The summary of changes reads this document and nothing else, so an item is backed only by changed
text (inserted or deleted words, a comment) and cites a change by construction; deleted text is
always written as deleted.
"""

from summarizer.document import Block, Document
from summarizer.engine.lexicon import sentences

UNNAMED = "An unnamed reviewer"
"""Who made a change Word recorded without an author (docling's comments file has one)."""

VERBS = {"inserted": "inserted", "deleted": "deleted", "moved": "moved", "added": "added",
         "removed": "removed"}
"""How a block names each kind of change (comments have their own wording)."""

GONE = ("deleted", "removed", "replaced")

QUOTE_WORDS = 40
"""Most words of changed text quoted in a change's description: its first sentence, cut there.
A description is one sentence, so the support check and the extractive items take it whole (a
deleted section quoted in full was cut into sentences, and an item took one with its quote open)."""


def quote(text):
    """The first sentence of `text` (at most QUOTE_WORDS words), with " …" when more follows."""
    said = sentences(text) or [text]
    words = said[0].split()
    more = len(said) > 1 or len(words) > QUOTE_WORDS
    return " ".join(words[:QUOTE_WORDS]).rstrip(".") + (" …" if more else "")
"""Changes whose text is no longer in the document: an item about one must say it is gone."""


def _who(author):
    return author.strip() or UNNAMED


def describe(change):
    """The sentence that says what one change (a review entry) did."""
    kind, text = change["change"], quote(change.get("text", ""))
    if kind == "comment":
        if change.get("reply_to") is not None:
            return f"{_who(change.get('author', ''))} replied to a comment: {text}"
        anchor = quote(change.get("anchor", ""))
        on = f" on “{anchor}”" if anchor else ""
        return f"{_who(change.get('author', ''))} commented{on}: {text}"
    if kind == "edited":
        return _edit(change)
    who = _who(change.get("author", "")) + " " if "author" in change else ""
    if kind == "replaced":
        sentence = f"{who}changed “{quote(change.get('old', ''))}” to “{text}”"
    else:
        sentence = f"{who}{VERBS[kind]}: “{text}”"
    sentence = (sentence[0].upper() + sentence[1:]) if not who else sentence
    where = quote(change.get("context", ""))
    return f"{sentence}, in: “{where}”" if where and where != text else sentence


def _edit(change):
    """An edit within a block (changes/versions.py): the words before and after, where."""
    old, new, where = (quote(change.get(key, "")) for key in ("old", "text", "context"))
    if change.get("rewritten"):
        return f"Rewrote a paragraph, which now reads: “{new}”"
    said = f"Changed “{old}” to “{new}”" if old and new else \
        (f"Added the words “{new}”" if new else f"Removed the words “{old}”")
    return f"{said}, in: “… {where.rstrip(' …')} …”" if where else said + "."


def entries(review):
    """The review's changes and comments, each a dict with `change`, in document order."""
    comments = [dict(c, change="comment") for c in review.get("comments", [])]
    found = list(review.get("changes", [])) + comments
    return sorted(found, key=_order)


def _order(change):
    """Where a change is in the document: paragraphs and blocks first, unanchored comments last."""
    if isinstance(change.get("position"), int):  # a block's number (changes/versions.py)
        return (0, change["position"])
    locator = change["locator"]
    for key in ("block", "paragraph", "table", "page"):
        if key in locator and isinstance(locator[key], int):
            return (0, locator[key])
    return (1, 0)


def document(review, title=""):
    """The review as a Document of change blocks; its metadata counts what was left out."""
    blocks = []
    for change in entries(review):
        locator = {**change["locator"], "change": change["change"]}
        for field in ("author", "date"):
            if change.get(field):
                locator[field] = change[field]
        blocks.append(Block(describe(change), locator))
    return Document(title=f"Changes to {title}" if title else "Changes", blocks=blocks,
                    metadata={"formatting_changes": review.get("formatting_changes", 0),
                              "changes_total": review.get("changes_total", len(blocks))})


def nothing_text(review, since=False):
    """The plain sentence of a result with nothing to summarize (no model call is made)."""
    if since:
        return "Nothing changed since the earlier version."
    formatting = (review or {}).get("formatting_changes", 0)
    if formatting:
        return (f"This document has no tracked changes to its text and no comments; it has "
                f"{formatting} formatting change{'s' * (formatting != 1)}.")
    return "This document has no tracked changes and no comments."

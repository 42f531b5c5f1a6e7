"""A Word file's review: tracked insertions, deletions and moves (with author and date), how many
formatting-only changes it has, and its comments (author, date, the text they are anchored to,
replies). The document as it reads (changes accepted) is wordxml.BodyWalker's; this module reads
what it leaves out, paragraph by paragraph as the walker meets them, so each change carries the
locator of the block it belongs to.

Kept in the Document's metadata as `review` ({"changes", "comments", "formatting_changes",
"changes_total"}), so it travels with the document (kept copies, jobs, /extract) unchanged.
"""

from lxml import etree

from summarizer.extract import text as text_format
from summarizer.extract.wordxml import _W, TXBX, collect_text

_W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
_W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
RT_COMMENTS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
RT_COMMENTS_EXTENDED = "http://schemas.microsoft.com/office/2011/relationships/commentsExtended"

KINDS = {_W + "ins": "inserted", _W + "del": "deleted", _W + "moveTo": "moved",
         _W + "moveFrom": "moved-from"}
"""Revision elements and the `change` they are reported as. A move is reported once, where the
text went (moveTo); its origin (moveFrom) only when the file has no destination for it. A deletion
directly followed by an insertion of the same author is one change, "replaced" (`old` -> `text`)."""

FORMATTING = {_W + n for n in ("rPrChange", "pPrChange", "sectPrChange", "tblPrChange",
                               "trPrChange", "tcPrChange", "tblGridChange", "numberingChange")}
"""Formatting-only revisions: counted, never narrated (nobody asks what turned bold)."""

MAX_CHANGES = 500
"""Most changes (after merging a paragraph's neighbouring runs of one author and kind) and most
comments kept. A file of thousands of tiny revisions is summarized from its first 500 and says how
many it had (`changes_total`): a review of more is not read change by change anyway."""

MAX_CHANGE_CHARS = 2000
"""Longest text kept of one change or comment; longer ones end with "…" (a whole section deleted
is reported as deleted, not re-read)."""

CONTEXT_CHARS = 200
"""Longest text kept of the paragraph a change is in: enough to say what the change was about
(a number changed in which clause), short enough that the change's own words dominate it."""


def _clip(text):
    text = " ".join(text_format.normalize(text).split())
    return text if len(text) <= MAX_CHANGE_CHARS else text[:MAX_CHANGE_CHARS - 1] + "…"


class Review:
    """Collects the changes of each paragraph the walker reads, and the comments' anchors."""

    def __init__(self):
        self.changes, self.formatting, self.total = [], 0, 0
        self._open = []  # comment IDs whose range is open, in the order they opened
        self.anchors, self.anchor_locators = {}, {}

    def element(self, node, locator):
        """Read the revisions, formatting changes and comment anchors under `node` (a paragraph
        or a table), located at `locator`."""
        last = None
        for found in self._revisions(node):
            if found is None:  # unchanged text in between: the next revision is another edit
                last = None
                continue
            kind, author, date, text = found
            if last and (last["change"], last["author"]) == (kind, author):
                last["text"] = (last["text"] + text)[:MAX_CHANGE_CHARS + 1]  # one edit, several runs
                continue
            if last and last["change"] == "deleted" and kind == "inserted" and last["author"] == author:
                # Word writes "30 days" -> "14 days" as a deletion and an insertion side by side
                last.update(change="replaced", old=last["text"], text=text)
                continue
            if not text.strip():  # a paragraph mark, an empty run: nothing to tell
                continue
            self.total += 1
            if len(self.changes) < MAX_CHANGES:
                last = {"change": kind, "author": author, "date": date, "text": text[:MAX_CHANGE_CHARS + 1],
                        "locator": dict(locator), "context": context(node)}
                self.changes.append(last)
        for comment_id, where in self.anchor_locators.items():
            if where is None:  # anchored in this element
                self.anchor_locators[comment_id] = dict(locator)

    def _revisions(self, node):
        """(kind, author, date, text) of each outermost revision under `node`, in order, and None
        for unchanged text; also counts formatting changes and follows comment ranges (one pass)."""
        stack = [(iter(node), None)]
        while stack:
            child = next(stack[-1][0], None)
            if child is None:
                stack.pop()
                continue
            tag, inside = child.tag, stack[-1][1]
            if tag in FORMATTING:
                self.formatting += 1
                continue
            if tag in (_W + "commentRangeStart", _W + "commentReference"):
                self._anchor_start(child.get(_W + "id"))
            elif tag == _W + "commentRangeEnd":
                self._open = [i for i in self._open if i != child.get(_W + "id")]
            elif tag == _W + "t" and inside in (None, "inserted", "moved"):  # text as it reads
                for comment_id in self._open:
                    self.anchors[comment_id] = self.anchors.get(comment_id, "") + (child.text or "")
                if inside is None and child.text:
                    yield None
            if tag in KINDS and inside is None:
                yield (KINDS[tag], child.get(_W + "author") or "", child.get(_W + "date") or "",
                       _revision_text(child))
                stack.append((iter(child), KINDS[tag]))
            elif isinstance(tag, str) and tag != TXBX:  # a text box's paragraphs are read apart
                stack.append((iter(child), inside))

    def _anchor_start(self, comment_id):
        """A comment's range opens (or, with no range, its reference stands) here."""
        if comment_id is None or comment_id in self.anchor_locators:
            return
        self.anchor_locators[comment_id] = None  # located when the element is done
        self._open.append(comment_id)

    def to_dict(self, comments):
        """The `review` metadata: changes (moves reported once), comments with their anchors."""
        moved_to = {c["text"] for c in self.changes if c["change"] == "moved"}
        changes = [dict(c, text=_clip(c["text"]), **({"old": _clip(c["old"])} if "old" in c else {}),
                        change="moved" if c["change"] == "moved-from" else c["change"])
                   for c in self.changes if c["change"] != "moved-from" or c["text"] not in moved_to]
        for comment in comments:
            anchor = self.anchors.get(comment["id"], "")
            comment["anchor"] = _clip(anchor)
            where = self.anchor_locators.get(comment["id"])
            comment["locator"] = where if isinstance(where, dict) else {"comment": comment["id"]}
        return {"changes": changes, "comments": comments[:MAX_CHANGES],
                "formatting_changes": self.formatting, "changes_total": self.total}


def context(node):
    """The paragraph a change is in, as it reads now (at most CONTEXT_CHARS): where it was made."""
    if node.tag != _W + "p":
        return ""
    text = collect_text(node)
    return text if len(text) <= CONTEXT_CHARS else text[:CONTEXT_CHARS - 1] + "…"


def _revision_text(element):
    """The words of a revision: w:t, and w:delText for deleted ones (a deletion's nested
    insertion included: it was inserted, then deleted, and is gone either way)."""
    parts = []
    for node in element.iter(_W + "t", _W + "delText", _W + "tab", _W + "br"):
        parts.append(node.text or "" if node.tag in (_W + "t", _W + "delText") else " ")
    return "".join(parts)


def read_comments(part):
    """The comments of the main document part: [{"id", "author", "date", "text", "reply_to",
    "resolved"}], replies linked through commentsExtended where the file has it."""
    comments_xml, extended_xml = None, None
    for rel in part.rels.values():
        if rel.is_external:
            continue
        if rel.reltype == RT_COMMENTS:
            comments_xml = rel.target_part.blob
        elif rel.reltype == RT_COMMENTS_EXTENDED:
            extended_xml = rel.target_part.blob
    if comments_xml is None:
        return []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(comments_xml, parser)
    comments, by_para = [], {}
    for node in root.iter(_W + "comment"):
        if len(comments) >= MAX_CHANGES:
            break
        paragraphs = list(node.iter(_W + "p"))
        text = _clip(" ".join(t for t in (collect_text(p) for p in paragraphs) if t))
        comments.append({"id": node.get(_W + "id"), "author": node.get(_W + "author") or "",
                         "date": node.get(_W + "date") or "", "text": text})
        if paragraphs and paragraphs[-1].get(_W14 + "paraId"):
            by_para[paragraphs[-1].get(_W14 + "paraId")] = comments[-1]
    if extended_xml is not None:
        for entry in etree.fromstring(extended_xml, parser).iter(_W15 + "commentEx"):
            comment = by_para.get(entry.get(_W15 + "paraId"))
            parent = by_para.get(entry.get(_W15 + "paraIdParent"))
            if comment is not None:
                comment["resolved"] = entry.get(_W15 + "done") in ("1", "true")
                if parent is not None and parent is not comment:
                    comment["reply_to"] = parent["id"]
    return [c for c in comments if c["text"]]

"""WordprocessingML to blocks: text of paragraphs, heading levels, list markers, table rows."""

import re

from summarizer.document import Block
from summarizer.errors import PayloadTooLarge
from summarizer.extract import text as text_format

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
P, TBL, TR, TC, SDT, SDT_CONTENT = (_W + n for n in ("p", "tbl", "tr", "tc", "sdt", "sdtContent"))
TXBX = _W + "txbxContent"
_VAL = _W + "val"
_CHARS = {_W + "tab": "\t", _W + "br": "\n", _W + "cr": "\n", _W + "noBreakHyphen": "-"}
# Subtrees whose text is not document text (deleted or moved-away runs, field codes, properties)
# or is a duplicate (mc:Fallback repeats mc:Choice for old readers).
_SKIP = {_W + n for n in ("del", "moveFrom", "instrText", "pPr", "rPr", "tblPr", "trPr", "tcPr",
                          "sdtPr", "sdtEndPr", "fldData")} | {_MC + "Fallback"}
# Containers whose children are body-level content (paragraphs, tables, more containers).
_CONTAINERS = {_W + n for n in ("customXml", "ins", "moveTo", "smartTag")}
_HEADING_NAME = re.compile(r"^heading\s*([1-9])$")

#: A table is cut into blocks of about this many characters (whole rows), so a long table is
#: citable by row range and does not arrive downstream as one giant block.
TABLE_BLOCK_CHARS = 2000


def _nearest(node, tag):
    """The closest ancestor of `node` with `tag`, or None."""
    node = node.getparent()
    while node is not None and node.tag != tag:
        node = node.getparent()
    return node


def _val(element, path):
    """The w:val attribute of the first element at `path` under `element`, or None."""
    found = element.find(path) if element is not None else None
    return found.get(_VAL) if found is not None else None


class Styles:
    """Paragraph styles by id: heading level (from the name or outline level) and list numbering."""

    def __init__(self, styles_element):
        self._level, self._numpr = {}, {}
        for style in styles_element.iter(_W + "style"):
            style_id = style.get(_W + "styleId")
            name = (_val(style, _W + "name") or "").strip().lower()
            heading = _HEADING_NAME.match(name)
            outline = _val(style, f"{_W}pPr/{_W}outlineLvl")
            if name == "title":
                self._level[style_id] = 1
            elif heading:
                self._level[style_id] = int(heading.group(1))
            elif outline is not None and outline.isdigit() and int(outline) < 9:
                self._level[style_id] = int(outline) + 1
            numpr = style.find(f"{_W}pPr/{_W}numPr")
            if numpr is not None:
                self._numpr[style_id] = numpr

    def heading_level(self, p):
        """1-6 for a heading or title paragraph, else 0."""
        outline = _val(p, f"{_W}pPr/{_W}outlineLvl")
        if outline is not None and outline.isdigit() and int(outline) < 9:
            return min(int(outline) + 1, 6)
        return min(self._level.get(_val(p, f"{_W}pPr/{_W}pStyle"), 0), 6)

    def numpr(self, p):
        """The paragraph's list properties, its own or its style's."""
        own = p.find(f"{_W}pPr/{_W}numPr")
        return own if own is not None else self._numpr.get(_val(p, f"{_W}pPr/{_W}pStyle"))


class Numbering:
    """List formats (bullet or numbered) per list and level, and running counters."""

    def __init__(self, numbering_element):
        self._formats, self._counters = {}, {}
        if numbering_element is None:
            return
        abstract = {}
        for node in numbering_element.iter(_W + "abstractNum"):
            levels = {}
            for lvl in node.iter(_W + "lvl"):
                start = _val(lvl, _W + "start")
                levels[lvl.get(_W + "ilvl")] = (
                    _val(lvl, _W + "numFmt") or "bullet", int(start) if start and start.isdigit() else 1
                )
            abstract[node.get(_W + "abstractNumId")] = levels
        for num in numbering_element.iter(_W + "num"):
            self._formats[num.get(_W + "numId")] = abstract.get(_val(num, _W + "abstractNumId"), {})

    def marker(self, numpr):
        """"- " or "3. " with two spaces of indent per level; "" when the paragraph is no list item."""
        if numpr is None:
            return ""
        num_id, ilvl = _val(numpr, _W + "numId"), _val(numpr, _W + "ilvl") or "0"
        if not num_id or num_id == "0":
            return ""
        fmt, start = self._formats.get(num_id, {}).get(ilvl, ("bullet", 1))
        depth = int(ilvl) if ilvl.isdigit() else 0
        for key in [k for k in self._counters if k[0] == num_id and k[1] > depth]:
            del self._counters[key]  # a shallower item restarts the deeper levels
        count = self._counters.get((num_id, depth), start - 1) + 1
        self._counters[(num_id, depth)] = count
        indent = "  " * min(depth, 8)
        if fmt == "none":
            return indent
        return indent + ("- " if fmt == "bullet" else f"{count}. ")


def collect_text(element, boxes=None):
    """The text of a paragraph (or any run container) in order; text boxes go to `boxes`."""
    parts, stack = [], [iter(element)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        tag = child.tag
        if tag == _W + "t" or tag == _M + "t":  # document text and equation (OMML) text
            parts.append(child.text or "")
        elif tag in _CHARS:
            parts.append(_CHARS[tag])
        elif tag == TXBX:
            if boxes is not None:
                boxes.append(child)
        elif isinstance(tag, str) and tag not in _SKIP:
            stack.append(iter(child))
    return " ".join(text_format.normalize("".join(parts)).split("\n")).strip()


class BodyWalker:
    """Walks body-level content in order and turns it into located blocks."""

    def __init__(self, styles, numbering, max_chars, review=None):
        self.styles, self.numbering, self.max_chars = styles, numbering, max_chars
        self.review = review  # extract/review.py's Review: what the changes-accepted text leaves out
        self.blocks, self.heading, self.paragraph_count, self.tables, self._chars = [], None, 0, 0, 0

    def body(self, element, extra=None):
        """Paragraphs, tables and content controls under `element`, in document order."""
        for child in element:
            if child.tag == P:
                self.paragraph(child, extra)
            elif child.tag == TBL:
                self.table(child, extra)
            elif child.tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    self.body(content, extra)
            elif child.tag in _CONTAINERS:
                self.body(child, extra)

    def paragraph(self, p, extra=None):
        """One paragraph: a heading, a list item or body text; then its text boxes."""
        boxes = []
        words = collect_text(p, boxes)
        index = extra["paragraph"] if extra and "paragraph" in extra else self.paragraph_count
        if not extra:
            self.paragraph_count += 1
        if self.review is not None:
            located = {"paragraph": index, **(extra or {})}
            self.review.element(p, {**located, "heading": self.heading} if self.heading else located)
        if words:
            level = self.styles.heading_level(p)
            if level:
                self.heading = words
                self.add("#" * level + " " + words, {"paragraph": index, **(extra or {})})
            else:
                marker = self.numbering.marker(self.styles.numpr(p))
                self.add(marker + words, {"paragraph": index, **(extra or {})})
        for box in boxes:
            self.body(box, {**(extra or {}), "paragraph": index, "textbox": True})

    def table(self, tbl, extra=None):
        """A table as "cell | cell" rows, in blocks of about TABLE_BLOCK_CHARS."""
        number, rows, first, size = self.tables, [], 0, 0
        self.tables += 1
        if self.review is not None:
            self.review.element(tbl, {"table": number, **(extra or {})})
        own_rows = [tr for tr in tbl.iter(TR) if _nearest(tr, TBL) is tbl]  # not nested tables'
        for row_index, tr in enumerate(own_rows):
            cells = [self._cell_text(tc) for tc in tr.iter(TC) if _nearest(tc, TR) is tr]
            if any(cells):
                rows.append(" | ".join(cells))
                size += len(rows[-1])
            if size >= TABLE_BLOCK_CHARS:
                self._table_block(rows, number, first, row_index, extra)
                rows, first, size = [], row_index + 1, 0
        if rows:
            self._table_block(rows, number, first, len(own_rows) - 1, extra)

    def _table_block(self, rows, number, first, last, extra):
        """Emit the rows gathered so far as one block."""
        self.add("\n".join(rows), {"table": number, "rows": [first, last], **(extra or {})})

    @staticmethod
    def _cell_text(tc):
        """All paragraphs of a cell on one line (nested tables included)."""
        texts = (collect_text(p) for p in tc.iter(P))
        return " ".join(t for t in texts if t)

    def add(self, text, locator):
        """Append a block, tagging it with the current heading; enforce max_chars."""
        if self.heading and "heading" not in locator:
            locator["heading"] = self.heading
        self._chars += len(text)
        if self._chars > self.max_chars:
            raise PayloadTooLarge(
                "too_many_chars",
                f"This document has more than {self.max_chars} characters of text (max_chars).",
            )
        self.blocks.append(Block(text, locator))

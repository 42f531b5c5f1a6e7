"""Word files under review, made the way Word writes them: python-docx for the package (and its
own comments), lxml for the revision marks (w:ins, w:del, w:moveFrom/w:moveTo, w:rPrChange).
Used by tests/test_review.py, tests/test_changes.py and bench/changes.py."""

import io

import docx
from docx.oxml.ns import qn
from lxml import etree

DATE = "2026-11-30T10:00:00Z"


def _run(tag, text):
    run = etree.Element(qn("w:r"))
    node = etree.SubElement(run, qn(tag))
    node.text = text
    node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def revision(kind, text, author, *, ident, date=DATE):
    """A w:ins / w:del / w:moveTo / w:moveFrom element holding one run of `text`."""
    node = etree.Element(qn(f"w:{kind}"))
    node.set(qn("w:id"), str(ident))
    node.set(qn("w:author"), author)
    node.set(qn("w:date"), date)
    node.append(_run("w:delText" if kind == "del" else "w:t", text))
    return node


def paragraph(document, *parts):
    """A paragraph of `parts`: plain strings, or (kind, text, author) revisions."""
    p = document.add_paragraph()._p
    for number, part in enumerate(parts):
        if isinstance(part, str):
            p.append(_run("w:t", part))
        else:
            kind, text, author = part
            p.append(revision(kind, text, author, ident=len(p) * 1000 + number))
    return p


def formatting_change(p, author="Dana"):
    """Mark the paragraph's first run as made bold under review (a formatting-only change)."""
    run = p.find(qn("w:r"))
    rpr = etree.Element(qn("w:rPr"))
    etree.SubElement(rpr, qn("w:b"))
    change = etree.SubElement(rpr, qn("w:rPrChange"))
    change.set(qn("w:id"), "9001")
    change.set(qn("w:author"), author)
    change.set(qn("w:date"), DATE)
    etree.SubElement(change, qn("w:rPr"))
    run.insert(0, rpr)


def saved(document):
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def contract():
    """A short contract back from review: an insertion, a deletion, a move, a formatting change
    and two comments (one a reply is not: python-docx writes no commentsExtended)."""
    document = docx.Document()
    document.add_paragraph("Supply agreement between Norwick Harbour Ltd and Tane Freight.")
    paragraph(document, "The supplier delivers within ",
              ("del", "30 days", "Alice Moreau"), ("ins", "14 days", "Alice Moreau"),
              " of each purchase order.")
    paragraph(document, "Late deliveries cost ",
              ("del", "a penalty of 2 percent of the order value per week", "Bob Lind"), ".")
    paragraph(document, ("ins", "Either party may end the agreement with three months notice.",
                         "Alice Moreau"))
    paragraph(document, ("moveTo", "Disputes go to the courts of Norwick.", "Bob Lind"))
    formatted = paragraph(document, "Payment is due within sixty days of the invoice.")
    formatting_change(formatted)
    commented = document.add_paragraph("The warranty covers parts and labour for two years.")
    document.add_comment(commented.runs, text="Should the warranty exclude wear parts?",
                         author="Carol Diaz", initials="CD")
    return saved(document)


def plain():
    """The same kind of document with no revision marks and no comments."""
    document = docx.Document()
    document.add_paragraph("Supply agreement between Norwick Harbour Ltd and Tane Freight.")
    document.add_paragraph("The supplier delivers within 14 days of each purchase order.")
    return saved(document)


def tiny_revisions(count=5000):
    """Thousands of one-letter insertions and deletions, each its own edit (text between them)."""
    document = docx.Document()
    parts = []
    for number in range(count):
        parts += ["x", ("ins" if number % 2 else "del", "ab"[number % 2], f"Bot {number % 3}")]
    for start in range(0, len(parts), 400):
        paragraph(document, *parts[start:start + 400])
    return saved(document)


def nested_insert_in_delete():
    """An insertion inside a deletion (inserted, then deleted by another reviewer)."""
    document = docx.Document()
    p = paragraph(document, "The fee is ", ("del", "forty ", "Bob Lind"), "euros.")
    p.find(qn("w:del")).append(revision("ins", "and fifty ", "Alice Moreau", ident=77))
    return saved(document)


def unanchored_comment():
    """A comment in comments.xml that nothing in the document points to."""
    document = docx.Document()
    anchored = document.add_paragraph("The plan starts in March.")
    document.add_comment(anchored.runs, text="Which year?", author="Carol Diaz")
    body = document.element.body
    for tag in ("w:commentRangeStart", "w:commentRangeEnd", "w:commentReference"):
        for node in list(body.iter(qn(tag))):
            node.getparent().remove(node)
    return saved(document)

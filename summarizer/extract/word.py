"""Word (.docx/.docm/.dotx/.dotm) with python-docx: paragraphs in body order with heading levels,
list markers and tables as readable rows. Runs inside the parse child (see sandbox.py), after
zipguard.check_zip has refused zip bombs.

python-docx loads the package and resolves parts (styles, numbering, headers); the text itself is
read from the XML so that tracked insertions, hyperlinks, content controls and text boxes are kept
and deleted text is not (python-docx's `Paragraph.text` sees only direct runs).
"""

import io
import zipfile

from docx.opc.exceptions import PackageNotFoundError
from docx.opc.part import PartFactory
from docx.package import Package
from docx.parts.document import DocumentPart
from lxml import etree

from summarizer.document import Document
from summarizer.errors import UnprocessableDocument
from summarizer.extract import review, sniff
from summarizer.extract.wordxml import Styles, Numbering, BodyWalker

_RT_HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
_RT_FOOTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"


def parse(data, *, max_chars, **_ignored):
    """Read a Word document into a Document, or raise a SummarizerError saying why not."""
    try:
        part = _open(data)
        document = part.document
        reading = review.Review()
        walker = BodyWalker(Styles(document.styles.element), _numbering(part), max_chars, reading)
        walker.body(document.element.body)
        comments = review.read_comments(part)
        if not walker.blocks:
            _headers_and_footers(part, walker)  # only when the body has nothing: usually noise
        metadata = core_metadata(document, "docx")
    except (PackageNotFoundError, KeyError, ValueError, TypeError, AttributeError, IndexError,
            etree.LxmlError, zipfile.BadZipFile, EOFError, NotImplementedError, RecursionError):
        raise UnprocessableDocument(
            "docx_damaged", "This Word document is damaged and cannot be read; try re-saving it."
        ) from None
    if not walker.blocks:
        raise UnprocessableDocument("docx_no_text", "This Word document contains no text.")
    metadata["paragraphs"] = walker.paragraph_count
    if reading.changes or comments or reading.formatting:  # only files under review carry one
        metadata["review"] = reading.to_dict(comments)
    return Document(title=metadata.pop("title", ""), blocks=walker.blocks, metadata=metadata)


def _open(data):
    """The main document part; .docm/.dotx/.dotm main parts are read like a .docx's."""
    for content_type in sniff.WORD_MAIN_TYPES:
        # python-docx maps only the .docx content type to DocumentPart; the others have the same
        # schema. This runs in the throwaway parse child, so registering here touches nothing else.
        PartFactory.part_type_for.setdefault(content_type, DocumentPart)
    part = Package.open(io.BytesIO(data)).main_document_part
    if not isinstance(part, DocumentPart):
        raise ValueError("main part is not a Word document")
    return part


def _numbering(part):
    """The numbering definitions (list formats), or an empty set when the file has none."""
    try:
        return Numbering(part.numbering_part.element)
    except (KeyError, NotImplementedError, AttributeError):
        return Numbering(None)


def _headers_and_footers(part, walker):
    """Walk each header and footer part once, located as such."""
    for rel in part.rels.values():
        if rel.is_external or rel.reltype not in (_RT_HEADER, _RT_FOOTER):
            continue
        where = "header" if rel.reltype == _RT_HEADER else "footer"
        walker.body(rel.target_part.element, extra={where: True})


def core_metadata(package, fmt):
    """Title, author, date and language from an Office file's core properties, where set
    (python-docx's Document and python-pptx's Presentation both have them), and its `fmt`."""
    metadata = {"format": fmt}
    try:
        props = package.core_properties
        fields = {"title": props.title, "author": props.author, "language": props.language}
        created = props.created
    except (KeyError, ValueError, TypeError, AttributeError, etree.LxmlError):
        return metadata
    metadata.update({key: value.strip() for key, value in fields.items() if value and value.strip()})
    if created is not None:
        metadata["date"] = created.isoformat()
    return metadata

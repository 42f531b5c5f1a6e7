"""PowerPoint (.pptx/.pptm/.ppsx/.potx) with python-pptx: per slide its title, its text (text
boxes, placeholders, tables, groups, in the slide's shape order) and its speaker notes. Runs inside
the parse child (see sandbox.py), after zipguard has refused zip bombs, like Word.

Every block is located by its slide number ({"slide": 3}, notes {"slide": 3, "notes": true}), so a
citation says which slide an item comes from.
"""

import io
import zipfile

import pptx  # noqa: F401 - importing the package registers its part types
from lxml import etree
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.exc import PackageNotFoundError
from pptx.opc.constants import CONTENT_TYPE as CT
from pptx.opc.package import PartFactory
from pptx.package import Package
from pptx.parts.presentation import PresentationPart

from summarizer.document import Block, Document
from summarizer.errors import UnprocessableDocument
from summarizer.extract.word import core_metadata

MAIN_TYPES = (
    CT.PML_PRESENTATION_MAIN,
    CT.PML_PRES_MACRO_MAIN,
    CT.PML_SLIDESHOW_MAIN,
    CT.PML_TEMPLATE_MAIN,
    "application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml",
    "application/vnd.ms-powerpoint.template.macroEnabled.main+xml",
)
"""Main-part content types of the PowerPoint flavours: the same schema, all read alike."""

FURNITURE_PLACEHOLDERS = frozenset((PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.DATE,
                                    PP_PLACEHOLDER.SLIDE_NUMBER, PP_PLACEHOLDER.HEADER))
"""Placeholders a deck repeats on its slides as a page repeats its footer: not what a slide says
("Slide footer" was glued to a deck's key point; "Friday, October 21, 2011", "Apache Software
Foundation", "10" on another's slide)."""

MAX_GROUP_DEPTH = 20
"""Groups nest; a crafted file can nest them deeper than any deck does, to exhaust the stack."""


def parse(data, *, max_chars, **_ignored):
    """Read a presentation into a Document, or raise a SummarizerError saying why not."""
    try:
        presentation = _open(data)
        blocks, budget = [], [max_chars]
        for number, slide in enumerate(presentation.slides, start=1):
            blocks += _slide_blocks(slide, number, budget)
            if budget[0] <= 0:
                break
        metadata = core_metadata(presentation, "pptx")
    except (PackageNotFoundError, KeyError, ValueError, TypeError, AttributeError, IndexError,
            etree.LxmlError, zipfile.BadZipFile, EOFError, NotImplementedError, RecursionError):
        raise UnprocessableDocument(
            "pptx_damaged", "This PowerPoint file is damaged and cannot be read; try re-saving it."
        ) from None
    if not blocks:
        raise UnprocessableDocument("pptx_no_text", "This presentation contains no text.")
    metadata["slides"] = len(presentation.slides)
    title = metadata.pop("title", "") or next(
        (b.text for b in blocks if b.locator.get("title")), "")
    return Document(title=title, blocks=blocks, metadata=metadata)


def _open(data):
    """The Presentation; .pptm/.ppsx/.potx main parts are read like a .pptx's."""
    for content_type in MAIN_TYPES:
        # python-pptx maps only some of these to PresentationPart; the schema is the same. This
        # runs in the throwaway parse child, so registering here touches nothing else.
        PartFactory.part_type_for.setdefault(content_type, PresentationPart)
    part = Package.open(io.BytesIO(data)).main_document_part
    if not isinstance(part, PresentationPart):
        raise ValueError("main part is not a presentation")
    return part.presentation


def _slide_blocks(slide, number, budget):
    """The slide's title, text and notes as blocks; `budget` ([chars left]) is spent as read."""
    blocks = []
    title_shape = slide.shapes.title
    title = _clean(title_shape.text_frame.text) if title_shape is not None and title_shape.has_text_frame else ""
    if title:
        blocks.append(Block(title, {"slide": number, "title": True}))
    # One block per paragraph: a slide's paragraphs are its bullets, most without a stop, and in
    # one block the sentence splitter joined them as wrapped lines ("... project preparation Low
    # institutional capacity A local affair ..." was one key point).
    for text in _texts(slide.shapes, 0):
        if text and text != title:
            blocks += [Block(line, {"slide": number}) for line in text.split("\n")]
    if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
        notes = _clean(slide.notes_slide.notes_text_frame.text)
        blocks += [Block(line, {"slide": number, "notes": True}) for line in notes.split("\n") if line]
    kept = []
    for block in blocks:
        budget[0] -= len(block.text)
        if budget[0] < 0:
            break
        kept.append(block)
    return kept


def _texts(shapes, depth):
    """Texts of `shapes` in order: a text frame's paragraphs, a table's rows, a group's shapes."""
    if depth > MAX_GROUP_DEPTH:
        return
    for shape in shapes:
        if _furniture(shape):
            continue
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from _texts(shape.shapes, depth + 1)
        elif getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                cells = [_clean(cell.text) for cell in row.cells]
                if any(cells):
                    yield " | ".join(cell for cell in cells if cell)
        elif shape.has_text_frame:
            yield _clean(shape.text_frame.text)


def _furniture(shape):
    """Whether `shape` is a footer, date, slide number or header placeholder."""
    try:
        return shape.is_placeholder and shape.placeholder_format.type in FURNITURE_PLACEHOLDERS
    except (ValueError, AttributeError, KeyError):  # a damaged placeholder is read as text
        return False


def _clean(text):
    """Paragraphs one per line, vertical tabs (soft breaks) as spaces, no empty lines."""
    lines = (" ".join(line.replace("\x0b", " ").split()) for line in (text or "").split("\n"))
    return "\n".join(line for line in lines if line)

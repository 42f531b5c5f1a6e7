"""OCR for the pages of a PDF whose text layer is missing or garbage (pdf.py decides which).

Pages are rendered with PDFium (pypdfium2, whose wheel carries it) at OCR_DPI, in grey, and read
by Tesseract (ocr.py) a few at a time, inside the parse child and its limits.

A text layer is garbage when the fonts map glyphs to codes that are not the letters shown (no
ToUnicode map, or a subset font's private codes): the extractor then yields replacement
characters, private-use or control codes, or runs of symbols. `is_garbage` says so when, of the
page's non-space characters, more than GARBAGE_BAD_SHARE are such codes or fewer than
GARBAGE_MIN_WORDLIKE are letters, digits or ordinary punctuation.
"""

import io
import unicodedata

from summarizer.errors import PayloadTooLarge, UnprocessableDocument
from summarizer.extract import image as image_format

#: Render resolution: in bench/ocr.py Tesseract's median word F1 was the same at 300 and 150 dpi
#: (0.987, 0.986) but its worst decile was better at 300 (0.923 against 0.880; bench/README.md,
#: "OCR"); 300 dpi is also what scanners default to.
OCR_DPI = 300

#: Share of replacement (U+FFFD), private-use, control and unassigned codes above which a text
#: layer is garbage. Of the 64 corpus pages with 20+ characters (pypdf), the 58 with a good layer
#: have none; the 6 of docling's skipped_*page.pdf (Korean in fonts without a Unicode map) have
#: 12-39%.
GARBAGE_BAD_SHARE = 0.05

#: Share of letters, digits and common punctuation below which a text layer is garbage: the lowest
#: corpus page with a good layer has 0.94 (redp5110 p16, a table of contents); symbol soup from a
#: font that maps glyphs to the wrong codes is below it (tests/test_extract_ocr.py).
GARBAGE_MIN_WORDLIKE = 0.5

#: A rendered page with no pixel darker than this grey level (0 black, 255 white) is blank and
#: is not handed to Tesseract: blank pages are common in text PDFs, and cost a process each.
BLANK_LEVEL = 224

_BAD_CATEGORIES = ("Co", "Cc", "Cn", "Cs")
_WORDLIKE_PUNCTUATION = set(".,;:!?'\"()[]-/%&+*=#@$€£§°–—“”‘’…·•")


def is_garbage(text):
    """True when a page's text layer is not text a person would read (see the module docstring)."""
    chars = [char for char in text if not char.isspace()]
    if not chars:
        return True
    bad = sum(char == "\ufffd" or unicodedata.category(char) in _BAD_CATEGORIES for char in chars)
    wordlike = sum(char.isalnum() or char in _WORDLIKE_PUNCTUATION for char in chars)
    return bad / len(chars) > GARBAGE_BAD_SHARE or wordlike / len(chars) < GARBAGE_MIN_WORDLIKE


def read_pages(data, numbers, *, password, max_chars, ocr_options):
    """OCR the 1-based pages `numbers` of the PDF; return their blocks (image.blocks_from_ocr)."""
    if len(numbers) > ocr_options["max_pages"]:
        raise PayloadTooLarge(
            "too_many_ocr_pages",
            f"{len(numbers)} pages of this PDF have no text layer; OCR reads at most "
            f"{ocr_options['max_pages']} (max_ocr_pages). Send fewer pages, or its text.",
        )
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data, password=password)
    except pypdfium2.PdfiumError:
        raise UnprocessableDocument("pdf_damaged", "PDFium cannot open this PDF to read its page images.") from None
    blocks = []
    batch = max(1, ocr_options["workers"])
    try:
        for start in range(0, len(numbers), batch):
            rendered = [(number, render(pdf, number, ocr_options["max_pixels"]))
                        for number in numbers[start:start + batch]]
            rendered = [(number, page) for number, page in rendered if page]
            pages = [page for _, page in rendered]
            blocks += image_format.blocks_from_ocr(image_format.read(pages, ocr_options),
                                                   [number for number, _ in rendered], max_chars)
    finally:
        pdf.close()
    return blocks


def render(pdf, number, max_pixels):
    """(grey PNG bytes, size) of one page at OCR_DPI, or lower where the page is so large that it
    would pass max_pixels (a page can declare a 200 x 200 inch MediaBox); None for a blank page."""
    page = pdf[number - 1]
    width, height = page.get_size()  # points
    scale = OCR_DPI / 72
    if width * height * scale * scale > max_pixels:
        scale = (max_pixels / max(1.0, width * height)) ** 0.5
    if width * scale < 1 or height * scale < 1:
        raise UnprocessableDocument("pdf_damaged", f"Page {number} of this PDF has no area to read.")
    bitmap = page.render(scale=scale, grayscale=True)
    picture = bitmap.to_pil()
    if picture.getextrema()[0] > BLANK_LEVEL:
        return None
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue(), picture.size

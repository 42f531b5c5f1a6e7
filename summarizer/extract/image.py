"""Pictures of text (PNG, JPEG, TIFF, WebP, GIF) and rendered PDF pages, read by OCR (ocr.py).

Runs inside the parse child (sandbox.py), like every parser of hostile bytes. The pixel cap is
checked on the header, before a single pixel is decoded: a 1 MB PNG can declare 100,000 x 100,000
pixels (10 GB as grey bytes). A TIFF's pages are pages ({"page": n}); of an animated GIF or WebP
only the first frame is read.

Blocks are paragraphs, located by {"page": n, "line": first line on the page (1-based), "box":
[left, top, width, height]} with the box in fractions of the page image (0-1, 4 decimals), so a
client can mark the spot on the page at any zoom.
"""

import io

from summarizer.document import Block, Document
from summarizer.errors import PayloadTooLarge, UnprocessableDocument
from summarizer.extract import ocr

#: Screenshots and phone photos of small print: images whose short side is under this many
#: pixels are read at twice their size. Corpus pages rendered like screenshots, word F1 against
#: the text layer at 1x -> 2x: 72 dpi (596 px wide) 0.92 -> 1.00, 0.51 -> 0.80, 0.97 -> 1.00;
#: 96 dpi (794 px) 1.00 -> 1.00, 0.78 -> 0.86 (pdflatex-4-pages, 2305.03393v1-pg9,
#: trivial-libre-office-writer). Above it a page is scanner-sized (1200 px: 4 inches at 300 dpi).
UPSCALE_BELOW = 1200

FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "TIFF": "TIFF", "WEBP": "WebP", "GIF": "GIF", "MPO": "JPEG"}
"""Pillow's format names this module reads, and how messages name them."""


def parse(data, *, password=None, max_pages, max_chars, ocr_options, **_ignored):
    """OCR an uploaded image into a Document (one page, or one per TIFF page)."""
    del password  # images have none; the signature is every parser's
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = None  # our cap below is checked first and says so in a 413
    try:
        image = Image.open(io.BytesIO(data), formats=list(FORMATS))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _damaged("image") from None
    name = FORMATS.get(image.format, "image")
    frames = getattr(image, "n_frames", 1) if image.format == "TIFF" else 1
    limit = min(max_pages, ocr_options["max_pages"])
    if frames > limit:
        raise PayloadTooLarge("too_many_ocr_pages", f"This {name} has {frames} pages; OCR reads at most "
                              f"{limit} (max_ocr_pages).")
    pages = []
    for frame in range(frames):
        try:
            image.seek(frame)
            check_pixels(image.width, image.height, ocr_options["max_pixels"], name)
            pages.append(for_ocr(image))
        except (OSError, ValueError, SyntaxError, EOFError):
            raise _damaged(name) from None
    blocks = blocks_from_ocr(read(pages, ocr_options), range(1, frames + 1), max_chars)
    if not blocks:
        raise UnprocessableDocument("image_no_text", f"OCR found no text in this {name}.")
    return Document(title="", blocks=blocks, metadata={"format": name.lower(), "pages": frames, "ocr": True})


def check_pixels(width, height, max_pixels, name):
    """413 before decoding when the image declares more pixels than OCR may use."""
    if width * height > max_pixels:
        raise PayloadTooLarge(
            "image_too_large",
            f"This {name} is {width} x {height} pixels; OCR reads at most {max_pixels:,} pixels "
            "(max_image_pixels). Scale it down (300 dpi is plenty for text).",
        )


def for_ocr(image):
    """The frame as grey PNG bytes, twice the size where it is small (see UPSCALE_BELOW)."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        # Transparent pixels are often black underneath: dark text would vanish into them.
        rgba = image.convert("RGBA")
        image = Image.new("RGBA", rgba.size, "white")
        image.alpha_composite(rgba)
    grey = image.convert("L")
    if min(grey.size) < UPSCALE_BELOW:
        grey = grey.resize((grey.width * 2, grey.height * 2), Image.LANCZOS)
    buffer = io.BytesIO()
    grey.save(buffer, "PNG", compress_level=1)  # speed over size: it only goes down a pipe
    return buffer.getvalue(), grey.size


def read(pages, ocr_options):
    """OCR (png, size) pages; return [(lines, size)] in order."""
    if not pages:
        return []
    results = ocr.recognize_all([png for png, _ in pages], languages=ocr_options["languages"],
                                workers=ocr_options["workers"], timeout=ocr_options["page_timeout"])
    return [(lines, size) for lines, (_, size) in zip(results, pages)]


def blocks_from_ocr(results, numbers, max_chars):
    """Paragraph blocks with page, line and box locators from OCR results of pages `numbers`."""
    blocks, total = [], 0
    for (lines, (width, height)), number in zip(results, numbers):
        for first, group in _paragraphs(lines):
            text = "\n".join(line["text"] for line in group).strip()
            if not text:
                continue
            total += len(text)
            if total > max_chars:
                raise PayloadTooLarge("too_many_chars", f"OCR read more than {max_chars} characters (max_chars).")
            left = min(line["box"][0] for line in group)
            top = min(line["box"][1] for line in group)
            right = max(line["box"][0] + line["box"][2] for line in group)
            bottom = max(line["box"][1] + line["box"][3] for line in group)
            box = [round(left / width, 4), round(top / height, 4), round((right - left) / width, 4),
                   round((bottom - top) / height, 4)]
            blocks.append(Block(text, {"page": number, "line": first, "box": box}))
    return blocks


def _paragraphs(lines):
    """(1-based number of the first line, lines) per paragraph of one page."""
    groups = []
    for index, line in enumerate(lines, 1):
        if line["paragraph"] or not groups:
            groups.append((index, []))
        groups[-1][1].append(line)
    return groups


def _damaged(name):
    return UnprocessableDocument("image_damaged", f"This {name} is damaged or truncated and cannot be read.")

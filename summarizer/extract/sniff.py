"""What a blob of bytes is, judged by its content (magic bytes, zip members, CFB streams), never by
the file name or the type the client claims: both are trivially wrong or hostile."""

import io
import re
import zipfile
import zlib

PDF = "pdf"
DOCX = "docx"
PPTX = "pptx"
SUBTITLES = "subtitles"
MARKDOWN = "markdown"
HTML = "html"
TEXT = "text"
IMAGE = "image"

#: How far into a file `%PDF-` may start: the PDF spec tolerates leading junk and readers accept
#: it within the first kilobyte.
PDF_MAGIC_WINDOW = 1024

#: Bytes inspected to tell text from binary and HTML from plain text.
TEXT_SNIFF_BYTES = 65536

#: Bytes searched for an opening HTML tag (after comments and whitespace); small, so the pattern's
#: backtracking over many comments stays cheap.
HTML_SNIFF_BYTES = 4096

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")

#: Main-part content types of the Word flavours python-docx can read (.docx, .docm, .dotx, .dotm).
WORD_MAIN_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)

#: Main-part content types of the PowerPoint flavours (.pptx, .pptm, .ppsx, .potx and macro ones).
PPTX_MAIN_TYPES = (
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml",
    "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml",
    "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
    "application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml",
    "application/vnd.ms-powerpoint.template.macroEnabled.main+xml",
)

#: Pictures OCR reads (extract/image.py): the magic bytes each format starts with.
IMAGE_MAGICS = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
)

#: Other binary formats people upload, named so the 415 says what we saw.
_BINARY_MAGICS = (
    (b"\x1f\x8b", "a gzip archive"),
    (b"{\\rtf", "an RTF document"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
)

_HTML_TAG = re.compile(rb"<(!doctype\s+html|html|head|body|meta|title)\b", re.I)
"""The opening tags that make a text an HTML page, after comments and whitespace."""


def sniff(data):
    """Return (kind, description): kind is PDF, DOCX, PPTX, IMAGE, HTML, SUBTITLES, MARKDOWN, TEXT
    or None (unsupported)."""
    head = data[:PDF_MAGIC_WINDOW]
    if b"%PDF-" in head:
        return PDF, "a PDF document"
    if data.startswith(CFB_MAGIC):
        return None, describe_cfb(data)
    if data.startswith(ZIP_MAGICS):
        return _sniff_zip(data)
    for magic, description in IMAGE_MAGICS:
        if data.startswith(magic):
            return IMAGE, description
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return IMAGE, "a WebP image"
    for magic, description in _BINARY_MAGICS:
        if data.startswith(magic):
            return None, description
    if is_text(data):
        start = data[:HTML_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf")
        if _HTML_TAG.match(_after_comments(start)):
            return HTML, "an HTML page"
        return _sniff_text(data[:TEXT_SNIFF_BYTES])
    return None, "binary data of an unknown type"


def _after_comments(data):
    """`data` after leading whitespace and HTML comments, in one pass: the pattern it replaces,
    `^\\s*(<!--.*?-->\\s*)*<`, backtracked exponentially on 600 empty comments ("<!---->" * 600
    did not finish in minutes, in the API's event loop)."""
    data = data.lstrip()
    while data.startswith(b"<!--"):
        end = data.find(b"-->", 4)
        if end < 0:
            return b""
        data = data[end + 3:].lstrip()
    return data


def _sniff_text(sample):
    """Subtitles (WEBVTT, or SRT's numbered timing lines), Markdown, or plain text."""
    from summarizer.extract import markdown, subtitles
    from summarizer.extract.text import decode

    text = decode(sample)
    if subtitles.looks_like(text):
        return SUBTITLES, "a subtitle file"
    if markdown.looks_like(text):
        return MARKDOWN, "a Markdown file"
    return TEXT, "plain text"


def describe_cfb(data):
    """Name an OLE2/CFB container: encrypted OOXML, legacy Word, or another Office binary."""
    # Stream names live in the CFB directory as UTF-16LE; a byte search is enough to classify,
    # and it cannot be tricked into anything worse than a wrong 415/422 message.
    if "EncryptionInfo".encode("utf-16-le") in data:
        return "encrypted-ooxml"
    if "WordDocument".encode("utf-16-le") in data:
        return "legacy-doc"
    return "an older Office binary file (not Word)"


def _sniff_zip(data):
    """A zip is a Word document (or a presentation) when its content types declare a Word (or a
    PowerPoint) main part."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                if "ppt/presentation.xml" in names:
                    return PPTX, "a damaged PowerPoint file"  # the PPTX path says it is damaged
                return None, _zip_flavour(names)
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:  # content types are a few KB; refuse to inflate more
                return None, "a zip archive with an oversized [Content_Types].xml"
            types = archive.read(info).decode("utf-8", "replace")
    # zlib.error: a member whose deflate stream is damaged (found by bench/fuzz.py).
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError, ValueError,
            zlib.error):
        # Let the parser say it is damaged; the member names in the local headers (plain bytes,
        # readable without the central directory) tell a slide deck from a Word file.
        if b"ppt/" in data and b"word/" not in data:
            return PPTX, "a damaged PowerPoint file"
        return DOCX, "a damaged Office (zip) file"
    if any(t in types for t in WORD_MAIN_TYPES):
        return DOCX, "a Word document"
    if any(t in types for t in PPTX_MAIN_TYPES):
        return PPTX, "a PowerPoint presentation"
    return None, _zip_flavour(names)


def _zip_flavour(names):
    """Describe a zip that is not Word, from its members."""
    if "xl/workbook.xml" in names:
        return "an Excel workbook"
    if "ppt/presentation.xml" in names:
        return "a PowerPoint presentation"
    if "content.xml" in names and "mimetype" in names:
        return "an OpenDocument file"
    if "META-INF/container.xml" in names:
        return "an EPUB book"
    return "a zip archive"


def is_text(data):
    """True when the bytes look like text: a Unicode BOM, or no NULs and mostly printable."""
    sample = data[:TEXT_SNIFF_BYTES]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 has NULs by design; its BOM is the tell
    if b"\x00" in sample:
        return False
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13, 27))
    return controls <= len(sample) // 100

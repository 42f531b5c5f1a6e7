"""What a blob of bytes is, judged by its content (magic bytes, zip members, CFB streams), never by
the file name or the type the client claims: both are trivially wrong or hostile."""

import io
import re
import zipfile
import zlib

PDF = "pdf"
DOCX = "docx"
HTML = "html"
TEXT = "text"

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

#: Other binary formats people upload, named so the 415 says what we saw.
_BINARY_MAGICS = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"{\\rtf", "an RTF document"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
)

_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S)


def sniff(data):
    """Return (kind, description): kind is PDF, DOCX, HTML, TEXT or None (unsupported)."""
    head = data[:PDF_MAGIC_WINDOW]
    if b"%PDF-" in head:
        return PDF, "a PDF document"
    if data.startswith(CFB_MAGIC):
        return None, describe_cfb(data)
    if data.startswith(ZIP_MAGICS):
        return _sniff_zip(data)
    for magic, description in _BINARY_MAGICS:
        if data.startswith(magic):
            return None, description
    if is_text(data):
        start = data[:HTML_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf")
        if _HTML_START.match(start):
            return HTML, "an HTML page"
        return TEXT, "plain text"
    return None, "binary data of an unknown type"


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
    """A zip is a Word document when its content types declare a Word main part."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                return None, _zip_flavour(names)
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:  # content types are a few KB; refuse to inflate more
                return None, "a zip archive with an oversized [Content_Types].xml"
            types = archive.read(info).decode("utf-8", "replace")
    # zlib.error: a member whose deflate stream is damaged (found by bench/fuzz.py).
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError, ValueError,
            zlib.error):
        return DOCX, "a damaged Office (zip) file"  # let the DOCX path report it as damaged
    if any(t in types for t in WORD_MAIN_TYPES):
        return DOCX, "a Word document"
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

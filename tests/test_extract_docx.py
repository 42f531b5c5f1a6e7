"""Word intake: structure (headings, lists, tables), flavours (.docm/.dotx), refusals and zip bombs,
on documents built here with python-docx and zipfile."""

import io
import zipfile

import docx
import pytest

from summarizer import errors
from summarizer.config import Settings
from summarizer.document import Source
from summarizer.extract import extract

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def build_docx():
    """A small report: title, headings, bullets, numbers, a table with a merged cell."""
    document = docx.Document()
    document.core_properties.title = "Field report"
    document.core_properties.author = "A. Writer"
    document.add_heading("Field report", level=0)
    document.add_paragraph("Opening paragraph of the report.")
    document.add_heading("Findings", level=1)
    document.add_paragraph("First finding", style="List Bullet")
    document.add_paragraph("Second finding", style="List Bullet")
    document.add_paragraph("Step one", style="List Number")
    document.add_paragraph("Step two", style="List Number")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = f"r{r}c{c}"
    table.cell(2, 1).merge(table.cell(2, 2))
    table.cell(2, 1).text = "merged"
    document.add_heading("Details", level=2)
    document.add_paragraph("Closing words.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def rewrite_zip(data, replace=None, add=None):
    """Copy a zip, replacing member texts via `replace` {name: fn(text)} and adding `add` members."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item)
            if replace and item.filename in replace:
                body = replace[item.filename](body.decode("utf-8")).encode("utf-8")
            target.writestr(item.filename, body)
        for name, body in (add or {}).items():
            target.writestr(name, body)
    return out.getvalue()


@pytest.fixture(scope="module")
def report():
    return build_docx()


@pytest.fixture
def settings():
    return Settings.from_mapping({"parse_timeout": 30})


def read(data, settings):
    return extract(Source(kind="file", data=data, filename="upload"), settings)


def test_headings_lists_and_locators(report, settings):
    document = read(report, settings)
    texts = [block.text for block in document.blocks]
    assert texts[0] == "# Field report"
    assert "# Findings" in texts and "## Details" in texts
    assert "- First finding" in texts
    assert "1. Step one" in texts and "2. Step two" in texts
    closing = next(b for b in document.blocks if b.text == "Closing words.")
    assert closing.locator["heading"] == "Details"
    paragraphs = [b.locator["paragraph"] for b in document.blocks if "paragraph" in b.locator]
    assert paragraphs == sorted(paragraphs)
    assert document.title == "Field report"
    assert document.metadata["author"] == "A. Writer"


def test_tables_are_readable_rows(report, settings):
    table = next(b for b in read(report, settings).blocks if "table" in b.locator)
    rows = table.text.split("\n")
    assert rows[0] == "r0c0 | r0c1 | r0c2"
    assert rows[2] == "r2c0 | merged"  # a merged cell once, not repeated per grid column
    assert table.locator["heading"] == "Findings"


@pytest.mark.parametrize("content_type", [
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
])
def test_docm_and_dotx_are_read(report, settings, content_type):
    data = rewrite_zip(report, {"[Content_Types].xml": lambda t: t.replace(DOCX_MAIN, content_type)})
    assert "Opening paragraph of the report." in read(data, settings).text


def test_tracked_changes_keep_insertions_drop_deletions(settings):
    document = docx.Document()
    document.add_paragraph("PLACEHOLDER")
    out = io.BytesIO()
    document.save(out)
    w = 'w:author="x" w:id="{}"'
    tracked = (f'<w:r><w:t xml:space="preserve">kept </w:t></w:r>'
               f'<w:ins {w.format(1)}><w:r><w:t>inserted</w:t></w:r></w:ins>'
               f'<w:del {w.format(2)}><w:r><w:delText>deleted</w:delText></w:r></w:del>')
    data = rewrite_zip(out.getvalue(), {
        "word/document.xml": lambda t: t.replace("<w:r><w:t>PLACEHOLDER</w:t></w:r>", tracked)
    })
    assert read(data, settings).text == "kept inserted"


def test_other_office_zips_are_415(settings):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(errors.UnsupportedMediaType) as caught:
        read(out.getvalue(), settings)
    assert "Excel" in caught.value.message


def _cfb(*stream_names):
    """Bytes that start like an OLE2 compound file and name the given directory streams."""
    body = b"".join(name.encode("utf-16-le").ljust(64, b"\x00") for name in stream_names)
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + body + b"\x00" * 1024


def test_legacy_doc_is_415(settings):
    with pytest.raises(errors.UnsupportedMediaType) as caught:
        read(_cfb("Root Entry", "WordDocument", "1Table"), settings)
    assert caught.value.code == "legacy_doc"


def test_encrypted_ooxml_is_422(settings):
    with pytest.raises(errors.UnprocessableDocument) as caught:
        read(_cfb("Root Entry", "EncryptionInfo", "EncryptedPackage"), settings)
    assert caught.value.code == "docx_encrypted"


def test_damaged_zip_is_422(report, settings):
    with pytest.raises(errors.UnprocessableDocument) as caught:
        read(report[: len(report) // 2], settings)
    assert caught.value.code == "docx_damaged"


def _zip_bomb(report, megabytes):
    """The report plus one member of `megabytes` MiB of zeros, streamed into the archive."""
    out = io.BytesIO(rewrite_zip(report))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/media/padding.bin", "w", force_zip64=True) as member:
            zeros = b"\x00" * (1024 * 1024)
            for _ in range(megabytes):
                member.write(zeros)
    return out.getvalue()


def test_zip_bomb_ratio_is_refused_before_parsing(report, settings):
    bomb = _zip_bomb(report, 300)
    assert len(bomb) < 2 * 1024 * 1024
    with pytest.raises(errors.UnprocessableDocument) as caught:
        read(bomb, settings)
    assert caught.value.code == "zip_ratio_exceeded"
    assert "max_zip_ratio" in caught.value.message


def test_total_unzipped_size_is_refused(report):
    settings = Settings.from_mapping({"max_unzipped_bytes": 4 * 1024 * 1024, "max_zip_ratio": 100_000})
    with pytest.raises(errors.PayloadTooLarge) as caught:
        read(_zip_bomb(report, 8), settings)
    assert caught.value.code == "unzipped_too_large"
    assert "max_unzipped_bytes" in caught.value.message


def test_empty_document_is_422(settings):
    out = io.BytesIO()
    docx.Document().save(out)
    with pytest.raises(errors.UnprocessableDocument) as caught:
        read(out.getvalue(), settings)
    assert caught.value.code == "docx_no_text"

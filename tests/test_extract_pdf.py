"""PDF intake: text per page, encryption, scans, truncation and hostile files, on PDFs built here."""

import io
import zlib

import pypdf
import pytest

from summarizer import errors
from summarizer.config import Settings
from summarizer.document import Source
from summarizer.extract import extract
from summarizer.extract import pdf as pdf_format


def _escape(text):
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def page_stream(lines):
    """A content stream that shows `lines` top-down in Helvetica."""
    ops = [f"BT /F1 12 Tf 72 {720 - 16 * i} Td ({_escape(line)}) Tj ET" for i, line in enumerate(lines)]
    return "\n".join(ops).encode("latin-1")


def make_pdf(pages, streams=None, info_title=None):
    """A valid PDF with one page per entry of `pages` (a list of lines), or raw (dict, bytes) streams."""
    streams = streams or [({}, page_stream(lines)) for lines in pages]
    count = len(streams)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count))
        + b"] /Count %d >>" % count,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, (entries, data) in enumerate(streams):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i))
        extra = b"".join(b" /%s %s" % (k.encode(), v.encode()) for k, v in entries.items())
        objects.append(b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream")
    if info_title:
        objects.append(b"<< /Title (" + info_title.encode("latin-1") + b") >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    info = b" /Info %d 0 R" % len(objects) if info_title else b""
    out.write(b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, info, xref))
    return out.getvalue()


def encrypt(data, password):
    """The same PDF, encrypted with a user password (AES-256, as current writers do)."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def settings():
    return Settings.from_mapping({"parse_timeout": 30})


def read(data, settings, password=None):
    return extract(Source(kind="file", data=data, filename="x.bin", password=password), settings)


def test_text_per_page_with_page_locators(settings):
    data = make_pdf([["Quarterly report", "Revenue grew."], ["Second page text."]],
                    info_title="Q3 Report")
    document = read(data, settings)
    assert [b.locator for b in document.blocks] == [{"page": 1}, {"page": 2}]
    assert "Revenue grew." in document.blocks[0].text
    assert document.blocks[1].text == "Second page text."
    assert document.title == "Q3 Report"
    assert document.metadata["pages"] == 2


def test_running_headers_and_footers_are_not_read_as_text(settings):
    """A report's title and page number on every page were glued to each page's first sentence."""
    body = [["Rivers carry water to the sea.", "Most of them rise in hills."],
            ["Lakes store water between rains.", "Some are made by dams."],
            ["Floods come after long rain.", "Barriers hold them back."],
            ["Wetlands filter what rivers carry.", "Birds nest there in spring."],
            ["Maps show every river as a line.", "Its flow has a direction."]]
    pages = [["Hydro Network Data Model - Edition 1.0", *lines, f"Report page {n} of 5"]
             for n, lines in enumerate(body, start=1)]
    document = read(make_pdf(pages), settings)
    assert [b.locator for b in document.blocks] == [{"page": n} for n in range(1, 6)]
    assert [b.text for b in document.blocks] == ["\n".join(lines) for lines in body]


def test_a_word_broken_at_a_lines_end_is_whole_again(settings):
    """Typeset text breaks words at syllables: a paper's tl;dr opened "Ef- fects of reducing ...".
    A compound broken at its own hyphen keeps it."""
    data = make_pdf([["Ef-", "fects of the classifi-", "cation of tables are large.",
                      "We study self-", "supervised learning: the self and the supervised parts."]])
    text = read(data, settings).blocks[0].text
    assert "Effects of the classification of tables" in text.replace("\n", " "), text
    assert "self-supervised" in text.replace("\n", ""), text


def test_a_line_that_is_every_pages_whole_text_is_kept(settings):
    document = read(make_pdf([["Habibi, the same line on every page."]] * 4), settings)
    assert [b.text for b in document.blocks] == ["Habibi, the same line on every page."] * 4


def test_pages_without_text_are_listed_not_fatal(settings):
    data = make_pdf([["Only the first page has text."], []])
    document = read(data, settings)
    assert document.metadata["pages_without_text"] == [2]
    assert len(document.blocks) == 1


def test_detected_by_content_not_name(settings):
    data = make_pdf([["Named like a picture."]])
    document = extract(Source(kind="file", data=data, filename="holiday.jpg",
                              content_type="image/jpeg"), settings)
    assert "Named like a picture." in document.text


def test_no_text_layer_is_422_and_says_no_ocr(settings):
    with pytest.raises(errors.UnprocessableDocument) as caught:
        read(make_pdf([[], []]), settings)
    assert caught.value.code == "pdf_no_text"
    assert "OCR" in caught.value.message


def test_encrypted_without_password(settings):
    with pytest.raises(errors.UnprocessableDocument) as caught:
        read(encrypt(make_pdf([["Secret minutes."]]), "s3cret"), settings)
    assert caught.value.code == "pdf_encrypted"
    assert "password" in caught.value.message


def test_encrypted_with_wrong_and_right_password(settings):
    data = encrypt(make_pdf([["Secret minutes."]]), "s3cret")
    with pytest.raises(errors.UnprocessableDocument) as caught:
        read(data, settings, password="nope")
    assert caught.value.code == "pdf_wrong_password"
    assert "Secret minutes." in read(data, settings, password="s3cret").text


def test_truncated_file(settings):
    data = make_pdf([["Page %d of a long file." % i] for i in range(20)])
    with pytest.raises(errors.UnprocessableDocument) as caught:
        read(data[: len(data) // 2], settings)
    assert caught.value.code == "pdf_truncated"


def test_truncation_check_tolerates_trailing_whitespace():
    data = make_pdf([["x"]])
    assert not pdf_format.is_truncated(data + b"\n\x00" * 100)
    assert pdf_format.is_truncated(data[:-10])


def test_damaged_file(settings):
    data = b"%PDF-1.4\n" + b"garbage that is not a PDF body " * 50 + b"\n%%EOF\n"
    with pytest.raises(errors.UnprocessableDocument) as caught:
        read(data, settings)
    assert caught.value.code in ("pdf_damaged", "pdf_no_text")


def test_page_limit_names_the_setting():
    settings = Settings.from_mapping({"max_pages": 3})
    with pytest.raises(errors.PayloadTooLarge) as caught:
        read(make_pdf([["p"]] * 5), settings)
    assert caught.value.code == "too_many_pages"
    assert "max_pages" in caught.value.message


def test_char_limit_names_the_setting():
    settings = Settings.from_mapping({"max_chars": 1000})
    with pytest.raises(errors.PayloadTooLarge) as caught:
        read(make_pdf([["word " * 100]] * 5), settings)
    assert caught.value.code == "too_many_chars"
    assert "max_chars" in caught.value.message


def _huge_flate_stream(megabytes):
    """Deflate `megabytes` MiB of text-showing operators without holding them in memory."""
    packer = zlib.compressobj(9)
    chunk = b"BT /F1 12 Tf 72 700 Td (bomb) Tj ET\n" * (1024 * 1024 // 37)
    parts = [packer.compress(chunk) for _ in range(megabytes)]
    return b"".join(parts) + packer.flush()


def test_huge_compressed_stream_costs_one_child_and_a_clean_4xx():
    settings = Settings.from_mapping({"parse_memory_mb": 512, "parse_timeout": 20})
    stream = _huge_flate_stream(400)
    assert len(stream) < 8 * 1024 * 1024  # it really is a small file that inflates 50x and more
    data = make_pdf([], streams=[({"Filter": "/FlateDecode"}, stream)])
    with pytest.raises(errors.SummarizerError) as caught:
        read(data, settings)
    assert caught.value.status in (413, 422)
    assert caught.value.code in (
        "pdf_stream_too_large", "parse_memory_exceeded", "parse_timeout", "pdf_damaged", "too_many_chars"
    )


def test_memory_cap_applies_in_the_child():
    data = make_pdf([], streams=[({"Filter": "/FlateDecode"}, _huge_flate_stream(40))])
    settings = Settings.from_mapping({"parse_memory_mb": 64, "parse_timeout": 30})
    with pytest.raises(errors.PayloadTooLarge) as caught:
        read(data, settings)
    assert caught.value.code == "parse_memory_exceeded"
    assert "parse_memory_mb" in caught.value.message
    # The same tiny cap is enough for an ordinary file: the cap bites on the bomb, not on pypdf.
    assert read(make_pdf([["ordinary"]]), settings).text == "ordinary"

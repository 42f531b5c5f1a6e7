"""OCR: scanned PDFs and pictures of text, read by Tesseract in the parse child.

Scans are made here the way a scanner makes them: text pages (corpus PDFs, or PDFs built by
test_extract_pdf.make_pdf) rendered to images by PDFium and saved as images or image-only PDFs.
"""

import io
from pathlib import Path

import pypdf
import pypdfium2
import pytest
from PIL import Image

from bench.ocr import word_f1
from summarizer import errors
from summarizer.config import Settings
from summarizer.document import Source
from summarizer.extract import extract, pdfocr
from tests.test_extract_pdf import make_pdf

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pdf"
FOUR_PAGES = CORPUS / "sf__004-pdflatex-4-pages__pdflatex-4-pages.pdf"

LINES = ["The harbour authority approved the new ferry schedule on Monday.",
         "Boats will leave every forty minutes between six and midnight.",
         "Tickets cost three euros and children travel for free."]


@pytest.fixture
def settings():
    return Settings.from_mapping({"parse_timeout": 60})


def read(data, settings):
    return extract(Source(kind="file", data=data, filename="upload.bin"), settings)


def render(pdf_bytes, dpi, pages=None):
    """Each page of a PDF as a grey PIL image at `dpi`."""
    pdf = pypdfium2.PdfDocument(pdf_bytes)
    numbers = range(len(pdf)) if pages is None else pages
    return [pdf[n].render(scale=dpi / 72, grayscale=True).to_pil() for n in numbers]


def image_pdf(images, dpi):
    """An image-only PDF (a scan): one picture per page, no text layer."""
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return out.getvalue()


def encoded(image, fmt, **options):
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def text_page():
    """A page of LINES at 200 dpi, as a scanner would give it."""
    return render(make_pdf([LINES]), 200)[0]


def test_scanned_corpus_page_matches_its_text_layer_at_300_dpi(settings):
    if not FOUR_PAGES.exists():
        pytest.skip("../shared/corpus is absent")
    original = FOUR_PAGES.read_bytes()
    document = read(image_pdf(render(original, 300, [0, 1]), 300), settings)
    reader = pypdf.PdfReader(io.BytesIO(original))
    for number in (1, 2):
        truth = reader.pages[number - 1].extract_text()
        found = "\n".join(b.text for b in document.blocks if b.locator["page"] == number)
        assert word_f1(truth, found) >= 0.95, (number, found[:300])
    assert document.metadata["ocr_pages"] == [1, 2]


def test_ocr_blocks_are_located_by_page_line_and_box(settings, text_page):
    document = read(image_pdf([text_page, text_page], 200), settings)
    assert {b.locator["page"] for b in document.blocks} == {1, 2}
    for block in document.blocks:
        left, top, width, height = block.locator["box"]
        assert 0 <= left < left + width <= 1 and 0 <= top < top + height <= 1
        assert block.locator["line"] >= 1
    assert "ferry schedule" in document.text and "three euros" in document.text


@pytest.mark.parametrize("fmt, options", [
    ("PNG", {}), ("JPEG", {"quality": 60}), ("WEBP", {"quality": 70}), ("GIF", {}), ("TIFF", {}),
])
def test_uploaded_images_are_read_by_content(settings, text_page, fmt, options):
    document = read(encoded(text_page, fmt, **options), settings)
    assert word_f1("\n".join(LINES), document.text) >= 0.9, document.text
    assert document.metadata["ocr"] is True
    assert all(b.locator["page"] == 1 for b in document.blocks)


def test_multipage_tiff_gives_pages_and_animated_gif_its_first_frame(settings, text_page):
    blank = Image.new("L", text_page.size, 255)
    tiff = encoded(blank, "TIFF", save_all=True, append_images=[text_page])
    assert {b.locator["page"] for b in read(tiff, settings).blocks} == {2}
    gif = encoded(text_page, "GIF", save_all=True, append_images=[blank])
    assert "ferry" in read(gif, settings).text


def test_transparent_screenshot_text_is_not_lost(settings, text_page):
    """Dark text on transparent pixels that are black underneath (a common PNG screenshot)."""
    rgba = Image.new("RGBA", text_page.size, (0, 0, 0, 0))
    rgba.putalpha(Image.eval(text_page, lambda v: 255 - v))
    assert "ferry" in read(encoded(rgba, "PNG"), settings).text


def test_missing_engine_is_422_ocr_unavailable_saying_what_to_install(settings, text_page, monkeypatch):
    monkeypatch.setenv("SUMMARIZER_TESSERACT", "/nonexistent/tesseract")
    for data in (encoded(text_page, "PNG"), image_pdf([text_page], 200)):
        with pytest.raises(errors.UnprocessableDocument) as caught:
            read(data, settings)
        assert caught.value.code == "ocr_unavailable"
        assert "apt-get install tesseract-ocr" in caught.value.message


def with_scanned_pages(text_pdf, images):
    """`text_pdf` followed by image-only pages of `images` (a document with a few scanned pages)."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(text_pdf)))
    for page in pypdf.PdfReader(io.BytesIO(image_pdf(images, 200))).pages:
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_text_pdf_with_a_scanned_page_is_read_without_an_engine(settings, text_page, monkeypatch):
    """Pages with a text layer are not OCR'd, and a page without one does not make a PDF with
    text fail where Tesseract is missing: it is listed as without text."""
    monkeypatch.setenv("SUMMARIZER_TESSERACT", "/nonexistent/tesseract")  # OCR would fail
    document = read(with_scanned_pages(make_pdf([LINES, []]), [text_page]), settings)
    assert [b.locator for b in document.blocks] == [{"page": 1}]
    assert document.metadata["pages_without_text"] == [2, 3]


def test_text_pdf_with_more_pages_to_ocr_than_the_cap_is_bounded_not_refused(text_page):
    settings = Settings.from_mapping({"parse_timeout": 60, "max_ocr_pages": 2})
    document = read(with_scanned_pages(make_pdf([LINES]), [text_page] * 3), settings)
    assert list(dict.fromkeys(b.locator["page"] for b in document.blocks)) == [1, 2, 3]
    assert document.metadata["pages_without_text"] == [4] and document.metadata["ocr_pages"] == [2, 3]


@pytest.mark.parametrize("text, garbage", [
    ("The quick brown fox, 12.5% of 2024 (est.).", False),
    ("مرحبا بالعالم وهذا نص عربي", False),
    ("数据表 2024 年 收入 增长", False),
    ("| a | b |\n|---|---|\n| 1 | 2 |", False),
    ("\ue000\ue001\ue002 \ue003\ue004 text", True),
    ("\x01\x02\x03\x04\x05\x06 \x07\x08", True),
    ("�������� ���", True),
    ("~^~ <<>> ^^^ {{}} ~~~ <<>>", True),
])
def test_garbage_rule(text, garbage):
    assert pdfocr.is_garbage(text) is garbage


def test_garbage_text_layer_over_a_scan_is_replaced_by_ocr(settings, text_page):
    """A scan whose hidden text layer is symbol soup (an unmapped font) is read from its image."""
    scan = pypdf.PdfReader(io.BytesIO(image_pdf([text_page], 200)))
    soup = b"BT 3 Tr /F1 12 Tf 72 700 Td (~^~ <<>> ^^^ {{}} ~~~ <<>> ^|^ ~~) Tj ET"  # 3 Tr: invisible
    layer = pypdf.PdfReader(io.BytesIO(make_pdf([], streams=[({}, soup)])))
    writer = pypdf.PdfWriter()
    page = writer.add_page(scan.pages[0])
    page.merge_page(layer.pages[0])
    out = io.BytesIO()
    writer.write(out)
    document = read(out.getvalue(), settings)
    assert "ferry schedule" in document.text and "<<>>" not in document.text
    assert document.metadata["ocr_pages"] == [1]


@pytest.mark.model
def test_scanned_corpus_pdf_is_summarized_with_cited_pages(client, worker):
    """A scan of a corpus PDF (no text layer) through POST /summarize: a summary whose items cite
    pages of the scan, where it used to be 422 pdf_no_text."""
    if not FOUR_PAGES.exists():
        pytest.skip("../shared/corpus is absent")
    scan = image_pdf(render(FOUR_PAGES.read_bytes(), 300, [0, 1, 2]), 300)
    data = {"file": (io.BytesIO(scan), "scan.pdf"), "cache": "false"}
    response = client.post("/summarize?wait=true", data=data, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    sources = [s for c in result["citations"] for s in c["sources"]]
    assert sources and all(s["locator"]["page"] in (1, 2, 3) and "box" in s["locator"] for s in sources)


def test_extract_endpoint_reads_an_uploaded_photo_of_text(client, text_page):
    photo = encoded(text_page.rotate(1.5, expand=True, fillcolor=255), "JPEG", quality=50)
    response = client.post("/extract", data={"file": (io.BytesIO(photo), "IMG_0042.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert "ferry schedule" in body["text"]
    assert body["blocks"][0]["locator"]["page"] == 1 and len(body["blocks"][0]["locator"]["box"]) == 4

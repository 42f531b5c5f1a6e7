"""OCR on hostile input: decompression bombs in images and PDFs, page caps, truncated images,
and Tesseract processes that must not outlive their parse child."""

import io
import struct
import zlib

import pypdf
import pytest
from PIL import Image

from summarizer import errors
from tests.test_extract_ocr import encoded, make_pdf, read, settings, text_page  # noqa: F401 (settings, text_page: fixtures)

def png_declaring(width, height):
    """A valid little PNG whose header declares width x height grey pixels (a decompression bomb)."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    rows = zlib.compress(b"\x00" * (width + 1) * 16)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))


def test_pixel_bomb_is_413_before_decoding(settings):
    with pytest.raises(errors.PayloadTooLarge) as caught:
        read(png_declaring(100_000, 100_000), settings)
    assert caught.value.code == "image_too_large" and "max_image_pixels" in caught.value.message


def test_huge_pdf_page_is_rendered_within_the_pixel_cap(settings):
    """A 200 x 200 inch page renders at the resolution the cap allows, not at 300 dpi (27 GB)."""
    big = make_pdf([[]]).replace(b"/MediaBox [0 0 612 792]", b"/MediaBox [0 0 14400 14400]")
    with pytest.raises(errors.UnprocessableDocument) as caught:
        read(big, settings)
    assert caught.value.code == "pdf_no_text"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF", "WEBP"])
def test_truncated_image_is_a_clean_422(settings, text_page, fmt):
    data = encoded(text_page, fmt)
    with pytest.raises(errors.UnprocessableDocument) as caught:
        read(data[: len(data) // 3], settings)
    assert caught.value.code == "image_damaged"


def test_many_page_scan_is_413_naming_the_ocr_page_cap(settings):
    with pytest.raises(errors.PayloadTooLarge) as caught:
        read(make_pdf([[]] * (settings.max_ocr_pages + 1)), settings)
    assert caught.value.code == "too_many_ocr_pages"
    blank = Image.new("L", (64, 64), 255)
    tiff = encoded(blank, "TIFF", save_all=True, append_images=[blank] * settings.max_ocr_pages)
    with pytest.raises(errors.PayloadTooLarge) as caught:
        read(tiff, settings)
    assert caught.value.code == "too_many_ocr_pages"


def test_ten_thousand_page_pdf_is_refused_by_the_page_cap(settings):
    with pytest.raises(errors.PayloadTooLarge) as caught:
        read(make_pdf([[]] * 10_000), settings)
    assert caught.value.code in ("too_many_pages", "too_many_ocr_pages")


def pdf_with_image_declaring(width, height):
    """A one-page PDF drawing a grey image XObject that declares width x height pixels but holds a
    few kilobytes (a decompression bomb inside a PDF)."""
    from pypdf.generic import DictionaryObject, NameObject, NumberObject, StreamObject

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(
        make_pdf([], streams=[({}, b"q 612 0 0 792 0 0 cm /Im1 Do Q")]))))
    picture = StreamObject()
    picture._data = zlib.compress(b"\x00" * width * 50)
    picture.update({NameObject(k): v for k, v in {
        "/Type": NameObject("/XObject"), "/Subtype": NameObject("/Image"),
        "/Width": NumberObject(width), "/Height": NumberObject(height),
        "/BitsPerComponent": NumberObject(8), "/ColorSpace": NameObject("/DeviceGray"),
        "/Filter": NameObject("/FlateDecode")}.items()})
    resources = writer.pages[0][NameObject("/Resources")]
    resources[NameObject("/XObject")] = DictionaryObject({NameObject("/Im1"): writer._add_object(picture)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pixel_bomb_inside_a_pdf_is_bounded(settings):
    """PDFium draws the 100,000 x 100,000 image at the page's render size; the child's caps hold."""
    with pytest.raises(errors.SummarizerError) as caught:
        read(pdf_with_image_declaring(100_000, 100_000), settings)
    assert caught.value.code in ("pdf_no_text", "parse_memory_exceeded", "pdf_damaged")


def test_extract_endpoint_refuses_a_pixel_bomb_as_json(client):
    response = client.post("/extract", data={"file": (io.BytesIO(png_declaring(100_000, 100_000)), "x.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "image_too_large"


def marked_tesseracts(marker):
    """Running tesseract processes whose environment carries `marker`."""
    import psutil

    found = []
    for process in psutil.process_iter(["name"]):
        try:
            if process.info["name"] == "tesseract" and process.environ().get("OCR_TEST_MARKER") == marker:
                found.append(process)
        except psutil.Error:
            pass
    return found


def test_tesseract_dies_with_the_parse_child(tmp_path, text_page):
    """When the sandbox kills a parse child (its wall clock), the child's Tesseract goes too,
    instead of finishing a page nobody waits for. The child is killed here as the sandbox would,
    once its Tesseract runs (a 9-page poster in four languages: many seconds of work)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    poster = Image.new("L", (text_page.width * 3, text_page.height * 3), 255)
    for n in range(9):
        poster.paste(text_page, ((n % 3) * text_page.width, (n // 3) * text_page.height))
    (tmp_path / "poster.png").write_bytes(encoded(poster, "PNG"))
    marker = f"orphan-{time.monotonic_ns()}"
    script = ("import pathlib, sys; from summarizer.extract import ocr; "
              "ocr.recognize_all([pathlib.Path(sys.argv[1]).read_bytes()], "
              "languages='eng+deu+fra+spa', workers=1, timeout=600)")
    child = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "poster.png")],
                             env=dict(os.environ, OCR_TEST_MARKER=marker))
    try:
        deadline = time.monotonic() + 120
        while not marked_tesseracts(marker):
            assert child.poll() is None and time.monotonic() < deadline, "tesseract never started"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait()
        deadline = time.monotonic() + 3
        while marked_tesseracts(marker) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = marked_tesseracts(marker)
        for process in left:
            process.kill()
        assert not left, "tesseract outlived its parse child"
    finally:
        child.kill()

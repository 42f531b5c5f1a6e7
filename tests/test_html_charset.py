"""Pages without a charset in the HTTP header (issue 17.4): summarizer/extract/html.py decodes
their bytes as a browser does, and repairs text a browser mis-decoded before the extension sent it.
Before, trafilatura guessed from the bytes alone and ignored the declaration: it read several of
these pages as cp1250 ("coűte", "ŕ"), and a misread page stayed misread."""

import pytest

from summarizer.extract import html

FRENCH = ("Le café coûte 3 € à Zürich — une façade naïve, des “guillemets” et une œuvre. "
          "Les élèves ont étudié la question pendant trois années entières avant de conclure.")
SPANISH = "El niño comió piñas en España; la señora dijo: «¡Qué año!» y pagó 5 €."
SHORT = "Café crème – 3 €."
RUSSIAN = ("Городской совет утвердил новый бюджет на следующий год после долгого обсуждения. "
           "Депутаты решили увеличить расходы на школы и больницы города.")


def page(text, head=""):
    paragraphs = "".join(f"<p>{text}</p>" for _ in range(4))
    return f"<!DOCTYPE html><html><head>{head}<title>Titre</title></head><body><article>{paragraphs}</article></body></html>"


@pytest.mark.parametrize("head, codec", [
    ('<meta charset="windows-1252">', "cp1252"),
    ('<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">', "cp1252"),
    # "iso-8859-1" means windows-1252 to browsers: curly quotes and the euro sign are in 0x80-0x9F.
    ("<meta charset=iso-8859-1>", "cp1252"),
    # A declaration after a long inline style, past the standard's 1024-byte prescan.
    ("<style>" + "p { margin: 0 }\n" * 100 + "</style><meta charset='windows-1252'>", "cp1252"),
])
def test_a_declared_charset_is_honoured(head, codec):
    for text in (FRENCH, SPANISH, SHORT):
        assert text in html.extract(page(text, head).encode(codec)).text


def test_undeclared_utf8_is_read_as_utf8():
    assert FRENCH in html.extract(page(FRENCH).encode("utf-8")).text


def test_undeclared_latin_bytes_are_windows_1252_as_in_browsers():
    assert FRENCH in html.extract(page(FRENCH).encode("cp1252")).text


def test_undeclared_cyrillic_is_detected():
    assert RUSSIAN in html.extract(page(RUSSIAN).encode("cp1251")).text


def test_byte_order_mark_wins_over_a_wrong_declaration():
    data = "\ufeff".encode("utf-8") + page(FRENCH, '<meta charset="windows-1252">').encode("utf-8")
    assert FRENCH in html.extract(data).text


def test_the_http_charset_wins_over_the_meta():
    data = page(FRENCH, '<meta charset="utf-8">').encode("cp1252")
    assert FRENCH in html.extract(data, charset="windows-1252").text


def browser_misread(data):
    """Bytes as a browser decodes them as windows-1252 and serializes the DOM: the five bytes
    windows-1252 leaves undefined become U+0081..., and U+00A0 is written as &nbsp;."""
    chars = (bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in data)
    return "".join(chars).replace("\u00a0", "&nbsp;")


def test_text_a_browser_misread_as_windows_1252_is_repaired():
    """What the extension sends for a UTF-8 page served without any charset: the live DOM as the
    browser decoded it, windows-1252, so "café" arrived as "cafÃ©"."""
    misread = browser_misread(page(FRENCH).encode("utf-8"))
    assert "cafÃ©" in misread and "Ã&nbsp;" in misread
    assert FRENCH in html.extract(misread).text


@pytest.mark.parametrize("text", [
    page(FRENCH),  # already right
    page("Ã© is how UTF-8 é looks when misread", '<meta charset="windows-1252">'),  # declared: as is
    page("Plain ASCII only."),
])
def test_text_that_is_not_misread_is_left_alone(text):
    assert html.repair(text) == text


@pytest.mark.parametrize("label, codec", [
    ("latin1", "cp1252"), ("UTF-8", "utf-8"), ("utf-16", "utf-8"), ("gb2312", "gbk"),
    ("Shift_JIS", "cp932"), ("nonsense", None),
])
def test_labels_map_as_in_browsers(label, codec):
    assert html.codec_for(label) == codec

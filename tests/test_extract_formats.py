"""Meeting transcripts (.vtt, .srt), slides (.pptx) and Markdown (.md): sniffed by content, parsed
in the sandbox child with the .docx limits, located by timestamps and slide numbers, and damaged
files answered with a clean 4xx. The corpus tests read ../shared/corpus/{pptx,transcripts} (real
files, some malformed) and skip, saying so, when it is absent."""

import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from summarizer import create_app
from summarizer.config import Settings
from summarizer.document import Source
from summarizer.engine import grounding
from summarizer.extract import extract, sniff

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
NO_CORPUS = f"the shared corpus is absent ({CORPUS})"

VTT = """WEBVTT
Kind: captions

NOTE exported by a meeting tool

1
00:00:01.000 --> 00:00:04.500 align:start
<v Anna Schmidt>We agreed to move the launch to March &amp; keep the budget.</v>

2
00:00:04.500 --> 00:00:07.000
<v Anna Schmidt>The <b>marketing</b> plan follows.

3
00:01:10.000 --> 00:01:15.000
<v.loud Ben>I will send the figures on Friday.
"""

SRT = """1
00:00:00,000 --> 00:00:03,200
Professor C: Good. Let's get started with the recognizer results.

2
00:00:03,400 --> 00:00:04,600
Grad B: The error rate fell by a third.

3
00:00:05,000 --> 00:00:06,000
"""

SBV = """0:00:00.378,0:00:04.200
Anna: We agreed to move the launch to March.

0:00:13.f89,0:00:15.489
A cue whose timing line is broken.

0:00:15.489,0:00:18.234
Anna: The marketing plan follows.
"""

MARKDOWN = """---
title: Harbour plan
---
# The harbour

The city will **rebuild** the [northern quay](https://example.org/quay) in stone.

* Costs rise by a tenth.
* Crews start in `April`.

```sh
make build
```
"""


def settings(**overrides):
    return Settings.from_mapping({"parse_timeout": "60", **overrides})


def read(data, **overrides):
    return extract(Source(kind="file", data=data, filename="upload"), settings(**overrides))


def make_pptx(slides, notes=None, furniture=None):
    """A real .pptx written by python-pptx: each slide (title, [body lines]), optional notes, and
    optional `furniture`, {placeholder type: text} of footer, date and slide number placeholders
    cloned from the layout onto every slide."""
    from pptx import Presentation

    deck = Presentation()
    for number, (title, lines) in enumerate(slides):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text_frame.text = "\n".join(lines)
        if notes and notes.get(number):
            slide.notes_slide.notes_text_frame.text = notes[number]
        for placeholder in slide.slide_layout.placeholders:
            if placeholder.placeholder_format.type in (furniture or {}):
                slide.shapes.clone_placeholder(placeholder)
        for placeholder in slide.placeholders:
            if placeholder.placeholder_format.type in (furniture or {}):
                placeholder.text = furniture[placeholder.placeholder_format.type]
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def test_webvtt_keeps_speakers_and_locates_by_timestamps():
    document = read(VTT.encode())
    assert document.metadata["format"] == "vtt"
    assert document.metadata["speakers"] == ["Anna Schmidt", "Ben"]
    first, second = document.blocks
    # one speaker's consecutive cues are one turn; markup and entities are gone
    assert first.text == ("Anna Schmidt: We agreed to move the launch to March & keep the budget. "
                          "The marketing plan follows.")
    assert first.locator == {"start": "00:00:01.000", "end": "00:00:07.000", "speaker": "Anna Schmidt"}
    assert second.text == "Ben: I will send the figures on Friday."
    assert second.locator["start"] == "00:01:10.000"


def test_srt_speaker_prefixes_are_speakers_and_an_empty_cue_is_skipped():
    document = read(SRT.encode("utf-8-sig"))
    assert document.metadata["format"] == "srt"
    assert [b.locator.get("speaker") for b in document.blocks] == ["Professor C", "Grad B"]
    assert document.blocks[1].locator == {"start": "00:00:03.400", "end": "00:00:04.600", "speaker": "Grad B"}
    assert document.blocks[1].text == "Grad B: The error rate fell by a third."


def test_youtube_subviewer_reads_as_a_transcript_not_as_text_with_its_timing_lines():
    document = read(SBV.encode())
    assert {k: document.metadata[k] for k in ("format", "cues", "duration", "speakers")} == \
        {"format": "sbv", "cues": 2, "duration": "00:00:18.234", "speakers": ["Anna"]}
    assert [b.text for b in document.blocks] == ["Anna: We agreed to move the launch to March. The marketing plan follows."]
    assert document.blocks[0].locator == {"start": "00:00:00.378", "end": "00:00:18.234", "speaker": "Anna"}


@pytest.mark.parametrize("text, kind", [
    (VTT, sniff.SUBTITLES), (SRT, sniff.SUBTITLES), (SBV, sniff.SUBTITLES), (MARKDOWN, sniff.MARKDOWN),
    ("A plain note.\nIt says: nothing special - at all.\n", sniff.TEXT),
    ("1\nsome text that only starts with a number\n", sniff.TEXT),
])
def test_formats_are_sniffed_by_content_not_by_name(text, kind):
    assert sniff.sniff(text.encode())[0] == kind


def test_slides_give_titles_text_and_notes_located_by_slide():
    data = make_pptx([("Quarterly review", ["Revenue grew by 12 percent.", "Two new offices opened."]),
                      ("Next steps", ["Hire four engineers."])],
                     notes={1: "Mention the hiring freeze in Lisbon."})
    document = read(data)
    assert document.title == "Quarterly review"
    assert document.metadata["format"] == "pptx" and document.metadata["slides"] == 2
    located = [(b.locator, b.text) for b in document.blocks]
    assert located == [
        ({"slide": 1, "title": True}, "Quarterly review"),
        ({"slide": 1}, "Revenue grew by 12 percent."),
        ({"slide": 1}, "Two new offices opened."),
        ({"slide": 2, "title": True}, "Next steps"),
        ({"slide": 2}, "Hire four engineers."),
        ({"slide": 2, "notes": True}, "Mention the hiring freeze in Lisbon."),
    ]


def test_a_slides_footer_date_and_number_are_not_what_it_says():
    """A deck's key point read "Has some text in the headers and footers Slide footer"."""
    from pptx.enum.shapes import PP_PLACEHOLDER

    data = make_pptx([("Quarterly review", ["Revenue grew by 12 percent."]), ("Next steps", ["Hire four engineers."])],
                     furniture={PP_PLACEHOLDER.FOOTER: "Company Confidential", PP_PLACEHOLDER.DATE: "Friday, October 21, 2011",
                                PP_PLACEHOLDER.SLIDE_NUMBER: "7"})
    assert [b.text for b in read(data).blocks] == ["Quarterly review", "Revenue grew by 12 percent.", "Next steps",
                                                   "Hire four engineers."]


def test_a_slides_bullets_without_stops_stay_apart():
    """A slide's paragraphs are bullets, most without a stop: read as one block, the sentence
    splitter joined them as wrapped lines, and "... is project preparation Low institutional
    capacity A local affair ..." was one key point."""
    bullets = ["One of the major obstacles to water finance is project preparation",
               "Low institutional capacity", "Difficult political and economic conditions"]
    document = read(make_pptx([("Project preparation", bullets)]))
    assert grounding.SourceIndex(document.blocks).sentences == ["Project preparation", *bullets]


def test_markdown_file_is_read_without_its_markup():
    document = read(MARKDOWN.encode())
    assert document.metadata["format"] == "markdown"
    assert document.title == "Harbour plan"
    text = document.text
    assert "The city will rebuild the northern quay in stone." in text
    assert "https://" not in text and "**" not in text and "`" not in text and "```" not in text
    assert "make build" in text
    assert all(b.locator.get("heading") == "The harbour" for b in document.blocks)


@pytest.fixture
def extract_client(redis_url):
    return create_app({"TESTING": True, "REDIS_URL": redis_url, "PARSE_TIMEOUT": "60"}).test_client()


def post_file(client, name, data):
    return client.post("/extract", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def bomb_pptx():
    """A real .pptx with one extra member that inflates 1000x (10 MB of zeros)."""
    source = zipfile.ZipFile(io.BytesIO(make_pptx([("Title", ["Body"])])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("ppt/media/zeros.bin", b"\0" * 10_000_000)
    return out.getvalue()


@pytest.mark.parametrize("name, data, status, code", [
    ("deck.pptx", make_pptx([("Title", ["Body"])])[:3000], 422, "pptx_damaged"),
    ("deck.pptx", bomb_pptx(), 422, "zip_ratio_exceeded"),
    ("empty.vtt", b"WEBVTT\n\nNOTE nothing here\n", 422, "transcript_no_text"),
    ("bad.srt", b"1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:0x,000 --> 00:00:03,000\nText\n", 422,
     "transcript_no_text"),
])
def test_damaged_files_get_a_clean_4xx(extract_client, name, data, status, code):
    response = post_file(extract_client, name, data)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code


def test_a_transcript_upload_is_parsed_in_the_sandbox_with_its_limits(extract_client, monkeypatch):
    """The same parse-child path (and time limit) as PDF and Word: a subtitle file that takes too
    long is a 422 parse_timeout, not a stuck API process."""
    from summarizer.extract import sandbox

    seen = []
    real = sandbox.parse_in_child
    monkeypatch.setattr(sandbox, "parse_in_child", lambda fmt, *a, **k: seen.append(fmt) or real(fmt, *a, **k))
    for name, data in (("m.vtt", VTT.encode()), ("m.srt", SRT.encode()), ("r.md", MARKDOWN.encode()),
                       ("d.pptx", make_pptx([("T", ["B"])]))):
        assert post_file(extract_client, name, data).status_code == 200
    assert seen == ["subtitles", "subtitles", "markdown", "pptx"]


def manifest(folder):
    path = CORPUS / folder / "manifest.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def slide_words(data, furniture=False):
    """The words of a deck's slides and notes, read from its XML (every <a:t> run, table cells
    included) and not by python-pptx, to decide whether the deck has text at all: the manifest's
    text_chars counts text frames only, so it cannot tell. Fields (<a:fld>: the slide number, the
    date) are left out, as a reader of the text would leave them, and so are the footer, date,
    slide number and header placeholders (<p:ph type="ftr|dt|sldNum|hdr">), the deck's furniture;
    `furniture=True`: the words of those placeholders alone."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    parts = [name for name in archive.namelist()
             if re.fullmatch(r"ppt/(slides/slide|notesSlides/notesSlide)\d+\.xml", name)]
    placeholder = re.compile(rb"<p:sp>(?:(?!</p:sp>).)*?<p:ph type=\"(?:ftr|dt|sldNum|hdr)\".*?</p:sp>", re.S)
    words = []
    for name in parts:
        xml = archive.read(name)
        xml = b"".join(placeholder.findall(xml)) if furniture else \
            placeholder.sub(b"", re.sub(rb"<a:fld\b.*?</a:fld>", b"", xml, flags=re.S))
        for run in re.findall(rb"<a:t>([^<]*)</a:t>", xml):
            words += run.decode("utf-8").split()
    return words


@pytest.mark.skipif(not (CORPUS / "pptx").is_dir(), reason=NO_CORPUS)
@pytest.mark.parametrize("entry", manifest("pptx"), ids=lambda e: e["file"])
def test_corpus_pptx_reads_its_words_or_gets_a_clean_4xx(extract_client, entry):
    data = (CORPUS / "pptx" / entry["file"]).read_bytes()
    response = post_file(extract_client, entry["file"], data)
    body = response.get_json()
    if entry["status"] != "ok":  # python-pptx itself cannot open it
        assert response.status_code == 422 and body["error"]["code"] == "pptx_damaged", body
        return
    expected = slide_words(data)
    if not expected:
        assert response.status_code == 422 and body["error"]["code"] == "pptx_no_text", body
        return
    assert response.status_code == 200, body
    words = body["text"].split()
    # The manifest's sample words were read with the footers, dates and slide numbers.
    furniture = set(slide_words(data, furniture=True))
    assert all(word in words or word in furniture for word in entry.get("sample_words", [])), \
        (entry["sample_words"], words[:40])
    assert all(isinstance(b["locator"]["slide"], int) for b in body["blocks"])


@pytest.mark.skipif(not (CORPUS / "transcripts").is_dir(), reason=NO_CORPUS)
@pytest.mark.parametrize("entry", manifest("transcripts"), ids=lambda e: e["file"])
def test_corpus_transcripts_read_keeping_speakers_and_timestamps(extract_client, entry):
    data = (CORPUS / "transcripts" / entry["file"]).read_bytes()
    response = post_file(extract_client, entry["file"], data)
    body = response.get_json()
    # Every file here reads: webvtt-py's invalid and malformed test files still carry their
    # caption lines ("Caption text #1", "some text"), and a damaged cue is skipped, not fatal.
    assert response.status_code == 200, body
    if entry["status"] == "ok":
        assert all("start" in b["locator"] for b in body["blocks"])
    else:
        assert "text" in body["text"].split(), body["text"][:200]
    if entry["file"].startswith("qmsum__"):  # every turn is "Speaker: text", one cue each
        cues = data.decode("utf-8").count(" --> ")
        assert body["metadata"]["cues"] == cues
        assert body["metadata"]["speakers"] and all(b["locator"].get("speaker") for b in body["blocks"])

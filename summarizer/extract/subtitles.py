"""Meeting transcripts and subtitles: WebVTT (.vtt) and SubRip (.srt), as Teams, Zoom and Meet
export them, and YouTube's SubViewer (.sbv). Runs inside the parse child (see sandbox.py).

Each cue becomes text that keeps its speaker ("Anna: ...", from a VTT voice tag `<v Anna>` or a
leading "Anna:"), so the summarizer reads a transcript as one; consecutive cues of one speaker are
one block (a turn), located by its timestamps: {"start": "00:01:02.000", "end": ..., "speaker"}.
Both formats are read as players read them: a cue whose timing line is broken is skipped, not the
whole file; a file with no readable cue is refused (422).
"""

import html
import re

from summarizer.document import Block, Document
from summarizer.errors import PayloadTooLarge, UnprocessableDocument
from summarizer.extract import text as text_format

_TIME = r"(?:(\d{1,3}):)?(\d\d):(\d\d)[.,](\d{3})"
"""A timestamp. Minutes and seconds are any two digits: exporters write "01:04:60.000" (a rounding
slip), and a player shows that cue rather than drop it."""
TIMING = re.compile(rf"^\s*{_TIME}\s*(?:-->\s*{_TIME}(?:\s+.*)?|,{_TIME}\s*)$")
"""A cue's timing line: `00:01:02.500 --> 00:01:05.000` (VTT: '.', hours optional; SRT: ','), or
YouTube's SubViewer `0:01:02.500,0:01:05.000` (.sbv; without it such a file was read as text, its
timing lines in the summary: "0:00:00.378,0:00:11.378 Caption text #1" was a headline)."""

_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>", re.I)
_TAG = re.compile(r"</?[a-z][^>]*>|<\d{1,3}:\d\d:\d\d[.,]\d{3}>|<\d\d:\d\d[.,]\d{3}>", re.I)
_SPEAKER = re.compile(r"^\s*([A-Z][\w .,'()-]{0,80}?):\s+(\S.*)$")
"""A speaker named at the start of a cue's text ("Professor C: Good.", "The Chair (Hon. Anthony
Rota (Nipissing, Lib.)): ..."), as exporters write it."""

MAX_TURN_SECONDS = 60.0
"""Consecutive cues of one speaker join into one block until it spans this long: a turn reads as
prose (subtitles cut sentences across cues), and a citation still points within a minute."""

MAX_LINE_BYTES = 64 * 1024
"""Longest line of a subtitle file: a cue is a line or two on screen. A 45 MB one-line cue took
15 s to be called damaged (issue 23); it is refused (413 `too_large`) before it is decoded."""

_LONG_LINE = re.compile(rb"[^\n]{%d}" % (MAX_LINE_BYTES + 1))

HEADER_BLOCKS = ("NOTE", "STYLE", "REGION")
"""VTT blocks that are not cues: comments, CSS, regions."""


def parse(data, *, max_chars, max_blocks=None, **_ignored):
    """Read a .vtt or .srt file into a Document, or raise 422 when it has no readable cue (413
    `too_many_blocks` as soon as it has more than `max_blocks` turns, not after reading them all)."""
    if _LONG_LINE.search(data):
        raise PayloadTooLarge("too_large", f"This subtitle file has a line longer than "
                              f"{MAX_LINE_BYTES // 1024} KiB; a cue is a line or two of text.")
    text = text_format.normalize(text_format.decode(data))
    blocks, total, cues = [], 0, [0]
    for turn in _turns(_cues(text, cues)):
        total += len(turn.text)
        if total > max_chars:
            break
        blocks.append(turn)
        if max_blocks is not None and len(blocks) > max_blocks:
            raise PayloadTooLarge(
                "too_many_blocks", f"This transcript has more than {max_blocks} turns (max_blocks); "
                "split it.")
    if not blocks:
        raise UnprocessableDocument(
            "transcript_no_text", "This subtitle file has no cue with text and a valid timing line.")
    speakers = sorted({b.locator["speaker"] for b in blocks if "speaker" in b.locator})
    metadata = {"format": _format(text),
                "cues": cues[0], "duration": blocks[-1].locator["end"]}
    if speakers:
        metadata["speakers"] = speakers
    return Document(title="", blocks=blocks, metadata=metadata)


def _format(text):
    """"vtt", "srt" or "sbv": SRT writes milliseconds after a comma, a WebVTT file without its
    signature still writes ".", and SubViewer has no arrow."""
    if text.lstrip().startswith("WEBVTT"):
        return "vtt"
    if "-->" not in text:
        return "sbv"
    return "srt" if re.search(r"-->\s*[\d:]+,\d{3}", text) else "vtt"


def looks_like(text):
    """Whether decoded text is a subtitle file: the WEBVTT signature, or a timing line among its
    first lines after at most a cue number (SRT has no signature)."""
    lines = [line.strip() for line in text.lstrip("\ufeff").split("\n", 8)[:8]]
    if lines and re.match(r"^WEBVTT(?:$|[ \t])", lines[0]):
        return True
    first = [line for line in lines if line][:2]
    return bool(first) and (TIMING.match(first[0]) is not None or (
        len(first) == 2 and first[0].isdigit() and TIMING.match(first[1]) is not None))


def _cues(text, counted):
    """(start, end, speaker or None, text) of every readable cue, in file order; `counted[0]`
    counts them."""
    for chunk in re.split(r"\n\s*\n", text):
        lines = [line for line in chunk.split("\n") if line.strip()]
        if not lines or lines[0].startswith("WEBVTT") or lines[0].split(" ", 1)[0] in HEADER_BLOCKS:
            continue
        at = next((i for i, line in enumerate(lines[:2]) if TIMING.match(line)), None)
        if at is None:
            continue  # a cue number or text without a timing line: players skip it too
        stamps = TIMING.match(lines[at]).groups()
        arrow, comma = stamps[4:8], stamps[8:]
        start, end = _seconds(stamps[:4]), _seconds(arrow if arrow[1] is not None else comma)
        speaker, said = _speech(lines[at + 1:])
        if said:
            counted[0] += 1
            yield start, max(start, end), speaker, said


def _speech(lines):
    """(speaker, text) of a cue's payload lines: voice tags and markup removed, entities decoded."""
    joined = "\n".join(lines)
    voice = _VOICE.search(joined)
    speaker = " ".join(voice.group(1).split()) if voice else None
    said = " ".join(html.unescape(_TAG.sub("", line)).strip() for line in joined.split("\n"))
    said = " ".join(said.split())
    named = _SPEAKER.match(said)
    if named and not speaker:
        speaker, said = named.group(1).strip(), named.group(2).strip()
    return speaker, said


class _Turn:
    def __init__(self, start, end, speaker, said):
        self.start, self.end, self.speaker, self.parts = start, end, speaker, [said]


def _turns(cues):
    """Blocks of consecutive cues of one speaker, each at most MAX_TURN_SECONDS long, as each ends."""
    last = None
    for start, end, speaker, said in cues:
        if last and last.speaker == speaker and end - last.start <= MAX_TURN_SECONDS:
            last.parts.append(said)
            last.end = max(last.end, end)
            continue
        if last:
            yield _block(last)
        last = _Turn(start, end, speaker, said)
    if last:
        yield _block(last)


def _block(turn):
    said = " ".join(turn.parts)
    locator = {"start": timestamp(turn.start), "end": timestamp(turn.end)}
    if turn.speaker:
        locator["speaker"] = turn.speaker
    return Block(f"{turn.speaker}: {said}" if turn.speaker else said, locator)


def _seconds(groups):
    hours, minutes, seconds, millis = groups
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def timestamp(seconds):
    """`seconds` as a WebVTT timestamp, HH:MM:SS.mmm."""
    millis = round(seconds * 1000)
    return f"{millis // 3_600_000:02d}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d}.{millis % 1000:03d}"

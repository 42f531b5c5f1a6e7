"""What `summarizer summarize` writes to a terminal: server text made inert, live lines that never
run into each other, and the final summary with each item's status.

Everything the server sends (a summary, a token, a quote from a fetched page, an error message) is
text from a document or a model and may carry terminal control sequences: a title change, a
screen clear, an OSC 8 link whose visible words hide its target. `clean` removes them before
anything reaches the terminal.
"""

import re

_CONTROL = re.compile(
    r"(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c|$)"  # OSC (titles, OSC 8 links) to BEL/ST
    r"|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c|$)"  # DCS, SOS, PM, APC to ST
    r"|(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"  # CSI (colours, cursor, clear)
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"  # any other escape sequence, or a lone ESC
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # C0 and C1 controls but newline and tab
)
"""Terminal control sequences (ECMA-48): an unterminated string sequence is cut to the end of the
text, since what follows it would be swallowed by the terminal anyway. A sequence split across two
tokens loses its ESC in the first, and the rest is plain text."""

QUOTE_CHARS = 80
"""Longest quote of an item shown beside its status: enough to recognise it in the summary above."""

SOURCE_CHARS = 240
"""Longest quote of a source shown with --citations: about two sentences, enough to check."""


def clean(text):
    """`text` without terminal control sequences (newlines and tabs kept)."""
    return "" if text is None else _CONTROL.sub("", str(text))


def _short(text, limit=QUOTE_CHARS):
    text = " ".join(clean(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


class LiveLines:
    """The live view on stderr: progress, the preview, the model's draft and what voided it.

    A terminal gets progress rewritten in place (carriage return, erase to end of line); a pipe or
    a file gets one line per stage. Whatever is left mid-line (progress, streamed tokens) is ended
    before anything else is written, so no two messages share a line.
    """

    def __init__(self, stream):
        self.stream = stream
        self.tty = stream.isatty() if hasattr(stream, "isatty") else False
        self.open = None  # "progress" or "draft" while the cursor is mid-line
        self.stage = None

    def _end_line(self):
        if self.open == "progress" and self.tty:
            self.stream.write("\r\x1b[K")  # erase the progress line: it was only ever a status
        elif self.open:
            self.stream.write("\n")
        self.open = None

    def line(self, text):
        """One whole line of our own words."""
        self._end_line()
        self.stream.write(f"{text}\n")
        self.stream.flush()

    def block(self, heading, text):
        self.line(heading)
        for row in clean(text).splitlines() or [""]:
            self.line(f"  {row}")

    def progress(self, stage, done, total):
        stage, text = clean(stage), f"{clean(stage)}: {clean(done)}/{clean(total)}"
        if self.tty:
            self._end_line()
            self.stream.write(text)
            self.open = "progress"
        elif stage != self.stage:
            self.line(text)
        self.stage = stage
        self.stream.flush()

    def draft(self, piece):
        """A streamed token of the model's draft."""
        if self.open != "draft":
            self._end_line()
            self.stream.write("The model is writing (a draft: the final summary follows):\n")
        self.stream.write(clean(piece))
        self.open = "draft"
        self.stream.flush()

    def finish(self):
        self._end_line()
        self.stream.flush()


def final_text(result, with_sources=False):
    """The summary the service decided on, then one line per item: its status, what it says and,
    for a replaced item, what the model had written; with `with_sources`, where each comes from."""
    lines = [clean(result.get("summary") or "").rstrip()]
    citations = result.get("citations") or []
    if citations:
        lines.append("")
    for number, citation in enumerate(citations, 1):
        status = clean(citation.get("status") or ("supported" if citation.get("supported") else "unverified"))
        lines.append(f"[{number}] {status}: {_short(citation.get('text'))}")
        if citation.get("original"):
            lines.append(f"    the model wrote: {_short(citation['original'])}")
        if citation.get("missing"):
            lines.append(f"    not in the source: {_short(', '.join(map(str, citation['missing'])))}")
        for source in (citation.get("sources") or []) if with_sources else []:
            lines.append(f"    {_where(source.get('locator'))}: {_short(source.get('quote'), SOURCE_CHARS)}")
    return "\n".join(lines) + "\n"


def _where(locator):
    """A source's locator in words: "page 3, paragraph 2", "slide 4 notes", "00:01:02"."""
    if not isinstance(locator, dict) or not locator:
        return "source"
    parts = [clean(key) if value is True else f"{clean(key)} {clean(value)}"
             for key, value in locator.items() if value is not None and value is not False and value != ""]
    return ", ".join(parts) or "source"

"""Document intake: one entry point from a client's `Source` to a `Document`, whatever the format.

Formats live in their own modules (text, html, pdf, word, slides, subtitles, markdown) behind a
content-sniffing dispatcher; every file format but HTML and plain text (PDF, Word, PowerPoint,
WebVTT/SubRip/SubViewer transcripts, Markdown) is parsed in a sandboxed child process (sandbox.py,
child.py, which names them in FORMAT_NAMES); URLs are fetched by summarizer.extract.fetch.
"""

from summarizer.document import Document


def extract(source, settings, slots=None):
    """Read `source` into a Document; raise a SummarizerError (4xx) when it cannot be read.
    `slots` (extract.sandbox.ParseSlots) bounds the parse children running at once."""
    # Imported on first use: the parse child imports this package too and needs none of the
    # HTML/fetch stack (trafilatura is slow to import and costs memory under the child's cap).
    from summarizer.extract.dispatch import extract as dispatch_extract

    return dispatch_extract(source, settings, slots)


__all__ = ["extract", "Document"]

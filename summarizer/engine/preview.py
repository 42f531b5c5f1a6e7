"""The instant preview: an extractive summary of the requested type and length, with citations,
computed in the API process without the model, so a reader has something worth reading while the
model is queued or still reading.

Every item is a sentence of the document (or, for a headline, a cut of one), so it is backed by
its source by construction and cannot obey an instruction planted in the document.
"""

from summarizer.engine import extractive, grounding

METHOD = "extractive"
"""How the preview was made; the result of the model's run says "model" (or "extractive" when it
fell back)."""


def preview(document, options):
    """The `preview` event's data: {"summary", "citations", "type", "length", "format", "method"}."""
    checked = extractive.summarize(document.text, options)
    citations = grounding.cite(checked.items, document.blocks)
    return {"summary": checked.text, "citations": citations, "type": options.type,
            "length": options.length, "format": options.format, "method": METHOD}

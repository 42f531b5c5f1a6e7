"""Reading a job's event stream the way README.md ("Reading the stream") says, for Python clients.

The same rules, in the same shape, are `extension/browser/lib/stream.js` (the extension and the
Word pane); tests/test_stream_rules.py feeds both the recorded streams in tests/data/streams/ and
expects the same snapshot from each. Change one, change the other and the README together.
"""

VOIDING_STATUSES = ("retrying", "restarted")
"""`status` values after which the text streamed so far is void: `retrying` (the answer broke a
rule and is written again) and `restarted` (its worker died and another starts over)."""

ENDING_EVENTS = ("done", "error")
"""The events that end a job's stream; nothing after one of them counts."""


def voids_streamed_text(kind, data):
    """Whether the event (`kind`, `data`) voids the text streamed so far."""
    return kind == "status" and isinstance(data, dict) and data.get("status") in VOIDING_STATUSES


class Follower:
    """What a client shows for one job's stream, event by event.

    `preview` is the preview event's data (the document's own sentences, shown at once); `drafts`
    the model's streamed text, one entry per attempt, every entry but the last voided; `result`
    the `done` event's data, whose `summary` and `citations` are what the service decided and
    replace everything streamed; `error` the `error` event's data.
    """

    def __init__(self):
        self.preview = None
        self.drafts = [""]
        self.result = None
        self.error = None

    @property
    def text(self):
        """The streamed text that still stands (empty right after a void)."""
        return self.drafts[-1]

    @property
    def ended(self):
        return self.result is not None or self.error is not None

    def apply(self, kind, data):
        """Takes one event; returns what it changed for the reader: "preview", "token", "void",
        "done", "error", or None (progress, queue status, comments: shown as status only)."""
        if self.ended:
            return None
        if kind == "preview" and isinstance(data, dict):
            self.preview = data
            return "preview"
        if voids_streamed_text(kind, data):
            self.drafts.append("")
            return "void"
        if kind == "token" and isinstance(data, dict):
            text = data.get("text")
            self.drafts[-1] += "" if text is None else str(text)
            return "token"
        if kind in ENDING_EVENTS:
            setattr(self, "result" if kind == "done" else "error", data if isinstance(data, dict) else {})
            return kind
        return None

    def snapshot(self):
        """The state the recorded-stream tests compare, the same keys as stream.js's snapshot()."""
        result = self.result or {}
        return {
            "preview": (self.preview or {}).get("summary"),
            "drafts": list(self.drafts),
            "summary": result.get("summary"),
            "statuses": [c.get("status") for c in result.get("citations") or []],
            "error": (self.error or {}).get("code"),
        }

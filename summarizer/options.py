"""Summary options, named and valued as in the Chrome Summarizer API, validated once."""

import dataclasses

from summarizer.errors import BadRequest
from summarizer.shapes import DEPTHS, FOCUSES, FORMATS, LENGTHS, TYPE_ALIASES
from summarizer import shapes
from summarizer.queue.documents import DOCUMENT_ID

MAX_CONTEXT_CHARS = 2000
"""Longest `context` (user background/instructions) accepted; it goes into every prompt."""

MAX_LANGUAGE_CHARS = 35
"""Longest `output_language`: a BCP 47 tag or a language name, never a paragraph."""

MAX_QUERY_CHARS = 1000
"""Longest `query`: a question or an instruction of a few sentences; it goes into the prompt."""


@dataclasses.dataclass(frozen=True)
class SummaryOptions:
    """What kind of summary the client asked for."""

    type: str = "key-points"
    length: str = "short"
    format: str = "markdown"
    output_language: str = ""
    context: str = ""
    cache: bool = True
    strict: bool = False  # drop summary items the source does not support
    depth: str = "fast"  # fast: one call over the salient sentences; thorough: map-reduce over all
    query: str = ""  # a question the summary answers from the document (engine/answer.py)
    focus: str = "document"  # "changes": what changed and what reviewers asked (changes/summary.py)
    since: str = ""  # the document_id of an earlier version: what changed since (changes/versions.py)

    def to_dict(self):
        return dataclasses.asdict(self)


OPTION_NAMES = frozenset(f.name for f in dataclasses.fields(SummaryOptions))


def parse_options(raw, depth="fast"):
    """Validate a mapping of option values (JSON body or form fields) into SummaryOptions;
    `depth` is the server's default for a request that does not choose one."""
    unknown = set(raw) - OPTION_NAMES
    if unknown:
        raise BadRequest("unknown_option", f"Unknown option(s): {', '.join(sorted(unknown))}.")
    values = {"depth": depth}
    if raw.get("type") is not None:
        kind = _string(raw, "type", 20).strip().lower()
        values["type"] = _choice("type", TYPE_ALIASES.get(kind, kind), tuple(shapes.TYPES))
    if raw.get("length") is not None:
        values["length"] = _choice("length", _string(raw, "length", 20).strip().lower(), LENGTHS)
    if raw.get("format") is not None:
        values["format"] = _choice("format", _string(raw, "format", 20).strip().lower(), FORMATS)
    if raw.get("output_language") is not None:
        values["output_language"] = _string(raw, "output_language", MAX_LANGUAGE_CHARS).strip()
    if raw.get("context") is not None:
        values["context"] = _string(raw, "context", MAX_CONTEXT_CHARS).strip()
    if raw.get("query") is not None:
        values["query"] = " ".join(_string(raw, "query", MAX_QUERY_CHARS).split())
    if raw.get("depth") is not None:
        values["depth"] = _choice("depth", _string(raw, "depth", 20).strip().lower(), DEPTHS)
    for flag in ("cache", "strict"):
        if raw.get(flag) is not None:
            values[flag] = _boolean(flag, raw[flag])
    _changes(raw, values)
    return SummaryOptions(**values)


def _changes(raw, values):
    """`focus` and `since` into `values`: a `since` asks for the changes since that version."""
    if raw.get("focus") is not None:
        values["focus"] = _choice("focus", _string(raw, "focus", 20).strip().lower(), FOCUSES)
    if raw.get("since") not in (None, ""):
        since = _string(raw, "since", 64).lower()
        if not DOCUMENT_ID.fullmatch(since):
            raise BadRequest("bad_option", "Option 'since' must be the document_id of an earlier "
                                           "version (32 hexadecimal digits).")
        if values.get("focus") == "document" and raw.get("focus") is not None:
            raise BadRequest("bad_option", "Option 'since' summarizes changes: it cannot be "
                                           "combined with focus 'document'.")
        values.update(since=since, focus="changes")
    if values.get("focus") == "changes" and values.get("query"):
        raise BadRequest("bad_option", "A summary of changes answers no question: send `query` "
                                       "or focus 'changes', not both.")


def _string(raw, name, max_chars):
    value = raw[name]
    if not isinstance(value, str):
        raise BadRequest("bad_option", f"Option {name!r} must be a string.")
    if len(value) > max_chars:
        raise BadRequest("bad_option", f"Option {name!r} is longer than {max_chars} characters.")
    return value


def _choice(name, value, allowed):
    if value not in allowed:
        raise BadRequest(
            "bad_option", f"Option {name!r} must be one of {', '.join(allowed)}; got {value!r}."
        )
    return value


def _boolean(name, value):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise BadRequest("bad_option", f"Option {name!r} must be true or false; got {value!r}.")

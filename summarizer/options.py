"""Summary options, named and valued as in the Chrome Summarizer API, validated once."""

import dataclasses

from summarizer.errors import BadRequest
from summarizer.shapes import DEPTHS, FORMATS, LENGTHS, TYPE_ALIASES
from summarizer import shapes

MAX_CONTEXT_CHARS = 2000
"""Longest `context` (user background/instructions) accepted; it goes into every prompt."""

MAX_LANGUAGE_CHARS = 35
"""Longest `output_language`: a BCP 47 tag or a language name, never a paragraph."""


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
    if raw.get("depth") is not None:
        values["depth"] = _choice("depth", _string(raw, "depth", 20).strip().lower(), DEPTHS)
    for flag in ("cache", "strict"):
        if raw.get(flag) is not None:
            values[flag] = _boolean(flag, raw[flag])
    return SummaryOptions(**values)


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

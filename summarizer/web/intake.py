"""Turn an HTTP request into a `Source` and its raw options; the same for /summarize and /extract."""

import re

from summarizer.document import Source
from summarizer.errors import BadRequest, UnsupportedMediaType
from summarizer.extract.offload import give_way, off_loop
from summarizer.extract.sandbox import ParseSlots

INPUT_FIELDS = ("text", "html", "url", "document_id")
"""JSON/form fields that carry the document itself (or name one kept from an earlier request);
`url` may accompany `html` as its address."""

SOURCE_FIELDS = frozenset(INPUT_FIELDS + ("password",))
"""Fields that are not summary options."""

LONE_SURROGATE = re.compile("[\ud800-\udfff]")
"""JSON may escape half of a UTF-16 pair ("\\ud800"); Python keeps it as a code point that no
encoder accepts, which failed later (a 500) when the text was hashed or stored. Forms and text
bodies are decoded with replacement already; JSON strings get the same U+FFFD."""


def parse_slots(app):
    """The app's bound on parse children running at once, made on first use (one per process)."""
    if "parse_slots" not in app.extensions:
        app.extensions["parse_slots"] = ParseSlots.from_settings(app.config["SETTINGS"])
    return app.extensions["parse_slots"]


def source_from_request(request):
    """(Source, options mapping) from a JSON, multipart or text/plain request."""
    if request.mimetype in ("application/json", "multipart/form-data", "text/plain", "text/markdown"):
        # The body is read here, on the event loop (socket I/O), and parsed on a thread
        # (extract/offload.py): parsing an 11 MB form held the API a second.
        _read_body(request)
        current = request._get_current_object()  # the thread has no request context
    if request.mimetype == "application/json":
        return _from_fields(off_loop(_json_body, current), None)
    if request.mimetype == "multipart/form-data":
        fields, files = off_loop(lambda: (current.form.to_dict(), current.files))
        upload = files.get("file")
        if len(files) > 1 or (files and upload is None):
            raise BadRequest("bad_multipart", "Send one document, in the form field `file`.")
        return _from_fields(fields, upload)
    if request.mimetype in ("text/plain", "text/markdown"):
        text = request.get_data(as_text=True)
        return _checked_text(Source(kind="text", text=text)), {}
    raise UnsupportedMediaType(
        "unsupported_content_type",
        "Send application/json ({\"text\"|\"html\"|\"url\": ...}), multipart/form-data with a "
        f"`file`, or text/plain; got {request.mimetype or 'no content type'!r}.",
    )


BODY_STEP_BYTES = 1024 * 1024
"""The body is read in steps of this size, the loop given back between them: a body that arrives
faster than it is read (loopback) is otherwise read in one go, 45 MB held the loop 2 s."""


def _read_body(request):
    """Read the request body (within max_content_length, which request.stream enforces) into the
    cache that get_data(), get_json() and form parsing read from."""
    if getattr(request, "_cached_data", None) is not None:
        return
    chunks = []
    while chunk := request.stream.read(BODY_STEP_BYTES):
        chunks.append(chunk)
        give_way()
    request._cached_data = b"".join(chunks)  # werkzeug's own cache of get_data(cache=True)


def _json_body(request):
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nesting deeper than the parser's stack: not a document
        body = None
    if not isinstance(body, dict):
        raise BadRequest("bad_json", "The body must be a JSON object.")
    try:
        return _without_lone_surrogates(body)
    except RecursionError:  # parsed just under the stack's limit, one level too deep to walk
        raise BadRequest("bad_json", "The JSON body is nested too deeply.") from None


def _without_lone_surrogates(value):
    """`value` (parsed JSON) with every lone surrogate in its strings, keys included, replaced."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    return value


def _from_fields(fields, upload):
    options = {k: v for k, v in fields.items() if k not in SOURCE_FIELDS}
    password = _optional_string(fields, "password")
    given = [name for name in ("text", "html", "document_id") if fields.get(name) not in (None, "")]
    if upload is not None:
        given.append("file")
    elif fields.get("url") not in (None, "") and "html" not in given:
        given.append("url")
    if len(given) != 1:
        raise BadRequest(
            "bad_input",
            "Send exactly one of `text`, `html` (optionally with its `url`), `url`, a `file`, or the "
            "`document_id` of a document sent before"
            + (f"; got {', '.join(given)}." if given else "."),
        )
    kind = given[0]
    if kind == "file":
        data = off_loop(upload.read)  # werkzeug spools a large upload to a file: read it off the loop
        if not data:
            raise BadRequest("empty_input", "The uploaded file is empty.")
        source = Source(kind="file", data=data, filename=upload.filename,
                        content_type=upload.mimetype, password=password)
    elif kind == "document_id":
        source = Source(kind="document", document_id=_optional_string(fields, "document_id"))
    else:
        source = Source(kind=kind, url=_optional_string(fields, "url"), password=password,
                        **({kind: _optional_string(fields, kind)} if kind != "url" else {}))
    return _checked_text(source), options


def _optional_string(fields, name):
    value = fields.get(name)
    if value is not None and not isinstance(value, str):
        raise BadRequest("bad_input", f"`{name}` must be a string.")
    return value


def _checked_text(source):
    if source.kind == "text" and not (source.text or "").strip():
        raise BadRequest("empty_input", "The text is empty.")
    return source

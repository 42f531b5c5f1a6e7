"""The HTTP side of backend `openai`: one inference server, what it can do, and its failures.

`Upstream` sends requests with the API key, retries what may pass (a refused or dropped
connection, 5xx, 429) with back-off, and turns everything else into the service's own errors:
`UpstreamUnavailable` (503) when the server cannot be had, `UpstreamError` (502, with the status)
when it answered something no retry will change. `probe()` learns, once, which server it is and
what it offers, since the OpenAI API itself says nothing about tokenizers, context or grammars:

- llama-server: found by GET /props, which gives its slots and per-slot context; counts by
  /tokenize and /v1/chat/completions/input_tokens (exact, template included); grammar `grammar`.
- vLLM: /v1/models says owned_by "vllm" and max_model_len; counts by /tokenize (text or chat
  messages); grammar `structured_outputs` (`guided_grammar` before 0.12).
- llama-cpp-python's server: POST /extras/tokenize/count answers; grammar `grammar`; its
  context is not told (n_ctx setting).
- Ollama (GET /api/version answers) and any other: no counts (a local GGUF or the estimate), no
  context (n_ctx setting), no grammar: the guard alone.

The API key is sent as a bearer token and nowhere else: messages carry the server's address
without credentials, and any text quoted from the server has the key blanked out.
"""

import dataclasses
import json
import logging
import os
import threading
import time
import urllib.parse

import requests
import urllib3

from summarizer.errors import UpstreamError, UpstreamUnavailable

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 5.0
"""Connecting to the server; a server on the same network answers in milliseconds."""

CALL_TIMEOUT_SECONDS = 30.0
"""A non-streamed call (tokenize, props, models): they take milliseconds, unless the server is
busy reading a long prompt on the same thread (llama-cpp-python's server)."""

HEALTH_TIMEOUT_SECONDS = 2.0
"""A look at whether the server answers (/readyz; an idle worker before it takes a job): short, so
a hung server cannot hold either."""

BACKOFF_SECONDS = (0.5, 1, 2, 4, 8)
"""Waits before retry 1, 2, 3...; the last repeats. Five retries span about 15 s: long enough for
a llama-server or llama-cpp-python server to restart with a small model (3 s measured here)."""

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
"""Answers that may change by asking again: overloaded, loading the model, a proxy's gateway errors."""

QUOTE_CHARS = 300
"""Most characters of a server's own error message quoted in ours."""

MAX_ANSWER_BYTES = 16 * 2**20
"""Largest non-streamed answer read (a completion, a model list, a token count): /tokenize of a
5-million-character document answers about 10 MB; a body that never ends (issue 23: 0.67 to 8.7 GB
of worker memory) stops here."""

MAX_ERROR_BYTES = 64 * 1024
"""Largest error answer read: only its first QUOTE_CHARS are ever quoted."""

READ_BYTES = 65536
"""One read of a non-streamed answer, between checks of its byte cap and deadline."""


@dataclasses.dataclass(frozen=True)
class Server:
    """What the probe learned about the server."""

    kind: str  # llama-server, vllm, llama-cpp-python, ollama, openai
    model: str
    n_ctx: int | None = None  # as the server reports it
    slots: int | None = None  # sequences it runs at once, where it says
    version: str = ""


class Upstream:
    """Requests to one inference server, with its key, retries and error mapping."""

    def __init__(self, settings):
        """`settings`: config.UpstreamSettings."""
        self.settings = settings
        parts = urllib.parse.urlsplit(settings.url.rstrip("/"))
        path = parts.path[:-3] if parts.path.endswith("/v1") else parts.path
        self.root = urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        self.where = urllib.parse.urlunsplit((parts.scheme, host, path, "", ""))  # no credentials
        self._local = threading.local()

    # --- requests -------------------------------------------------------------------------
    def session(self):
        """This thread's session (a requests.Session is not meant to be shared between threads)."""
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def headers(self):
        key = self.api_key()
        return {"Authorization": f"Bearer {key}"} if key else {}

    def api_key(self):
        if self.settings.api_key_file:
            try:
                mtime = os.stat(self.settings.api_key_file).st_mtime_ns
            except OSError as error:
                raise UpstreamError("upstream_error", f"Cannot read upstream_api_key_file: "
                                    f"{error.strerror}.") from None
            return _key_in_file(self.settings.api_key_file, mtime)
        return self.settings.api_key

    def send(self, method, path, body=None, *, stream=False, timeout=CALL_TIMEOUT_SECONDS):
        """One request, no retry: the response when it is 2xx, else the mapped error (`Retry`
        when asking again may help). The body is never read here: `read` reads it, capped."""
        headers = self.headers()
        if stream:
            # A stream's connection is never reused: one the server cut (a restart, a failed
            # stream, which uvicorn resets) would otherwise go back to the pool and fail the next
            # request; a long answer gains nothing from keep-alive.
            headers["Connection"] = "close"
        try:
            # stream=True always: requests would otherwise read a whole body, however long, and
            # allow_redirects=False: a redirect would carry the prompt to wherever it points.
            response = self.session().request(
                method, self.root + path, json=body, headers=headers, stream=True,
                allow_redirects=False, timeout=(CONNECT_TIMEOUT_SECONDS, timeout))
        except requests.ReadTimeout:  # connected: it is up, only busy
            raise Busy(f"the inference server at {self.where} did not answer {path} within "
                       f"{timeout:g} s") from None
        except requests.Timeout:
            raise Retry(f"the inference server at {self.where} could not be connected to within "
                        f"{CONNECT_TIMEOUT_SECONDS:g} s") from None
        except requests.RequestException as exc:
            raise Retry(f"cannot reach the inference server at {self.where}: {_reason(exc)}") from None
        if response.status_code >= 400 or 300 <= response.status_code < 400:
            error = self.refusal(response, path)
            response.close()
            raise error
        return response

    def read(self, response, path, *, limit=MAX_ANSWER_BYTES, timeout=CALL_TIMEOUT_SECONDS):
        """The body of `response`, at most `limit` bytes, within `timeout` seconds in all (the
        socket's timeout is per read: a server that trickles a byte a second never trips it)."""
        try:
            raw, whole = _read_capped(response, limit, time.monotonic() + timeout)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            response.close()
            raise Retry(f"the inference server at {self.where} broke off its answer to {path}: "
                        f"{_reason(exc)}") from None
        if whole:
            response.raw.release_conn()  # read to its end: the connection may serve again
        else:
            response.close()
        if whole is None:
            raise Trickle(f"the inference server at {self.where} did not finish answering {path} "
                       f"within {timeout:g} s")
        if not whole:
            raise UpstreamError(
                "upstream_error", f"The inference server at {self.where} answered {path} with "
                f"more than {limit // 1024} KiB; that is not an answer.",
                details={"status": response.status_code})
        return raw

    def call(self, method, path, body=None, *, retries=None, timeout=CALL_TIMEOUT_SECONDS):
        """`send` with the retries and back-off of a passing failure; the JSON answer, read
        within `timeout` in all."""
        def attempt():
            response = self.send(method, path, body, timeout=timeout)
            return response.status_code, self.read(response, path, timeout=timeout)

        status, raw = retrying(attempt, self.settings.retries if retries is None else retries)
        try:
            return json.loads(raw)
        except ValueError:
            raise self.garbage(path, status, raw.decode("utf-8", "replace")) from None

    def refusal(self, response, path):
        """The error for a 4xx/5xx answer: Retry for the passing ones, UpstreamError otherwise."""
        status = response.status_code
        if 300 <= status < 400:  # followed nowhere: the prompt stays with the configured server
            return UpstreamError("upstream_error", f"The inference server at {self.where} "
                                 f"redirected {path} ({status}); set SUMMARIZER_UPSTREAM_URL to "
                                 "where it answers.", details={"status": status})
        said, kind = _error_of(_head(response))
        said, kind = self.quote(said), self.quote(kind)
        if status in RETRY_STATUSES:
            return Retry(f"the inference server at {self.where} answered {status} to {path}: {said}",
                         status=status)
        if status in (401, 403):
            hint = ("check SUMMARIZER_UPSTREAM_API_KEY (or its file)" if self.api_key()
                    else "it wants a key: set SUMMARIZER_UPSTREAM_API_KEY")
            message = f"The inference server at {self.where} refused the API key ({status}): {hint}."
        elif status == 404:
            message = (f"The inference server at {self.where} has no {path} ({status}): check "
                       f"SUMMARIZER_UPSTREAM_URL and SUMMARIZER_UPSTREAM_MODEL. It said: {said}")
        elif "context" in kind:  # OpenAI's context_length_exceeded, llama-server's exceed_context_size_error
            message = (f"The inference server at {self.where} refused a prompt longer than its "
                       f"context ({status}): set SUMMARIZER_N_CTX to at most the server's context "
                       f"size (llama-server -c, vLLM --max-model-len, Ollama num_ctx). It said: {said}")
        else:
            message = f"The inference server at {self.where} refused the request ({status}): {said}"
        details = {"status": status, **({"kind": kind.strip()} if kind.strip() else {})}
        return UpstreamError("upstream_error", message, details=details)

    def garbage(self, path, status, text):
        return UpstreamError(
            "upstream_error", f"The inference server at {self.where} answered {path} with something "
            f"that is not an OpenAI-compatible answer: {self.quote(text)!r}", details={"status": status})

    def quote(self, text):
        """Server text fit to repeat: never with the key in it, then short (cut first, a key
        that straddles the cut left its first part behind)."""
        text = str(text)
        key = self.settings.api_key or (self.api_key() if self.settings.api_key_file else "")
        return (text.replace(key, "***") if key else text)[:QUOTE_CHARS]

    # --- what the server is ------------------------------------------------------------------
    def probe(self, retries=None):
        """Which server this is, its model, context and slots (see the module's table)."""
        models = self.call("GET", "/v1/models", retries=retries).get("data") or []
        listed = [m.get("id") for m in models if isinstance(m, dict)]
        model = self.settings.model or (listed[0] if listed else "")
        if not model:
            raise UpstreamError("upstream_error", f"The inference server at {self.where} lists no "
                                "model: set SUMMARIZER_UPSTREAM_MODEL.", details={"status": 200})
        if not self.settings.model and len(listed) > 1:
            log.warning("%s serves %d models; using %s (set SUMMARIZER_UPSTREAM_MODEL to choose)",
                        self.where, len(listed), model)
        entry = next((m for m in models if isinstance(m, dict) and m.get("id") == model), {})
        props = self._optional("GET", "/props")
        if props and isinstance(props.get("default_generation_settings"), dict):
            return Server("llama-server", model, props["default_generation_settings"].get("n_ctx"),
                          props.get("total_slots"), props.get("build_info", ""))
        if entry.get("owned_by") == "vllm":
            version = (self._optional("GET", "/version") or {}).get("version", "")
            return Server("vllm", model, entry.get("max_model_len"), version=version)
        if self._optional("POST", "/extras/tokenize/count", {"input": "probe"}) is not None:
            return Server("llama-cpp-python", model)
        version = self._optional("GET", "/api/version")
        if version is not None:
            return Server("ollama", model, version=version.get("version", ""))
        return Server("openai", model)

    def _optional(self, method, path, body=None):
        """The JSON answer of an endpoint only some servers have; None where it is missing."""
        try:
            return self.call(method, path, body, retries=0)
        except UpstreamUnavailable:
            raise
        except UpstreamError:
            return None

    def health(self):
        """None when the server answers its model list now, or is busy answering others (it took
        the connection: llama-cpp-python's server answers nothing while it generates); else the
        error saying why not. The whole look takes HEALTH_TIMEOUT_SECONDS at most: a server that
        trickles its answer is down, not busy (issue 23: /readyz held 12 s at a byte a second)."""
        try:
            response = self.send("GET", "/v1/models", timeout=HEALTH_TIMEOUT_SECONDS)
            self.read(response, "/v1/models", limit=MAX_ANSWER_BYTES, timeout=HEALTH_TIMEOUT_SECONDS)
        except Trickle as slow:
            return UpstreamUnavailable("upstream_unavailable", slow.message)
        except Busy:
            return None
        except UpstreamError as error:
            return error
        return None


class Retry(UpstreamUnavailable):
    """A failure that may pass: the caller waits and asks again, or reports it as unavailable."""

    def __init__(self, message, status=None):
        super().__init__("upstream_unavailable", message[0].upper() + message[1:] + ".",
                         details={"status": status} if status else None)

    def gave_up(self, retries):
        """This failure as the last of `retries` + 1 attempts, saying so."""
        if retries:
            self.message += f" (asked {retries + 1} times in all, over about {waited(retries):g} s)"
        return self


class Busy(Retry):
    """The server took the connection but did not answer in time: up, and busy."""


class Trickle(Retry):
    """The server began an answer but did not finish it in time: a health look counts it down."""


def waited(retries):
    """Seconds of back-off before giving up after `retries` retries."""
    return sum(BACKOFF_SECONDS[min(n, len(BACKOFF_SECONDS) - 1)] for n in range(retries))


def retrying(attempt, retries, wait=time.sleep):
    """`attempt()`, asked again after BACKOFF_SECONDS while it raises Retry, `retries` times at
    most; `wait(seconds)` may raise to give up early (a canceled job)."""
    for number in range(retries + 1):
        try:
            return attempt()
        except Retry as failure:
            if number == retries:
                raise failure.gave_up(retries) from None
            pause = BACKOFF_SECONDS[min(number, len(BACKOFF_SECONDS) - 1)]
            log.warning("%s; again in %g s", failure.message.rstrip("."), pause)
            wait(pause)


def _reason(exc):
    """The operating system's words for a failed connection ("Connection refused"), not the
    repr chain requests builds around them."""
    seen = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.strerror:
            return seen.strerror
        seen = seen.__cause__ or seen.__context__ or (seen.args[0] if seen.args and
                                                       isinstance(seen.args[0], BaseException) else None)
    text = str(exc)
    return text.rsplit(": ", 1)[-1].strip("')\" ") or type(exc).__name__


def _read_capped(response, limit, deadline):
    """(bytes, whole) of a body read until its end, `limit` bytes or `deadline`: whole is True at
    its end, False past the limit, None past the deadline."""
    chunks, size = [], 0
    while chunk := response.raw.read1(READ_BYTES, decode_content=True):
        size += len(chunk)
        if size > limit:
            return b"".join(chunks), False
        chunks.append(chunk)
        if time.monotonic() > deadline:
            return b"".join(chunks), None
    return b"".join(chunks), True


def _head(response):
    """(text, reason) of an error answer: its first MAX_ERROR_BYTES, read within
    HEALTH_TIMEOUT_SECONDS; what is left is never read."""
    try:
        raw, _ = _read_capped(response, MAX_ERROR_BYTES, time.monotonic() + HEALTH_TIMEOUT_SECONDS)
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError, ValueError):
        raw = b""
    return raw[:MAX_ERROR_BYTES].decode("utf-8", "replace"), response.reason or ""


def _error_of(head):
    """(message, kind) of an error answer's `head` (text, reason): an OpenAI-style body's
    `error.message` (vLLM's and FastAPI's `message`/`detail`), and its machine-readable `code`
    and `type` joined (empty when there are none); else the body's text."""
    text, reason = head
    try:
        body = json.loads(text)
    except ValueError:
        return text.strip() or reason, ""
    error = body.get("error", body) if isinstance(body, dict) else body
    if not isinstance(error, dict):
        return str(error), ""
    kind = " ".join(str(error.get(k) or "") for k in ("code", "type"))
    return error.get("message") or error.get("detail") or str(error), kind


_key_cache = {}


def _key_in_file(path, mtime_ns):
    """The key in `path` (its first non-comment line), read again when the file changes."""
    if _key_cache.get(path, (None,))[0] != mtime_ns:
        with open(path, encoding="utf-8") as handle:
            lines = (line.split("#", 1)[0].strip() for line in handle)
            _key_cache[path] = (mtime_ns, next((line for line in lines if line), ""))
    return _key_cache[path][1]

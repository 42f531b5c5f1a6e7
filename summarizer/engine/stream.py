"""One streamed chat completion from an OpenAI-compatible server, as a Generation: an iterable of
text pieces with prompt_tokens, completion_tokens and finish_reason.

The response is read on a thread of its own, so the consumer can wait with a timeout: while the
server reads the prompt (seconds, no pieces) `on_prefill` is called twice a second, which is where
a canceled job stops; closing the Generation shuts the socket at once, and the server stops on the
disconnect. A stream that breaks (the server restarted, a dropped connection) is asked for again
with the same seed after the back-off; the pieces the consumer already has are checked against the
new answer and skipped, so a deterministic server carries on where it stopped and a
non-deterministic one is reported, never stitched.
"""

import json
import logging
import queue
import threading
import time

from summarizer.errors import UpstreamError, UpstreamUnavailable
from summarizer.engine.upstream import BACKOFF_SECONDS, Retry

log = logging.getLogger(__name__)

POLL_SECONDS = 0.1
"""How often the consumer wakes while no piece comes (a cancel is seen on the next wake)."""

PREFILL_REPORT_SECONDS = 0.5
"""How often `on_prefill(0, prompt_tokens)` is called while the server reads the prompt; the
pipeline checks for a cancel there and reports `reading` progress."""

READ_BYTES = 8192
"""Largest read; read1 returns what has arrived, so pieces are passed on as they come."""

MAX_LINE_BYTES = 64 * 1024
"""Longest SSE line read: one event carries one piece of a few characters and its usage, a few
hundred bytes; a line that never ends grew the worker without bound (issue 23)."""

QUEUED_EVENTS = 256
"""Events read ahead of the consumer at most (with MAX_LINE_BYTES, 16 MiB at worst); the reading
thread waits when it is that far ahead (an endless stream grew the worker 10 MB/s)."""

EVENTS_PER_PIECE = 4
EVENT_SLACK = 64
"""A stream may send EVENTS_PER_PIECE events per piece asked for (max_tokens), plus EVENT_SLACK
(role, usage, empty deltas), before it counts as a server that does not stop."""

GRAMMAR_KEYS = ("grammar", "guided_grammar", "structured_outputs")
"""Request fields that carry a grammar (engine/remote.py's _grammar_body)."""


class RemoteGeneration:
    """A streamed completion; iterate it once (engine/llm.py's Generation interface)."""

    def __init__(self, model, messages, body, on_prefill=None):
        self.model, self.body, self.on_prefill = model, body, on_prefill
        self.prompt_tokens = model.prompt_length(messages)  # the server's usage replaces it
        self.completion_tokens = 0
        self.cached_tokens = 0
        self.reading_seconds = 0.0  # where the server says (llama-server's timings.prompt_ms)
        self.finish_reason = None
        self._reported = -1  # the last half-second in which on_prefill was called

    def __iter__(self):
        given = ""  # text the consumer already has, from streams that broke
        for number in range(self.model.retries + 1):
            try:
                for piece in self._attempt(given):
                    given += piece
                    yield piece
                return
            except Retry as failure:
                if number == self.model.retries:
                    raise failure.gave_up(number) from None
                pause = BACKOFF_SECONDS[min(number, len(BACKOFF_SECONDS) - 1)]
                log.warning("%s; again in %g s", failure.message.rstrip("."), pause)
                self._wait(pause)

    def _attempt(self, given):
        """One request; yields only what goes beyond `given` (see the module's doc)."""
        response = self._open()
        if "text/event-stream" not in response.headers.get("Content-Type", ""):
            yield from self._skip(given, [self._whole(response)])
            return
        reader = _Reader(response)
        try:
            yield from self._skip(given, self._pieces(reader))
        finally:
            reader.close()  # a consumer that stops early (cancel, a loop cut) ends the stream now

    def _open(self):
        upstream = self.model.upstream
        try:
            return upstream.send("POST", "/v1/chat/completions", self.body, stream=True,
                                 timeout=self.model.settings.timeout)
        except UpstreamError as error:
            details = error.details or {}
            if (isinstance(error, UpstreamUnavailable) or details.get("status") != 400
                    or "context" in details.get("kind", "")):
                raise
            if any(k in self.body for k in GRAMMAR_KEYS):  # a 400 for the grammar: go on without
                self.model.grammar_refused(error)
                self.body = {k: v for k, v in self.body.items() if k not in GRAMMAR_KEYS}
                return self._open()
            raise

    def _pieces(self, reader):
        """Text pieces of an SSE stream, keeping counts and the finish reason."""
        self.completion_tokens, self.finish_reason, pieces, done = 0, None, 0, False
        self._reported = -1
        asked = int(self.body.get("max_tokens") or 0)
        for number, event in enumerate(reader.events(self._idle)):
            if event == "[DONE]":
                done = True
                break
            if asked and number > EVENTS_PER_PIECE * asked + EVENT_SLACK:
                raise UpstreamError("upstream_error", f"The inference server at "
                                    f"{self.model.upstream.where} sent {number} events for "
                                    f"{pieces} pieces and did not stop.", details={"status": 200})
            chunk = self._parse(event)
            self._usage(chunk)  # before its text: the consumer may stop at any piece
            for choice in chunk.get("choices") or []:
                self.finish_reason = choice.get("finish_reason") or self.finish_reason
                text = (choice.get("delta") or {}).get("content")
                if text and asked and pieces >= asked:  # past max_tokens: a server that ignores it
                    self.finish_reason = "length"
                    return
                if text:
                    if pieces == 0 and self.on_prefill:
                        self.on_prefill(self.prompt_tokens, self.prompt_tokens)
                    pieces += 1
                    self.completion_tokens += 1
                    yield text
        if self.finish_reason:
            return
        if pieces == 0 and not done:
            # llama-cpp-python's server starts a 200 stream before it checks the prompt, and a
            # prompt too long for its context then ends it empty: asked again without streaming,
            # it says why (400 context_length_exceeded).
            yield self._whole(self._open_plain())
            return
        hint = (" (llama-cpp-python's server cuts a stream when another request comes: start it "
                "with --interrupt_requests false)" if self.model.server().kind == "llama-cpp-python" else "")
        raise Retry(f"the inference server at {self.model.upstream.where} ended the answer after "
                    f"{pieces} pieces without saying why{hint}")

    def _idle(self, silent):
        """Called while no event comes, with the seconds waited so far."""
        if silent > self.model.settings.timeout:  # not retried: a slow server would be again
            raise UpstreamUnavailable(
                "upstream_unavailable", f"The inference server at {self.model.upstream.where} "
                f"sent nothing for {self.model.settings.timeout:g} s (SUMMARIZER_UPSTREAM_TIMEOUT).")
        if self.on_prefill and self.completion_tokens == 0:
            steps = int(silent / PREFILL_REPORT_SECONDS)
            if steps != self._reported:
                self._reported = steps
                self.on_prefill(0, self.prompt_tokens)

    def _parse(self, event):
        try:
            chunk = json.loads(event)
        except ValueError:
            raise self.model.upstream.garbage("/v1/chat/completions", 200, event) from None
        if not isinstance(chunk, dict):
            raise self.model.upstream.garbage("/v1/chat/completions", 200, event)
        if "error" in chunk:  # llama-server and vLLM report a failure inside the stream
            error = chunk["error"] if isinstance(chunk["error"], dict) else {"message": chunk["error"]}
            status = error.get("code") if isinstance(error.get("code"), int) else 500
            message = self.model.upstream.quote(error.get("message", error))
            if status >= 500:
                raise Retry(f"the inference server failed mid-answer ({status}): {message}", status)
            raise UpstreamError("upstream_error", f"The inference server stopped the answer "
                                f"({status}): {message}", details={"status": status})
        return chunk

    def _usage(self, chunk):
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            self.prompt_tokens = usage.get("prompt_tokens") or self.prompt_tokens
            self.completion_tokens = usage.get("completion_tokens") or self.completion_tokens
            details = usage.get("prompt_tokens_details")  # vLLM, OpenAI: the prefix cache's share
            if isinstance(details, dict) and isinstance(details.get("cached_tokens"), int):
                self.cached_tokens = details["cached_tokens"]
        timings = chunk.get("timings")  # llama-server: cache_n prompt tokens came from its cache
        if isinstance(timings, dict) and isinstance(timings.get("cache_n"), int):
            self.cached_tokens = timings["cache_n"]
        if isinstance(timings, dict) and isinstance(timings.get("prompt_ms"), (int, float)):
            self.reading_seconds = max(0.0, timings["prompt_ms"]) / 1000

    def _open_plain(self):
        body = {k: v for k, v in self.body.items() if k not in ("stream", "stream_options")}
        return self.model.upstream.send("POST", "/v1/chat/completions", body,
                                        timeout=self.model.settings.timeout)

    def _whole(self, response):
        """The text of a non-streamed completion (a server that does not stream)."""
        raw = self.model.upstream.read(response, "/v1/chat/completions",
                                       timeout=self.model.settings.timeout)
        try:
            answer = json.loads(raw)
            choice = answer["choices"][0]
            text = choice["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError):
            raise self.model.upstream.garbage("/v1/chat/completions", response.status_code,
                                              raw[:MAX_LINE_BYTES].decode("utf-8", "replace")) from None
        self.finish_reason = choice.get("finish_reason")
        self.completion_tokens = 1 if text else 0
        self._usage(answer)
        return text

    def _skip(self, given, pieces):
        """`pieces` less the prefix `given` the consumer already has; Retry-free failure when
        the new answer does not start with it."""
        seen = ""
        for piece in pieces:
            if len(seen) >= len(given):
                yield piece
                continue
            seen += piece
            if not (seen.startswith(given) or given.startswith(seen)):
                raise UpstreamUnavailable(
                    "upstream_unavailable", f"The inference server at {self.model.upstream.where} "
                    "broke off an answer and gave a different one when asked again; the part "
                    "already streamed cannot be taken back, so this summary stops here.")
            if len(seen) > len(given):
                yield seen[len(given):]
        if len(seen) < len(given):
            raise UpstreamUnavailable(
                "upstream_unavailable", f"The inference server at {self.model.upstream.where} "
                "broke off an answer and gave a shorter one when asked again.")

    def _wait(self, seconds):
        """Sleep `seconds`, still calling on_prefill (where a cancel stops the job)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, PREFILL_REPORT_SECONDS))
            if self.on_prefill:
                self.on_prefill(0, self.prompt_tokens)


class _Reader:
    """An SSE response read on its own thread; the consumer takes its events with a timeout."""

    def __init__(self, response):
        self.response = response
        self.queue = queue.Queue(QUEUED_EVENTS)
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True, name="upstream-stream")
        self.thread.start()

    def _read(self):
        buffer = b""
        try:
            while chunk := self.response.raw.read1(READ_BYTES, decode_content=True):
                buffer += chunk
                if b"\n" not in chunk:
                    if len(buffer) > MAX_LINE_BYTES:
                        raise ValueError(f"an SSE line longer than {MAX_LINE_BYTES} bytes")
                    continue
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    line = line.rstrip(b"\r")
                    if line.startswith(b"data:") and not self._put(
                            ("data", line[5:].strip().decode("utf-8", "replace"))):
                        return
            self._put(("end", None))
        except Exception as exc:  # the socket shut by close(), or the server gone
            self._put(("error", exc))

    def _put(self, item):
        """Hand one event over, waiting while the consumer is QUEUED_EVENTS behind; False once
        the consumer has closed the stream."""
        while not self.closed.is_set():
            try:
                self.queue.put(item, timeout=POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def events(self, idle):
        """`data:` payloads as they come; `idle(seconds)` between polls while none does. A
        connection that fails mid-stream ends it like a close (the caller sees no [DONE])."""
        silent = 0.0
        while True:
            try:
                kind, value = self.queue.get(timeout=POLL_SECONDS)
            except queue.Empty:
                silent += POLL_SECONDS
                idle(silent)
                continue
            silent = 0.0
            if kind != "data":
                if kind == "error":
                    log.info("upstream stream broke: %s", value)
                return
            yield value

    def close(self):
        self.closed.set()
        try:
            self.response.raw.shutdown()  # wakes the reading thread's recv (urllib3 >= 2.3)
        except (AttributeError, OSError, ValueError, RuntimeError):
            pass
        self.response.close()

"""Run a file parser (PDF, Word, PowerPoint, transcripts, Markdown: child.FORMAT_NAMES) in a child
process with a wall-clock timeout and a memory cap.

`subprocess`, not `multiprocessing`: the API runs under gunicorn's gevent worker, which patches
`subprocess` to be cooperative, while a forked multiprocessing child of a monkey-patched process is
fragile. The child (child.py) is a fresh interpreter, so nothing of the parent leaks into it.
"""

import contextlib
import json
import logging
import math
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from summarizer import errors
from summarizer.document import Document
from summarizer.extract.child import FORMAT_NAMES
from summarizer.extract.offload import off_loop

log = logging.getLogger(__name__)

#: The `summarizer` package directory the child imports its parsers from.
_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])

#: Starts child.main() with `summarizer` registered as a bare namespace, so the child does not run
#: summarizer/__init__.py, which imports the whole web app (Flask, RQ, Redis): a second per file and
#: memory under the child's cap, for nothing the parsers use.
_BOOTSTRAP = (
    "import sys, types\n"
    "package = types.ModuleType('summarizer')\n"
    "package.__path__ = [sys.argv[1]]\n"
    "sys.modules['summarizer'] = package\n"
    "from summarizer.extract.child import main\n"
    "main()\n"
)

#: Error classes a child may name in its reply; anything else is treated as a damaged file.
_ERROR_TYPES = {
    cls.__name__: cls
    for cls in (errors.BadRequest, errors.PayloadTooLarge, errors.UnsupportedMediaType,
                errors.UnprocessableDocument)
}


class ParseSlots:
    """How many parse children one process runs at once (`max_parse_children`).

    Each child may grow to parse_memory_mb; without a bound, four crafted uploads at once took
    3.35 GB in an API pod limited to 2 GiB. A request waits up to `parse_wait_seconds` for a slot,
    then gets 503 `parse_busy` with a Retry-After. Under gunicorn's gevent worker the semaphore is
    gevent's (threading is patched), so waiting requests are parked greenlets."""

    def __init__(self, limit, wait_seconds):
        self.limit, self.wait_seconds = limit, wait_seconds
        self._semaphore = threading.BoundedSemaphore(limit)

    @classmethod
    def from_settings(cls, settings):
        return cls(settings.max_parse_children, settings.parse_wait_seconds)

    @contextlib.contextmanager
    def slot(self):
        """Hold one slot while the block runs, or raise 503 when none frees in time."""
        if not self._semaphore.acquire(timeout=self.wait_seconds):
            raise errors.ServiceUnavailable(
                "parse_busy",
                f"{self.limit} documents are being read already (max_parse_children); retry shortly.",
                headers={"Retry-After": str(max(1, math.ceil(self.wait_seconds)))},
            )
        try:
            yield
        finally:
            self._semaphore.release()


def parse_in_child(fmt, data, settings, password=None, slots=None):
    """Parse `data` as `fmt` (a key of child.FORMAT_NAMES) in a child; return a Document or raise 4xx.
    `slots` (ParseSlots) bounds the children running at once; None: no bound (CLI, bench)."""
    with slots.slot() if slots else contextlib.nullcontext():
        return _parse(fmt, data, settings, password)


def _parse(fmt, data, settings, password):
    header = {
        "format": fmt,
        "password": password,
        "max_pages": settings.max_pages,
        "max_chars": settings.max_chars,
        "max_blocks": settings.max_blocks,
        "max_unzipped_bytes": settings.max_unzipped_bytes,
        "memory_mb": settings.parse_memory_mb,
        "cpu_seconds": settings.parse_timeout + 1,  # a backstop; the wall clock below rules
        "ocr": {"languages": settings.ocr_languages, "max_pages": settings.max_ocr_pages,
                "max_pixels": settings.max_image_pixels, "workers": settings.ocr_workers,
                "page_timeout": settings.parse_timeout},
    }
    payload = json.dumps(header).encode("utf-8") + b"\n" + data
    try:
        completed = subprocess.run(
            [sys.executable, "-c", _BOOTSTRAP, _PACKAGE_DIR],
            input=payload,
            capture_output=True,
            timeout=settings.parse_timeout,
            env=_child_env(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise errors.UnprocessableDocument(
            "parse_timeout",
            f"Reading this {FORMAT_NAMES.get(fmt, fmt)} took longer than {settings.parse_timeout:g} s "
            "(parse_timeout); it is too complex or malformed.",
        ) from None
    return _reply(fmt, completed, settings)


def _child_env():
    """The parent's environment, with warnings off (they would only fill stderr)."""
    return dict(os.environ, PYTHONWARNINGS="ignore", PYTHONIOENCODING="utf-8")


def _reply(fmt, completed, settings):
    """Turn the child's stdout into a Document, or its error into the matching exception."""
    reply = off_loop(_decoded, completed.stdout)
    if not isinstance(reply, dict):
        raise _died(fmt, completed, settings)
    if "document" in reply:
        return reply["document"]
    error = reply.get("error") or {}
    cls = _ERROR_TYPES.get(error.get("type"), errors.UnprocessableDocument)
    raise cls(error.get("code") or f"{fmt}_damaged", error.get("message") or "Unreadable document.")


def _decoded(stdout):
    """The child's reply, its document made a Document: proportional to the document, so it runs
    off the event loop."""
    try:
        reply = json.loads(stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if isinstance(reply, dict) and isinstance(reply.get("document"), dict):
        reply["document"] = Document.from_dict(reply["document"])
    return reply


def _died(fmt, completed, settings):
    """The error for a child that ended without a reply (killed by a limit, or crashed)."""
    code = completed.returncode
    log.warning("%s parser exited %s without a reply: %s", fmt, code, completed.stderr[-2000:])
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        return errors.UnprocessableDocument(
            "parse_timeout",
            f"Reading this {FORMAT_NAMES.get(fmt, fmt)} used up its time (parse_timeout={settings.parse_timeout:g} s).",
        )
    if code in (-signal.SIGSEGV, -signal.SIGABRT, -signal.SIGBUS) or b"MemoryError" in completed.stderr:
        return errors.PayloadTooLarge(
            "parse_memory_exceeded",
            f"Reading this {FORMAT_NAMES.get(fmt, fmt)} needs more than {settings.parse_memory_mb} MiB "
            "(parse_memory_mb), or it crashed the parser.",
        )
    return errors.UnprocessableDocument(
        "parse_failed", f"The {FORMAT_NAMES.get(fmt, fmt)} parser could not read this file."
    )

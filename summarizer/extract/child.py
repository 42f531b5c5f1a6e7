"""The parse child, started by sandbox.py (``python -m summarizer.extract.child`` works too).

Reads one JSON header line ({"format", "password", "max_pages", "max_chars", "memory_mb",
"cpu_seconds", "max_unzipped_bytes", "max_blocks", "ocr"}) and then the file's bytes on stdin;
caps its own address space and CPU time before reading the file; writes {"document": {...}} or {"error": {"type", "code", "message"}} as one JSON
object on stdout. A crafted file can exhaust this process and nothing else.
"""

import json
import logging
import resource
import sys

from summarizer import errors
from summarizer.extract.bounds import bounded

log = logging.getLogger("summarizer.extract.child")

FORMAT_NAMES = {"pdf": "PDF", "docx": "DOCX", "pptx": "PPTX", "subtitles": "subtitle",
                "markdown": "Markdown", "image": "image"}
"""How messages name each format the child reads."""


def limit_resources(memory_mb, cpu_seconds):
    """Cap address space (RLIMIT_AS) and CPU time; no core dumps of hostile input."""
    memory = int(memory_mb) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = max(1, int(cpu_seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run(header, data):
    """Parse `data` as header["format"] and return the JSON-able reply."""
    fmt = header["format"]
    try:
        # Imported here, under the caps, and only the parser this file needs.
        options = {}
        if fmt in ("pdf", "image"):  # the readers that OCR (image.py, pdfocr.py)
            options["ocr_options"] = header.get("ocr")
        if fmt == "pdf":
            from summarizer.extract.pdf import parse
        elif fmt == "image":
            from summarizer.extract.image import parse
        elif fmt in ("docx", "pptx"):
            from summarizer.extract import zipguard

            zipguard.check_inflated(data, max_unzipped_bytes=header["max_unzipped_bytes"], kind=fmt)
            if fmt == "docx":
                from summarizer.extract.word import parse
            else:
                from summarizer.extract.slides import parse
        elif fmt == "subtitles":
            from summarizer.extract.subtitles import parse
        elif fmt == "markdown":
            from summarizer.extract.markdown import parse
        else:
            raise errors.UnsupportedMediaType("unsupported_type", f"No parser for {fmt!r}.")
        document = bounded(parse(
            data,
            password=header.get("password"),
            max_pages=header["max_pages"],
            max_chars=header["max_chars"],
            max_blocks=header["max_blocks"],
            **options,
        ), header["max_blocks"])
        return {"document": document.to_dict()}
    except errors.SummarizerError as error:
        return {"error": {"type": type(error).__name__, "code": error.code, "message": error.message}}
    except MemoryError:
        return {"error": {
            "type": "PayloadTooLarge",
            "code": "parse_memory_exceeded",
            "message": f"Reading this document needs more than {header.get('memory_mb')} MiB "
                       "(parse_memory_mb).",
        }}
    except Exception:  # noqa: BLE001 - any parser bug on a hostile file is "unreadable", not a 500
        log.exception("parser failed on a %s", fmt)
        return {"error": {
            "type": "UnprocessableDocument",
            "code": f"{fmt}_damaged",
            "message": f"This {FORMAT_NAMES.get(fmt, fmt.upper())} file is damaged or malformed and cannot be read.",
        }}


def main():
    """Entry point: header line, bytes, reply."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    header = json.loads(sys.stdin.buffer.readline())
    limit_resources(header["memory_mb"], header["cpu_seconds"])
    try:
        data = sys.stdin.buffer.read()
        reply = run(header, data)
    except MemoryError:
        reply = {"error": {"type": "PayloadTooLarge", "code": "parse_memory_exceeded",
                           "message": "The document does not fit in parse_memory_mb."}}
    sys.stdout.buffer.write(json.dumps(reply, ensure_ascii=False).encode("utf-8", "replace"))
    sys.stdout.flush()


if __name__ == "__main__":
    main()

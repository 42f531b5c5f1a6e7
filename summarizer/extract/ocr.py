"""OCR with Tesseract: page images in, lines of text with their boxes out.

Tesseract (Debian's `tesseract-ocr` 5.3) was chosen over RapidOCR (PP-OCRv4 on onnxruntime, pip
only) by bench/ocr.py on the same 8 corpus pages in 6 renderings (bench/README.md, "OCR"): higher
median word F1 in every rendering but one (0.987 against 0.969 at 300 dpi; 0.978 against 0.747
with scanner noise), a seventh of the CPU (1.67 against 12.13 s a page), 81 against 1309-1365 MiB
peak, 17 MiB of Debian packages against 459 MiB of wheels, and languages as separate packages. It runs as a program, one process per page, started by the
parse child (sandbox.py): it inherits the child's memory and CPU caps and dies with the child.

Only the parse child imports this module; nothing here needs Pillow or PDFium.
"""

import concurrent.futures
import ctypes
import os
import shutil
import signal
import subprocess

from summarizer.errors import UnprocessableDocument

#: The program this module runs; SUMMARIZER_TESSERACT names another (tests point it at a missing
#: path to see the 422 a server without Tesseract gives).
TESSERACT_ENV = "SUMMARIZER_TESSERACT"

#: What a user installs to get OCR, said by the 422 when Tesseract is missing.
INSTALL_HINT = ("apt-get install tesseract-ocr tesseract-ocr-eng (plus tesseract-ocr-deu, -fra, "
                "-spa for German, French, Spanish; `make install` does it as root)")

#: Page segmentation mode 3, Tesseract's default: finds columns and blocks on a full page. Mode 6
#: (one uniform block) lost the reading order of two-column corpus pages in bench/ocr.py.
PAGE_SEGMENTATION = "3"

#: Words Tesseract is less sure of than this (its 0-100 confidence) are dropped: it gives such
#: scores to specks, rules and picture edges it reads as letters. bench/ocr.py's figures were
#: taken with it; it has not been tuned.
MIN_WORD_CONFIDENCE = 30

_PR_SET_PDEATHSIG = 1


def program():
    """The Tesseract executable, or raise 422 `ocr_unavailable` saying what to install."""
    name = os.environ.get(TESSERACT_ENV) or "tesseract"
    found = shutil.which(name)
    if not found:
        raise UnprocessableDocument(
            "ocr_unavailable",
            f"This needs OCR (a scan or a picture of text) and the server has no Tesseract "
            f"({name!r} not found). Install it: {INSTALL_HINT}.",
        )
    return found


def recognize_all(images, *, languages, workers, timeout):
    """OCR each PNG in `images` (bytes) in up to `workers` Tesseract processes at once; return,
    per image and in order, its lines as [{"text", "box": [left, top, width, height]}]."""
    executable = program()
    with concurrent.futures.ThreadPoolExecutor(max(1, workers)) as pool:
        jobs = [pool.submit(recognize, image, executable=executable, languages=languages,
                            timeout=timeout) for image in images]
        return [job.result() for job in jobs]


def recognize(image, *, executable, languages, timeout):
    """One PNG through Tesseract's TSV output: its lines, each with the box around its words."""
    try:
        completed = subprocess.run(
            [executable, "stdin", "stdout", "-l", languages, "--psm", PAGE_SEGMENTATION, "tsv"],
            input=image, capture_output=True, timeout=timeout, check=False,
            env=dict(os.environ, OMP_THREAD_LIMIT="1"),  # one core per page; pages run side by side
            preexec_fn=_death_signal(),
        )
    except subprocess.TimeoutExpired:
        raise UnprocessableDocument(
            "parse_timeout", "Reading the text of one page image took too long (parse_timeout)."
        ) from None
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        if "Failed loading language" in completed.stderr.decode("utf-8", "replace"):
            raise UnprocessableDocument(
                "ocr_unavailable",
                f"Tesseract lacks a language of ocr_languages={languages!r}: {INSTALL_HINT}.",
            )
        raise UnprocessableDocument("ocr_failed", f"OCR could not read a page image: {message[0]}")
    return lines_from_tsv(completed.stdout.decode("utf-8", "replace"))


def lines_from_tsv(tsv):
    """Group Tesseract's word rows (level 5) into lines by (block, paragraph, line); a new
    paragraph starts with "paragraph": True so callers can put a blank line before it."""
    lines, keys = [], {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        try:
            confidence = float(cells[10])
            left, top, width, height = (int(cell) for cell in cells[6:10])
        except ValueError:
            continue
        if confidence < MIN_WORD_CONFIDENCE:
            continue
        key = (cells[2], cells[3], cells[4])  # block, paragraph, line
        if key not in keys:
            keys[key] = len(lines)
            starts = not lines or lines[-1]["key"][:2] != key[:2]
            lines.append({"key": key, "words": [], "box": [left, top, left + width, top + height],
                          "paragraph": starts})
        line = lines[keys[key]]
        line["words"].append(cells[11].strip())
        box = line["box"]
        line["box"] = [min(box[0], left), min(box[1], top),
                       max(box[2], left + width), max(box[3], top + height)]
    return [{"text": " ".join(line["words"]), "paragraph": line["paragraph"],
             "box": [line["box"][0], line["box"][1], line["box"][2] - line["box"][0],
                     line["box"][3] - line["box"][1]]} for line in lines]


def page_text(lines):
    """The text of one page's lines: paragraphs apart by a blank line."""
    parts = []
    for line in lines:
        if line["paragraph"] and parts:
            parts.append("")
        parts.append(line["text"])
    return "\n".join(parts).strip()


def _death_signal():
    """A function for the forked Tesseract to run before exec: SIGKILL it when the parse child
    dies (killed by the sandbox's wall clock), so no page keeps a core busy after its request has
    given up. prctl is looked up here, before the fork: between fork and exec, with the page
    threads around, the child must not import or load anything. None where there is no prctl
    (not Linux): the CPU cap Tesseract inherits still ends it."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)

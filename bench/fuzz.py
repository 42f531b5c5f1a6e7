"""Seeded mutation fuzzing of POST /extract with the corpus PDFs, Word and PowerPoint files and
subtitle transcripts.

    .venv/bin/python -m bench.fuzz [--cases 2500] [--seed 1] [--seconds 2700] [--parse-timeout 5]

Each case takes one file of ../shared/corpus/{pdf,docx,pptx,transcripts} and damages it: a
truncation, flipped bits, overwritten or deleted or repeated byte runs, "interesting" values (0,
0xff, huge numbers) written over digits, a splice of two files, or, for Word and PowerPoint files,
the same byte damage inside one zip member re-packed with a valid CRC (so the XML parser sees it,
not only the zip reader). Mutations spare the first bytes most of the time, so content sniffing
still routes the file to its parser.

The app is the real one (create_app on an embedded redis-server) called in this process through
Flask's test client, so "the API process" here is this process; parsing runs in the sandboxed child
processes exactly as under gunicorn. Reported: outcomes by status and error code, the slowest case,
this process's RSS growth, and the largest RSS sampled from the parse children. Goals: no 5xx, no
case past parse_timeout plus start-up slack, bounded memory. tests/test_fuzz.py runs a small seeded
slice of the same cases.
"""

import argparse
import collections
import io
import logging
import random
import re
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
FORMATS = {"pdf": "*.pdf", "docx": "*.docx", "pptx": "*.pptx", "transcripts": "*.[sv][rt]t"}
"""Corpus folders and the files of each that are fuzzed (.vtt and .srt among the transcripts)."""

ZIPPED = ("docx", "pptx")
"""Formats whose cases may damage one zip member instead of the raw bytes."""

HEADER_BYTES = 8
"""Bytes (magic numbers) most mutations leave alone, so the case still reaches its parser."""

INTERESTING = [b"0", b"-1", b"4294967296", b"99999999999999999999", b"\x00", b"\xff" * 4, b"R",
               b"obj", b"<<", b">>", b"stream", b"endstream", b"<w:p>", b"</w:t>", b"&#0;"]
"""Byte strings that tend to hit parser edge cases: overflowing numbers, stray PDF/XML tokens."""

ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
"""The member timestamp of every re-packed .docx, so a case's bytes depend only on its seed."""

SAMPLE_SECONDS = 0.02
"""How often the memory sampler looks at this process and its parse children."""

log = logging.getLogger("bench.fuzz")


def corpus_files(corpus=CORPUS, max_bytes=None):
    """Sorted (format, path) of the corpus files to fuzz (FORMATS), optionally only the small ones."""
    files = []
    for fmt, pattern in FORMATS.items():
        for path in sorted((corpus / fmt).glob(pattern)):
            if max_bytes is None or path.stat().st_size <= max_bytes:
                files.append((fmt, path))
    return files


def _span(rng, data, floor):
    """A random (start, end) run of at most 1/8 of the data, starting at or after `floor`."""
    start = rng.randrange(min(floor, len(data) - 1), len(data))
    return start, min(len(data), start + rng.randint(1, max(1, len(data) // 8)))


def mutate_bytes(data, rng, other):
    """One byte-level mutation of `data`; returns (name, damaged bytes)."""
    floor = HEADER_BYTES if rng.random() < 0.9 else 0
    buf = bytearray(data)
    kind = rng.choice(["truncate", "flip", "overwrite", "delete", "repeat", "interesting", "splice"])
    if kind == "truncate":
        return kind, bytes(buf[:rng.randrange(1, len(buf))])
    if kind == "flip":
        for _ in range(rng.randint(1, 64)):
            buf[rng.randrange(floor, len(buf))] ^= 1 << rng.randrange(8)
    elif kind == "overwrite":
        start, end = _span(rng, buf, floor)
        buf[start:end] = rng.randbytes(end - start)
    elif kind == "delete":
        start, end = _span(rng, buf, floor)
        del buf[start:end]
    elif kind == "repeat":
        start, end = _span(rng, buf, floor)
        buf[end:end] = buf[start:end] * rng.randint(2, 16)
    elif kind == "interesting":
        digits = [m.start() for m in re.finditer(rb"\d+", bytes(buf[:200_000]))] or [floor]
        for _ in range(rng.randint(1, 16)):
            at = max(floor, rng.choice(digits))
            buf[at:at + rng.randint(1, 4)] = rng.choice(INTERESTING)
    else:  # splice: this file's head on another file's tail
        cut = rng.randrange(floor, len(buf))
        buf = buf[:cut] + other[rng.randrange(len(other)):]
    return kind, bytes(buf)


def mutate_zip_member(data, rng, other):
    """Damage one member of a .docx and re-pack it with valid CRCs; byte damage if not a zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            members = [(info.filename, source.read(info)) for info in source.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError):
        return mutate_bytes(data, rng, other)
    index = rng.randrange(len(members))
    name, content = members[index]
    if content:
        _, content = mutate_bytes(content, rng, content)
    members[index] = (name, content)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member, body in members:
            # A fixed timestamp: writestr(name) stamps the current time, so the same case
            # built two seconds apart would differ and a failure would not reproduce.
            target.writestr(zipfile.ZipInfo(member, date_time=ZIP_TIMESTAMP), body,
                            compress_type=zipfile.ZIP_DEFLATED)
    return f"member:{name.rsplit('/', 1)[-1]}", out.getvalue()


def make_case(index, seed, files, blobs):
    """Case `index` of run `seed`: (source name, mutation, bytes); the same for the same inputs."""
    rng = random.Random(f"{seed}:{index}")
    fmt, path = files[rng.randrange(len(files))]
    data = blobs[path]
    other = blobs[files[rng.randrange(len(files))][1]]
    if fmt in ZIPPED and rng.random() < 0.5:
        kind, damaged = mutate_zip_member(data, rng, other)
    else:
        kind, damaged = mutate_bytes(data, rng, other)
    return path.name, kind, damaged


def post_file(client, name, data):
    """POST /extract with `data` as the multipart file; returns (status, error code or "ok")."""
    response = client.post("/extract", data={"file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")
    body = response.get_json(silent=True) or {}
    if response.status_code == 200:
        return 200, "ok", body
    return response.status_code, (body.get("error") or {}).get("code", "<no JSON error>"), body


def is_parse_child(process):
    """Whether `process` is a sandboxed parse child (summarizer/extract/sandbox.py)."""
    try:
        return any("summarizer.extract.child" in part for part in process.cmdline())
    except psutil.Error:
        return False


class MemorySampler(threading.Thread):
    """Samples this process's RSS and its parse children's RSS until stopped; keeps the maxima."""

    def __init__(self):
        super().__init__(daemon=True)
        self.process = psutil.Process()
        self.max_rss = self.process.memory_info().rss
        self.max_child_rss = 0
        self.children_seen = 0
        self._seen = set()
        self._done = threading.Event()

    def run(self):
        while not self._done.wait(SAMPLE_SECONDS):
            self.sample()

    def sample(self):
        self.max_rss = max(self.max_rss, self.process.memory_info().rss)
        for child in self.process.children(recursive=True):
            if child.pid in self._seen or is_parse_child(child):
                self._seen.add(child.pid)
                try:
                    self.max_child_rss = max(self.max_child_rss, child.memory_info().rss)
                except psutil.Error:
                    pass

    def stop(self):
        self._done.set()
        self.join()
        self.children_seen = len(self._seen)


class Outcomes:
    """What the cases came back with: counts by (status, code), the slowest case, failures."""

    def __init__(self):
        self.counts = collections.Counter()
        self.cases = 0
        self.slowest = (0.0, "")
        self.server_errors = []
        self.malformed = []

    def add(self, label, status, code, body, seconds):
        self.cases += 1
        self.counts[(status, code)] += 1
        self.slowest = max(self.slowest, (seconds, label))
        if status >= 500:
            self.server_errors.append((label, status, body))
        elif status != 200 and not _is_error_body(body):
            self.malformed.append((label, status, body))


def _is_error_body(body):
    error = body.get("error") if isinstance(body, dict) else None
    return isinstance(error, dict) and isinstance(error.get("code"), str) \
        and isinstance(error.get("message"), str)


def run_cases(client, files, seed, count, deadline=None):
    """Run up to `count` cases (stopping at the monotonic `deadline`); returns Outcomes."""
    blobs = {path: path.read_bytes() for _, path in files}
    outcomes = Outcomes()
    for index in range(count):
        if deadline is not None and time.monotonic() > deadline:
            break
        name, kind, data = make_case(index, seed, files, blobs)
        began = time.perf_counter()
        status, code, body = post_file(client, name, data)
        outcomes.add(f"#{index} {name} {kind}", status, code, body, time.perf_counter() - began)
    return outcomes


def build_app(data_dir, parse_timeout):
    """The real app on a fresh embedded redis-server in `data_dir`."""
    from summarizer import create_app
    from summarizer.queue.redis_embed import EmbeddedRedis

    server = EmbeddedRedis(Path(data_dir) / "redis", appendonly=False).start()
    app = create_app({"REDIS_URL": server.url, "PARSE_TIMEOUT": parse_timeout})
    return app, server


def report(outcomes, sampler, start_rss, seconds, parse_timeout):
    """The run as Markdown lines."""
    mib = 1024 * 1024
    lines = [
        f"- cases: {outcomes.cases} in {seconds:.0f} s; 5xx: {len(outcomes.server_errors)}; "
        f"4xx without a JSON error body: {len(outcomes.malformed)}",
        f"- slowest case: {outcomes.slowest[0]:.2f} s ({outcomes.slowest[1]}); "
        f"parse_timeout {parse_timeout:g} s",
        f"- API process RSS: {start_rss / mib:.0f} MiB at start, {sampler.max_rss / mib:.0f} MiB "
        f"at most; parse children: {sampler.children_seen} sampled, largest "
        f"{sampler.max_child_rss / mib:.0f} MiB RSS",
        "", "| status | code | cases |", "|---|---|---|",
    ]
    for (status, code), count in sorted(outcomes.counts.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"| {status} | {code} | {count} |")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=2700, help="stop early after this long")
    parser.add_argument("--parse-timeout", type=float, default=5.0)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)  # parsers log every damaged file; keep the report
    files = corpus_files(args.corpus)
    if not files:
        parser.exit(1, f"no corpus files to fuzz under {args.corpus}\n")
    with tempfile.TemporaryDirectory() as data_dir:
        app, server = build_app(data_dir, args.parse_timeout)
        try:
            sampler = MemorySampler()
            start_rss = sampler.max_rss
            sampler.start()
            began = time.monotonic()
            outcomes = run_cases(app.test_client(), files, args.seed, args.cases,
                                 deadline=began + args.seconds)
            sampler.stop()
        finally:
            server.stop()
    print(f"seed {args.seed}, {len(files)} corpus files")
    print("\n".join(report(outcomes, sampler, start_rss, time.monotonic() - began,
                           args.parse_timeout)))
    for label, status, body in outcomes.server_errors + outcomes.malformed:
        print(f"FAIL {label}: {status} {body}")
    return 1 if outcomes.server_errors or outcomes.malformed else 0


if __name__ == "__main__":
    raise SystemExit(main())

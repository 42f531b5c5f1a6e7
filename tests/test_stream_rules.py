"""The rules for reading a job's stream (README, "Reading the stream"), held by both clients on the
same recorded streams: summarizer/follow.py (the command line) and extension/browser/lib/stream.js
(the extension and the Word pane); and what `summarizer summarize` prints of them."""

import http.server
import io
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from summarizer.client import parse_sse
from summarizer.follow import Follower
from summarizer.terminal import LiveLines, clean, final_text
from tests.conftest import REPO

STREAMS = REPO / "tests" / "data" / "streams"
RECORDED = sorted(STREAMS.glob("*.sse"))
LIB = REPO / "extension" / "browser" / "lib"


def expected(stream):
    return json.loads(stream.with_suffix(".json").read_text())


def python_snapshot(text):
    follower = Follower()
    for event in parse_sse(text.splitlines()):
        follower.apply(event.event, event.data)
    return follower.snapshot()


def js_snapshots(paths, tmp_path):
    """stream.js's snapshot of each recorded stream, parsed by sse.js, in Node. The two modules
    import nothing; copied as .mjs they load as ES modules on any Node without flags."""
    if not shutil.which("node"):
        pytest.skip("node is not installed (apt-get install nodejs): it runs the JS client's rules")
    for name in ("sse", "stream"):
        shutil.copy(LIB / f"{name}.js", tmp_path / f"{name}.mjs")
    script = f"""
        const {{ SseParser }} = await import({json.dumps((tmp_path / "sse.mjs").as_uri())});
        const {{ StreamFollower }} = await import({json.dumps((tmp_path / "stream.mjs").as_uri())});
        const fs = await import("node:fs");
        const parse = (text) => {{ try {{ return JSON.parse(text); }} catch {{ return {{ text }}; }} }};
        const out = {{}};
        for (const path of {json.dumps([str(p) for p in paths])}) {{
            const follower = new StreamFollower();
            for (const event of new SseParser().push(fs.readFileSync(path, "utf8")))
                follower.apply({{ type: event.event, data: parse(event.data) }});
            out[path] = follower.snapshot();
        }}
        console.log(JSON.stringify(out));
    """
    script_path = tmp_path / "follow.mjs"
    script_path.write_text(script)
    done = subprocess.run(["node", str(script_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_there_are_recorded_streams_of_every_kind():
    names = {path.stem for path in RECORDED}
    assert {"replaced", "retried", "restarted", "hostile", "error"} <= names, names


@pytest.mark.parametrize("stream", RECORDED, ids=lambda path: path.stem)
def test_python_client_follows_the_recorded_stream(stream):
    assert python_snapshot(stream.read_text()) == expected(stream)


def test_js_client_follows_the_same_recorded_streams(tmp_path):
    snapshots = js_snapshots(RECORDED, tmp_path)
    for stream in RECORDED:
        assert snapshots[str(stream)] == expected(stream), stream.stem


@pytest.mark.parametrize("raw, shown", [
    ("a\x1b[2Jb\x1b[31mc\x1b[0m", "abc"),  # clear screen, colours
    ("\x1b]0;pwned\x07title", "title"),  # OSC title ended by BEL
    ("\x1b]2;pwned\x1b\\x", "x"),  # OSC title ended by ST
    ("\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\", "click"),  # OSC 8 link
    ("\x9b2J\x9d0;t\x9cz", "z"),  # 8-bit CSI and OSC
    ("\x1bPq#0;2;0;0;0\x1b\\d", "d"),  # DCS (sixel)
    ("a\x1b7b\x1b8c\x1bc", "abc"),  # save/restore cursor, full reset
    ("tab\there\nnext\r\x08\x07\x00\x7f\x85", "tab\there\nnext"),  # C0/C1, not \n or \t
    ("unterminated \x1b]0;title", "unterminated "),
    ("Café – naïve “quotes” 日本語", "Café – naïve “quotes” 日本語"),
])
def test_terminal_control_sequences_are_stripped(raw, shown):
    assert clean(raw) == shown


class _Recorded(http.server.BaseHTTPRequestHandler):
    """Answers POST /summarize with one recorded stream, as the server would."""

    body = b""

    def do_POST(self):  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def run_cli(stream, *flags):
    """`summarizer summarize` as a process against a server that plays `stream`."""
    handler = type("Handler", (_Recorded,), {"body": stream.read_bytes()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        return subprocess.run(
            [sys.executable, "-m", "summarizer.cli", "summarize", "-", "--server",
             f"http://127.0.0.1:{server.server_port}", *flags],
            input="Some text.", capture_output=True, text=True, timeout=60, cwd=REPO)
    finally:
        server.shutdown()
        server.server_close()


def done_of(stream):
    return next(e.data for e in parse_sse(stream.read_text().splitlines()) if e.event == "done")


DISCARDED = {
    "replaced": "1982 Grammy Award for Best Original Song",  # an invented award the result dropped
    "retried": "Stan Freberg died. Stan Freberg died.",  # the looping draft the guard retried
    "restarted": None,
}
"""Text each stream's drafts showed that the service's final result does not contain."""


@pytest.mark.parametrize("name", sorted(DISCARDED))
def test_cli_prints_what_the_service_decided_not_the_draft(name):
    stream = STREAMS / f"{name}.sse"
    result, snapshot = done_of(stream), expected(stream)
    done = run_cli(stream)
    assert done.returncode == 0, done.stderr
    assert done.stdout == final_text(result)
    assert done.stdout.startswith(result["summary"])
    for number, citation in enumerate(result["citations"], 1):
        assert f"[{number}] {citation['status']}: " in done.stdout
    if DISCARDED[name]:
        assert DISCARDED[name] in done.stderr, "the draft was shown while it streamed"
        assert DISCARDED[name] not in done.stdout, "and is not what the service decided"
    assert snapshot["preview"].splitlines()[0] in done.stderr, "the preview is shown"
    assert done.stderr.count("is void") == len(snapshot["drafts"]) - 1


def test_cli_json_and_citations():
    stream = STREAMS / "replaced.sse"
    as_json = run_cli(stream, "--json")
    assert json.loads(as_json.stdout) == done_of(stream)
    with_sources = run_cli(stream, "--citations")
    quote = done_of(stream)["citations"][0]["sources"][0]["quote"]
    assert " ".join(quote.split())[:40] in with_sources.stdout


def test_cli_lets_no_control_sequence_through():
    done = run_cli(STREAMS / "hostile.sse", "--citations")
    assert done.returncode == 0, done.stderr
    for output in (done.stdout, done.stderr):
        assert not set(output) & (set(map(chr, range(0x20))) - {"\n", "\t"} | {"\x7f"}), repr(output)
        assert not set(output) & set(map(chr, range(0x80, 0xA0))), repr(output)
    assert "evil.example" not in done.stdout + done.stderr  # the OSC 8 link's hidden target


def test_cli_progress_never_runs_into_the_next_line():
    done = run_cli(STREAMS / "replaced.sse")
    lines = done.stderr.splitlines()
    assert any(line.startswith("document_id ") for line in lines), done.stderr
    assert all(line.count(": ") <= 2 or line.startswith("  ") for line in lines), done.stderr
    assert all("document_id" not in line or line.startswith("document_id") for line in lines)


def test_cli_reports_a_job_error():
    done = run_cli(STREAMS / "error.sse")
    assert done.returncode == 1
    assert f"error {expected(STREAMS / 'error.sse')['error']}:" in done.stderr
    assert done.stdout == ""


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_on_a_terminal_is_erased_before_the_next_line():
    err = _Terminal()
    live = LiveLines(err)
    live.progress("reading", 256, 1066)
    live.progress("reading", 1066, 1066)
    live.line("document_id abc")
    assert err.getvalue() == "reading: 256/1066\r\x1b[Kreading: 1066/1066\r\x1b[Kdocument_id abc\n"
    live.draft("Some words")
    live.progress("map", 1, 3)
    assert err.getvalue().endswith("Some words\nmap: 1/3")

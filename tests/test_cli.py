"""The command line: serve refuses to expose the GPU without tokens; summarize streams."""

import io
import os
import subprocess
import sys

import pytest

from summarizer.cli import is_loopback
from summarizer.client import stream_summary
from tests.conftest import REPO


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True), ("127.8.0.1", True),
    ("0.0.0.0", False), ("192.168.1.10", False), ("example.org", False), ("::", False),
])
def test_loopback_detection(host, loopback):
    assert is_loopback(host) is loopback


def test_serve_refuses_a_public_address_without_tokens(tmp_path):
    env = {**os.environ, "SUMMARIZER_HOST": "0.0.0.0", "SUMMARIZER_DATA_DIR": str(tmp_path)}
    env.pop("SUMMARIZER_API_TOKENS", None)
    done = subprocess.run([sys.executable, "-m", "summarizer.cli", "serve"], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "without API tokens" in done.stderr and "--insecure-public" in done.stderr
    assert not (tmp_path / "redis" / "redis.sock").exists(), "refused before starting anything"


def test_summarize_command_streams_tokens_from_the_server(live_server, tmp_path):
    document = tmp_path / "notes.txt"
    document.write_text("The bakery on Elm Street reopened after a fire. It now sells rye bread, "
                        "hires four bakers and opens at six every morning.")
    out, err = io.StringIO(), io.StringIO()
    code = stream_summary(live_server.url, live_server.token, str(document),
                          {"type": "headline"}, out=out, err=err)
    assert code == 0, err.getvalue()
    assert out.getvalue().strip()


def test_summarize_command_reports_server_errors(live_server, tmp_path):
    document = tmp_path / "notes.txt"
    document.write_text("Text.")
    out, err = io.StringIO(), io.StringIO()
    assert stream_summary(live_server.url, "wrong", str(document), {}, out=out, err=err) == 1
    assert "401" in err.getvalue() and "bad_token" in err.getvalue()


def test_summarize_command_end_to_end_as_a_process(live_server):
    done = subprocess.run(
        [sys.executable, "-m", "summarizer.cli", "summarize", "-", "--server", live_server.url,
         "--token", live_server.token, "--type", "tldr"],
        input="Volunteers planted 500 trees along the canal on Saturday, the city said.",
        capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()

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


def test_summarize_command_passes_focus_and_since(monkeypatch):
    from click.testing import CliRunner

    from summarizer import cli, client

    sent = {}
    monkeypatch.setattr(client, "stream_summary", lambda server, token, source, options, **kw:
                        sent.update(options) or 0)
    runner = CliRunner()
    done = runner.invoke(cli.main, ["summarize", "contract.docx", "--focus", "changes"])
    assert done.exit_code == 0 and sent["focus"] == "changes" and "since" not in sent
    done = runner.invoke(cli.main, ["summarize", "page.html", "--since", "a" * 32])
    assert done.exit_code == 0 and sent["since"] == "a" * 32


def test_summarize_since_an_unchanged_version_prints_nothing_changed(live_server, tmp_path):
    import requests

    page = tmp_path / "page.txt"
    page.write_text("The ferry to Norwick leaves at nine. Tickets cost twelve euros.")
    kept = requests.post(f"{live_server.url}/extract", headers=live_server.auth, timeout=60,
                         files={"file": ("page.txt", page.read_bytes(), "text/plain")})
    assert kept.status_code == 200, kept.text
    done = subprocess.run(
        [sys.executable, "-m", "summarizer.cli", "summarize", str(page), "--server", live_server.url,
         "--token", live_server.token, "--since", kept.json()["document_id"]],
        capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert "Nothing changed since the earlier version." in done.stdout

"""Real OpenAI-compatible servers for the backend `openai` tests: llama-cpp-python's own server
(`python -m llama_cpp.server`, the `llama-cpp-python[server]` extra) with the bundled model, and a
small HTTP front of our own that fails on purpose before passing requests on to it."""

import http.server
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest
import requests

from summarizer.config import default_model_path
from tests.conftest import REPO, free_port, wait_for


class LlamaServer:
    """`python -m llama_cpp.server` on a loopback port; its output kept in a log file."""

    def __init__(self, log_path, n_ctx=2048, api_key=None, port=None):
        self.log_path, self.n_ctx, self.api_key = log_path, n_ctx, api_key
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.process = None

    def start(self):
        pytest.importorskip("llama_cpp.server.app", reason="needs llama-cpp-python[server]")
        command = [sys.executable, "-m", "llama_cpp.server", "--model", default_model_path(),
                   "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(self.n_ctx),
                   "--n_threads", "1",
                   # its default cuts a running stream whenever another request comes in
                   "--interrupt_requests", "false"]
        if self.api_key:
            command += ["--api_key", self.api_key]
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"})
        log.close()
        wait_for(lambda: self.ready() or self.process.poll() is not None, 120, "llama_cpp.server")
        assert self.process.poll() is None, self.log()
        return self

    def ready(self):
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            return requests.get(self.url + "/models", headers=headers, timeout=1).ok
        except requests.RequestException:
            return False

    def log(self):
        return self.log_path.read_text(errors="replace")

    def kill(self):
        """SIGKILL: the server vanishes mid-answer, its connections reset."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def llama_server_binary():
    """llama.cpp's own llama-server, where this machine has one (SUMMARIZER_TEST_LLAMA_SERVER or
    on PATH): built from the llama.cpp that llama-cpp-python vendors, it is not a pip package."""
    return os.environ.get("SUMMARIZER_TEST_LLAMA_SERVER") or shutil.which("llama-server")


class LlamaCppServer(LlamaServer):
    """llama.cpp's llama-server with `slots` parallel sequences sharing `n_ctx` (-c is split)."""

    def __init__(self, log_path, n_ctx=4096, slots=4, threads=2, port=None):
        super().__init__(log_path, n_ctx=n_ctx, port=port)
        self.slots, self.threads = slots, threads

    def start(self):
        binary = llama_server_binary()
        if not binary:
            pytest.skip("no llama-server here (set SUMMARIZER_TEST_LLAMA_SERVER)")
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [binary, "-m", default_model_path(), "--host", "127.0.0.1", "--port", str(self.port),
             "-c", str(self.n_ctx), "-np", str(self.slots), "-t", str(self.threads)],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_for(lambda: self.ready() or self.process.poll() is not None, 120, "llama-server")
        assert self.process.poll() is None, self.log()
        return self


class FailingFront:
    """An HTTP server that answers `status` to the first `failures` chat completions (all of them
    when None), and passes everything else on to `target` (a base URL ending in /v1), streaming.
    `seen` counts the requests by path. Without a target it answers `status` to everything."""

    def __init__(self, target, status=500, failures=None):
        self.target = target.removesuffix("/v1") if target else None
        self.status, self.failures = status, failures
        self.seen = {}
        front = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                front.handle(self, "GET")

            def do_POST(self):
                front.handle(self, "POST")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def handle(self, handler, method):
        path = handler.path
        self.seen[path] = self.seen.get(path, 0) + 1
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        failing = path.endswith("/chat/completions") or self.target is None
        if failing and (self.failures is None or self.seen[path] <= self.failures):
            payload = b'{"error": {"message": "out of memory (on purpose)", "type": "server_error"}}'
            handler.send_response(self.status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
            return
        upstream = requests.request(method, self.target + path, data=body or None, stream=True,
                                    headers={"Content-Type": "application/json"}, timeout=60)
        handler.send_response(upstream.status_code)
        handler.send_header("Content-Type", upstream.headers.get("Content-Type", "application/json"))
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for chunk in upstream.raw.stream(1024, decode_content=True):
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            handler.wfile.flush()
        handler.wfile.write(b"0\r\n\r\n")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def wait_for_line(server, text, timeout=60):
    """Block until `text` appears in the server's log; the seconds it took."""
    began = time.monotonic()
    wait_for(lambda: text in server.log(), timeout, f"{text!r} in the upstream's log")
    return time.monotonic() - began

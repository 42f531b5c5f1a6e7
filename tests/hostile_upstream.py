"""An OpenAI-compatible server on loopback that misbehaves on purpose (issue 23): a chat answer
that never ends (as JSON or as an event stream that ignores max_tokens), a model list trickled a
byte a second, an error that quotes the API key, a redirect to another local server. Everything
else it answers like a plain OpenAI server with one model."""

import http.server
import json
import threading
import time

MODELS = json.dumps({"object": "list", "data": [{"id": "hostile", "object": "model",
                                                  "owned_by": "hostile"}]}).encode()

PIECE = b'data: {"choices": [{"index": 0, "delta": {"content": "word "}}]}\n\n'


class HostileUpstream:
    """`mode`: "endless-json", "endless-sse", "trickle-models", "key-error" (its `key` as the
    error's code and at character 290 of its message), "redirect" (to `target`), or "plain".
    `seen` lists the paths asked; `sent` counts the bytes of chat answers written."""

    def __init__(self, mode, key="", target=""):
        self.mode, self.key, self.target = mode, key, target
        self.seen, self.sent = [], 0
        self.stopping = threading.Event()
        front = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # a body ends when the connection does

            def do_GET(self):
                front.handle(self)

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                front.handle(self)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def handle(self, handler):
        path = handler.path
        self.seen.append(path)
        try:
            if path == "/v1/models":
                self._models(handler)
            elif path == "/v1/chat/completions":
                self._chat(handler)
            else:
                self._answer(handler, 404, b'{"error": {"message": "no such route"}}')
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up: what it should do

    def _models(self, handler):
        if self.mode == "key-error":
            return self._key_error(handler)
        if self.mode != "trickle-models":
            return self._answer(handler, 200, MODELS)
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.end_headers()
        for byte in MODELS:
            if self.stopping.wait(1.0):
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()

    def _chat(self, handler):
        if self.mode == "key-error":
            return self._key_error(handler)
        if self.mode == "redirect":
            handler.send_response(307)
            handler.send_header("Location", self.target + "/chat/completions")
            handler.end_headers()
            return
        endless = {"endless-json": (b"application/json", b'{"choices": [' + b" " * 65536),
                   "endless-sse": (b"text/event-stream", PIECE * 512)}
        if self.mode not in endless:
            return self._answer(handler, 200, json.dumps({"choices": [{"index": 0, "message": {
                "role": "assistant", "content": "A plain answer."}, "finish_reason": "stop"}]}).encode())
        content_type, chunk = endless[self.mode]
        handler.send_response(200)
        handler.send_header("Content-Type", content_type.decode())
        handler.end_headers()
        while not self.stopping.is_set():
            handler.wfile.write(chunk if self.mode == "endless-sse" or not self.sent else chunk[13:])
            self.sent += len(chunk)

    def _key_error(self, handler):
        message = "x" * 290 + self.key + " is not a key this server knows"
        body = {"error": {"code": self.key, "type": self.key, "message": message}}
        self._answer(handler, 401, json.dumps(body).encode())

    def _answer(self, handler, status, body):
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def close(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


def tree_rss(pid):
    """Resident bytes of process `pid` (the worker runs jobs in its own process)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def watch_rss(pid, until, ceiling, timeout):
    """Sample `pid`'s RSS every 50 ms until `until()` or `timeout` s; stop early past `ceiling`
    bytes (a runaway, before it takes the machine). The highest sample."""
    peak, deadline = 0, time.monotonic() + timeout
    while time.monotonic() < deadline and not until():
        peak = max(peak, tree_rss(pid))
        if peak > ceiling:
            break
        time.sleep(0.05)
    return max(peak, tree_rss(pid))

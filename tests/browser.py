"""Launch Debian's chromium through Playwright for browser tests (extension, Word add-in).

Small API, shared by the test modules that drive a real browser:

- ``skip_reason()``: why browser tests cannot run here (no chromium, no playwright), or None.
- ``launch(extension_dir=None)``: a context manager yielding a Playwright ``BrowserContext`` of a
  fresh headless chromium (new user-data-dir each time); with ``extension_dir`` the unpacked
  extension is loaded (``launch_persistent_context``: extensions need a persistent profile).
- ``extension_id(context)``: the loaded extension's id, from its service worker.
- ``trigger_action(context, page, ext_id)``: clicks the extension's toolbar button for ``page``
  (CDP ``Extensions.triggerAction``, the real click path: activeTab grant, ``action.onClicked``).
- ``attach(context, url_prefix)``: a ``RawTarget`` for a browser target Playwright does not expose
  as a Page (the side panel): ``evaluate``, ``wait_for``, ``screenshot``, ``close``.

Playwright never downloads a browser here: the tests use ``/usr/bin/chromium`` from apt
(``tests/setup_browser.sh`` installs it as root).
"""

import base64
import contextlib
import json
import os
import shutil
import tempfile
import time

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

CHROMIUM = os.environ.get("SUMMARIZER_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",  # the new headless mode runs extensions and side panels
    "--no-sandbox",  # CI runs as root, where chromium's sandbox refuses to start
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
POLL_SECONDS = 0.02


def skip_reason():
    """Why browser tests cannot run on this machine, or None when they can."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return (f"{CHROMIUM} is missing: browser tests need Debian's chromium "
                "(run tests/setup_browser.sh as root, or `apt-get install chromium`)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the `playwright` Python package is missing: pip install -e '.[test]'"
    return None


@contextlib.contextmanager
def launch(extension_dir=None, *, viewport=None):
    """Yield a BrowserContext of a fresh headless chromium, with `extension_dir` loaded if given."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="summarizer-chromium-")
    args = list(CHROMIUM_ARGS)
    if extension_dir:
        extension_dir = os.path.abspath(extension_dir)
        args += [f"--disable-extensions-except={extension_dir}", f"--load-extension={extension_dir}"]
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=args,
                viewport=viewport or {"width": 1000, "height": 800},
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def extension_id(context, timeout=10):
    """The id of the extension loaded in `context`, read from its service worker's URL."""
    workers = context.service_workers or [context.wait_for_event("serviceworker", timeout=timeout * 1000)]
    return workers[0].url.split("/")[2]


def _browser_session(context):
    session = getattr(context, "_summarizer_cdp", None)
    if session is None:
        session = context._summarizer_cdp = context.browser.new_browser_cdp_session()
    return session


def trigger_action(context, page, ext_id):
    """Click the extension's toolbar button on `page`'s tab (brought to the front first)."""
    page.bring_to_front()
    cdp = _browser_session(context)
    tabs = cdp.send("Target.getTargets", {"filter": [{"type": "tab"}]})["targetInfos"]
    active = [t for t in tabs if t.get("embedderData", {}).get("tabActive") and t["url"] == page.url]
    if not active:
        raise RuntimeError(f"no active tab shows {page.url}")
    cdp.send("Extensions.triggerAction", {"id": ext_id, "targetId": active[0]["targetId"]})


def attach(context, url_prefix, timeout=10):
    """A RawTarget for the first target whose URL starts with `url_prefix` (waits for it)."""
    cdp = _browser_session(context)
    deadline = time.monotonic() + timeout
    while True:
        targets = cdp.send("Target.getTargets")["targetInfos"]
        found = [t for t in targets if t["type"] == "page" and t["url"].startswith(url_prefix)]
        if found:
            return RawTarget(cdp, found[0]["targetId"])
        if time.monotonic() > deadline:
            raise TimeoutError(f"no target at {url_prefix} after {timeout} s")
        time.sleep(0.1)


class RawTarget:
    """A page target driven by raw CDP messages through the browser session."""

    def __init__(self, cdp, target_id):
        self._cdp = cdp
        self._replies = {}
        self._next_id = 0
        cdp.on("Target.receivedMessageFromTarget", self._receive)
        # Not flattened: Playwright's CDPSession cannot address a child session directly.
        self._target = target_id
        self._session = cdp.send("Target.attachToTarget", {"targetId": target_id, "flatten": False})["sessionId"]

    def _receive(self, event):
        if event.get("sessionId") == self._session:
            message = json.loads(event["message"])
            if "id" in message:
                self._replies[message["id"]] = message

    def send(self, method, params=None, timeout=10):
        """Send one CDP command to the target and return its result."""
        self._next_id += 1
        key = self._next_id
        message = json.dumps({"id": key, "method": method, "params": params or {}})
        self._cdp.send("Target.sendMessageToTarget", {"sessionId": self._session, "message": message})
        deadline = time.monotonic() + timeout
        while key not in self._replies:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{method} got no answer in {timeout} s")
            time.sleep(POLL_SECONDS)
            self._cdp.send("Browser.getVersion")  # a round trip lets Playwright deliver events
        reply = self._replies.pop(key)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def evaluate(self, expression):
        """Evaluate a JavaScript expression (promises awaited) and return its JSON value."""
        result = self.send("Runtime.evaluate", {
            "expression": expression, "returnByValue": True, "awaitPromise": True,
        })
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=30):
        """Poll `expression` until it is truthy (errors count as not yet); return its value."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.evaluate(expression)
            except RuntimeError as error:  # e.g. the document is still loading
                value, last = None, error
            else:
                last = None
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"{expression!r} still falsy after {timeout} s ({last or 'no error'})")
            time.sleep(POLL_SECONDS)

    def screenshot(self, path, width=400, height=720):
        """Save a PNG of the target at a fixed size (a side panel has no size of its own headless)."""
        self.send("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False,
        })
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))

    def close(self):
        """Close the target, as a user closing the side panel does."""
        self._cdp.send("Target.closeTarget", {"targetId": self._target})


class FlakyProxy:
    """A TCP proxy in front of the real server that can fail the way networks and restarts do.

    - ``freeze()``: the connections open now stop carrying bytes, without closing (a server that
      hangs, a network that drops packets); new connections are forwarded as usual.
    - ``refuse(seconds)``: every open connection is closed and new ones are closed at once for
      that long (a server being restarted).
    ``sent(marker)`` tells whether the browser sent bytes containing `marker` (request lines and
    headers such as ``Last-Event-ID``), ``received(marker)`` whether the server's bytes reaching
    the browser contained it; both give the time.monotonic() of the first such chunk, or None.
    """

    def __init__(self, upstream_port):
        import socket
        import threading

        self._upstream = upstream_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._lock = threading.Lock()
        self._connections = []  # [client_sock, upstream_sock, state dict]
        self._refuse_until = 0.0
        self._log = []  # (time, "sent" | "received", bytes)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import socket
        import threading

        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if time.monotonic() < self._refuse_until:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self._upstream))
            state = {"frozen": False}
            with self._lock:
                self._connections.append((client, upstream, state))
            for source, target, kind in ((client, upstream, "sent"), (upstream, client, "received")):
                threading.Thread(target=self._pump, args=(source, target, kind, state), daemon=True).start()

    def _pump(self, source, target, kind, state):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                while state["frozen"]:
                    time.sleep(0.05)  # hold the bytes: the other side sees silence, not an end
                if state.get("closed"):
                    break
                with self._lock:
                    self._log.append((time.monotonic(), kind, data))
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.close()
                except OSError:
                    pass

    def freeze(self):
        with self._lock:
            for _, _, state in self._connections:
                state["frozen"] = True

    def refuse(self, seconds):
        import socket

        self._refuse_until = time.monotonic() + seconds
        with self._lock:
            for client, upstream, state in self._connections:
                state["closed"] = True
                state["frozen"] = False
                for sock in (client, upstream):
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

    def _first(self, kind, marker, since):
        with self._lock:
            return next((t for t, k, data in self._log if k == kind and t >= since and marker in data), None)

    def sent(self, marker, since=0.0):
        return self._first("sent", marker, since)

    def received(self, marker, since=0.0):
        return self._first("received", marker, since)

    def close(self):
        self._listener.close()
        self.refuse(0)

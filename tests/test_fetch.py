"""Safe URL fetching: SSRF refusals, redirects re-checked per hop, no DNS rebinding, size/time caps,
verified TLS. Only a local test server on 127.0.0.1 is contacted; other addresses are refused
before any connection, and hostnames are resolved by a stub."""

import datetime
import gzip
import http.server
import ipaddress
import socket
import ssl
import threading
import time
import urllib.parse

import pytest

from summarizer import errors
from summarizer.config import Settings
from summarizer.document import Source
from summarizer.extract import extract
from summarizer.extract.fetch import fetch, refusal_reason
from test_extract_pdf import make_pdf

PAGE = ("<html><head><title>Local page</title></head><body><article>"
        + "<p>The harbour master published new tide tables for the spring season today.</p>" * 5
        + "</article></body></html>").encode()


class Handler(http.server.BaseHTTPRequestHandler):
    """Routes of the test server; every request is recorded on the server."""

    def do_GET(self):
        self.server.seen.append((self.path, self.headers.get("Host")))
        path, _, query = self.path.partition("?")
        params = dict(urllib.parse.parse_qsl(query))
        if path == "/redirect":
            self._send(302, b"", headers={"Location": params["to"]})
        elif path == "/loop":
            self._send(302, b"", headers={"Location": "/loop"})
        elif path == "/doc.pdf":
            self._send(200, make_pdf([["Fetched PDF text."]]), "application/pdf")
        elif path == "/big":
            self._send(200, b"x" * 100_000, "text/plain")
        elif path == "/big-chunked":
            self._send_unsized(b"y" * 100_000)
        elif path == "/gzip":
            self._send(200, gzip.compress(PAGE), "text/html", {"Content-Encoding": "gzip"})
        elif path == "/slow":
            time.sleep(3)
            self._send(200, PAGE, "text/html")
        elif path == "/central-european":
            body = ("<html><body><article>" + "<p>Zażółć gęślą jaźń. Łódź i Kraków otwierają nowe "
                    "mosty na Wiśle w przyszłym roku.</p>" * 5 + "</article></body></html>").encode("cp1250")
            self._send(200, body, "text/html; charset=windows-1250")
        elif path == "/missing":
            self._send(404, b"nope", "text/plain")
        else:
            self._send(200, PAGE, "text/html; charset=utf-8")

    def _send(self, status, body, content_type="text/plain", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _send_unsized(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _serve(server):
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture
def server():
    httpd = _serve(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler))
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def base(server):
    return f"http://127.0.0.1:{server.server_address[1]}"


def allowing_loopback(**extra):
    """Settings whose allowlist lets the test reach 127.0.0.1 (and only that address)."""
    return Settings.from_mapping({"fetch_allowlist": "127.0.0.1", **extra})


@pytest.fixture
def fake_dns(monkeypatch):
    """Resolve chosen names to chosen addresses; everything else resolves as usual (literals)."""
    table = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in table:
            answer = table[host]
            addresses = answer() if callable(answer) else answer
            return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                     (a, port)) for a in addresses]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/",
    "http://localhost:8000/admin",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://10.0.0.1/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "http://0.0.0.0/",
    "http://2130706433/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[fec0::1]/",
    "http://[feff::1]/",
])
def test_private_addresses_are_refused(url):
    with pytest.raises(errors.BadRequest) as caught:
        fetch(url, Settings.from_mapping({}))
    assert caught.value.code == "url_not_allowed"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://x/", "javascript:alert(1)"])
def test_only_http_and_https(url):
    with pytest.raises(errors.BadRequest) as caught:
        fetch(url, Settings.from_mapping({}))
    assert caught.value.code in ("url_scheme_not_allowed", "url_invalid")


def test_refused_before_connecting(server):
    with pytest.raises(errors.BadRequest):
        fetch(base(server) + "/article", Settings.from_mapping({}))
    assert server.seen == []


def test_allowlisted_first_hop_is_fetched_and_extracted(server):
    document = extract(Source(kind="url", url=base(server) + "/article"), allowing_loopback())
    assert "tide tables" in document.text
    assert document.metadata["url"] == base(server) + "/article"


def test_the_charset_the_server_declares_is_honoured(server):
    """No <meta charset> in the page, only the Content-Type header says windows-1250 (which a
    guess from the bytes alone takes for windows-1252: "Za¿ó³æ")."""
    document = extract(Source(kind="url", url=base(server) + "/central-european"), allowing_loopback())
    assert "Zażółć gęślą jaźń. Łódź i Kraków" in document.text


@pytest.mark.parametrize("target", [
    "http://127.0.0.2:{port}/article",
    "http://[::1]:{port}/article",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
])
def test_redirect_to_a_private_address_is_refused(server, target):
    to = target.format(port=server.server_address[1])
    with pytest.raises(errors.BadRequest) as caught:
        fetch(f"{base(server)}/redirect?to={urllib.parse.quote(to)}", allowing_loopback())
    assert caught.value.code == "url_not_allowed"
    assert [path for path, _ in server.seen] == [f"/redirect?to={urllib.parse.quote(to)}"]


def test_allowed_redirects_are_followed(server):
    fetched = fetch(f"{base(server)}/redirect?to=/article", allowing_loopback())
    assert fetched.url == base(server) + "/article"
    assert b"harbour master" in fetched.data


def test_redirect_count_is_capped(server):
    with pytest.raises(errors.UnprocessableDocument) as caught:
        fetch(base(server) + "/loop", allowing_loopback(fetch_max_redirects=2))
    assert caught.value.code == "too_many_redirects"
    assert len(server.seen) == 3


def test_hostname_resolving_to_a_private_address_is_refused(fake_dns):
    fake_dns["intranet.example"] = ["10.1.2.3"]
    fake_dns["mixed.example"] = ["93.184.216.34", "127.0.0.1"]
    for host in ("intranet.example", "mixed.example"):
        with pytest.raises(errors.BadRequest) as caught:
            fetch(f"http://{host}/", Settings.from_mapping({}))
        assert caught.value.code == "url_not_allowed"


def test_errors_do_not_tell_what_a_name_resolves_to(server, fake_dns):
    fake_dns["intranet.example"] = ["10.1.2.3"]
    with pytest.raises(errors.BadRequest) as caught:
        fetch("http://intranet.example/", Settings.from_mapping({}))
    assert "10.1.2.3" not in caught.value.message
    fake_dns["wiki.corp.example"] = ["127.0.0.1"]
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: the connection is refused
    try:
        with pytest.raises(errors.UnprocessableDocument) as caught:
            fetch(f"http://wiki.corp.example:{closed.getsockname()[1]}/",
                  Settings.from_mapping({"fetch_allowlist": ".corp.example"}))
    finally:
        closed.close()
    assert caught.value.code == "fetch_failed"
    assert "127.0.0.1" not in caught.value.message and "wiki.corp.example" in caught.value.message


def test_connects_to_the_checked_address_not_a_second_answer(server, fake_dns):
    answers = iter([["127.0.0.1"]] + [["10.9.9.9"]] * 10)  # a rebinding resolver
    fake_dns["svc.test"] = lambda: next(answers)
    port = server.server_address[1]
    fetched = fetch(f"http://svc.test:{port}/article", allowing_loopback(fetch_timeout=5))
    assert b"harbour master" in fetched.data
    assert server.seen == [("/article", f"svc.test:{port}")]


def test_allowlist_by_hostname(server, fake_dns):
    fake_dns["wiki.corp.example"] = ["127.0.0.1"]
    port = server.server_address[1]
    settings = Settings.from_mapping({"fetch_allowlist": ".corp.example"})
    assert b"harbour" in fetch(f"http://wiki.corp.example:{port}/", settings).data
    with pytest.raises(errors.BadRequest):
        fetch(f"http://127.0.0.1:{port}/", settings)


@pytest.mark.parametrize("path", ["/big", "/big-chunked"])
def test_body_size_is_capped(server, path):
    with pytest.raises(errors.PayloadTooLarge) as caught:
        fetch(base(server) + path, allowing_loopback(fetch_max_bytes=4096))
    assert caught.value.code == "fetch_too_large"
    assert "fetch_max_bytes" in caught.value.message


def test_total_time_is_capped(server):
    started = time.monotonic()
    with pytest.raises(errors.UnprocessableDocument) as caught:
        fetch(base(server) + "/slow", allowing_loopback(fetch_timeout=1))
    assert caught.value.code == "fetch_timeout"
    assert time.monotonic() - started < 2.9  # gave up before the server answered


class DripServer:
    """Answers one request a byte every half second for 30 s, in its headers or in its body, and
    records whether the client went away before the last byte."""

    def __init__(self, phase, interval=0.5, count=60):
        self.phase, self.interval, self.count = phase, interval, count
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.abandoned = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/drip"

    def _serve(self):
        connection, _ = self.listener.accept()
        with connection:
            connection.recv(65536)
            if self.phase == "headers":
                head, drip = b"HTTP/1.1 200 OK\r\n", b"X"
            else:
                head = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                        b"Content-Length: %d\r\n\r\n" % self.count)
                drip = b"a"
            try:
                connection.sendall(head)
                for _ in range(self.count):
                    connection.sendall(drip)
                    time.sleep(self.interval)
            except OSError:
                self.abandoned.set()

    def close(self):
        self.listener.close()


@pytest.mark.parametrize("phase", ["headers", "body"])
def test_the_deadline_holds_against_a_server_that_drips(phase):
    """fetch_timeout bounds the whole fetch, not each read: a byte every half second never times
    out a 2 s read, and without a total deadline the fetch lasted as long as the server dripped."""
    server = DripServer(phase)
    try:
        with pytest.raises(errors.UnprocessableDocument) as caught:
            fetch(server.url, allowing_loopback(fetch_timeout=2))
        assert caught.value.code == "fetch_timeout"
        assert "2 s (fetch_timeout)" in caught.value.message
        server.thread.join(timeout=10)
        assert server.abandoned.is_set(), "the fetch waited for the whole drip"
    finally:
        server.close()


def test_gzip_despite_identity_is_decoded(server):
    assert b"harbour master" in fetch(base(server) + "/gzip", allowing_loopback()).data


def test_http_errors_are_422(server):
    with pytest.raises(errors.UnprocessableDocument) as caught:
        fetch(base(server) + "/missing", allowing_loopback())
    assert caught.value.code == "fetch_http_error"


def test_url_to_a_pdf_is_read_as_pdf(server):
    document = extract(Source(kind="url", url=base(server) + "/doc.pdf"), allowing_loopback())
    assert document.blocks[0].locator == {"page": 1}
    assert document.text == "Fetched PDF text."


def _self_signed(tmp_path):
    """A certificate for 127.0.0.1 that no CA vouches for."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_tls_is_verified_never_downgraded(tmp_path):
    cert_file, key_file = _self_signed(tmp_path)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    _serve(httpd)
    try:
        with pytest.raises(errors.UnprocessableDocument) as caught:
            fetch(f"https://127.0.0.1:{httpd.server_address[1]}/", allowing_loopback(fetch_timeout=5))
        assert caught.value.code == "fetch_tls_error"
        assert not any(path == "/" for path, _ in httpd.seen)
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("address, refused", [
    ("8.8.8.8", False),
    ("2606:4700:4700::1111", False),
    ("127.0.0.1", True),
    ("100.64.1.1", True),
    ("169.254.169.254", True),
    ("::ffff:8.8.8.8", True),
    ("2002:7f00:1::1", True),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", True),
    ("ff02::1", True),
    ("240.0.0.1", True),
])
def test_refusal_reasons(address, refused):
    assert (refusal_reason(ipaddress.ip_address(address)) is not None) is refused

"""Fetch a public URL without becoming an SSRF proxy into the server's own network.

Every hop: only http/https; resolve the host once and refuse loopback, private, link-local, CGNAT,
multicast, reserved and IPv4-mapped/-embedding addresses (unless `fetch_allowlist` names the host or
network); then connect to exactly the address that was checked (the hostname is used only for the
Host header, SNI and certificate checks), so a second DNS answer cannot rebind the request.
Redirects are followed here, re-checked hop by hop, up to `fetch_max_redirects`. The body is capped
at `fetch_max_bytes` and the whole fetch at `fetch_timeout` seconds: connect, TLS, headers and body
of every hop together (a socket timeout alone bounds each read, and a server dripping one byte a
second never trips it). TLS is always verified.
"""

import dataclasses
import ipaddress
import logging
import socket
import time
import urllib.parse
import zlib

import certifi
import urllib3
from urllib3.exceptions import (ConnectTimeoutError, HTTPError, NewConnectionError, ReadTimeoutError,
                                SSLError)

from summarizer.errors import BadRequest, PayloadTooLarge, UnprocessableDocument
from summarizer.extract.deadline import Deadline, watched

log = logging.getLogger(__name__)

CHUNK_BYTES = 65536
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
USER_AGENT = "summarizer/0.1 (self-hosted summarization service)"
ACCEPT = ("text/html,application/xhtml+xml,application/pdf,"
          "application/vnd.openxmlformats-officedocument.wordprocessingml.document;q=0.9,"
          "text/plain;q=0.8,*/*;q=0.5")


@dataclasses.dataclass
class Fetched:
    """A fetched body, the URL it finally came from, and its declared content type."""

    url: str
    content_type: str
    data: bytes


@dataclasses.dataclass(frozen=True)
class Allowlist:
    """Hosts (exact, or ".suffix" for subdomains) and networks a URL may reach though private."""

    hosts: tuple = ()
    networks: tuple = ()

    @classmethod
    def parse(cls, text):
        """From the `fetch_allowlist` setting: comma-separated hostnames, IPs and CIDRs."""
        hosts, networks = [], []
        for entry in (e.strip().lower() for e in (text or "").split(",")):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                hosts.append(entry)
        return cls(tuple(hosts), tuple(networks))

    def allows_host(self, host):
        """True when the hostname itself is allowlisted."""
        return any(host == h or (h.startswith(".") and host.endswith(h)) for h in self.hosts)

    def allows_address(self, address):
        """True when the address lies in an allowlisted network."""
        return any(address.version == n.version and address in n for n in self.networks)


def refusal_reason(address):
    """Why an address is not public ("loopback", "private", ...), or None when it is."""
    if address.version == 6:
        if address.is_site_local:  # fec0::/10: deprecated, still routed inside some networks
            return "site-local"
        if address.ipv4_mapped is not None:
            return "IPv4-mapped IPv6"
        if address.teredo is not None:
            return "Teredo"
        if address.sixtofour is not None and refusal_reason(address.sixtofour):
            return "6to4 wrapping a non-public IPv4"
    for reason in ("loopback", "link_local", "multicast", "private", "reserved", "unspecified"):
        if getattr(address, "is_" + reason):
            return reason.replace("_", "-")
    if not address.is_global:
        return "non-global (e.g. CGNAT)"
    return None


def resolve(host, port):
    """All addresses the host resolves to (an IP literal resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise UnprocessableDocument("fetch_dns_failed", f"Cannot resolve the host {host!r}.") from None
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def checked_addresses(host, port, allowlist):
    """Resolve `host` and return its addresses, or refuse when any of them is not public."""
    addresses = resolve(host, port)
    if allowlist.allows_host(host):
        return addresses
    for address in addresses:
        reason = refusal_reason(address)
        if reason and not allowlist.allows_address(address):
            # The address a name resolves to stays in the log: the answer would map the
            # server's own network for whoever asks.
            log.info("refused %s: it resolves to %s (%s)", host, address, reason)
            what = f"a {reason} address" if _is_literal(host) else "not a public address"
            raise BadRequest(
                "url_not_allowed",
                f"{host} is {what}; the server only fetches public addresses (an administrator "
                "can allow more with fetch_allowlist).",
            )
    return addresses


def _is_literal(host):
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def split_url(url):
    """(scheme, host, port, request target, Host header) of an http(s) URL, or a 400."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
        host = (parts.hostname or "").encode("idna").decode("ascii").lower()
    except (ValueError, UnicodeError, AttributeError):
        raise BadRequest("url_invalid", "The URL is not valid.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise BadRequest("url_scheme_not_allowed", "Only http and https URLs can be fetched.")
    if not host:
        raise BadRequest("url_invalid", "The URL has no host.")
    default = 443 if parts.scheme.lower() == "https" else 80
    port = port or default
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    literal = f"[{host}]" if ":" in host else host
    host_header = literal if port == default else f"{literal}:{port}"
    return parts.scheme.lower(), host, port, target, host_header


def fetch(url, settings):
    """GET `url` safely, following redirects; return Fetched or raise a 4xx SummarizerError."""
    allowlist = Allowlist.parse(settings.fetch_allowlist)
    with Deadline(settings.fetch_timeout) as deadline:
        return _follow(url, allowlist, deadline, settings)


def _follow(url, allowlist, deadline, settings):
    """Hops until a non-redirect answer, within `deadline`."""
    for _ in range(settings.fetch_max_redirects + 1):
        response, data = _get_once(url, allowlist, deadline, settings)
        location = response.headers.get("Location")
        if response.status in REDIRECT_STATUSES and location:
            url = urllib.parse.urljoin(url, location)
            continue
        if response.status >= 400:
            raise UnprocessableDocument(
                "fetch_http_error", f"The page answered HTTP {response.status}."
            )
        content_type = response.headers.get("Content-Type", "")
        return Fetched(url, content_type, _decode(data, response.headers, settings))
    raise UnprocessableDocument(
        "too_many_redirects",
        f"The URL redirects more than {settings.fetch_max_redirects} times (fetch_max_redirects).",
    )


def _get_once(url, allowlist, deadline, settings):
    """One request to one checked address; the body is read within the size and time caps."""
    scheme, host, port, target, host_header = split_url(url)
    addresses = checked_addresses(host, port, allowlist)
    error = None
    for address in addresses[:3]:
        remaining = _remaining(deadline, settings)
        pool = _pool(scheme, str(address), port, host, remaining, deadline)
        try:
            response = pool.urlopen(
                "GET", target, headers={"Host": host_header, "User-Agent": USER_AGENT,
                                        "Accept": ACCEPT, "Accept-Encoding": "identity"},
                redirect=False, retries=False, preload_content=False, decode_content=False,
                assert_same_host=False,
            )
            try:
                return response, _read_body(response, deadline, settings)
            finally:
                response.release_conn()
        except NewConnectionError as exc:  # refused: urllib3 files it under ConnectTimeoutError
            error = exc
        except (ConnectTimeoutError, ReadTimeoutError):
            raise _timeout(settings) from None
        except (HTTPError, OSError) as exc:
            if deadline.passed():  # the deadline shut the socket: whatever broke, time ran out
                raise _timeout(settings) from None
            if isinstance(exc, SSLError):
                raise UnprocessableDocument(
                    "fetch_tls_error", f"The TLS certificate of {host} could not be verified."
                ) from None
            error = exc  # connection refused, reset, protocol errors: try the next address
        finally:
            pool.close()
    log.info("fetching %s failed: %s", url, error)  # names the address it tried: log only
    raise UnprocessableDocument(
        "fetch_failed", f"Cannot fetch the URL: {host} refused or dropped the connection."
    )


def _pool(scheme, address, port, host, timeout, deadline):
    """A one-connection pool to the checked address; TLS verifies the certificate against `host`."""
    timeout = urllib3.Timeout(connect=timeout, read=timeout)
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address, port, timeout=timeout, maxsize=1, retries=False, cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(), server_hostname=host, assert_hostname=host,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, maxsize=1, retries=False)
    pool.ConnectionCls = watched(pool.ConnectionCls, deadline)
    return pool


def _read_body(response, deadline, settings):
    """The body, refused as soon as it passes fetch_max_bytes or the deadline."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > settings.fetch_max_bytes:
        raise _too_large(settings)
    chunks, size = [], 0
    while True:
        _remaining(deadline, settings)
        chunk = response.read(CHUNK_BYTES, decode_content=False)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > settings.fetch_max_bytes:
            raise _too_large(settings)
        chunks.append(chunk)


def _decode(data, headers, settings):
    """Undo gzip/deflate a server applied although we asked for identity, within the size cap."""
    encoding = headers.get("Content-Encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        return data
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise UnprocessableDocument(
            "fetch_bad_encoding", f"The server sent an unsupported encoding {encoding!r}."
        )
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # accepts gzip and zlib headers
    try:
        body = inflater.decompress(data, settings.fetch_max_bytes + 1)
    except zlib.error:
        raise UnprocessableDocument("fetch_bad_encoding", "The compressed body is corrupt.") from None
    if len(body) > settings.fetch_max_bytes or inflater.unconsumed_tail:
        raise _too_large(settings)
    return body


def _remaining(deadline, settings):
    """Seconds left of the fetch, or the timeout error when none are."""
    left = deadline.at - time.monotonic()
    if left <= 0:
        raise _timeout(settings)
    return left


def _timeout(settings):
    return UnprocessableDocument(
        "fetch_timeout", f"Fetching the URL took longer than {settings.fetch_timeout:g} s (fetch_timeout)."
    )


def _too_large(settings):
    return PayloadTooLarge(
        "fetch_too_large", f"The page is larger than {settings.fetch_max_bytes} bytes (fetch_max_bytes)."
    )

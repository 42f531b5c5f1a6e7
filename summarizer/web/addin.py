"""The Word add-in's task pane, served by the summarizer itself, so one server is all a user runs.

Files come from ``extension/word`` in a source checkout (editable installs included) or, in an
installed package, from ``<prefix>/share/summarizer/word-addin``, where setup.cfg's
``[options.data_files]`` puts copies of them (no symlinks; the repository keeps one copy). The
manifest is rewritten on the way out so that every URL in it points at the server that served it.

The pane's API client, SSE parser, renderer and styles are the browser extension's own modules
(``extension/browser/lib``), served at ``/addin/lib/``: one client for both front-ends, no copy.
"""

import logging
import sysconfig
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, redirect, request, send_from_directory

from summarizer.errors import BadRequest
from summarizer.web.auth import host_allowed, host_name, is_loopback_name, public

log = logging.getLogger(__name__)

bp = Blueprint("addin", __name__, url_prefix="/addin")

#: The origin written in the checked-in manifest; replaced by the requesting origin when served.
PLACEHOLDER_ORIGIN = "https://localhost:8000"
#: Where setup.cfg installs the add-in files, relative to the install scheme's data directory.
INSTALLED_PATH = ("share", "summarizer", "word-addin")
#: The shared front-end modules: served at /addin/lib/, and installed below the add-in files.
LIB = "lib"


def candidate_dirs():
    """Where the add-in files may be, in order: a source checkout, then an installed package."""
    checkout = Path(__file__).resolve().parents[2] / "extension" / "word"
    installed = Path(sysconfig.get_path("data")).joinpath(*INSTALLED_PATH)
    return [checkout, installed]


def lib_dirs():
    """Where the shared modules may be: the extension's lib/ in a checkout, else the installed copy."""
    checkout = Path(__file__).resolve().parents[2] / "extension" / "browser" / LIB
    installed = Path(sysconfig.get_path("data")).joinpath(*INSTALLED_PATH, LIB)
    return [checkout, installed]


def lib_dir():
    """The directory of the shared modules (app.config["ADDIN_LIB_DIR"] overrides)."""
    configured = current_app.config.get("ADDIN_LIB_DIR")
    for directory in [Path(configured)] if configured else lib_dirs():
        if (directory / "api.js").is_file():
            return directory
    log.error("shared front-end modules not found in %s", lib_dirs())
    abort(404)


def addin_dir():
    """The directory holding manifest.xml and the task pane (app.config["ADDIN_DIR"] overrides)."""
    configured = current_app.config.get("ADDIN_DIR")
    for directory in [Path(configured)] if configured else candidate_dirs():
        if (directory / "manifest.xml").is_file():
            return directory
    log.error("Word add-in files not found in %s", candidate_dirs())
    abort(404)


def request_origin():
    """scheme://host[:port] of this request (behind a TLS proxy this needs ProxyFix to be https)."""
    return request.host_url.rstrip("/")


@bp.get("/")
@public
def index():
    """The pane itself; /addin/ is an easy address to type."""
    return redirect("taskpane.html")


@bp.get("/manifest.xml")
@public
def manifest():
    """The manifest with this server's origin in every URL, ready to sideload. The origin comes
    from the Host header, so only a loopback or allowed_hosts name is written into it: any other
    would let whoever sets the header (or poisons a cache with it) point Word at their server."""
    settings = current_app.config.get("SETTINGS")
    name = host_name(request.host)
    if not (is_loopback_name(name) or host_allowed(name, settings.allowed_host_list if settings else [])):
        raise BadRequest(
            "host_not_allowed",
            f"The add-in manifest points at the server's own address, and {name[:100]!r} is not "
            "one of its names: add it to SUMMARIZER_ALLOWED_HOSTS.",
        )
    origin = request_origin()
    if not origin.startswith("https://"):
        # Office refuses http task panes; say so in the log rather than fail silently in Word.
        log.warning("Word add-in manifest served for %s: Office requires HTTPS", origin)
    text = (addin_dir() / "manifest.xml").read_text(encoding="utf-8")
    response = Response(text.replace(PLACEHOLDER_ORIGIN, origin), mimetype="application/xml")
    response.headers["Content-Disposition"] = 'attachment; filename="summarizer-word-addin.xml"'
    response.cache_control.no_cache = True
    return response


@bp.get("/<path:filename>")
@public
def static_file(filename):
    """A task pane file, or under lib/ a shared module (the same file the extension packages).
    no-cache: Office caches panes hard, and an upgrade must reach users."""
    folder, _, rest = filename.partition("/")
    if folder == LIB and rest:
        return _no_cache(send_from_directory(lib_dir(), rest, max_age=0))
    return _no_cache(send_from_directory(addin_dir(), filename, max_age=0))


def _no_cache(response):
    response.cache_control.no_cache = True
    return response

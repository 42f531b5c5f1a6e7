"""The Word add-in as files: its manifest (against the published schema), how the server serves
it, and its packaging. The pane's behaviour in a browser is in test_word_addin_pane.py.
"""

import configparser
import glob
from pathlib import Path

import pytest
import requests
from flask import Flask
from lxml import etree

from summarizer import errors
from summarizer.config import Settings
from summarizer.web import addin

REPO = Path(__file__).resolve().parents[1]
ADDIN = REPO / "extension" / "word"
SHARED_LIB = REPO / "extension" / "browser" / "lib"
SCHEMAS = REPO.parent / "shared" / "schemas" / "office-addin"
NS = {"o": "http://schemas.microsoft.com/office/appforoffice/1.1"}


def manifest_schema():
    """The published add-in manifest XSDs (offline copies in ../shared), or skip."""
    xsd = SCHEMAS / "OfficeAppManifestV1_1.xsd"
    if not xsd.is_file():
        pytest.skip(f"{xsd} is absent: the manifest XSDs live in ../shared, outside this repo")
    return etree.XMLSchema(etree.parse(str(xsd)))


def addin_client(allowed_hosts="word.example, h"):
    """A bare Flask app with only the add-in blueprint: serving needs no Redis or model. The
    manifest is written for the names in `allowed_hosts` (and loopback ones) only."""
    app = Flask(__name__)
    app.testing = True
    app.config["SETTINGS"] = Settings.from_mapping({"allowed_hosts": allowed_hosts})
    app.register_blueprint(addin.bp)
    return app.test_client()


def test_manifest_validates_against_the_published_schema():
    # `npx office-addin-manifest validate` posts the manifest to Microsoft's online service
    # (validationgateway.omex.office.net), which is unreachable here; the XSDs are the offline check.
    schema = manifest_schema()
    assert schema.validate(etree.parse(str(ADDIN / "manifest.xml"))), schema.error_log


def test_the_schema_check_can_fail():
    schema = manifest_schema()
    tree = etree.parse(str(ADDIN / "manifest.xml"))
    tree.find("o:Permissions", NS).text = "Everything"
    assert not schema.validate(tree)


def test_manifest_asks_for_read_write_document_and_nothing_broader():
    tree = etree.parse(str(ADDIN / "manifest.xml"))
    assert [p.text for p in tree.iterfind(".//o:Permissions", NS)] == ["ReadWriteDocument"]
    assert [h.get("Name") for h in tree.iterfind("o:Hosts/o:Host", NS)] == ["Document"]


def test_served_manifest_points_at_the_serving_origin_and_stays_valid():
    response = addin_client().get("/addin/manifest.xml", base_url="https://word.example:8443")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert addin.PLACEHOLDER_ORIGIN not in text
    urls = [u for u in etree.fromstring(response.data).xpath("//@DefaultValue") if "://" in u]
    assert urls and all(u.startswith("https://word.example:8443/addin/") for u in urls)
    if SCHEMAS.is_dir():
        assert manifest_schema().validate(etree.fromstring(response.data))


@pytest.mark.parametrize("base_url", ["https://attacker.example", "https://word.example.attacker.example"])
def test_the_manifest_is_not_written_for_any_host_a_request_names(base_url):
    with pytest.raises(errors.BadRequest) as caught:
        addin_client().get("/addin/manifest.xml", base_url=base_url)
    assert caught.value.code == "host_not_allowed"


def test_every_url_in_the_manifest_is_served():
    client = addin_client()
    tree = etree.fromstring(client.get("/addin/manifest.xml", base_url="https://h").data)
    paths = {u.removeprefix("https://h") for u in tree.xpath("//@DefaultValue") if u.startswith("https://h/")}
    assert "/addin/taskpane.html" in paths
    for path in sorted(paths):
        assert client.get(path).status_code == 200, path


def test_pane_scripts_are_served_as_javascript_modules_need():
    response = addin_client().get("/addin/taskpane.js")
    assert response.status_code == 200 and "javascript" in response.mimetype
    assert addin_client().get("/addin/../setup.cfg").status_code == 404


def test_every_pane_file_is_packaged_for_installed_copies():
    """setup.cfg's data_files must list every file the pane serves, or an installed copy breaks."""
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg")
    if not config.has_section("options.data_files"):
        pytest.fail("setup.cfg has no [options.data_files] for extension/word")
    packaged = set()
    for target, patterns in config.items("options.data_files"):
        if target.startswith("share/summarizer/word-addin"):
            for pattern in patterns.replace("\n", ",").split(","):
                packaged.update(Path(p).resolve() for p in glob.glob(str(REPO / pattern.strip())))
    shipped = {p.resolve() for p in ADDIN.rglob("*") if p.is_file()}
    shipped |= {p.resolve() for p in SHARED_LIB.iterdir() if p.suffix in (".js", ".css")}
    assert shipped and shipped <= packaged, sorted(map(str, shipped - packaged))


def test_the_pane_uses_the_extensions_own_client_not_a_copy():
    """Issue 12: one API client, SSE parser and renderer for both front-ends. The pane loads them
    from /addin/lib/, which serves extension/browser/lib itself, and no file of one front-end is
    a copy of the other's."""
    client = addin_client()
    pane = (ADDIN / "taskpane.js").read_text()
    for module in ("api.js", "sse.js", "markdown.js", "options.js", "view.js", "badge.js", "summary.css"):
        response = client.get(f"/addin/lib/{module}")
        assert response.status_code == 200, module
        assert response.data == (SHARED_LIB / module).read_bytes(), module
    assert './lib/api.js' in pane and './lib/view.js' in pane
    browser_files = {p.read_bytes() for p in (REPO / "extension" / "browser").rglob("*.js") if "node_modules" not in p.parts}
    copies = [p.name for p in ADDIN.rglob("*.js") if p.read_bytes() in browser_files]
    assert not copies, copies
    assert client.get("/addin/lib/../../../setup.cfg").status_code == 404


@pytest.mark.model  # live_server runs a worker with the real model
def test_live_server_serves_the_pane_without_a_token(live_server):
    response = requests.get(f"{live_server.url}/addin/taskpane.html", timeout=10)
    assert response.status_code == 200 and "Summarize document" in response.text
    manifest = requests.get(f"{live_server.url}/addin/manifest.xml", timeout=10)
    assert manifest.status_code == 200 and live_server.url in manifest.text

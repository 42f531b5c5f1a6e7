"""Time to something on screen in the extension panel: click to preview, to first words, to the
final answer, for pages of about 1k and 10k tokens.

    .venv/bin/python -m bench.panel [--runs 5]

Drives the real unpacked extension in Debian's chromium (tests/browser.py, the harness of the
browser tests) against `summarizer serve` (bench/service.py) with one worker. Pages are served on
localhost: a CNN/DailyMail article of the corpus (~1k tokens) and QMSum transcripts cut to ~10k
tokens, as HTML paragraphs, another article and meeting for each run. Times are read from the
panel itself (it stamps when the preview, the first token and the end arrived, counted from the
click it took). Prints a Markdown table.
"""

import argparse
import html
import http.server
import json
import statistics
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # test_extension imports its harness as pytest does

from bench.service import Service  # noqa: E402
from tests import browser  # noqa: E402
from tests.test_extension import EXT_DIR, Extension  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "summarization"


def pages(runs):
    """{path: HTML} of the benchmark pages: `runs` news articles and `runs` meetings, each run
    its own document. (The worker's llama.cpp context reuses the longest common prefix of the last
    prompt, so the same text visited again would time a cache hit no newly opened page gets.)"""
    articles = (CORPUS / "frank_cnndm_test.jsonl").read_text().splitlines()
    meetings = (CORPUS / "qmsum_val.jsonl").read_text().splitlines()

    def page(title, paragraphs):
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p.strip())
        return f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>" \
               f"<body><article><h1>{title}</h1>{body}</article></body></html>"

    documents = {}
    for number in range(runs):
        article = json.loads(articles[number * len(articles) // runs])["text"]
        turns = [turn for row in meetings[number:] + meetings[:number] for turn in json.loads(row)["text"].split("\n")]
        kept = []
        while sum(map(len, kept)) < 40000:  # about 10k tokens of English turns
            kept.append(turns[len(kept)])
        documents[f"/news{number}.html"] = page("News article", article.split("\n"))
        documents[f"/meeting{number}.html"] = page("Meeting transcript", kept)
    return documents


def serve(documents):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = documents.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://localhost:{server.server_address[1]}"


def run(extension, url):
    """(preview s, first words s, done s) of one click, as the panel stamped them."""
    extension.tab.goto(url)
    panel, _ = extension.click()
    panel.wait_for("document.body.dataset.outcome", 600)
    stamps = panel.evaluate("JSON.stringify({preview: document.body.dataset.previewMs, "
                            "first: document.body.dataset.firstTokenMs, "
                            "done: document.body.dataset.doneMs, outcome: document.body.dataset.outcome})")
    stamps = json.loads(stamps)
    return tuple(float(stamps[key]) / 1000 if stamps.get(key) else float("nan")
                 for key in ("preview", "first", "done")), stamps["outcome"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    documents = pages(args.runs)
    server, base = serve(documents)
    rows = []
    with Service(workers=1, extra_env={"SUMMARIZER_CORS_ORIGINS": "chrome-extension://*"}) as service, \
            browser.launch(EXT_DIR) as context:
        extension = Extension(context)
        extension.configure(serverUrl=service.base, token="",
                            options={"type": "key-points", "length": "short"},
                            outputLanguage="")
        for kind in ("news", "meeting"):
            times = [run(extension, f"{base}/{kind}{number}.html") for number in range(args.runs)]
            rows.append((f"/{kind}N.html", [t for t, outcome in times if outcome == "done"], len(times)))
    server.shutdown()
    print("| page | runs done | click to preview s: median (min-max) | to first words | to final answer |")
    print("|---|---|---|---|---|")
    for path, times, total in rows:
        def spread(values):
            values = [v for v in values if v == v]
            return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})" if values else "-"
        columns = [spread([t[i] for t in times]) for i in range(3)]
        print(f"| {path} | {len(times)} of {total} | {' | '.join(columns)} |")


if __name__ == "__main__":
    main()

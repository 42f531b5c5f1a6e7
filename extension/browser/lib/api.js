// The summarizer server's HTTP API as the extension uses it. Only extension pages (panel,
// options, background) call it, never content scripts: the token stays out of web pages.
import { readEvents } from "./sse.js";

/** Times a dropped event stream is resumed (with Last-Event-ID) before giving up. */
export const STREAM_RETRIES = 3;

/** An error to show the user: a stable code, a message, and what to do about it. */
export class ApiError extends Error {
  constructor(code, message, hint = "") {
    super(message);
    this.code = code;
    this.hint = hint;
  }
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
    if (error.name === "AbortError") throw error;
    throw unreachable(settings);
  }
}

/** The error for a server that did not answer (down, wrong URL, or CORS refused the extension). */
export function unreachable(settings) {
  return new ApiError(
    "unreachable",
    `Server not reachable at ${settings.serverUrl}: is it running?`,
    "Start it with `summarizer serve`, check the server URL in the options, and make sure the " +
      "server allows this extension's origin (SUMMARIZER_CORS_ORIGINS).",
  );
}

/** Turns a non-2xx response into an ApiError, using the server's {"error": {code, message}}. */
export async function errorFromResponse(settings, response) {
  let code = `http_${response.status}`;
  let message = `The server answered ${response.status} ${response.statusText}.`;
  try {
    const body = await response.json();
    if (body?.error) ({ code = code, message = message } = body.error);
  } catch {
    // Not JSON (a proxy's error page): keep the status line.
  }
  if (response.status === 401) {
    return new ApiError(code, `Token rejected by ${settings.serverUrl}.`,
      "Set the API token the server expects in the extension's options.");
  }
  return new ApiError(code, message, HINTS[response.status] ?? "");
}

const HINTS = {
  413: "The page is larger than the server accepts: select the part you want and summarize the selection.",
  415: "The server cannot read this kind of document.",
  422: "The server could not read this document.",
  429: "The server is busy: try again in a moment.",
  503: "The server has no worker or no Redis available: check `summarizer serve`.",
};

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
 * Yields a job's events from `response` until `done` or `error`, resuming a dropped stream.
 * `onJob` learns the job id as soon as the `status` event names it.
 */
export async function* jobEvents(settings, response, signal, onJob) {
  let jobId = null;
  let lastId = null;
  for (let attempt = 0; ; attempt += 1) {
    try {
      for await (const event of readEvents(response)) {
        if (event.id) lastId = event.id;
        const data = parseData(event.data);
        if (!jobId && data?.job_id) onJob((jobId = data.job_id));
        yield { type: event.event, data };
        if (event.event === "done" || event.event === "error") return;
      }
    } catch (error) {
      if (signal.aborted) throw error;
    }
    if (!jobId || attempt >= STREAM_RETRIES) {
      throw new ApiError("stream_lost", "The connection to the server dropped before the summary was done.",
        "Check that the server is still running, then summarize again.");
    }
    response = await resumeEvents(settings, jobId, lastId, signal);
  }
}

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

/** Job id the token probe asks for; no job has it, so an accepted token gets a 404. */
const PROBE_JOB = "connection-test";

/**
 * "Test connection": GET /healthz (is the server there?), then GET /jobs/<probe> (is the token
 * accepted? /healthz needs none). Returns {ok, message, hint}.
 */
export async function checkConnection(settings) {
  let health;
  let probe;
  try {
    health = await call(settings, "/healthz", { headers: authHeaders(settings) });
    probe = await call(settings, `/jobs/${PROBE_JOB}`, { headers: authHeaders(settings) });
  } catch (error) {
    return { ok: false, message: error.message, hint: error.hint };
  }
  if (probe.status === 401) {
    const error = await errorFromResponse(settings, probe);
    return { ok: false, message: error.message, hint: error.hint };
  }
  if (health.status === 404) {
    return { ok: true, message: `Server reachable at ${settings.serverUrl}, but it is an older version without /healthz.` };
  }
  if (!health.ok) {
    const error = await errorFromResponse(settings, health);
    return { ok: false, message: error.message, hint: error.hint };
  }
  const body = await health.json().catch(() => ({}));
  const detail = [body.version && `version ${body.version}`, body.model && `model ${body.model}`]
    .filter(Boolean).join(", ");
  return { ok: true, message: `Connected to ${settings.serverUrl}${detail ? ` (${detail})` : ""}.` };
}

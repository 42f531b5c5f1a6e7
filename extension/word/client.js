// The summarizer's HTTP contract as the task pane uses it: POST /summarize with
// `Accept: text/event-stream`, read the events as they come, DELETE /jobs/<id> to stop.

/** How many times a dropped stream is resumed (with Last-Event-ID) before giving up. */
const MAX_RESUMES = 3;

/** A user-facing error with the server's machine-readable code ("network" when unreachable). */
export class SummarizerError extends Error {
  constructor(code, message, status = 0) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** Split an SSE text buffer into complete events; returns [events, rest]. */
export function parseEvents(buffer) {
  const blocks = buffer.replace(/\r\n?/g, "\n").split("\n\n");
  const rest = blocks.pop();
  const events = [];
  for (const block of blocks) {
    const event = { id: null, event: "message", data: [] };
    for (const line of block.split("\n")) {
      if (!line || line.startsWith(":")) continue; // comment lines are heartbeats
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "data") event.data.push(value);
      else if (field === "event") event.event = value;
      else if (field === "id") event.id = value;
    }
    if (event.data.length) events.push({ ...event, data: JSON.parse(event.data.join("\n")) });
  }
  return [events, rest];
}

/** The error a non-2xx response carries: {"error": {"code", "message"}} or a generic one. */
async function responseError(response) {
  let body = null;
  try {
    body = await response.json();
  } catch (err) {
    // Not JSON: a proxy's page, for instance; fall through to the generic message.
  }
  const error = (body && body.error) || {};
  return new SummarizerError(
    error.code || `http_${response.status}`,
    error.message || `The server answered ${response.status} ${response.statusText}.`,
    response.status
  );
}

export class SummarizerClient {
  /** serverUrl: "https://host:port" (no trailing slash needed); token: "" when none. */
  constructor({ serverUrl, token }) {
    this.base = serverUrl.replace(/\/+$/, "");
    this.token = token;
  }

  /** Headers every request carries. */
  headers(extra = {}) {
    const headers = { ...extra };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    return headers;
  }

  /** fetch that reports an unreachable server as a SummarizerError, not a bare TypeError. */
  async request(path, init) {
    try {
      return await fetch(`${this.base}${path}`, init);
    } catch (err) {
      if (err.name === "AbortError") throw err;
      throw new SummarizerError(
        "network",
        `Cannot reach the summarizer at ${this.base}. Check the server URL in Settings, that the ` +
          "server is running, and that the browser was allowed to reach it (local network access).",
      );
    }
  }

  /** Start a summary and call onEvent({event, id, data}) for each event until done or error. */
  async summarize(payload, { onEvent, signal }) {
    const isForm = payload instanceof FormData;
    const headers = this.headers({ Accept: "text/event-stream" });
    if (!isForm) headers["Content-Type"] = "application/json";
    const response = await this.request("/summarize", {
      method: "POST",
      headers,
      body: isForm ? payload : JSON.stringify(payload),
      signal,
    });
    return this.follow(response, { onEvent, signal });
  }

  /** Read a stream to its end; resume through /jobs/<id>/events when it drops early. */
  async follow(response, { onEvent, signal }) {
    let state = { jobId: null, lastId: null, finished: false };
    for (let attempt = 0; ; attempt++) {
      if (!response.ok) throw await responseError(response);
      state = await this.readStream(response, state, onEvent);
      if (state.finished || attempt >= MAX_RESUMES || !state.jobId) break;
      response = await this.request(`/jobs/${encodeURIComponent(state.jobId)}/events`, {
        headers: this.headers({ Accept: "text/event-stream", "Last-Event-ID": state.lastId || "" }),
        signal,
      });
    }
    if (!state.finished) {
      throw new SummarizerError("stream_ended", "The server closed the stream before the summary ended.");
    }
  }

  /** Consume one SSE response, updating {jobId, lastId, finished}. */
  async readStream(response, state, onEvent) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    const next = { ...state };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return next;
      buffer += decoder.decode(value, { stream: true });
      const [events, rest] = parseEvents(buffer);
      buffer = rest;
      for (const event of events) {
        if (event.id) next.lastId = event.id;
        if (event.event === "status" && event.data.job_id) next.jobId = event.data.job_id;
        if (event.event === "error") {
          throw new SummarizerError(event.data.code || "job_failed", event.data.message || "The job failed.");
        }
        onEvent(event);
        if (event.event === "done") {
          next.finished = true;
          reader.cancel().catch(() => {});
          return next;
        }
      }
    }
  }

  /** Cancel a job; failures are reported but not thrown (the user already chose to stop). */
  async cancel(jobId) {
    const response = await this.request(`/jobs/${encodeURIComponent(jobId)}`, {
      method: "DELETE",
      headers: this.headers(),
    });
    if (!response.ok && response.status !== 404) throw await responseError(response);
  }
}

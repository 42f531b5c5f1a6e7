// Reading a job's event stream the way README.md ("Reading the stream") says, for the extension
// panel and the Word pane. The same rules, in the same shape, are summarizer/follow.py (the
// command line); tests/test_stream_rules.py feeds both the recorded streams in
// tests/data/streams/ and expects the same snapshot from each. Change them together.

/**
 * `status` values after which the text streamed so far is void: `retrying` (the answer broke a
 * rule and is written again) and `restarted` (its worker died and another starts over).
 */
export const VOIDING_STATUSES = Object.freeze(["retrying", "restarted"]);

/** The events that end a job's stream; nothing after one of them counts. */
export const ENDING_EVENTS = Object.freeze(["done", "error"]);

/** Whether the event {type, data} voids the text streamed so far. */
export function voidsStreamedText({ type, data }) {
  return type === "status" && VOIDING_STATUSES.includes(data?.status);
}

/**
 * What a client shows for one job's stream, event by event: `preview` (the preview event's data),
 * `drafts` (the model's streamed text, one entry per attempt, every entry but the last voided),
 * `result` (the `done` event's data, which replaces everything streamed) and `error`.
 */
export class StreamFollower {
  constructor() {
    this.preview = null;
    this.drafts = [""];
    this.result = null;
    this.error = null;
  }

  /** The streamed text that still stands (empty right after a void). */
  get text() {
    return this.drafts[this.drafts.length - 1];
  }

  get ended() {
    return this.result !== null || this.error !== null;
  }

  /** Takes one event; returns "preview", "token", "void", "done", "error", or null. */
  apply({ type, data }) {
    if (this.ended) return null;
    const isObject = data !== null && typeof data === "object";
    if (type === "preview" && isObject) {
      this.preview = data;
      return "preview";
    }
    if (voidsStreamedText({ type, data })) {
      this.drafts.push("");
      return "void";
    }
    if (type === "token" && isObject) {
      this.drafts[this.drafts.length - 1] += String(data.text ?? "");
      return "token";
    }
    if (ENDING_EVENTS.includes(type)) {
      this[type === "done" ? "result" : "error"] = isObject ? data : {};
      return type;
    }
    return null;
  }

  /** The state the recorded-stream tests compare: the same keys as follow.py's snapshot(). */
  snapshot() {
    const result = this.result ?? {};
    return {
      preview: this.preview?.summary ?? null,
      drafts: [...this.drafts],
      summary: result.summary ?? null,
      statuses: (result.citations ?? []).map((citation) => citation.status ?? null),
      error: this.error?.code ?? null,
    };
  }
}

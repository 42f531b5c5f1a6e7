// Incremental Server-Sent Events parser (the WHATWG "event stream" format), shared by the
// browser extension and the Word add-in. EventSource cannot POST or send an Authorization
// header, so the clients read the fetch() body themselves and feed the text through this parser.

/** Parses chunks of an event stream into {id, event, data} objects. */
export class SseParser {
  /** `onComment(text)` hears comment lines: the server's heartbeats, which prove the stream alive. */
  constructor({ onComment = null } = {}) {
    this.buffer = "";
    this.onComment = onComment;
    this.reset();
  }

  /** Forgets the fields of the event being assembled. */
  reset() {
    this.event = "";
    this.data = [];
    this.id = null;
  }

  /** Feeds decoded text; returns the events it completed. */
  push(text) {
    this.buffer += text;
    const events = [];
    let match;
    // A line ends at \r\n, \n or \r; keep an unterminated tail (and a lone \r) for the next chunk.
    while ((match = /\r\n|\n|\r(?=[^\n])/.exec(this.buffer)) !== null) {
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  /** Handles one line; returns an event when the line is the blank one that ends it. */
  line(line) {
    if (line === "") {
      if (this.data.length === 0) {
        this.reset();
        return null;
      }
      const event = { id: this.id, event: this.event || "message", data: this.data.join("\n") };
      this.reset();
      return event;
    }
    if (line.startsWith(":")) {
      this.onComment?.(line.slice(1).trim());
      return null;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id" && !value.includes("\0")) this.id = value;
    return null;
  }
}

/**
 * Yields parsed events from a fetch() Response whose body is an event stream. Aborting `signal`
 * ends it quietly (the caller decides what a cut-off stream means); ending it closes the connection.
 */
export async function* readEvents(response, { onComment = null, signal = null } = {}) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser({ onComment });
  const cancel = () => reader.cancel().catch(() => {});
  signal?.addEventListener("abort", cancel);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      yield* parser.push(value);
    }
  } finally {
    signal?.removeEventListener("abort", cancel);
    cancel();
  }
}

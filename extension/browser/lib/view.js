// What a summary looks like while it is made, in both front-ends (extension panel, Word pane):
// the extractive preview at once, replaced by the model's words as they stream, then the final
// result with each item's citation status and a machine-written label; plus the one set of
// progress words both show. Styles: summary.css beside this file.
import { explain } from "./badge.js";
import { renderMarkdown, renderPlain } from "./markdown.js";

/** Re-render the streamed Markdown at most this often: often enough to look live, cheap on long text. */
const RENDER_INTERVAL_MS = 50;

/** Statuses whose items get the verified ("cited") look: the server matched them to the source. */
const VERIFIED = new Set(["supported", "extracted"]);
const STATUSES = new Set(["supported", "extracted", "replaced", "unverified"]);

/**
 * A citation's status. Servers before issue 13 send only `supported`: an item without a source
 * sentence, or marked unsupported, is unverified; a preview's or extractive fallback's items are
 * the document's own sentences.
 */
export function citationStatus(citation, { extractive = false } = {}) {
  if (STATUSES.has(citation?.status)) return citation.status;
  if (citation?.supported === false || !(citation?.sources ?? []).length) return "unverified";
  return extractive ? "extracted" : "supported";
}

/** The status line and progress bar (percent, or null for none) for one stream event. */
export function describeEvent({ type, data = {} }) {
  if (type === "status") {
    if (data.status === "queued") {
      return { text: data.position > 1 ? `Waiting in the queue (position ${data.position})…` : "Queued…", percent: null };
    }
    if (data.status === "started") return { text: "Summarizing…", percent: null };
    if (data.status === "restarted") return { text: "The worker stopped: starting the summary again…", percent: null };
    if (data.status === "retrying") return { text: "The answer broke a rule: writing it again…", percent: null };
    return null;
  }
  if (type === "progress") {
    const { stage, done = 0, total = 0, eta_s: eta } = data;
    const percent = total > 0 ? Math.min(100, Math.floor((100 * done) / total)) : null;
    const left = Number.isFinite(eta) && eta > 0 ? ` · about ${Math.ceil(eta)} s left` : "";
    const shown = percent === null ? "" : ` ${percent}%`;
    if (stage === "map") return { text: `Summarizing part ${Math.min(done + 1, total)} of ${total}${left}`, percent };
    if (stage === "collapse") return { text: `Combining partial summaries (${done} of ${total})…`, percent };
    if (stage === "reading") return { text: `Reading the text…${shown}`, percent };
    if (stage === "reducing") return { text: `Combining the parts…${shown}`, percent };
    return { text: `Working…${shown}`, percent };
  }
  // One reconnect is news; a stream that drops again and is back at the first try is not: the
  // status stays on the summary instead of flipping between "lost" and "reconnected".
  if ((type === "reconnecting" || type === "resumed") && data.round > 1 && data.attempt === 1) return null;
  if (type === "reconnecting") {
    const why = data.reason === "silent" ? "went quiet" : "was lost";
    return { text: `The connection to the server ${why}: reconnecting (attempt ${data.attempt})…`, percent: null };
  }
  if (type === "resumed") return { text: "Reconnected: following the summary again…", percent: null };
  return null;
}

/** The summary area: `body` shows the text, `note` says what it is (preview, machine-written). */
export class SummaryView {
  /**
   * `noun`: "page" or "document", as the user thinks of the source. `onPick(citation, element)`,
   * when given, makes an item with a source clickable (the extension highlights the passage).
   */
  constructor({ body, note, noun = "document", onPick = null }) {
    Object.assign(this, { body, note, noun, onPick });
    this.clear();
  }

  clear() {
    clearTimeout(this.timer);
    Object.assign(this, { text: "", format: "markdown", previewData: null, timer: null, result: null });
    this.body.replaceChildren();
    this.setPhase("", "");
  }

  /** The `preview` event: the document's own sentences, shown at once and marked as such. */
  preview(data) {
    this.previewData = data;
    if (this.text) return; // the model's words already stream: they win
    this.showPreview();
  }

  showPreview() {
    const data = this.previewData;
    this.draw(data.summary ?? "", data.format);
    const cited = this.attach(data.citations, { extractive: true });
    this.setPhase("preview", `Preview: sentences from the ${this.noun} while the model writes.`);
    return cited;
  }

  /** A `token` event: the first one replaces the preview. */
  token(text) {
    if (!this.text) this.setPhase("writing", "The model is writing…");
    this.text += text ?? "";
    this.timer ??= setTimeout(() => this.render(), RENDER_INTERVAL_MS);
  }

  /** `status` restarted / retrying: what streamed is void; the preview is still true. */
  restart() {
    clearTimeout(this.timer);
    this.timer = null;
    this.text = "";
    if (this.previewData) this.showPreview();
    else this.draw("");
  }

  render() {
    this.timer = null;
    this.draw(this.text);
  }

  /** The `done` event: the final text, every item's status, and the machine-written label. */
  done(result, format) {
    clearTimeout(this.timer);
    this.timer = null;
    this.result = result;
    this.text = result.summary ?? this.text;
    this.draw(this.text, result.format ?? format);
    const extractive = result.fallback === "extractive";
    this.attach(result.citations, { extractive });
    this.setPhase("final", this.label(result, extractive));
  }

  /** "Machine-written ... 2 of 3 points checked against the page; 1 not verified." */
  label(result, extractive) {
    if (result.answered === false) {
      return `Not answered: nothing in the ${this.noun} is about this question, so no answer was made up.`;
    }
    if (result.focus === "changes" && result.method === "none") {
      return `Nothing to summarize: the server found no change, so no model was asked.`;
    }
    const what = result.query ? "answer" : "summary";
    const made = extractive ? "Machine-picked sentences from the " + this.noun : `Machine-written ${what}`;
    const by = result.model ? ` (${result.model})` : "";
    const counts = this.counts;
    const parts = [];
    if (counts.total) parts.push(`${counts.verified} of ${counts.total} checked against the ${this.noun}`);
    if (counts.replaced) parts.push(`${counts.replaced} replaced by the ${this.noun}'s own sentence`);
    if (counts.unverified) parts.push(`${counts.unverified} not verified`);
    const detail = parts.length ? `: ${parts.join("; ")}` : "";
    return `${made}${by}${detail}. Check what matters against the ${this.noun}.`;
  }

  draw(text, format) {
    if (format) this.format = format;
    const draw = this.format === "plain-text" ? renderPlain : renderMarkdown;
    this.body.replaceChildren(draw(text, this.body.ownerDocument));
  }

  setPhase(phase, text) {
    this.body.dataset.phase = phase;
    this.note.dataset.phase = phase;
    this.note.textContent = text;
    this.note.hidden = !text;
  }

  /** Marks every item with its citation status; returns how many can be clicked to their source. */
  attach(citations, { extractive }) {
    this.counts = { total: 0, verified: 0, replaced: 0, unverified: 0 };
    if (!Array.isArray(citations) || citations.length === 0) return 0;
    let clickable = 0;
    targets(this.body, citations).forEach((element, i) => {
      if (!element) return;
      const citation = citations[i];
      const status = citationStatus(citation, { extractive });
      this.counts.total += 1;
      this.counts[VERIFIED.has(status) ? "verified" : status] += 1;
      if (this.mark(element, citation, status)) clickable += 1;
    });
    this.body.dataset.cited = String(clickable);
    return clickable;
  }

  /** One item's look for its status, what was checked (badge.js: tooltip, and for an item that
   * failed its reason under it), and click-to-source when it has a source. */
  mark(element, citation, status) {
    element.dataset.status = status;
    const sources = [...(citation.sources ?? [])].sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
    const { badge, title } = explain(citation, status, this.noun, sources);
    if (badge) element.dataset.badge = badge;
    element.title = title;
    if (status === "unverified") return false;
    if (status !== "replaced") element.classList.add("verified");
    if (!this.onPick || sources.length === 0) return false;
    const best = { ...citation, sources };
    element.classList.add("cited");
    element.tabIndex = 0;
    element.setAttribute("role", "button");
    element.title += ` Click to show it in the ${this.noun}.`;
    element.addEventListener("click", () => this.onPick(best, element));
    element.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        this.onPick(best, element);
      }
    });
    return true;
  }
}

/**
 * The elements citations attach to: list items; in a paragraph or a headline made of the items
 * (tl;dr, teaser, headline), each item's own words, marked in place, so the text is shown once;
 * else (a summary that is not its items' words) a "Where this comes from" list below.
 */
function targets(container, citations) {
  const items = [...container.querySelectorAll("li")];
  if (items.length) return citations.map((c) => items[c.item] ?? null);
  const doc = container.ownerDocument;
  const words = (text) => (text ?? "").split(/\s+/).filter(Boolean).join(" ");
  if (words(container.textContent) === words(citations.map((c) => c.text).join(" "))) {
    const paragraph = doc.createElement("p");
    const spans = citations.map((c, i) => {
      const span = doc.createElement("span");
      span.className = "item";
      span.textContent = c.text ?? "";
      paragraph.append(...(i ? [" ", span] : [span]));
      return span;
    });
    container.replaceChildren(paragraph);
    return spans;
  }
  const list = doc.createElement("ol");
  list.className = "sources";
  const heading = doc.createElement("h3");
  heading.textContent = "Where this comes from";
  container.append(heading, list);
  return citations.map((c) => {
    const li = doc.createElement("li");
    li.textContent = c.text ?? "";
    list.append(li);
    return li;
  });
}

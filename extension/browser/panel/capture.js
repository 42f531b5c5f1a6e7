// Turns a request from the background (page, selection, link) into a /summarize body:
// the page's live HTML, the selected text, a PDF's bytes as an upload, or a URL to fetch.
import { ApiError } from "../lib/api.js";
import { capturePage, fetchOwnDocument } from "../lib/page.js";
import { ext } from "../lib/settings.js";

/** A selection shorter than this is taken as a stray click, not as "summarize just this". */
export const MIN_SELECTION_CHARS = 40;
/** Largest PDF uploaded; the server's default limit is 50 MiB, this leaves room for the form. */
export const MAX_PDF_BYTES = 45 * 1024 * 1024;

/** Runs one of lib/page.js's functions in the tab's top frame and returns its result. */
export async function inject(tabId, func, args = []) {
  const [injection] = await ext.scripting.executeScript({ target: { tabId }, func, args });
  return injection?.result;
}

/** The error for a tab the extension may not read. */
function unreadable() {
  return new ApiError("page_unreadable", "The extension cannot read this page.",
    "Click the Summarizer toolbar button (or press Alt+Shift+S) on the page: that lets the " +
      "extension read it. Browser pages (settings, extension stores, the PDF viewer in Firefox) " +
      "cannot be read; select text and use \"Summarize selection\" there.");
}

/**
 * Builds {body, label, tabId, pdf} for `request`; `options` are the summary options.
 * `body` is a plain object (sent as JSON) or a FormData (a file upload).
 */
export async function buildPayload(request, options) {
  if (request.kind === "link") {
    return { body: { url: request.url, ...options }, label: `Link: ${request.url}`, tabId: null };
  }
  if (request.kind === "selection") {
    const text = await richerSelection(request);
    if (!text.trim()) throw new ApiError("empty_selection", "Nothing is selected.", "Select some text first.");
    return { body: { text, ...options }, label: selectionLabel(text), tabId: request.tabId };
  }
  return pagePayload(request, options);
}

/** The selection as the page has it (line breaks kept); the menu's copy is flattened and cut. */
async function richerSelection(request) {
  try {
    const page = await inject(request.tabId, capturePage);
    if (page?.selection && page.selection.length >= (request.text ?? "").length) return page.selection;
  } catch {
    // A page the extension cannot script (a PDF viewer): the menu's text is all there is.
  }
  return request.text ?? "";
}

function selectionLabel(text) {
  const words = text.trim().split(/\s+/).length;
  return `Selected text (${words} word${words === 1 ? "" : "s"})`;
}

/** The current page: its live HTML, or its selection when one was made, or its PDF bytes. */
async function pagePayload(request, options) {
  const tab = await ext.tabs.get(request.tabId);
  let page = null;
  try {
    page = await inject(tab.id, capturePage);
  } catch {
    // Fall through: a PDF in a viewer the extension cannot script is still fetchable.
  }
  const url = page?.url ?? tab.url;
  if (page?.contentType === "application/pdf" || (!page && url)) {
    const pdf = await pdfPayload(tab.id, url, options, Boolean(page));
    if (pdf) return pdf;
  }
  if (!page) throw unreadable();
  if (!request.wholePage && page.selection.length >= MIN_SELECTION_CHARS) {
    return { body: { text: page.selection, ...options }, label: selectionLabel(page.selection), tabId: tab.id, selection: true };
  }
  if (!page.html) throw unreadable();
  return { body: { html: page.html, url: page.url, ...options }, label: page.title || page.url, tabId: tab.id };
}

/**
 * A PDF tab as a file upload. The bytes come from the extension's own fetch (allowed for this
 * tab's site by the click's activeTab grant), or failing that from a fetch inside the page.
 * `known` says the page itself reported a PDF; otherwise a non-PDF answer means "not a PDF".
 */
async function pdfPayload(tabId, url, options, known) {
  let blob = null;
  try {
    const response = await fetch(url, { credentials: "include" });
    const type = response.headers.get("Content-Type") ?? "";
    if (response.ok && (known || type.includes("application/pdf"))) blob = await response.blob();
  } catch {
    blob = null;
  }
  if (!blob && known) {
    const own = await inject(tabId, fetchOwnDocument, [MAX_PDF_BYTES]).catch(() => null);
    if (own?.base64) blob = new Blob([Uint8Array.from(atob(own.base64), (c) => c.charCodeAt(0))]);
  }
  if (!blob) return known ? { body: { url, ...options }, label: `PDF: ${url}`, tabId, pdf: true } : null;
  if (blob.size > MAX_PDF_BYTES) {
    throw new ApiError("too_large", `This PDF is ${Math.round(blob.size / 1048576)} MB, more than the extension uploads.`,
      "Download it and summarize it with `summarizer summarize FILE`.");
  }
  const form = new FormData();
  form.append("file", new Blob([blob], { type: "application/pdf" }), pdfName(url));
  for (const [key, value] of Object.entries(options)) form.append(key, value);
  return { body: form, label: `PDF: ${pdfName(url)}`, tabId, pdf: true, url };
}

function pdfName(url) {
  const name = decodeURIComponent(new URL(url).pathname.split("/").pop() || "document.pdf");
  return name.toLowerCase().endsWith(".pdf") ? name : `${name}.pdf`;
}

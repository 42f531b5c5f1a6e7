// The side panel: runs a request from the background, streams the summary into the panel,
// and offers Stop, Copy, re-run with other options, and click-to-source on key points.
import { ApiError, cancelJob, jobEvents, startSummary } from "../lib/api.js";
import { renderMarkdown, renderPlain } from "../lib/markdown.js";
import { ext, loadSettings } from "../lib/settings.js";
import { buildPayload } from "./capture.js";
import { attachCitations, highlightInTab, showPdfPage } from "./citations.js";

/** A request older than this when the panel opens is a leftover, not the click that opened it. */
const REQUEST_MAX_AGE_MS = 60_000;
/** Re-render the streamed Markdown at most this often: often enough to look live, cheap on long text. */
const RENDER_INTERVAL_MS = 50;

const $ = (id) => document.getElementById(id);
const els = Object.fromEntries(
  ["type", "length", "language", "run", "page", "stop", "copy", "source", "status-text", "progress",
    "error", "error-message", "error-hint", "open-options", "summary", "cite-hint", "cite-note", "meta"]
    .map((id) => [id.replace(/-(\w)/g, (_, c) => c.toUpperCase()), $(id)]),
);
const state = {
  settings: null, windowId: null, port: null, request: null, payload: null,
  controller: null, jobId: null, text: "", tokens: 0, renderTimer: null, startedAt: 0, firstTokenMs: null,
};

/** The summary options chosen in the panel, named as the API names them. */
function options() {
  const chosen = { type: els.type.value, length: els.length.value, format: "markdown" };
  const language = els.language.value.trim();
  if (language) chosen.output_language = language;
  return chosen;
}

function setStatus(text, progress = null) {
  els.statusText.textContent = text;
  els.progress.hidden = progress === null;
  if (progress) Object.assign(els.progress, progress);
}

function showError(error) {
  const known = error instanceof ApiError;
  els.errorMessage.textContent = known ? error.message : `Something went wrong: ${error.message}`;
  els.errorHint.textContent = known ? error.hint : "Try again; if it persists, check the server's log.";
  els.error.dataset.code = known ? error.code : "internal";
  els.error.hidden = false;
  document.body.dataset.outcome = "error";
  setStatus("");
}

function setBusy(busy) {
  els.stop.hidden = !busy;
  els.run.disabled = busy;
  els.summary.setAttribute("aria-busy", String(busy));
  document.body.dataset.state = busy ? "running" : "idle";
}

/** Tells the background which job is running, so closing the panel cancels it. */
function reportJob() {
  if (!state.port) connectPort();
  try {
    state.port.postMessage({ jobId: state.jobId });
  } catch (error) {
    console.warn("background port", error);
  }
}

function connectPort() {
  state.port = ext.runtime.connect({ name: "panel" });
  state.port.onDisconnect.addListener(() => {
    state.port = null;
    if (state.jobId) reportJob(); // the background was stopped while idle: tell the new one
  });
}

function render() {
  state.renderTimer = null;
  const draw = state.payload?.format === "plain-text" ? renderPlain : renderMarkdown;
  els.summary.replaceChildren(draw(state.text));
}

function scheduleRender() {
  state.renderTimer ??= setTimeout(render, RENDER_INTERVAL_MS);
}

/** Clears the previous summary, error and notes before a run. */
function resetView() {
  clearTimeout(state.renderTimer);
  Object.assign(state, { text: "", tokens: 0, jobId: null, renderTimer: null, firstTokenMs: null });
  els.summary.replaceChildren();
  els.error.hidden = true;
  els.citeHint.hidden = true;
  els.citeNote.hidden = true;
  els.meta.textContent = "";
  els.copy.disabled = true;
  delete document.body.dataset.firstTokenMs;
  delete document.body.dataset.jobId;
  delete document.body.dataset.tokens;
  delete document.body.dataset.outcome;
}

/** Runs a request (page, selection or link) and streams its summary into the panel. */
async function run(request) {
  await stop({ quiet: true });
  const controller = (state.controller = new AbortController());
  state.request = request;
  state.startedAt = performance.now();
  resetView();
  document.body.dataset.request = request.nonce ?? "";
  setBusy(true);
  try {
    state.settings = await loadSettings(); // the options may have changed since the panel opened
    setStatus("Reading the page…", {});
    const payload = (state.payload = await buildPayload(request, options()));
    els.source.textContent = payload.label;
    setStatus("Sending to the server…", {});
    const response = await startSummary(state.settings, payload.body, controller.signal);
    const onJob = (jobId) => {
      state.jobId = document.body.dataset.jobId = jobId;
      reportJob();
    };
    for await (const event of jobEvents(state.settings, response, controller.signal, onJob)) {
      if (controller !== state.controller) return;
      handleEvent(event);
    }
  } catch (error) {
    if (controller === state.controller && error.name !== "AbortError") showError(error);
  } finally {
    if (controller === state.controller) {
      state.controller = null;
      state.jobId = null;
      reportJob();
      setBusy(false);
    }
  }
}

/**
 * Status line for a `progress` event. "map" and "collapse" count parts of a long document;
 * "reading" and "reducing" count prompt tokens the model has read (shown as a percentage).
 */
function progressText({ stage, done, total, eta_s: eta }) {
  const left = Number.isFinite(eta) && eta > 0 ? ` · about ${Math.ceil(eta)} s left` : "";
  const percent = total > 0 ? ` ${Math.floor((100 * done) / total)}%` : "";
  if (stage === "map") return `Summarizing part ${Math.min(done + 1, total)} of ${total}${left}`;
  if (stage === "collapse") return `Combining partial summaries (${done} of ${total})…`;
  if (stage === "reading") return `Reading the page…${percent}`;
  if (stage === "reducing") return `Combining the parts…${percent}`;
  return `${stage ?? "Working"}: ${done} of ${total}`;
}

/** Updates the panel for one server event. */
function handleEvent({ type, data }) {
  if (type === "status") {
    if (data.status === "queued") setStatus(data.position > 1 ? `Waiting in the queue (position ${data.position})…` : "Queued…", {});
    else if (data.status === "started") setStatus("Summarizing…", {});
    else if (data.status === "restarted" || data.status === "retrying") {
      // The server starts the answer over (a worker died, or the model's output broke a rule):
      // what streamed so far is void.
      state.text = "";
      scheduleRender();
      setStatus("Trying again…", {});
    }
  } else if (type === "progress") {
    setStatus(progressText(data), data.total > 0 ? { max: data.total, value: data.done } : {});
  } else if (type === "token") {
    if (state.firstTokenMs === null) {
      state.firstTokenMs = Math.round(performance.now() - state.startedAt);
      document.body.dataset.firstTokenMs = String(state.firstTokenMs);
      setStatus("Writing…");
    }
    state.tokens += 1;
    document.body.dataset.tokens = String(state.tokens); // how many pieces streamed in (tests read it)
    state.text += data.text ?? "";
    scheduleRender();
  } else if (type === "done") {
    finish(data);
  } else if (type === "error") {
    throw new ApiError(data.code ?? "job_failed", data.message ?? "The summary failed.",
      data.code === "canceled" ? "" : "Try again; if it persists, check the server's log.");
  }
}

/** Shows the finished result: final text, citations, model and timings. */
function finish(result) {
  clearTimeout(state.renderTimer);
  state.text = result.summary ?? state.text;
  if (result.format) state.payload.format = result.format;
  render();
  els.copy.disabled = !state.text;
  const cited = state.payload.tabId !== null && attachCitations(els.summary, result.citations, showPassage);
  els.citeHint.hidden = !cited;
  const seconds = ((performance.now() - state.startedAt) / 1000).toFixed(1);
  const first = state.firstTokenMs === null ? "" : ` · first words after ${(state.firstTokenMs / 1000).toFixed(1)} s`;
  els.meta.textContent = `${result.model ?? "model"}${first} · done in ${seconds} s`;
  document.body.dataset.outcome = "done";
  setStatus("");
}

/** Scrolls the page to a key point's source and highlights it. */
async function showPassage(citation, element) {
  els.summary.querySelectorAll("li.active").forEach((li) => li.classList.remove("active"));
  element.classList.add("active");
  const { tabId, pdf, url } = state.payload;
  let outcome;
  try {
    outcome = pdf ? await showPdfPage(tabId, url, citation) : await highlightInTab(tabId, citation);
  } catch {
    outcome = { found: false, gone: true };
  }
  els.citeNote.hidden = outcome.found;
  els.citeNote.textContent = outcome.gone
    ? "The page can no longer be read (it changed or was closed): summarize it again."
    : "This passage was not found in the page as it is now.";
}

/** Stops the running summary and cancels its job on the server. */
async function stop({ quiet = false } = {}) {
  const { controller, jobId } = state;
  if (!controller) return;
  state.controller = null;
  state.jobId = null;
  controller.abort();
  reportJob();
  setBusy(false);
  if (jobId) await cancelJob(state.settings, jobId);
  if (quiet) return;
  setStatus(jobId ? "Stopped: the job was cancelled on the server." : "Stopped.");
  document.body.dataset.outcome = "stopped";
}

/** The tab currently shown in this panel's window. */
async function activeTab() {
  const [tab] = await ext.tabs.query({ active: true, windowId: state.windowId });
  return tab;
}

/** Takes a request the background left for this window, once. */
function take(request) {
  if (!request || request.windowId !== state.windowId) return;
  ext.storage.session.remove("request");
  run(request);
}

async function init() {
  state.settings = await loadSettings();
  els.type.value = state.settings.type;
  els.length.value = state.settings.length;
  els.language.value = state.settings.outputLanguage;
  state.windowId = (await ext.windows.getCurrent()).id;
  connectPort();

  els.run.addEventListener("click", async () => {
    const again = state.request ?? { kind: "page", tabId: (await activeTab()).id };
    run({ ...again, nonce: crypto.randomUUID() });
  });
  els.page.addEventListener("click", async () => {
    run({ kind: "page", wholePage: true, tabId: (await activeTab()).id, nonce: crypto.randomUUID() });
  });
  els.stop.addEventListener("click", () => stop());
  els.copy.addEventListener("click", async () => {
    await navigator.clipboard.writeText(state.text);
    setStatus("Copied.");
  });
  els.openOptions.addEventListener("click", () => ext.runtime.openOptionsPage());

  ext.storage.onChanged.addListener((changes, area) => {
    if (area === "session" && changes.request?.newValue) take(changes.request.newValue);
  });
  const { request } = await ext.storage.session.get("request");
  if (request && Date.now() - request.at < REQUEST_MAX_AGE_MS) take(request);
}

init().catch(showError);

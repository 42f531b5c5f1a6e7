// The side panel: runs a request from the background, streams the summary into the panel,
// and offers Stop, Copy, re-run with other options, and click-to-source on key points.
import { ApiError, cancelJob, jobEvents, startSummary } from "../lib/api.js";
import { chosenOptions, FALLBACK_OPTIONS, loadCatalogue, renderSelects } from "../lib/options.js";
import { ext, loadSettings } from "../lib/settings.js";
import { describeEvent, SummaryView } from "../lib/view.js";
import { buildPayload } from "./capture.js";
import { highlightInTab, showPdfPage } from "./citations.js";

/** A request older than this when the panel opens is a leftover, not the click that opened it. */
const REQUEST_MAX_AGE_MS = 60_000;

const $ = (id) => document.getElementById(id);
const els = Object.fromEntries(
  ["option-selects", "language", "run", "page", "stop", "copy", "source", "status-text", "progress",
    "error", "error-message", "error-hint", "open-options", "summary", "summary-note", "cite-hint", "cite-note", "meta"]
    .map((id) => [id.replace(/-(\w)/g, (_, c) => c.toUpperCase()), $(id)]),
);
const view = new SummaryView({ body: els.summary, note: els.summaryNote, noun: "page", onPick: showPassage });
const state = {
  settings: null, windowId: null, port: null, request: null, payload: null,
  controller: null, jobId: null, tokens: 0, startedAt: 0, firstTokenMs: null, previewMs: null,
};

/** The summary options chosen in the panel, named as the API names them. */
function options() {
  const chosen = chosenOptions(els.optionSelects);
  const language = els.language.value.trim();
  if (language) chosen.output_language = language;
  return chosen;
}

/** The status line, and the progress bar at `percent` (an empty bar for a step with no count). */
function setStatus(text, percent = undefined) {
  els.statusText.textContent = text;
  els.progress.hidden = percent === undefined;
  if (percent === null) els.progress.removeAttribute("value");
  else if (percent !== undefined) els.progress.value = percent;
}

function showError(error) {
  const known = error instanceof ApiError;
  // Anything else is a bug of ours: its raw text means nothing to the user, the console keeps it.
  if (!known) console.error(error);
  els.errorMessage.textContent = known ? error.message : "Something went wrong in the extension.";
  els.errorHint.textContent = (known && error.hint) || "Try again; if it happens again, reload the extension.";
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

/** Clears the previous summary, error and notes before a run. */
function resetView() {
  Object.assign(state, { tokens: 0, jobId: null, firstTokenMs: null, previewMs: null });
  view.clear();
  els.error.hidden = true;
  els.citeHint.hidden = true;
  els.citeNote.hidden = true;
  els.meta.textContent = "";
  els.copy.disabled = true;
  for (const key of ["firstTokenMs", "previewMs", "doneMs", "jobId", "tokens", "outcome", "phases"]) delete document.body.dataset[key];
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
    setStatus("Reading the page…", null);
    const payload = (state.payload = await buildPayload(request, options()));
    els.source.textContent = payload.label;
    setStatus("Sending to the server…", null);
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

/** Milliseconds since the click, recorded on the body for the tests and the screenshots' captions. */
function mark(key) {
  state[key] = Math.round(performance.now() - state.startedAt);
  document.body.dataset[key] = String(state[key]);
}

/** Updates the panel for one server event. */
function handleEvent(event) {
  const { type, data } = event;
  const status = describeEvent(event);
  if (status) setStatus(status.text, status.percent);
  if (type === "preview") {
    mark("previewMs");
    view.preview(data);
    els.citeHint.hidden = !Number(els.summary.dataset.cited);
  } else if (type === "status" && (data.status === "restarted" || data.status === "retrying")) {
    view.restart();
  } else if (type === "token") {
    if (state.firstTokenMs === null) {
      mark("firstTokenMs");
      els.citeHint.hidden = true;
      setStatus("Writing…");
    }
    state.tokens += 1;
    document.body.dataset.tokens = String(state.tokens); // how many pieces streamed in (tests read it)
    view.token(data.text);
  } else if (type === "done") {
    finish(data);
  }
  // The phases the summary went through (preview, writing, final), for the tests to read.
  const phase = els.summary.dataset.phase;
  const phases = document.body.dataset.phases ?? "";
  if (phase && !phases.endsWith(phase)) document.body.dataset.phases = `${phases} ${phase}`.trim();
}

/** Shows the finished result: final text, citations, label, model and timings. */
function finish(result) {
  mark("doneMs");
  view.done(result, state.payload.format);
  els.copy.disabled = !view.text;
  els.citeHint.hidden = !Number(els.summary.dataset.cited);
  const seconds = ((performance.now() - state.startedAt) / 1000).toFixed(1);
  const preview = state.previewMs === null ? "" : ` · preview after ${(state.previewMs / 1000).toFixed(1)} s`;
  const first = state.firstTokenMs === null ? "" : ` · first words after ${(state.firstTokenMs / 1000).toFixed(1)} s`;
  els.meta.textContent = `${result.model ?? "model"}${preview}${first} · done in ${seconds} s`;
  document.body.dataset.outcome = "done";
  setStatus("");
}

/** Scrolls the page to an item's source and highlights it. */
async function showPassage(citation, element) {
  els.summary.querySelectorAll("li.active").forEach((li) => li.classList.remove("active"));
  element.classList.add("active");
  const { tabId, pdf, url } = state.payload ?? {};
  let outcome;
  try {
    if (tabId === null || tabId === undefined) throw new Error("no tab");
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

/** The option selects: the built-in list at once, the server's as soon as it answers. */
async function showOptions(settings) {
  renderSelects(els.optionSelects, FALLBACK_OPTIONS, settings.options);
  const { options } = await loadCatalogue(settings);
  const chosen = { ...settings.options, ...chosenOptions(els.optionSelects) };
  renderSelects(els.optionSelects, options, chosen);
  document.body.dataset.options = Object.keys(options).join(" ");
}

async function init() {
  state.settings = await loadSettings();
  els.language.value = state.settings.outputLanguage;
  state.windowId = (await ext.windows.getCurrent()).id;
  connectPort();
  const optionsShown = showOptions(state.settings);

  els.run.addEventListener("click", async () => {
    const again = state.request ?? { kind: "page", tabId: (await activeTab()).id };
    run({ ...again, nonce: crypto.randomUUID() });
  });
  els.page.addEventListener("click", async () => {
    run({ kind: "page", wholePage: true, tabId: (await activeTab()).id, nonce: crypto.randomUUID() });
  });
  els.stop.addEventListener("click", () => stop());
  els.copy.addEventListener("click", async () => {
    await navigator.clipboard.writeText(view.text);
    setStatus("Copied.");
  });
  els.openOptions.addEventListener("click", () => ext.runtime.openOptionsPage());

  ext.storage.onChanged.addListener((changes, area) => {
    if (area === "session" && changes.request?.newValue) take(changes.request.newValue);
  });
  const { request } = await ext.storage.session.get("request");
  // The server's option lists first (a fast local call, or the fallback once it fails), so a
  // run uses the user's saved choice of an option only the server knows.
  await optionsShown;
  if (request && Date.now() - request.at < REQUEST_MAX_AGE_MS) take(request);
}

init().catch(showError);

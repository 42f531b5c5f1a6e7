// The side panel: runs a request from the background, streams the summary into the panel,
// and offers Stop, Copy, re-run with other options, click-to-source on key points, questions
// about the page (asked of the document the server keeps), and the page's earlier summaries.
import { ApiError, cancelJob, jobEvents, startQuestion, startSummary } from "../lib/api.js";
import { entryOf, loadHistory, remember } from "../lib/history.js";
import { chosenOptions, FALLBACK_OPTIONS, loadCatalogue, renderSelects } from "../lib/options.js";
import { loadPresets, presetOptions } from "../lib/presets.js";
import { ext, loadSettings } from "../lib/settings.js";
import { voidsStreamedText } from "../lib/stream.js";
import { describeEvent, SummaryView } from "../lib/view.js";
import { buildPayload } from "./capture.js";
import { highlightInTab, showPdfPage } from "./citations.js";

/** A request older than this when the panel opens is a leftover, not the click that opened it. */
const REQUEST_MAX_AGE_MS = 60_000;

const $ = (id) => document.getElementById(id);
const els = Object.fromEntries(
  ["option-selects", "language", "run", "page", "stop", "copy", "source", "status-text", "progress",
    "error", "error-message", "error-hint", "open-options", "summary", "summary-note", "cite-hint", "cite-note", "meta",
    "question", "ask-form", "ask", "ask-run", "history", "history-count", "history-list", "in-force", "since"]
    .map((id) => [id.replace(/-(\w)/g, (_, c) => c.toUpperCase()), $(id)]),
);
const view = new SummaryView({ body: els.summary, note: els.summaryNote, noun: "page", onPick: showPassage });
const state = {
  settings: null, windowId: null, port: null, request: null, payload: null,
  controller: null, jobId: null, tokens: 0, startedAt: 0, firstTokenMs: null, previewMs: null,
  documentId: null, pageUrl: null, question: "", history: [], earlier: null,
  catalogue: FALLBACK_OPTIONS, picked: false,
};

/** The summary options chosen in the panel, named as the API names them. */
function options() {
  const chosen = chosenOptions(els.optionSelects);
  const language = els.language.value.trim();
  if (language) chosen.output_language = language;
  return chosen;
}

/**
 * The selects back at the user's defaults (the extension's options): a toolbar click, the
 * shortcut or the context menu starts a page afresh, so what was picked in the panel for the
 * last page does not silently apply to the next one.
 */
function useDefaults() {
  renderSelects(els.optionSelects, state.catalogue, state.settings.options);
  els.language.value = state.settings.outputLanguage ?? "";
  state.picked = false;
}

/** Says which options a run uses, and whether they are the defaults or picked for this page. */
function showInForce(chosen) {
  const shown = [...els.optionSelects.querySelectorAll("select[data-option]")]
    .map((select) => select.selectedOptions[0]?.textContent ?? select.value);
  if (chosen.output_language) shown.push(`in ${chosen.output_language}`);
  if (chosen.query) shown.push("answering a question");
  const whose = state.picked ? "picked in this panel for this page" : "your defaults (extension options)";
  els.inForce.textContent = `${shown.join(" · ")}: ${whose}`;
  els.inForce.hidden = false;
  document.body.dataset.inForce = JSON.stringify(chosen);
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
  els.askRun.disabled = busy;
  els.historyList.querySelectorAll("button").forEach((button) => { button.disabled = busy; });
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
  for (const key of ["firstTokenMs", "previewMs", "doneMs", "jobId", "tokens", "outcome", "phases", "asked", "answered"]) {
    delete document.body.dataset[key];
  }
}

/** Shows what was asked above its answer ("" for a summary). */
function showQuestion(question) {
  state.question = question ?? "";
  els.question.textContent = state.question ? `Question: ${state.question}` : "";
  els.question.hidden = !state.question;
}

/** The options of a run: the panel's choices, a preset's over them, and the question if any. */
async function optionsFor(request) {
  const chosen = options();
  if (request.presetId) {
    const preset = (await loadPresets(ext.storage.local)).find((p) => p.id === request.presetId);
    if (!preset) throw new ApiError("preset_gone", "That preset no longer exists.", "Choose another one in the context menu, or make it again in the extension's options.");
    Object.assign(chosen, presetOptions(preset));
  }
  if (request.query) chosen.query = request.query;
  return chosen;
}

/** The page a run is about, for its history: the link, or the tab's address. */
async function pageUrlOf(request, payload) {
  if (request.kind === "link") return request.url;
  const tab = await ext.tabs.get(payload.tabId ?? request.tabId).catch(() => null);
  return tab?.url ?? payload.url ?? payload.body?.url ?? null;
}

/**
 * Runs a request (page, selection or link, optionally with a preset or a question; or "ask", a
 * question about the document of the last run) and streams its summary or answer into the panel.
 * `fresh`: a toolbar click, the shortcut or the context menu, which start from the default options.
 */
async function run(request, { fresh = false } = {}) {
  await stop({ quiet: true });
  const controller = (state.controller = new AbortController());
  const asking = request.kind === "ask" || request.kind === "since"; // of the last run's document
  if (!asking) Object.assign(state, { request, documentId: null, earlier: null });
  els.since.hidden = true;
  state.startedAt = performance.now();
  resetView();
  showQuestion(request.query);
  document.body.dataset.request = request.nonce ?? "";
  setBusy(true);
  try {
    state.settings = await loadSettings(); // the options may have changed since the panel opened
    if (fresh) useDefaults();
    const chosen = await optionsFor(request);
    showInForce(chosen);
    if (chosen.query) showQuestion(chosen.query);
    const response = request.kind === "since" ? await sinceEarlier(controller)
      : asking ? await ask(request, controller) : await send(request, chosen, controller);
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

/** Reads and sends the page, selection or link; returns the streaming response. */
async function send(request, chosen, controller) {
  setStatus("Reading the page…", null);
  const payload = (state.payload = await buildPayload(request, chosen));
  els.source.textContent = payload.label;
  state.pageUrl = await pageUrlOf(request, payload);
  showHistory(await loadHistory(ext.storage.local, state.pageUrl));
  // The newest earlier summary of this page that the server may still keep: "what changed since".
  state.earlier = state.history.find((entry) => entry.result.document_id && !entry.query) ?? null;
  setStatus("Sending to the server…", null);
  return startSummary(state.settings, payload.body, controller.signal);
}

/** Asks what changed since the page's earlier reading (state.earlier), both by document_id. */
async function sinceEarlier(controller) {
  setStatus("Comparing with the earlier reading…", null);
  const body = { ...options(), document_id: state.documentId, since: state.earlier.result.document_id };
  return startSummary(state.settings, body, controller.signal);
}

/** Offers "What changed since <date>" when this page has an earlier summary to compare with. */
function offerSince(result) {
  const earlier = state.earlier;
  els.since.hidden = !(earlier && result.document_id && result.focus !== "changes");
  if (els.since.hidden) return;
  els.since.textContent = `What changed since ${new Date(earlier.at).toLocaleString()}`;
}

/**
 * Asks a question about the document of the last run: by its document_id, so the page is not
 * read or sent again; if the server no longer keeps it, the page is read and sent with the question.
 */
async function ask(request, controller) {
  setStatus("Asking the server…", null);
  const base = state.request ?? { kind: "page", tabId: (await activeTab()).id };
  const resend = async () => {
    setStatus("The server no longer has the page: sending it again…", null);
    state.payload = await buildPayload(base, options());
    return state.payload.body;
  };
  const { response, resent } = await startQuestion(state.settings,
    { documentId: state.documentId, question: request.query, options: options() }, resend, controller.signal);
  document.body.dataset.asked = resent ? "resent" : "document_id";
  return response;
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
  } else if (voidsStreamedText(event)) {
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

/** Shows the finished result: final text, citations, label, model and timings; remembers it. */
function finish(result) {
  mark("doneMs");
  show(result);
  const seconds = ((performance.now() - state.startedAt) / 1000).toFixed(1);
  const preview = state.previewMs === null ? "" : ` · preview after ${(state.previewMs / 1000).toFixed(1)} s`;
  const first = state.firstTokenMs === null ? "" : ` · first words after ${(state.firstTokenMs / 1000).toFixed(1)} s`;
  els.meta.textContent = `${result.model ?? "model"}${preview}${first} · done in ${seconds} s`;
  document.body.dataset.outcome = "done";
  setStatus("");
  offerSince(result);
  if (state.pageUrl && result.focus !== "changes") {
    const entry = entryOf(result, { label: els.source.textContent, query: state.question });
    remember(ext.storage.local, state.pageUrl, entry).then(showHistory).catch((error) => console.warn("history", error));
  }
}

/** Draws a finished result (a new one, or one from the history) and offers a question about it. */
function show(result) {
  view.done(result, result.format);
  els.copy.disabled = !view.text;
  els.citeHint.hidden = !Number(els.summary.dataset.cited);
  state.documentId = result.document_id ?? state.documentId;
  els.askForm.hidden = false;
  if ("answered" in result) document.body.dataset.answered = String(result.answered);
}

/** The page's earlier summaries and answers, newest first, each shown again on a click. */
function showHistory(entries) {
  state.history = entries ?? [];
  els.historyCount.textContent = String(state.history.length);
  els.history.hidden = state.history.length === 0;
  els.historyList.replaceChildren(...state.history.map((entry, index) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.index = String(index);
    button.disabled = Boolean(state.controller);
    const time = document.createElement("time");
    time.dateTime = new Date(entry.at).toISOString();
    time.textContent = new Date(entry.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const kind = entry.result.type ?? "summary";
    button.append(time, entry.query ? `Q: ${entry.query}` : `Summary (${kind}, ${entry.result.length ?? ""})`.replace(", )", ")"));
    button.addEventListener("click", () => reopen(entry));
    item.append(button);
    return item;
  }));
}

/** Shows a summary or answer from the history again, without asking the server. */
function reopen(entry) {
  if (state.controller) return;
  resetView();
  showQuestion(entry.query);
  els.source.textContent = entry.label ?? "";
  show(entry.result);
  els.meta.textContent = `${entry.result.model ?? "model"} · from ${new Date(entry.at).toLocaleString()}`;
  document.body.dataset.outcome = "reopened";
  setStatus("");
}

/** Scrolls the page to an item's source and highlights it. */
async function showPassage(citation, element) {
  els.summary.querySelectorAll(".active").forEach((item) => item.classList.remove("active"));
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
  run(request, { fresh: true });
}

/** The option selects: the built-in list at once, the server's as soon as it answers. */
async function showOptions(settings) {
  renderSelects(els.optionSelects, FALLBACK_OPTIONS, settings.options);
  const { options } = await loadCatalogue(settings);
  state.catalogue = options;
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
  els.since.addEventListener("click", () => run({ kind: "since", nonce: crypto.randomUUID() }));
  // A pick in the panel is for the page shown: the next toolbar click starts from the defaults.
  els.optionSelects.addEventListener("change", () => { state.picked = true; });
  els.language.addEventListener("change", () => { state.picked = true; });
  els.copy.addEventListener("click", async () => {
    await navigator.clipboard.writeText(view.text);
    setStatus("Copied.");
  });
  els.openOptions.addEventListener("click", () => ext.runtime.openOptionsPage());
  els.askForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = els.ask.value.trim();
    if (query) run({ kind: "ask", query, nonce: crypto.randomUUID() });
  });

  ext.storage.onChanged.addListener((changes, area) => {
    if (area === "session" && changes.request?.newValue) take(changes.request.newValue);
  });
  const tab = await activeTab().catch(() => null);
  if (tab?.url) { // readable when the user's click granted this tab: show what it had before
    state.pageUrl = tab.url;
    showHistory(await loadHistory(ext.storage.local, tab.url));
  }
  const { request } = await ext.storage.session.get("request");
  // The server's option lists first (a fast local call, or the fallback once it fails), so a
  // run uses the user's saved choice of an option only the server knows.
  await optionsShown;
  if (request && Date.now() - request.at < REQUEST_MAX_AGE_MS) take(request);
}

init().catch(showError);

// The task pane: wires the buttons to Word (office-io.js) and to the server through the client
// the browser extension uses too (lib/, served from extension/browser/lib by the summarizer).
// document.body.dataset.state tells the user's assistive tech (and the tests) where a run is:
// loading -> idle -> reading -> running -> done | error | stopped.

import { ApiError, cancelJob, jobEvents, startQuestion, startSummary } from "./lib/api.js";
import { parseSummary } from "./lib/markdown.js";
import { chosenOptions, FALLBACK_OPTIONS, loadCatalogue, renderSelects } from "./lib/options.js";
import { normalizeServerUrl } from "./lib/settings.js";
import { voidsStreamedText } from "./lib/stream.js";
import { describeEvent, SummaryView } from "./lib/view.js";
import {
  canInsert,
  documentFileName,
  insertSummary,
  loadSettings,
  readDocument,
  readSelection,
  saveOptions,
  saveSettings,
} from "./office-io.js";

const $ = (id) => document.getElementById(id);
/** Where the user changes the server URL and token, for error hints. */
const SETTINGS_PLACE = "Settings (below)";

/**
 * One run at a time: what Stop needs to reach, the last finished summary for Insert, and what a
 * question is asked of (the server's copy of the last document, or that document again).
 */
const run = { controller: null, jobId: null, stopped: false, settings: null, model: null, documentId: null, source: null };
const view = new SummaryView({ body: $("summary"), note: $("summary-note"), noun: "document" });

/** Move the pane to a state and enable exactly the buttons that make sense there. */
function setState(state) {
  document.body.dataset.state = state;
  const busy = state === "reading" || state === "running";
  $("summarize-document").disabled = busy || state === "loading";
  $("summarize-selection").disabled = busy || state === "loading";
  $("summarize-changes").disabled = busy || state === "loading";
  $("stop").disabled = !busy;
  $("ask-run").disabled = busy || state === "loading";
  if (!busy) $("progress").hidden = true;
  $("insert-actions").hidden = !(state === "done" && run.model?.items.length && canInsert());
}

/** The status line, and the progress bar at `percent` (an empty bar for a step with no count). */
function setStatus(text, percent = undefined) {
  $("status").textContent = text;
  $("progress").hidden = percent === undefined;
  if (percent === null) $("progress").removeAttribute("value");
  else if (percent !== undefined) $("progress").value = percent;
}

/**
 * Show an error as an error (never in the summary area), with what to do next. Errors that are
 * not ours to explain (a bug, an Office failure) are logged for support, not shown raw.
 */
function showError(err, hint = "") {
  const known = err instanceof ApiError;
  if (!known) console.error(err);
  $("error-message").textContent = known ? err.message : "Something went wrong in the add-in.";
  $("error-hint").textContent = (known && err.hint) || hint || "Try again; if it happens again, reload the add-in.";
  $("error").dataset.code = known ? err.code : "internal";
  $("error").hidden = false;
  setStatus("");
  setState("error");
}

/** Clear what the previous run left. */
function resetOutput(question = "") {
  $("error").hidden = true;
  view.clear();
  $("question").textContent = question ? `Question: ${question}` : "";
  $("question").hidden = !question;
  setStatus("");
  delete document.body.dataset.jobId;
  run.model = null;
}

/** The options the server takes, named as in its API; an empty language means "as the input". */
function currentOptions() {
  const options = chosenOptions($("option-selects"));
  if ($("language").value) options.output_language = $("language").value;
  return options;
}

/** The request body for the chosen source: the .docx as multipart, or the selection as JSON. */
async function buildPayload(source, options) {
  if (source === "selection") {
    const text = await officeStep(readSelection(), "The selection could not be read from Word.");
    if (!text.trim()) {
      throw new ApiError("empty_selection", "Nothing is selected.", "Select some text in the document first.");
    }
    return { text, ...options };
  }
  const blob = await officeStep(readDocument({
    onSlice: (done, total) => setStatus(`Reading the document from Word… ${Math.floor((100 * done) / total)}%`,
      Math.floor((100 * done) / total)),
  }), "Word could not hand over the document.");
  const form = new FormData();
  form.append("file", blob, documentFileName());
  Object.entries(options).forEach(([name, value]) => form.append(name, value));
  return form;
}

/** An Office call whose failure the user should see as `message` with a next step, not raw. */
async function officeStep(promise, message) {
  try {
    return await promise;
  } catch (err) {
    console.error(err);
    throw new ApiError("word_failed", message, "Try again; if it persists, save the document and reopen the add-in.");
  }
}

/** Show one server event: queue position, progress, the preview, streamed text, the result. */
function onEvent(event) {
  const { type, data } = event;
  const status = describeEvent(event);
  if (status) setStatus(status.text, status.percent);
  if (type === "preview") {
    view.preview(data);
  } else if (voidsStreamedText(event)) {
    view.restart();
  } else if (type === "token") {
    if (!view.text) setStatus("Writing…");
    view.token(data.text);
  } else if (type === "done") {
    view.done(data);
    run.model = data.answered === false ? null : parseSummary(view.text, data.type || currentOptions().type);
    run.documentId = data.document_id ?? run.documentId;
    $("ask-form").hidden = false;
    if ("answered" in data) document.body.dataset.answered = String(data.answered);
    setStatus("Done.");
  }
}

/**
 * Summarize the document or the selection, streaming into the pane; `extra` options ride along
 * (focus "changes": the whole file is sent, and getFileAsync hands it over with its revision
 * marks and comments, which the server reads).
 */
function summarize(source, extra = {}) {
  Object.assign(run, { source, documentId: null });
  return follow(async (controller) => {
    const payload = await buildPayload(source, { ...currentOptions(), ...extra });
    if (run.stopped) return null;
    setState("running");
    setStatus("Sending…", null);
    return startSummary(run.settings, payload, controller.signal);
  });
}

/**
 * Ask about the document (or selection) just summarized: by the server's document_id, so Word
 * need not hand it over again; if the server no longer keeps it, it is read and sent again.
 */
function askQuestion(question) {
  return follow(async (controller) => {
    setState("running");
    setStatus("Asking…", null);
    const resend = () => buildPayload(run.source ?? "document", currentOptions());
    const { response, resent } = await startQuestion(run.settings,
      { documentId: run.documentId, question, options: currentOptions() }, resend, controller.signal);
    document.body.dataset.asked = resent ? "resent" : "document_id";
    return response;
  }, question);
}

/** Start a request with `start(controller)` and stream its events into the pane. */
async function follow(start, question = "") {
  resetOutput(question);
  delete document.body.dataset.asked;
  delete document.body.dataset.answered;
  const controller = new AbortController();
  Object.assign(run, { controller, jobId: null, stopped: false });
  setState("reading");
  try {
    const response = await start(controller);
    if (!response || run.stopped) return;
    const onJob = (jobId) => {
      run.jobId = document.body.dataset.jobId = jobId;
    };
    for await (const event of jobEvents(run.settings, response, controller.signal, onJob)) {
      if (run.stopped) return;
      onEvent(event);
    }
    setState(run.model?.items.length ? "done" : "idle");
  } catch (err) {
    if (run.stopped || err.name === "AbortError") return;
    showError(err);
  }
}

/** Stop: cancel the job on the server (so the worker moves on) and drop the stream. */
async function stop() {
  run.stopped = true;
  const jobId = run.jobId;
  run.controller?.abort();
  setStatus("Stopped.");
  setState("stopped");
  if (jobId) await cancelJob(run.settings, jobId);
}

/** Insert the last summary into the document where the user chose. */
async function insert() {
  if (!run.model?.items.length) return; // the button is hidden then; a stale click does nothing
  try {
    await insertSummary(run.model, $("insert-where").value);
    setStatus("Inserted.");
  } catch (err) {
    console.error(err);
    showError(new ApiError("insert_failed", "Word did not accept the summary.",
      "Click in the document body (not in a header, comment or locked part) and insert again."));
    setState("done");
  }
}

/** Fill the settings form and the option selects from the saved settings. */
function applySettings(settings) {
  $("server-url").value = settings.serverUrl;
  $("token").value = settings.token;
  if (settings.options.output_language != null) $("language").value = settings.options.output_language;
  run.settings = { serverUrl: settings.serverUrl, token: settings.token, settingsPlace: SETTINGS_PLACE };
}

/** The option selects: the built-in list at once, the server's as soon as it answers. */
async function showOptions(saved) {
  renderSelects($("option-selects"), FALLBACK_OPTIONS, saved);
  const { options } = await loadCatalogue(run.settings);
  renderSelects($("option-selects"), options, { ...saved, ...chosenOptions($("option-selects")) });
  document.body.dataset.options = Object.keys(options).join(" ");
}

/** Save the settings form and use it from the next request on; an empty server URL means the
 *  server of this pane. */
async function onSaveSettings(event) {
  event.preventDefault();
  let serverUrl;
  try {
    serverUrl = normalizeServerUrl($("server-url").value, window.location.origin);
  } catch (err) {
    $("settings-status").textContent = err.message;
    return;
  }
  const token = $("token").value.trim();
  $("server-url").value = serverUrl;
  run.settings = { serverUrl, token, settingsPlace: SETTINGS_PLACE };
  try {
    await saveSettings({ serverUrl, token });
    $("settings-status").textContent = "Saved.";
  } catch (err) {
    console.error(err);
    $("settings-status").textContent = "Not saved: Word could not store the settings. They apply until the pane closes.";
  }
}

/** Remember the options with the document; a failure only costs the preference. */
function onOptionsChange() {
  saveOptions({ ...chosenOptions($("option-selects")), output_language: $("language").value })
    .catch((err) => console.warn(err));
}

/** Start once Office is ready; outside Word the pane says so instead of failing later. */
async function start() {
  const info = await Office.onReady();
  if (info.host !== Office.HostType.Word) {
    showError(new ApiError("not_word", "This add-in runs inside Word.", "Open it from Word's Home tab."));
    return;
  }
  const settings = loadSettings();
  applySettings(settings);
  $("summarize-document").addEventListener("click", () => summarize("document"));
  $("summarize-selection").addEventListener("click", () => summarize("selection"));
  $("summarize-changes").addEventListener("click", () => summarize("document", { focus: "changes" }));
  $("stop").addEventListener("click", stop);
  $("insert").addEventListener("click", insert);
  $("ask-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const question = $("ask").value.trim();
    if (question) askQuestion(question);
  });
  $("settings-form").addEventListener("submit", onSaveSettings);
  $("option-selects").addEventListener("change", onOptionsChange);
  $("language").addEventListener("change", onOptionsChange);
  await showOptions(settings.options);
  setState("idle");
}

// A failure here is a bug or a missing Office.js: say what to do, never show the raw error.
window.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  showError(event.reason);
});
window.addEventListener("error", (event) => {
  event.preventDefault();
  showError(event.error ?? new Error(event.message));
});

start().catch((err) => showError(err));

// The task pane: wires the buttons to Word (office-io.js) and the server (client.js).
// document.body.dataset.state tells the user's assistive tech (and the tests) where a run is:
// loading -> idle -> reading -> running -> done | error | stopped.

import { SummarizerClient, SummarizerError } from "./client.js";
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
import { parseSummary, renderSummary } from "./render.js";

const $ = (id) => document.getElementById(id);

/** One run at a time: what Stop needs to reach, and the last finished summary for Insert. */
const run = { controller: null, jobId: null, stopped: false, client: null, model: null };

/** Move the pane to a state and enable exactly the buttons that make sense there. */
function setState(state) {
  document.body.dataset.state = state;
  const busy = state === "reading" || state === "running";
  $("summarize-document").disabled = busy || state === "loading";
  $("summarize-selection").disabled = busy || state === "loading";
  $("stop").disabled = !busy;
  $("progress").hidden = !busy;
  $("insert-actions").hidden = !(state === "done" && run.model && canInsert());
}

/** Show an error as an error (never in the summary area). */
function showError(err) {
  const code = err instanceof SummarizerError && err.code ? ` (${err.code})` : "";
  $("error").textContent = `${err.message}${code}`;
  $("error").hidden = false;
  $("status").textContent = "";
  setState("error");
}

/** Clear what the previous run left. */
function resetOutput() {
  $("error").hidden = true;
  $("error").textContent = "";
  $("summary").replaceChildren();
  $("status").textContent = "";
  $("progress").removeAttribute("value");
  delete document.body.dataset.jobId;
  run.model = null;
}

/** The options the server takes, named as in its API; an empty language means "as the input". */
function currentOptions() {
  const options = { type: $("type").value, length: $("length").value, format: "markdown" };
  if ($("language").value) options.output_language = $("language").value;
  return options;
}

/** The request body for the chosen source: the .docx as multipart, or the selection as JSON. */
async function buildPayload(source, options) {
  if (source === "selection") {
    const text = await readSelection();
    if (!text.trim()) throw new SummarizerError("empty_selection", "Select some text in the document first.");
    return { text, ...options };
  }
  const blob = await readDocument({
    onSlice: (done, total) => {
      $("status").textContent = `Reading the document (${done}/${total})…`;
    },
  });
  const form = new FormData();
  form.append("file", blob, documentFileName());
  Object.entries(options).forEach(([name, value]) => form.append(name, value));
  return form;
}

/** Show one server event: queue position, progress, streamed text, the final summary. */
function onEvent({ event, data }) {
  if (event === "status") {
    run.jobId = data.job_id || run.jobId;
    if (run.jobId) document.body.dataset.jobId = run.jobId;
    const where = data.position != null ? ` (position ${data.position})` : "";
    if (data.status === "restarted" || data.status === "retrying") {
      // The server starts the answer over: what streamed so far is void.
      $("summary").textContent = "";
    }
    $("status").textContent = data.status === "queued" ? `Queued${where}…` : "Summarizing…";
  } else if (event === "progress") {
    if (data.total) {
      $("progress").max = data.total;
      $("progress").value = data.done;
    }
    $("status").textContent = `${data.stage || "Working"} ${data.done ?? ""}/${data.total ?? ""}`.trim();
  } else if (event === "token") {
    $("summary").append(document.createTextNode(data.text || ""));
  } else if (event === "done") {
    const result = data.result || data;
    const summary = result.summary != null ? result.summary : $("summary").textContent;
    run.model = parseSummary(summary, result.type || $("type").value);
    renderSummary($("summary"), run.model);
    $("status").textContent = "Done.";
  }
}

/** Summarize the document or the selection, streaming into the pane. */
async function summarize(source) {
  resetOutput();
  Object.assign(run, { controller: new AbortController(), jobId: null, stopped: false });
  setState("reading");
  try {
    const options = currentOptions();
    const payload = await buildPayload(source, options);
    if (run.stopped) return;
    setState("running");
    $("status").textContent = "Sending…";
    await run.client.summarize(payload, { onEvent, signal: run.controller.signal });
    setState(run.model && run.model.items.length ? "done" : "idle");
  } catch (err) {
    if (run.stopped) return;
    console.error(err);
    showError(err);
  }
}

/** Stop: cancel the job on the server (so the worker moves on) and drop the stream. */
async function stop() {
  run.stopped = true;
  const jobId = run.jobId;
  if (run.controller) run.controller.abort();
  $("status").textContent = "Stopped.";
  setState("stopped");
  if (!jobId) return;
  try {
    await run.client.cancel(jobId);
  } catch (err) {
    showError(err);
  }
}

/** Insert the last summary into the document where the user chose. */
async function insert() {
  try {
    await insertSummary(run.model, $("insert-where").value);
    $("status").textContent = "Inserted.";
  } catch (err) {
    console.error(err);
    showError(err);
  }
}

/** Fill the settings form and the option selects from the saved settings. */
function applySettings(settings) {
  $("server-url").value = settings.serverUrl;
  $("token").value = settings.token;
  for (const [id, name] of [["type", "type"], ["length", "length"], ["language", "output_language"]]) {
    if (settings.options[name] != null) $(id).value = settings.options[name];
  }
  run.client = new SummarizerClient({ serverUrl: settings.serverUrl, token: settings.token });
}

/** Save the settings form and use it from the next request on. */
async function onSaveSettings(event) {
  event.preventDefault();
  const serverUrl = $("server-url").value.trim() || window.location.origin;
  const token = $("token").value.trim();
  run.client = new SummarizerClient({ serverUrl, token });
  try {
    await saveSettings({ serverUrl, token });
    $("settings-status").textContent = "Saved.";
  } catch (err) {
    $("settings-status").textContent = `Not saved: ${err.message}`;
  }
}

/** Remember the options with the document; a failure only costs the preference. */
function onOptionsChange() {
  const { type, length } = currentOptions();
  saveOptions({ type, length, output_language: $("language").value }).catch((err) => console.warn(err));
}

/** Start once Office is ready; outside Word the pane says so instead of failing later. */
async function start() {
  const info = await Office.onReady();
  if (info.host !== Office.HostType.Word) {
    showError(new SummarizerError("not_word", "This add-in runs inside Word."));
    return;
  }
  applySettings(loadSettings());
  $("summarize-document").addEventListener("click", () => summarize("document"));
  $("summarize-selection").addEventListener("click", () => summarize("selection"));
  $("stop").addEventListener("click", stop);
  $("insert").addEventListener("click", insert);
  $("settings-form").addEventListener("submit", onSaveSettings);
  for (const id of ["type", "length", "language"]) $(id).addEventListener("change", onOptionsChange);
  setState("idle");
}

start().catch((err) => {
  console.error(err);
  showError(err);
});

// Options page: server URL, API token and the default summary; "Test connection" checks that
// the server is this service (GET /options says so) and that it accepts the token.
import { checkConnection } from "../lib/api.js";
import { chosenOptions, FALLBACK_OPTIONS, loadCatalogue, renderSelects } from "../lib/options.js";
import { deletePreset, loadPresets, presetLabel, savePreset } from "../lib/presets.js";
import { ext, loadSettings, normalizeServerUrl, saveSettings } from "../lib/settings.js";

const $ = (id) => document.getElementById(id);

/** The settings as currently typed in the form (not yet saved); throws on an unusable URL. */
function formValues() {
  const serverUrl = normalizeServerUrl($("serverUrl").value);
  $("serverUrl").value = serverUrl; // show what Test and Save will use
  return {
    serverUrl,
    token: $("token").value.trim(),
    options: chosenOptions($("option-selects")),
    outputLanguage: $("outputLanguage").value.trim(),
  };
}

/** The host permission pattern for the server, e.g. "http://127.0.0.1/*". */
function originPattern(serverUrl) {
  const url = new URL(serverUrl);
  return `${url.protocol}//${url.hostname}/*`;
}

function showTest(outcome) {
  $("test-result").textContent = outcome.ok ? outcome.message : "";
  $("test-error").hidden = outcome.ok;
  $("test-error").dataset.code = outcome.ok ? "" : outcome.code ?? "";
  $("test-error-message").textContent = outcome.ok ? "" : outcome.message;
  $("test-error-hint").textContent = outcome.ok ? "" : outcome.hint ?? "";
}

/** The default-summary selects, from `catalogue`, keeping what is chosen now. */
function showOptions(catalogue, fallback, saved) {
  const chosen = { ...saved, ...chosenOptions($("option-selects")) };
  renderSelects($("option-selects"), catalogue, chosen);
  $("options-source").textContent = fallback
    ? "The server could not be asked for its options: these are the basic ones."
    : "Options as the server offers them.";
}

async function testConnection() {
  $("test-result").textContent = "Testing…";
  $("test-error").hidden = true;
  let settings;
  try {
    settings = { ...formValues(), settingsPlace: "these options" };
  } catch (error) {
    showTest({ ok: false, code: "bad_url", message: error.message, hint: "" });
    return;
  }
  const outcome = await checkConnection(settings);
  showTest(outcome);
  if (outcome.ok) showOptions(outcome.options, false, {});
  // A server that does not answer may only be refusing this extension's origin (no CORS set up):
  // offer the host permission, which lets the extension reach it regardless.
  const granted = await ext.permissions.contains({ origins: [originPattern(settings.serverUrl)] });
  $("grant").hidden = outcome.ok || outcome.code !== "unreachable" || granted;
}

async function grantAccess() {
  const granted = await ext.permissions.request({ origins: [originPattern(formValues().serverUrl)] });
  $("grant").hidden = granted;
  if (granted) await testConnection();
}

async function save(event) {
  event.preventDefault();
  $("save-error").hidden = true;
  try {
    const saved = await saveSettings(formValues());
    $("serverUrl").value = saved.serverUrl;
  } catch (error) {
    $("save-error").textContent = error.message;
    $("save-error").hidden = false;
    return;
  }
  $("saved").textContent = "Saved.";
  setTimeout(() => { $("saved").textContent = ""; }, 2000);
}

/** The saved presets, each with a Delete button. */
function showPresets(presets) {
  $("preset-list").replaceChildren(...presets.map((preset) => {
    const item = document.createElement("li");
    item.dataset.id = preset.id;
    const kind = Object.values(preset.options ?? {}).join(", ");
    item.textContent = `${presetLabel(preset)}${kind ? ` (${kind})` : ""}`;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Delete";
    remove.addEventListener("click", async () => showPresets(await deletePreset(ext.storage.local, preset.id)));
    item.append(remove);
    return item;
  }));
}

/** "Save as preset": the default summary chosen above, with the name, background and question. */
async function addPreset() {
  $("preset-error").hidden = true;
  try {
    const presets = await savePreset(ext.storage.local, {
      name: $("preset-name").value,
      options: chosenOptions($("option-selects")),
      outputLanguage: $("outputLanguage").value.trim(),
      context: $("preset-context").value.trim(),
      query: $("preset-query").value.trim(),
    });
    showPresets(presets);
    for (const id of ["preset-name", "preset-context", "preset-query"]) $(id).value = "";
  } catch (error) {
    $("preset-error").textContent = error.message;
    $("preset-error").hidden = false;
  }
}

async function init() {
  const settings = await loadSettings();
  for (const name of ["serverUrl", "token", "outputLanguage"]) $(name).value = settings[name];
  $("origin").textContent = new URL(ext.runtime.getURL("/")).origin;
  renderSelects($("option-selects"), FALLBACK_OPTIONS, settings.options);
  $("form").addEventListener("submit", save);
  $("test").addEventListener("click", testConnection);
  $("grant").addEventListener("click", grantAccess);
  $("preset-add").addEventListener("click", addPreset);
  showPresets(await loadPresets(ext.storage.local));
  const { options, fallback } = await loadCatalogue(settings);
  showOptions(options, fallback, settings.options);
  document.body.dataset.ready = "true";
}

init();

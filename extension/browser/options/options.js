// Options page: server URL, API token and the default summary; "Test connection" checks both
// that the server answers and that it accepts the token.
import { checkConnection } from "../lib/api.js";
import { DEFAULTS, ext, loadSettings, normalizeServerUrl, saveSettings } from "../lib/settings.js";

const $ = (id) => document.getElementById(id);
const FIELDS = Object.keys(DEFAULTS);

/** The settings as currently typed in the form (not yet saved). */
function formValues() {
  const values = Object.fromEntries(FIELDS.map((name) => [name, $(name).value]));
  values.serverUrl = normalizeServerUrl(values.serverUrl);
  values.token = values.token.trim();
  return values;
}

/** The host permission pattern for the server, e.g. "http://127.0.0.1/*". */
function originPattern(serverUrl) {
  const url = new URL(serverUrl);
  return `${url.protocol}//${url.hostname}/*`;
}

function showTest(outcome) {
  $("test-result").textContent = outcome.ok ? outcome.message : "";
  $("test-error").hidden = outcome.ok;
  $("test-error-message").textContent = outcome.ok ? "" : outcome.message;
  $("test-error-hint").textContent = outcome.ok ? "" : outcome.hint ?? "";
}

async function testConnection() {
  $("test-result").textContent = "Testing…";
  $("test-error").hidden = true;
  const settings = formValues();
  const outcome = await checkConnection(settings);
  showTest(outcome);
  // A server that does not answer may only be refusing this extension's origin (no CORS set up):
  // offer the host permission, which lets the extension reach it regardless.
  const granted = await ext.permissions.contains({ origins: [originPattern(settings.serverUrl)] });
  $("grant").hidden = outcome.ok || granted;
}

async function grantAccess() {
  const granted = await ext.permissions.request({ origins: [originPattern(formValues().serverUrl)] });
  $("grant").hidden = granted;
  if (granted) await testConnection();
}

async function init() {
  const settings = await loadSettings();
  for (const name of FIELDS) $(name).value = settings[name];
  $("origin").textContent = new URL(ext.runtime.getURL("/")).origin;
  $("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const saved = await saveSettings(formValues());
    $("serverUrl").value = saved.serverUrl;
    $("saved").textContent = "Saved.";
    setTimeout(() => { $("saved").textContent = ""; }, 2000);
  });
  $("test").addEventListener("click", testConnection);
  $("grant").addEventListener("click", grantAccess);
}

init();

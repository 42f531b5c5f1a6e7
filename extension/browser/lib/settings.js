// User settings, kept in storage.local (never storage.sync: the API token must not leave the machine).

export const DEFAULTS = Object.freeze({
  serverUrl: "http://127.0.0.1:8000",
  token: "",
  type: "key-points",
  length: "short",
  outputLanguage: "",
});

/** Option values the server accepts (the Chrome Summarizer API names). */
export const TYPES = Object.freeze(["key-points", "tldr", "teaser", "headline"]);
export const LENGTHS = Object.freeze(["short", "medium", "long"]);

/** The extension API namespace: `browser` in Firefox, `chrome` in Chromium. */
export const ext = globalThis.browser ?? globalThis.chrome;

/** Reads the settings, filling in defaults. */
export async function loadSettings() {
  const stored = await ext.storage.local.get(Object.keys(DEFAULTS));
  return { ...DEFAULTS, ...stored };
}

/** Stores the given settings after trimming the URL and token. */
export async function saveSettings(values) {
  const clean = { ...values };
  if (typeof clean.serverUrl === "string") clean.serverUrl = normalizeServerUrl(clean.serverUrl);
  if (typeof clean.token === "string") clean.token = clean.token.trim();
  await ext.storage.local.set(clean);
  return clean;
}

/** "localhost:8000/" -> "http://localhost:8000": the form users type, the form fetch needs. */
export function normalizeServerUrl(value) {
  let url = value.trim();
  if (!url) return DEFAULTS.serverUrl;
  if (!/^https?:\/\//i.test(url)) url = `http://${url}`;
  return url.replace(/\/+$/, "");
}

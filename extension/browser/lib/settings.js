// User settings, kept in storage.local (never storage.sync: the API token must not leave the machine).

export const DEFAULTS = Object.freeze({
  serverUrl: "http://127.0.0.1:8000",
  token: "",
  /** The default summary options by name (type, length, ...); the server's defaults fill the rest. */
  options: {},
  outputLanguage: "",
});

/** Where the user changes these, for error hints (lib/api.js). */
const SETTINGS_PLACE = "the extension's options";

/** The extension API namespace: `browser` in Firefox, `chrome` in Chromium. */
export const ext = globalThis.browser ?? globalThis.chrome;

/** Reads the settings, filling in defaults. */
export async function loadSettings() {
  const stored = await ext.storage.local.get([...Object.keys(DEFAULTS), "type", "length"]);
  // Before the options came from the server, type and length were stored on their own.
  const legacy = Object.fromEntries(["type", "length"].filter((k) => stored[k]).map((k) => [k, stored[k]]));
  return { ...DEFAULTS, ...stored, options: { ...legacy, ...stored.options }, settingsPlace: SETTINGS_PLACE };
}

/** Stores the given settings after normalizing the URL and trimming the token. */
export async function saveSettings(values) {
  const clean = { ...values };
  if (typeof clean.serverUrl === "string") clean.serverUrl = normalizeServerUrl(clean.serverUrl);
  if (typeof clean.token === "string") clean.token = clean.token.trim();
  await ext.storage.local.set(clean);
  await ext.storage.local.remove(["type", "length"]);
  return clean;
}

/**
 * "localhost:8000/" -> "http://localhost:8000": the form users type, the form fetch needs; an
 * empty value is `fallback` (the Word pane's is the server that served it). Throws a TypeError
 * with a message for the user when no http(s) URL can be made of it.
 */
export function normalizeServerUrl(value, fallback = DEFAULTS.serverUrl) {
  let url = String(value ?? "").trim();
  if (!url) return fallback;
  if (!/^[a-z][a-z\d+.-]*:\/\//i.test(url)) url = `http://${url}`;
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`“${value}” is not a server address: write it as host:port, e.g. 127.0.0.1:8000.`);
  }
  if (!["http:", "https:"].includes(parsed.protocol) || !parsed.hostname) {
    throw new TypeError(`“${value}” is not an http(s) server address: e.g. http://127.0.0.1:8000.`);
  }
  return url.replace(/\/+$/, "");
}

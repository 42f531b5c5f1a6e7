// The panel's history: the last summaries and answers of each page, kept in the extension's own
// storage (storage.local: this machine only, like the settings), so one can be shown again
// without asking the server. An entry keeps what the panel needs to draw it: the result (text,
// citations, model, type, format) and what was asked.

/** Entries kept per page: the last twenty summaries and answers. */
export const PER_PAGE = 20;
/** Pages kept: the least recently used page's history goes first. storage.local holds 10 MB
 *  (Chrome, without unlimitedStorage); a result with its citations is a few kB, so this many
 *  full pages fit with room to spare. */
export const MAX_PAGES = 50;
const INDEX_KEY = "historyIndex";

/** The page a history belongs to: its URL without the fragment (#section is the same page). */
export function pageKey(url) {
  try {
    const parsed = new URL(url);
    parsed.hash = "";
    return `history:${parsed.href}`;
  } catch {
    return null;
  }
}

/** The entry for one finished run: the fields of `result` the panel draws, and what was asked. */
export function entryOf(result, { label = "", query = "", at = Date.now() } = {}) {
  const kept = ["summary", "citations", "model", "type", "length", "format", "method", "fallback",
    "answered", "query", "document_id"];
  return { at, label, query, result: Object.fromEntries(kept.filter((k) => k in result).map((k) => [k, result[k]])) };
}

/** The history of the page at `url`, newest first ([] for none). */
export async function loadHistory(storage, url) {
  const key = pageKey(url);
  if (!key) return [];
  return (await storage.get(key))[key] ?? [];
}

/** Adds `entry` to the history of the page at `url`; returns that history, newest first. */
export async function remember(storage, url, entry) {
  const key = pageKey(url);
  if (!key) return [];
  const stored = await storage.get([key, INDEX_KEY]);
  const entries = [entry, ...(stored[key] ?? [])].slice(0, PER_PAGE);
  const index = { ...(stored[INDEX_KEY] ?? {}), [key]: entry.at };
  const pages = Object.entries(index).sort((a, b) => b[1] - a[1]);
  const dropped = pages.slice(MAX_PAGES).map(([page]) => page);
  for (const page of dropped) delete index[page];
  await storage.set({ [key]: entries, [INDEX_KEY]: index });
  if (dropped.length) await storage.remove(dropped);
  return entries;
}

// Presets: named summary options (type, length, format, language, context and, optionally, a
// question), made on the options page and offered in the context menu. Kept in storage.local
// with the other settings.

/** Longest preset name shown in a menu; a longer one is cut there, not refused. */
export const MAX_NAME_CHARS = 40;
/** Presets offered at most: a context menu longer than this is a list nobody reads. */
export const MAX_PRESETS = 12;
const KEY = "presets";

/** The saved presets, in the order they were made. */
export async function loadPresets(storage) {
  const { [KEY]: presets } = await storage.get(KEY);
  return Array.isArray(presets) ? presets : [];
}

/** Saves a preset (replacing one of the same name); returns the list. */
export async function savePreset(storage, preset) {
  const name = String(preset.name ?? "").trim();
  if (!name) throw new TypeError("Give the preset a name.");
  const clean = { ...preset, name, id: preset.id ?? crypto.randomUUID() };
  const presets = (await loadPresets(storage)).filter((p) => p.name !== name);
  if (presets.length >= MAX_PRESETS) throw new TypeError(`At most ${MAX_PRESETS} presets: delete one first.`);
  presets.push(clean);
  await storage.set({ [KEY]: presets });
  return presets;
}

/** Deletes the preset with `id`; returns the list. */
export async function deletePreset(storage, id) {
  const presets = (await loadPresets(storage)).filter((p) => p.id !== id);
  await storage.set({ [KEY]: presets });
  return presets;
}

/**
 * The request options of `preset`, named as the API names them: its summary options, its output
 * language and context when set, and its question as `query`.
 */
export function presetOptions(preset) {
  const options = { ...(preset.options ?? {}) };
  if (preset.outputLanguage) options.output_language = preset.outputLanguage;
  if (preset.context) options.context = preset.context;
  if (preset.query) options.query = preset.query;
  return options;
}

/** "Meeting notes (TL;DR, short) — What was decided?": how a preset reads in a menu or a list. */
export function presetLabel(preset) {
  const name = preset.name.length > MAX_NAME_CHARS ? `${preset.name.slice(0, MAX_NAME_CHARS - 1)}…` : preset.name;
  return preset.query ? `${name}: “${preset.query}”` : name;
}

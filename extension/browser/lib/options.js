// The summary options a front-end offers (type, length, format, and whatever else the server
// adds, such as depth) come from the server's GET /options, so a new type or option reaches
// the extension and the Word pane without an edit here. Shared by both front-ends.
import { getOptions } from "./api.js";

/**
 * Used only when the server cannot be asked (down, wrong URL): the options every summarizer
 * version accepts, so the user can still pick and the run itself reports the real problem.
 */
export const FALLBACK_OPTIONS = Object.freeze({
  type: { default: "key-points", values: [
    { value: "key-points", label: "Key points" }, { value: "tldr", label: "TL;DR" },
    { value: "teaser", label: "Teaser" }, { value: "headline", label: "Headline" }] },
  length: { default: "short", values: [
    { value: "short", label: "Short" }, { value: "medium", label: "Medium" }, { value: "long", label: "Long" }] },
  format: { default: "markdown", values: [
    { value: "markdown", label: "Markdown" }, { value: "plain-text", label: "Plain text" }] },
});

/** How long the option lists wait for the server before the built-in list stands in. */
const OPTIONS_TIMEOUT_MS = 3_000;

/** The catalogue {name: {default, values: [{value, label, description}]}}, or the fallback. */
export async function loadCatalogue(settings) {
  try {
    const body = await getOptions(settings, AbortSignal.timeout(OPTIONS_TIMEOUT_MS));
    return { options: body.options, fallback: false };
  } catch (error) {
    console.warn("GET /options failed, using the built-in list", error);
    return { options: FALLBACK_OPTIONS, fallback: true };
  }
}

/** "output_language" -> "Output language": a label for an option the server did not name. */
export function optionLabel(name) {
  const words = name.replace(/[-_]+/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Fills `container` with one <label><select name=...> per option of the catalogue, each set to
 * `chosen[name]` when the server offers that value, else to the server's default. Returns the
 * selects by name.
 */
export function renderSelects(container, catalogue, chosen = {}) {
  const doc = container.ownerDocument;
  const selects = {};
  container.replaceChildren();
  for (const [name, spec] of Object.entries(catalogue)) {
    if (!Array.isArray(spec?.values) || spec.values.length === 0) continue;
    const label = doc.createElement("label");
    const select = doc.createElement("select");
    select.name = name;
    select.id = `option-${name}`;
    select.dataset.option = name;
    for (const { value, label: text, description } of spec.values) {
      const option = new Option(text ?? value, value);
      if (description) option.title = description;
      select.append(option);
    }
    const values = spec.values.map((v) => v.value);
    select.value = values.includes(chosen[name]) ? chosen[name] : (spec.default ?? values[0]);
    label.append(optionLabel(name), select);
    container.append(label);
    selects[name] = select;
  }
  return selects;
}

/** The values chosen in the selects `renderSelects` made, by option name. */
export function chosenOptions(container) {
  return Object.fromEntries([...container.querySelectorAll("select[data-option]")].map((s) => [s.name, s.value]));
}

// What an item's mark says: which sentence of the source it was checked against, what was
// compared, and for an item that failed, why. Both front-ends (panel, Word pane) show it through
// lib/view.js: the short `badge` under the item, the full `title` as its tooltip.

/** A source sentence is quoted up to this many characters: a tooltip, not the page. */
const QUOTE_CHARS = 160;
/** Source sentences named per item: the one or two an item is checked against (the server pairs two). */
const SHOWN_SOURCES = 2;

/**
 * What the server's check compares when the citation does not say (a server that sends
 * `checked: [...]` names its own): the item's words against the source sentence, and every
 * name and number the item states (summarizer/engine/facts.py).
 */
const DEFAULT_CHECKED = ["words", "names", "numbers"];

function wordsOf(text) {
  return (text.match(/[\p{L}\p{N}][\p{L}\p{N}'’.,%-]*/gu) ?? []).map((w) => w.replace(/[.,'’]+$/, ""));
}

/**
 * Names and numbers the item states: capitalized words where a sentence does not start (its
 * first word too when a source writes it capitalized inside a sentence: "Pombal rebuilt ..."),
 * and figures.
 */
function factsOf(text, sources) {
  const words = wordsOf(text);
  const inside = new Set(sources.flatMap((s) => wordsOf(s.quote ?? "").slice(1)));
  const names = words.filter((w, i) => /^\p{Lu}/u.test(w) && (i > 0 || inside.has(w)));
  const numbers = words.filter((w) => /\d/.test(w));
  return { names: [...new Set(names)], numbers: [...new Set(numbers)] };
}

/** "paragraph 3", "page 2", "start 00:01:02, speaker Anna": a locator as a reader names the
 * place. Paragraphs are counted from 0 by the server, from 1 by people. */
export function placeOf(locator = {}) {
  return Object.entries(locator ?? {})
    .filter(([key, value]) => key !== "heading" && (typeof value === "number" || typeof value === "string"))
    .map(([key, value]) => `${key} ${key === "paragraph" && typeof value === "number" ? value + 1 : value}`)
    .join(", ");
}

function quoted(source) {
  const quote = source.quote ?? "";
  const cut = quote.length > QUOTE_CHARS ? `${quote.slice(0, QUOTE_CHARS)}…` : quote;
  const place = placeOf(source.locator);
  return `“${cut}”${place ? ` (${place})` : ""}`;
}

/** "words, names (Pombal), numbers (1998)": names and numbers only where it states some. */
function compared(citation, sources) {
  const checked = Array.isArray(citation.checked) && citation.checked.length ? citation.checked : DEFAULT_CHECKED;
  const facts = factsOf(citation.text ?? "", sources);
  return checked.map((what) => {
    if (what === "names" || what === "numbers") return facts[what].length ? `${what} (${facts[what].join(", ")})` : null;
    return what;
  }).filter(Boolean).join(", ");
}

function scored(citation) {
  return Number.isFinite(citation.score) ? ` (score ${citation.score.toFixed(2)})` : "";
}

/**
 * Why an item failed, from its `missing` list: the facts and words its sources do not carry
 * (the server writes a word the document never uses as "word:x"), or "phrasing" when its words
 * are there but not the claim; a server that sends no list failed it on its words.
 */
function failure(citation, noun) {
  const missing = Array.isArray(citation.missing) ? citation.missing.map(String) : [];
  const absent = missing.filter((m) => m !== "phrasing").map((m) => m.replace(/^word:/, ""));
  const reasons = [];
  if (absent.length) reasons.push(`not in the ${noun}: ${absent.join(", ")}`);
  if (missing.includes("phrasing")) reasons.push(`the ${noun} does not say it this way`);
  if (!reasons.length) reasons.push(`its words do not match the ${noun}${scored(citation)}`);
  return reasons.join("; ");
}

/**
 * {badge, title} for an item of `status` (supported, extracted, replaced, unverified) with its
 * `citation`; `noun` is "page" or "document". Sources best first.
 */
export function explain(citation, status, noun, sources) {
  const shown = sources.slice(0, SHOWN_SOURCES).map(quoted);
  const against = shown.length ? `Checked against ${shown.join(" and ")}.` : `No sentence of the ${noun} matches it.`;
  if (status === "unverified") {
    const reason = failure(citation, noun);
    return {
      badge: `not verified: ${reason}`,
      title: `Not verified: ${reason}. ${against} Compared: ${compared(citation, sources)}. Check it before you rely on it.`,
    };
  }
  if (status === "replaced") {
    return {
      badge: `The model's wording could not be verified; shown: the ${noun}'s own sentence.`,
      title: `${citation.original ? `The model wrote: “${citation.original}”. ` : ""}` +
             `It did not match the ${noun}, so the ${noun}'s own sentence is shown. ${against}`,
    };
  }
  if (status === "extracted") {
    return { badge: null, title: `The ${noun}'s own sentence. ${against}` };
  }
  return { badge: null, title: `Verified${scored(citation)}. ${against} Compared: ${compared(citation, sources)}.` };
}

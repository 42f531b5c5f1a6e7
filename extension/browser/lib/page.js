// Functions injected into the page with scripting.executeScript({func}). Each is serialized on
// its own, so each must be self-contained: no imports, no references to this module's scope.
// They read and mark the page; they never call the server (the token stays in the extension).

/**
 * Captures the rendered page from the live DOM (so pages behind a login work): its HTML
 * without scripts and styles, its URL and title, its content type, and the current selection.
 */
export function capturePage() {
  const selection = String(window.getSelection?.() ?? "").trim();
  const info = { url: location.href, title: document.title, contentType: document.contentType, selection };
  if (document.contentType !== "text/html" && document.contentType !== "application/xhtml+xml") {
    return { ...info, html: "" };
  }
  // Strip what carries no text: it can be most of a page's bytes and the server discards it anyway.
  const clone = document.documentElement.cloneNode(true);
  clone.querySelectorAll("script, style, noscript, template, svg, canvas, iframe, link[rel=stylesheet]")
    .forEach((node) => node.remove());
  return { ...info, html: `<!DOCTYPE html>\n${clone.outerHTML}` };
}

/** Fetches the tab's own document (a PDF) from inside the page; returns base64 and its type. */
export async function fetchOwnDocument(maxBytes) {
  const response = await fetch(location.href, { credentials: "include" });
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > maxBytes) return { tooLarge: bytes.length };
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return { base64: btoa(binary), type: response.headers.get("Content-Type") || document.contentType };
}

/**
 * Finds `quote` in the page's text and highlights it (CSS Custom Highlight API; the page's DOM
 * is left untouched), then scrolls it into view. Text search survives markup the server never
 * saw; `hint` ({selector} or {paragraph}) narrows where to look first.
 * Returns {found, text, how}.
 */
export function highlightPassage(quote, hint) {
  const NAME = "summarizer-citation";
  const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "TEXTAREA"]);
  const BLOCKS = "p, li, h1, h2, h3, h4, h5, h6, blockquote, pre, td, dd, figcaption";
  const BLOCK_BOUNDARY = `${BLOCKS}, div, section, article, main, header, footer, aside, nav, th, dt, tr, table, ul, ol, dl, body`;
  const MIN_PROBE = 20;
  const norm = (c) => ({ "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " " }[c] ?? c).toLowerCase();

  // Flattens the text under `root` into one normalized string with a map back to (node, offset).
  const index = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => (SKIP.has(n.parentElement?.tagName) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    let text = "";
    const map = [];
    let block = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      // Text in a new block is a new word; text split by inline markup (<b>, <a>) is not.
      const nodeBlock = node.parentElement?.closest(BLOCK_BOUNDARY) ?? null;
      if (nodeBlock !== block && text && !text.endsWith(" ")) { text += " "; map.push([node, 0]); }
      block = nodeBlock;
      for (let i = 0; i < node.data.length; i += 1) {
        const c = norm(node.data[i]);
        if (/\s/.test(c)) {
          if (text && !text.endsWith(" ")) { text += " "; map.push([node, i]); }
        } else { text += c; map.push([node, i]); }
      }
    }
    return { text, map };
  };
  const clean = (s) => Array.from(String(s ?? "").replace(/\s+/g, " ").trim()).map(norm).join("");
  // The whole quote, then its sentences longest first, then its opening words.
  const probes = (q) => {
    const sentences = q.split(/(?<=[.!?;:])\s+/).filter((s) => s.length >= MIN_PROBE)
      .sort((a, b) => b.length - a.length);
    const words = q.split(" ");
    return [q, ...sentences, words.slice(0, 12).join(" "), words.slice(0, 6).join(" ")]
      .map((s) => s.replace(/^[\s"'(]+|[\s"').,;:!?]+$/g, ""))
      .filter((s, i, all) => s.length >= Math.min(MIN_PROBE, q.length) && all.indexOf(s) === i);
  };
  const find = (root, q) => {
    const { text, map } = index(root);
    for (const probe of probes(q)) {
      const at = text.indexOf(probe);
      if (at === -1) continue;
      const range = document.createRange();
      const [startNode, startOffset] = map[at];
      const [endNode, endOffset] = map[at + probe.length - 1];
      range.setStart(startNode, startOffset);
      range.setEnd(endNode, Math.min(endOffset + 1, endNode.data.length));
      return range;
    }
    return null;
  };
  const roots = [];
  if (hint?.selector) {
    try { const el = document.querySelector(hint.selector); if (el) roots.push(["selector", el]); } catch { /* bad selector */ }
  }
  roots.push(["text", document.body]);

  const quotes = [clean(quote)];
  // A UTF-8 page served without any charset is shown, and was sent, as windows-1252 ("cafÃ©");
  // the server repaired its text, so the quote is looked for as the page misreads it too.
  if (document.characterSet === "windows-1252") {
    quotes.push(clean(new TextDecoder("windows-1252").decode(new TextEncoder().encode(String(quote ?? "")))));
  }
  let range = null;
  let how = "";
  search: for (const [name, root] of roots) {
    for (const q of quotes) {
      if (q && (range = find(root, q))) { how = name; break search; }
    }
  }
  if (!range && Number.isInteger(hint?.paragraph)) {
    const block = document.querySelectorAll(BLOCKS)[hint.paragraph];
    if (block) { range = document.createRange(); range.selectNodeContents(block); how = "paragraph"; }
  }
  if (!range) return { found: false, text: "", how: "" };

  if (globalThis.CSS?.highlights && globalThis.Highlight) {
    CSS.highlights.set(NAME, new Highlight(range));
  } else {
    const selection = window.getSelection(); // older browsers: show it as a selection
    selection.removeAllRanges();
    selection.addRange(range);
  }
  const target = range.startContainer.parentElement ?? document.body;
  target.scrollIntoView({ block: "center", behavior: "smooth" });
  return { found: true, text: range.toString(), how };
}

/** The style of the highlight, inserted with scripting.insertCSS (the page's DOM stays as it is). */
export const HIGHLIGHT_CSS =
  "::highlight(summarizer-citation) { background-color: #ffd54f; color: #000; }";

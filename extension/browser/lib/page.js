// Functions injected into the page with scripting.executeScript({func}). Each is serialized on
// its own, so each must be self-contained: no imports, no references to this module's scope.
// They read and mark the page; they never call the server (the token stays in the extension).

/**
 * Captures the rendered page from the live DOM (so pages behind a login work): its HTML
 * without scripts and styles, its URL and title, its content type, and the current selection.
 * Only what a reader can see is sent: text the page hides (display:none, visibility:hidden,
 * aria-hidden, the hidden attribute, zero size, transparent or zero-size text, off-screen
 * positioning, comments) is where instructions for an AI are planted, and it is not the page.
 */
export function capturePage() {
  const selection = String(window.getSelection?.() ?? "").trim();
  const info = { url: location.href, title: document.title, contentType: document.contentType, selection };
  if (document.contentType !== "text/html" && document.contentType !== "application/xhtml+xml") {
    return { ...info, html: "" };
  }
  // Off screen: a box entirely this far outside the page (the "left: -9999px" trick).
  const OFF_SCREEN_PX = 100;
  const pageWidth = Math.max(document.documentElement.scrollWidth, innerWidth);
  const pageHeight = Math.max(document.documentElement.scrollHeight, innerHeight);
  const transparent = (color) => /^rgba\(.*,\s*0(?:\.0*)?\)$|^transparent$/.test(color);
  const unseen = (el) => {
    if (el.hidden || el.getAttribute("aria-hidden") === "true") return true;
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden" || style.visibility === "collapse") return true;
    if (Number(style.opacity) === 0 || parseFloat(style.fontSize) === 0 || transparent(style.color)) return true;
    if (parseFloat(style.textIndent) <= -OFF_SCREEN_PX * 9) return true;
    if (style.display === "contents") return false; // no box of its own
    const box = el.getBoundingClientRect();
    const left = box.left + scrollX;
    const top = box.top + scrollY;
    if (box.right + scrollX < -OFF_SCREEN_PX || box.bottom + scrollY < -OFF_SCREEN_PX ||
        left > pageWidth + OFF_SCREEN_PX || top > pageHeight + OFF_SCREEN_PX) return true;
    const clipped = style.overflow === "hidden" || /rect\(0/.test(style.clip) || /inset\(50%/.test(style.clipPath);
    return clipped && (box.width <= 1 || box.height <= 1);
  };
  const clone = document.documentElement.cloneNode(true);
  // The clone lists its elements in the live page's order, so the i-th of each is the same one.
  const live = document.body ? [...document.body.querySelectorAll("*")] : [];
  const copies = clone.querySelector("body") ? [...clone.querySelector("body").querySelectorAll("*")] : [];
  const hidden = live.length === copies.length ? copies.filter((_, i) => unseen(live[i])) : [];
  hidden.forEach((node) => node.remove());
  const comments = document.createTreeWalker(clone, NodeFilter.SHOW_COMMENT);
  const found = [];
  for (let node = comments.nextNode(); node; node = comments.nextNode()) found.push(node);
  found.forEach((node) => node.remove());
  // Strip what carries no text: it can be most of a page's bytes and the server discards it anyway.
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

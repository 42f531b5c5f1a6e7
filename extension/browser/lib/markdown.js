// A small Markdown renderer that builds DOM nodes directly, shared by the browser extension and
// the Word add-in (which also takes its Insert text from parseSummary below). The summary is untrusted text
// (a page can steer the model), so it never goes through innerHTML: every piece of text
// becomes a Text node, and the only attribute taken from it is an http(s) link target.
// That leaves nothing to sanitize, which is why no HTML sanitizer library is bundled.
// It covers what the summarizer writes: headings, bullet and numbered lists, paragraphs,
// **bold**, *italic*, `code` and [links](https://...).

const LIST_ITEM = /^\s*(?:[-*+•]|(\d+)[.)])\s+(.*)$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const INLINE = /(`+)([^`]+?)\1|\*\*([^*]+?)\*\*|__([^_]+?)__|\*([^*\s][^*]*?)\*|(?<!\w)_([^_\s][^_]*?)_(?!\w)|\[([^\]]+)\]\(([^)\s]+)\)/;

/** Renders Markdown `text` into a DocumentFragment of `doc`. */
export function renderMarkdown(text, doc = document) {
  const fragment = doc.createDocumentFragment();
  let list = null;
  let paragraph = [];
  const flush = () => {
    if (paragraph.length) fragment.append(element(doc, "p", paragraph.join(" ")));
    paragraph = [];
  };
  for (const line of text.split(/\r?\n/)) {
    const item = LIST_ITEM.exec(line);
    const heading = HEADING.exec(line);
    if (item) {
      flush();
      const tag = item[1] ? "ol" : "ul";
      if (!list || list.localName !== tag) fragment.append((list = doc.createElement(tag)));
      list.append(element(doc, "li", item[2]));
    } else if (heading) {
      flush();
      list = null;
      fragment.append(element(doc, `h${Math.min(heading[1].length + 2, 6)}`, heading[2]));
    } else if (!line.trim()) {
      flush();
      list = null;
    } else if (list && /^\s+\S/.test(line)) {
      list.lastElementChild.append(" ", ...inline(doc, line.trim())); // continuation of an item
    } else {
      list = null;
      paragraph.push(line.trim());
    }
  }
  flush();
  return fragment;
}

/** Renders plain text (format=plain-text) as paragraphs, keeping line breaks. */
export function renderPlain(text, doc = document) {
  const fragment = doc.createDocumentFragment();
  for (const block of text.split(/\n\s*\n/)) {
    if (!block.trim()) continue;
    const p = doc.createElement("p");
    p.className = "plain";
    p.textContent = block.trim();
    fragment.append(p);
  }
  return fragment;
}

function element(doc, tag, text) {
  const node = doc.createElement(tag);
  node.append(...inline(doc, text));
  return node;
}

/** Splits a line into Text nodes and the few inline elements allowed. */
function inline(doc, text) {
  const nodes = [];
  let rest = text;
  let match;
  while (rest && (match = INLINE.exec(rest)) !== null) {
    if (match.index > 0) nodes.push(doc.createTextNode(rest.slice(0, match.index)));
    nodes.push(inlineNode(doc, match));
    rest = rest.slice(match.index + match[0].length);
  }
  if (rest) nodes.push(doc.createTextNode(rest));
  return nodes;
}

function inlineNode(doc, match) {
  const [whole, , code, bold, bold2, em, em2, label, href] = match;
  if (code !== undefined) return wrap(doc, "code", doc.createTextNode(code));
  if (bold ?? bold2) return wrap(doc, "strong", ...inline(doc, bold ?? bold2));
  if (em ?? em2) return wrap(doc, "em", ...inline(doc, em ?? em2));
  if (!safeUrl(href)) return doc.createTextNode(whole);
  const link = wrap(doc, "a", ...inline(doc, label));
  link.href = href;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  return link;
}

function wrap(doc, tag, ...children) {
  const node = doc.createElement(tag);
  node.append(...children);
  return node;
}

/** Only absolute http(s) links: no javascript:, data: or extension-relative targets. */
export function safeUrl(href) {
  try {
    return ["http:", "https:"].includes(new URL(href).protocol);
  } catch {
    return false;
  }
}

const BULLET = /^\s*(?:[-*+\u2022]|\d{1,3}[.)])\s+/;

/** Inline Markdown (emphasis, code, links, heading marks) reduced to its text, for Word. */
export function plainInline(text) {
  return text
    .replace(/^\s*#{1,6}\s+/, "")
    .replace(/\[([^\]]+)\]\([^)\s]+\)/g, "$1")
    .replace(/(\*\*|__)(.+?)\1/g, "$2")
    .replace(/(^|[^*\w])[*_]([^*_\n]+)[*_](?=[^*\w]|$)/g, "$1$2")
    .replace(/`([^`]+)`/g, "$1")
    .trim();
}

/**
 * {kind: "list"|"paragraphs", items: [plain text]} from a summary and its type: what Word
 * inserts (key points as a bulleted list, other types as paragraphs).
 */
export function parseSummary(text, type) {
  const lines = text.split(/\r?\n/).map((line) => line.trimEnd());
  const bullets = lines.filter((line) => BULLET.test(line));
  if (type === "key-points" || (bullets.length && bullets.length === lines.filter(Boolean).length)) {
    const items = lines
      .filter((line) => line.trim())
      .map((line) => plainInline(line.replace(BULLET, "")))
      .filter(Boolean);
    return { kind: "list", items };
  }
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((block) => plainInline(block.replace(/\s*\n\s*/g, " ")))
    .filter(Boolean);
  return { kind: "paragraphs", items: paragraphs };
}

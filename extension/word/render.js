// Turns the model's Markdown into the shape both the pane and Word show: a list of key points or
// plain paragraphs. Text only: nothing from the server is ever parsed as HTML.

const BULLET = /^\s*(?:[-*+\u2022]|\d{1,3}[.)])\s+/;

/** Drop inline Markdown (emphasis, code, headings) that Word would show literally. */
export function plainInline(text) {
  return text
    .replace(/^\s*#{1,6}\s+/, "")
    .replace(/(\*\*|__)(.+?)\1/g, "$2")
    .replace(/(^|[^*\w])[*_]([^*_\n]+)[*_](?=[^*\w]|$)/g, "$1$2")
    .replace(/`([^`]+)`/g, "$1")
    .trim();
}

/** {kind: "list"|"paragraphs", items: [...]} from a summary and its type. */
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

/** Replace the element's content with the summary as <ul> or <p>s (textContent only). */
export function renderSummary(element, model) {
  element.replaceChildren();
  if (model.kind === "list") {
    const list = document.createElement("ul");
    for (const item of model.items) {
      const li = document.createElement("li");
      li.textContent = item;
      list.append(li);
    }
    element.append(list);
    return;
  }
  for (const item of model.items) {
    const paragraph = document.createElement("p");
    paragraph.textContent = item;
    element.append(paragraph);
  }
}

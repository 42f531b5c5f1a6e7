// Citations (issue 4): each summary item carries the passages that support it. Clicking a key
// point finds its passage in the live page by the quoted text and highlights it there.
import { HIGHLIGHT_CSS, highlightPassage } from "../lib/page.js";
import { ext } from "../lib/settings.js";

const QUOTE_PREVIEW_CHARS = 120;

/** The summary elements citations attach to: list items, else a "Sources" list added below. */
function targets(container, citations) {
  const items = [...container.querySelectorAll("li")];
  if (items.length) return citations.map((c) => items[c.item] ?? null);
  const list = container.ownerDocument.createElement("ol");
  list.className = "sources";
  const heading = container.ownerDocument.createElement("h3");
  heading.textContent = "Where this comes from";
  container.append(heading, list);
  return citations.map((c) => {
    const li = container.ownerDocument.createElement("li");
    li.textContent = c.text ?? "";
    list.append(li);
    return li;
  });
}

/** Makes each supported item clickable; `onPick(citation, element)` handles a click. */
export function attachCitations(container, citations, onPick) {
  if (!Array.isArray(citations) || citations.length === 0) return 0;
  let attached = 0;
  targets(container, citations).forEach((el, i) => {
    const citation = citations[i];
    if (!el) return;
    const sources = [...(citation.sources ?? [])].sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
    if (citation.supported === false || sources.length === 0) {
      el.classList.add("unsupported");
      el.title = "The source does not clearly support this point.";
      if (sources.length === 0) return;
    }
    const best = { ...citation, sources };
    el.classList.add("cited");
    el.tabIndex = 0;
    el.setAttribute("role", "button");
    el.title ||= `Show in the page: “${(sources[0].quote ?? "").slice(0, QUOTE_PREVIEW_CHARS)}…”`;
    el.addEventListener("click", () => onPick(best, el));
    el.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        onPick(best, el);
      }
    });
    attached += 1;
  });
  return attached;
}

/** Highlights the first of the citation's sources found in tab `tabId`; returns the result. */
export async function highlightInTab(tabId, citation) {
  await ext.scripting.insertCSS({ target: { tabId }, css: HIGHLIGHT_CSS });
  for (const source of citation.sources) {
    const [injection] = await ext.scripting.executeScript({
      target: { tabId },
      func: highlightPassage,
      args: [source.quote ?? "", source.locator ?? null],
    });
    if (injection?.result?.found) return injection.result;
  }
  return { found: false };
}

/** A PDF tab cannot be searched from outside its viewer: jump to the cited page instead. */
export async function showPdfPage(tabId, url, citation) {
  const page = citation.sources.map((s) => s.locator?.page).find(Number.isInteger);
  if (!page) return { found: false };
  await ext.tabs.update(tabId, { url: `${url.split("#")[0]}#page=${page}` });
  return { found: true, text: `page ${page}`, how: "page" };
}

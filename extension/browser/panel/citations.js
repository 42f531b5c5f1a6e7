// Citations: each summary item carries the passages that support it (lib/view.js marks the items
// and makes them clickable). Clicking one finds its passage in the live page by the quoted text
// and highlights it there.
import { HIGHLIGHT_CSS, highlightPassage } from "../lib/page.js";
import { ext } from "../lib/settings.js";

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

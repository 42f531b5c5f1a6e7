// Background: turns the toolbar button, the keyboard shortcut and the context menu into a
// "request" for the side panel, opens the panel, and cancels a running job when the panel
// closes. The panel does the work; state is handed over through storage.session.
import { cancelJob } from "./lib/api.js";
import { ext, loadSettings } from "./lib/settings.js";

const MENU_SELECTION = "summarize-selection";
const MENU_LINK = "summarize-link";
const COMMAND_PAGE = "summarize-page";

ext.runtime.onInstalled.addListener(() => {
  ext.contextMenus.create({ id: MENU_SELECTION, title: "Summarize selection", contexts: ["selection"] });
  ext.contextMenus.create({ id: MENU_LINK, title: "Summarize link", contexts: ["link"] });
});

/**
 * Hands a request to the panel and opens it. Both calls are made synchronously inside the
 * user's gesture (an await first would lose it, and the browser would refuse to open the
 * panel); the storage write is issued first, so it lands before the panel reads it.
 */
function summarize(tab, request) {
  ext.storage.session.set({
    request: { ...request, tabId: tab.id, windowId: tab.windowId, at: Date.now(), nonce: crypto.randomUUID() },
  });
  if (ext.sidePanel?.open) {
    ext.sidePanel.open({ windowId: tab.windowId }).catch((error) => console.warn("side panel", error));
  } else if (ext.sidebarAction?.open) {
    ext.sidebarAction.open().catch((error) => console.warn("sidebar", error));
  }
}

// The click grants activeTab for this tab, which the panel then uses to read the page. (Chrome's
// openPanelOnActionClick would open the panel without that grant, so the click is handled here.)
ext.action.onClicked.addListener((tab) => summarize(tab, { kind: "page" }));

ext.commands.onCommand.addListener((command, tab) => {
  if (command === COMMAND_PAGE && tab) summarize(tab, { kind: "page" });
});

ext.contextMenus.onClicked.addListener((info, tab) => {
  if (info.menuItemId === MENU_SELECTION) {
    summarize(tab, { kind: "selection", text: info.selectionText ?? "" });
  } else if (info.menuItemId === MENU_LINK && info.linkUrl) {
    summarize(tab, { kind: "link", url: info.linkUrl });
  }
});

// The panel holds a port open and reports its running job; when the port closes because the
// panel was closed, the job is cancelled on the server instead of running on for nobody.
ext.runtime.onConnect.addListener((port) => {
  if (port.name !== "panel") return;
  let jobId = null;
  port.onMessage.addListener((message) => {
    jobId = message.jobId ?? null;
  });
  port.onDisconnect.addListener(async () => {
    if (jobId) await cancelJob(await loadSettings(), jobId);
  });
});

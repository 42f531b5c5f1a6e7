// Background: turns the toolbar button, the keyboard shortcut and the context menu (with the
// user's presets) into a "request" for the side panel, opens the panel, and cancels a running
// job when the panel closes. The panel does the work; state is handed over through storage.session.
import { cancelJob } from "./lib/api.js";
import { loadPresets, presetLabel } from "./lib/presets.js";
import { ext, loadSettings } from "./lib/settings.js";

const MENU_SELECTION = "summarize-selection";
const MENU_LINK = "summarize-link";
const MENU_PRESETS = "presets";
const PRESET_PREFIX = "preset:";
const PRESET_CONTEXTS = ["page", "selection", "link"];
const COMMAND_PAGE = "summarize-page";

let menusBuilt = Promise.resolve();

/** The context menu: the two fixed entries, then "Summarize with preset" and one entry per preset. */
function buildMenus() {
  // One rebuild at a time: two overlapping ones would create the same ids twice.
  menusBuilt = menusBuilt.then(async () => {
    await ext.contextMenus.removeAll();
    ext.contextMenus.create({ id: MENU_SELECTION, title: "Summarize selection", contexts: ["selection"] });
    ext.contextMenus.create({ id: MENU_LINK, title: "Summarize link", contexts: ["link"] });
    const presets = await loadPresets(ext.storage.local);
    if (!presets.length) return;
    ext.contextMenus.create({ id: MENU_PRESETS, title: "Summarize with preset", contexts: PRESET_CONTEXTS });
    for (const preset of presets) {
      ext.contextMenus.create({ id: `${PRESET_PREFIX}${preset.id}`, parentId: MENU_PRESETS,
        title: presetLabel(preset), contexts: PRESET_CONTEXTS });
    }
  }).catch((error) => console.warn("context menu", error));
  return menusBuilt;
}

ext.runtime.onInstalled.addListener(buildMenus);
ext.runtime.onStartup?.addListener(buildMenus);
ext.storage.onChanged.addListener((changes, area) => {
  if (area === "local" && changes.presets) buildMenus();
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
  const id = String(info.menuItemId);
  if (id.startsWith(PRESET_PREFIX)) {
    // The panel reads the preset itself: loading it here first would await, and lose the gesture.
    const presetId = id.slice(PRESET_PREFIX.length);
    if (info.linkUrl) summarize(tab, { kind: "link", url: info.linkUrl, presetId });
    else if (info.selectionText) summarize(tab, { kind: "selection", text: info.selectionText, presetId });
    else summarize(tab, { kind: "page", presetId });
  } else if (info.menuItemId === MENU_SELECTION) {
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

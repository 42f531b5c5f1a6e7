// Everything the task pane asks of Word goes through this module: reading the document or the
// selection, inserting the summary, and the add-in's settings. It only uses the documented
// Office.js surface (Common API 1.1 "File"/"Selection"/"Settings" and WordApi 1.3 for lists).

/** Office's documented maximum slice size (4 MB): the largest slice means the fewest callbacks. */
export const MAX_SLICE_BYTES = 4 * 1024 * 1024;

const DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const SETTING_SERVER_URL = "serverUrl";
const SETTING_OPTIONS = "summaryOptions";
const LOCAL_SERVER_URL = "summarizer.serverUrl";
const LOCAL_TOKEN = "summarizer.token";

/** Promise wrapper for Office's (callback) -> AsyncResult style calls. */
function officeCall(start) {
  return new Promise((resolve, reject) => {
    start((result) => {
      if (result.status === Office.AsyncResultStatus.Succeeded) {
        resolve(result.value);
      } else {
        const error = result.error || {};
        reject(new Error(`Word: ${error.message || "the request failed"} (${error.code || "?"})`));
      }
    });
  });
}

/** Read one slice as bytes: Office gives a byte array (plain numbers on some platforms). */
async function readSlice(file, index) {
  const slice = await officeCall((cb) => file.getSliceAsync(index, cb));
  return slice.data instanceof Uint8Array ? slice.data : new Uint8Array(slice.data);
}

/** The whole open document as .docx bytes, read slice by slice; the file is always closed. */
export async function readDocument({ sliceSize = MAX_SLICE_BYTES, onSlice } = {}) {
  const file = await officeCall((cb) =>
    Office.context.document.getFileAsync(Office.FileType.Compressed, { sliceSize }, cb)
  );
  try {
    const parts = [];
    let total = 0;
    for (let index = 0; index < file.sliceCount; index++) {
      const bytes = await readSlice(file, index);
      parts.push(bytes);
      total += bytes.length;
      if (onSlice) onSlice(index + 1, file.sliceCount);
    }
    // A short read would upload a truncated zip that the server could only call unreadable.
    if (total !== file.size) {
      throw new Error(`Word returned ${total} of ${file.size} bytes of the document.`);
    }
    return new Blob(parts, { type: DOCX_MIME });
  } finally {
    // Office keeps at most two files open per document; a leaked one breaks the next read.
    await officeCall((cb) => file.closeAsync(cb)).catch((err) => console.warn(err));
  }
}

/** The selected text as plain text ("" when nothing is selected). */
export async function readSelection() {
  const text = await officeCall((cb) =>
    Office.context.document.getSelectedDataAsync(Office.CoercionType.Text, cb)
  );
  return typeof text === "string" ? text : "";
}

/** A file name for the upload: the document's own name when Word tells us, else a neutral one. */
export function documentFileName() {
  const url = (Office.context.document && Office.context.document.url) || "";
  const base = url.split(/[\\/]/).pop().split("?")[0];
  const stem = base.replace(/\.[^.]*$/, "");
  return `${stem || "document"}.docx`;
}

/** Insert the summary at the cursor (after its paragraph) or at the top; key points as a list. */
export async function insertSummary(model, where) {
  await Word.run(async (context) => {
    let last;
    if (where === "top") {
      last = context.document.body.insertParagraph(model.items[0], Word.InsertLocation.start);
    } else {
      const selection = context.document.getSelection();
      last = selection.insertParagraph(model.items[0], Word.InsertLocation.after);
    }
    if (model.kind === "list") {
      const list = last.startNewList();
      model.items.slice(1).forEach((item) => list.insertParagraph(item, Word.InsertLocation.end));
    } else {
      model.items.slice(1).forEach((item) => {
        last = last.insertParagraph(item, Word.InsertLocation.after);
      });
    }
    await context.sync();
  });
}

/** Whether this Word supports what Insert needs (lists: WordApi 1.3). */
export function canInsert() {
  return Boolean(
    typeof Word !== "undefined" &&
      Office.context.requirements &&
      Office.context.requirements.isSetSupported("WordApi", "1.3")
  );
}

/** localStorage keys partitioned per Office context, as Office recommends for private data. */
function localKey(name) {
  const partition = Office.context.partitionKey;
  return partition ? `${partition}${name}` : name;
}

/** localStorage that may be blocked (privacy settings): reads return null, writes are dropped. */
function local(method, ...args) {
  try {
    return window.localStorage[method](...args);
  } catch (err) {
    console.warn("localStorage unavailable", err);
    return null;
  }
}

/** Settings: server URL and options from the add-in's document settings, the token per user. */
export function loadSettings() {
  const docSettings = Office.context.document.settings;
  return {
    serverUrl:
      docSettings.get(SETTING_SERVER_URL) ||
      local("getItem", localKey(LOCAL_SERVER_URL)) ||
      window.location.origin,
    token: local("getItem", localKey(LOCAL_TOKEN)) || "",
    options: docSettings.get(SETTING_OPTIONS) || {},
  };
}

/** Remember the summary options (type, length, language) with the document. */
export async function saveOptions(options) {
  const docSettings = Office.context.document.settings;
  docSettings.set(SETTING_OPTIONS, options);
  await officeCall((cb) => docSettings.saveAsync(cb));
}

/** Save settings. The token never goes into the document: it travels with every copy of the file. */
export async function saveSettings({ serverUrl, token }) {
  const docSettings = Office.context.document.settings;
  docSettings.set(SETTING_SERVER_URL, serverUrl);
  local("setItem", localKey(LOCAL_SERVER_URL), serverUrl);
  if (token) local("setItem", localKey(LOCAL_TOKEN), token);
  else local("removeItem", localKey(LOCAL_TOKEN));
  await officeCall((cb) => docSettings.saveAsync(cb));
}

// An Office.js test double: it stands in for Word, which cannot run here (Word needs Windows, a
// Mac or Microsoft 365 on the web with an account; none is available to the tests). It is served
// in place of https://appsforoffice.microsoft.com/lib/1/hosted/office.js and implements only the
// calls the task pane makes, with their documented behaviour: asynchronous callbacks receiving an
// AsyncResult, slices of at most 4 MB, at most two files open at once, Word.run batches that take
// effect on context.sync(), and insert locations checked per object type. It records what the pane
// did (files opened/closed, slices read, paragraphs inserted, settings saved) for the tests.
//
// Configure it before it loads: window.__officeDoubleConfig = {documentUrl, selection, ...}.
(function () {
  "use strict";

  const MAX_SLICE_BYTES = 4 * 1024 * 1024; // Office's documented maximum for getFileAsync
  const MAX_OPEN_FILES = 2; // "No more than two documents are allowed to be in memory"

  const config = Object.assign(
    {
      host: "Word",
      documentUrl: null, // where the double fetches the .docx it hands out
      documentName: "https://contoso.example/Shared Documents/Quarterly report.docx",
      // When set, slices of this size regardless of the requested one: lets a small real file be
      // read in many slices. Office honours the requested size; the pane relies only on
      // sliceCount and each slice's data, never on the size it asked for.
      sliceBytes: null,
      selection: "",
      paragraphs: ["Title", "The cursor is in this paragraph.", "Last paragraph."],
      cursor: 1,
      wordApi: "1.3",
      settings: {},
      partitionKey: undefined,
    },
    window.__officeDoubleConfig || {}
  );

  const record = {
    getFileCalls: [],
    openFiles: 0,
    maxOpenFiles: 0,
    slicesRead: [],
    closeCalls: 0,
    selectionReads: 0,
    settingsSaves: 0,
    savedSettings: null,
    syncs: 0,
  };

  // ---- Common API ---------------------------------------------------------------------------

  /** Call back later, as Office does, with an AsyncResult. */
  function callBack(callback, value, error) {
    const result = error
      ? { status: "failed", value: undefined, error: { name: error[0], code: error[1], message: error[2] } }
      : { status: "succeeded", value, error: undefined };
    setTimeout(() => callback && callback(result), 0);
  }

  /** (options?, callback) as Office methods accept them. */
  function splitArgs(options, callback) {
    return typeof options === "function" ? [{}, options] : [options || {}, callback];
  }

  async function documentBytes() {
    if (!config.documentUrl) throw new Error("office double: no documentUrl configured");
    const response = await fetch(config.documentUrl);
    if (!response.ok) throw new Error(`office double: ${config.documentUrl} -> ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }

  function makeFile(bytes, sliceSize) {
    let open = true;
    const sliceCount = Math.max(1, Math.ceil(bytes.length / sliceSize));
    record.openFiles += 1;
    record.maxOpenFiles = Math.max(record.maxOpenFiles, record.openFiles);
    return {
      size: bytes.length,
      sliceCount,
      getSliceAsync(index, callback) {
        if (!open) return callBack(callback, null, ["Internal Error", 5001, "The file is closed."]);
        if (!(index >= 0 && index < sliceCount)) {
          return callBack(callback, null, ["Invalid Slice", 5010, `No slice ${index} of ${sliceCount}.`]);
        }
        record.slicesRead.push(index);
        const part = bytes.subarray(index * sliceSize, (index + 1) * sliceSize);
        // Office hands Compressed slices over as a plain array of byte values.
        callBack(callback, { index, size: part.length, data: Array.from(part) });
      },
      closeAsync(callback) {
        record.closeCalls += 1;
        if (open) {
          open = false;
          record.openFiles -= 1;
        }
        callBack(callback, undefined);
      },
    };
  }

  function getFileAsync(fileType, options, callback) {
    [options, callback] = splitArgs(options, callback);
    const requested = options.sliceSize || MAX_SLICE_BYTES;
    record.getFileCalls.push({ fileType, sliceSize: options.sliceSize });
    if (fileType !== "compressed") {
      return callBack(callback, null, ["Invalid Format", 5011, `The double only serves "compressed".`]);
    }
    if (!(requested > 0 && requested <= MAX_SLICE_BYTES)) {
      return callBack(callback, null, ["Invalid Parameter", 5007, "sliceSize must be at most 4 MB."]);
    }
    if (record.openFiles >= MAX_OPEN_FILES) {
      return callBack(callback, null, ["Internal Error", 5001, "Too many files are open (close them)."]);
    }
    documentBytes().then(
      (bytes) => callBack(callback, makeFile(bytes, config.sliceBytes || requested)),
      (err) => callBack(callback, null, ["Internal Error", 5001, String(err)])
    );
  }

  function getSelectedDataAsync(coercionType, options, callback) {
    [options, callback] = splitArgs(options, callback);
    record.selectionReads += 1;
    if (coercionType !== "text") {
      return callBack(callback, null, ["Invalid Coercion", 1000, `The double only serves "text".`]);
    }
    callBack(callback, config.selection);
  }

  const settingsStore = Object.assign({}, config.settings);
  const settings = {
    get: (name) => (name in settingsStore ? settingsStore[name] : null),
    set: (name, value) => {
      settingsStore[name] = JSON.parse(JSON.stringify(value));
    },
    remove: (name) => delete settingsStore[name],
    saveAsync(options, callback) {
      [options, callback] = splitArgs(options, callback);
      record.settingsSaves += 1;
      record.savedSettings = JSON.parse(JSON.stringify(settingsStore));
      callBack(callback, undefined);
    },
  };

  // ---- Word API: a document of paragraphs, changed only on context.sync() --------------------

  const doc = config.paragraphs.map((text) => ({ text, list: null }));
  const cursorNode = doc[Math.min(config.cursor, doc.length - 1)]; // the cursor moves with its text
  let nextListId = 1;

  /** Check a location against those the object type accepts, as Word does (InvalidArgument). */
  function checkLocation(kind, location, allowed) {
    if (!allowed.includes(location)) {
      throw new Error(`InvalidArgument: ${kind}.insertParagraph does not take "${location}"`);
    }
  }

  function insertAt(index, text, list) {
    const node = { text: String(text), list };
    doc.splice(index, 0, node);
    return node;
  }

  function makeContext() {
    const queue = [];
    const later = (op) => queue.push(op);
    const paragraphProxy = (resolve) => {
      const proxy = { node: null };
      later(() => {
        proxy.node = resolve();
      });
      proxy.insertParagraph = (text, location) =>
        paragraphProxy(() => {
          checkLocation("Paragraph", location, ["Before", "After"]);
          const at = doc.indexOf(proxy.node) + (location === "After" ? 1 : 0);
          return insertAt(at, text, null);
        });
      proxy.startNewList = () => {
        if (config.wordApi < "1.3") throw new Error("startNewList needs WordApi 1.3");
        const list = { id: null };
        later(() => {
          list.id = nextListId++;
          proxy.node.list = list.id;
        });
        list.insertParagraph = (text, location) =>
          paragraphProxy(() => {
            checkLocation("List", location, ["Start", "End", "Before", "After"]);
            const members = doc.filter((p) => p.list === list.id);
            const first = doc.indexOf(members[0]);
            const last = doc.indexOf(members[members.length - 1]);
            const inList = location === "Start" || location === "End";
            const at = location === "Start" || location === "Before" ? first : last + 1;
            return insertAt(at, text, inList ? list.id : null);
          });
        return list;
      };
      return proxy;
    };
    const context = {
      document: {
        body: {
          insertParagraph: (text, location) =>
            paragraphProxy(() => {
              checkLocation("Body", location, ["Start", "End"]);
              return insertAt(location === "Start" ? 0 : doc.length, text, null);
            }),
        },
        getSelection: () => {
          const range = { node: null };
          later(() => {
            range.node = cursorNode;
          });
          range.insertParagraph = (text, location) =>
            paragraphProxy(() => {
              checkLocation("Range", location, ["Before", "After"]);
              return insertAt(doc.indexOf(range.node) + (location === "After" ? 1 : 0), text, null);
            });
          return range;
        },
      },
      async sync() {
        record.syncs += 1;
        await new Promise((resolve) => setTimeout(resolve, 0));
        while (queue.length) queue.shift()();
      },
    };
    return context;
  }

  window.Word = {
    InsertLocation: { before: "Before", after: "After", start: "Start", end: "End", replace: "Replace" },
    async run(batch) {
      const context = makeContext();
      const value = await batch(context);
      await context.sync(); // Word.run flushes what the batch left queued
      return value;
    },
  };

  // ---- Office namespace ---------------------------------------------------------------------

  const info = { host: config.host, platform: "OfficeOnline" };
  window.Office = {
    HostType: { Word: "Word", Excel: "Excel", PowerPoint: "PowerPoint", Outlook: "Outlook" },
    PlatformType: { OfficeOnline: "OfficeOnline", PC: "PC", Mac: "Mac" },
    FileType: { Compressed: "compressed", Pdf: "pdf", Text: "text" },
    CoercionType: { Text: "text", Html: "html", Ooxml: "ooxml" },
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    context: {
      document: { url: config.documentName, settings, getFileAsync, getSelectedDataAsync },
      requirements: {
        isSetSupported: (name, version) => name === "WordApi" && String(version || "1.1") <= config.wordApi,
      },
      partitionKey: config.partitionKey,
    },
    onReady(callback) {
      return new Promise((resolve) =>
        setTimeout(() => {
          if (callback) callback(info);
          resolve(info);
        }, 0)
      );
    },
  };

  window.__officeDouble = {
    config,
    record,
    /** The document as the tests see it: [{text, list}] in order. */
    paragraphs: () => doc.map((p) => ({ text: p.text, list: p.list })),
  };
})();

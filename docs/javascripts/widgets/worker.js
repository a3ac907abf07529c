// The page's one Web Worker: loads Pyodide, NumPy and the demos package, then runs the
// widgets' Python models (demos/widgets/) so that training never freezes the page.
//
// Messages in (from runtime.js), all plain objects:
//   {type: "start", pyodideBase, demos}                 load everything (once); demos: the zip's URL
//   {type: "wasm", module}                              Pyodide's WebAssembly.Module, compiled by
//                                                       the page, or null (sent once, after start)
//   {type: "create", id, widget, kind, options, files}  make a model; files: {option: path}
//                                                       are fetched as text into options
//   {type: "call", id, widget, method, args}            call a model method
//   {type: "dispose", widget}                           forget a model
//   {type: "memory", id, trace}                         wasm heap and Python allocations
// Messages out:
//   {type: "stage", stage, message}   stage is "runtime", "numpy" or "model"
//   {type: "sizes", files}            {file name: {size, transfer}} of the runtime (its runtime.json):
//                                     bytes as stored, and as sent (gzipped where the host compresses)
//   {type: "progress", file, noun, received, done, widget?}
//                                     a download under way: bytes arrived so far (as sent, so
//                                     that they add up to the sizes above), done when complete
//   {type: "ready", versions, wasmFrom, marks}
//                                     wasmFrom: "page" or "worker", who compiled pyodide.asm.wasm;
//                                     marks: {step: time since the epoch (ms)} of the start's steps
//   {type: "failed", stage, reason}
//   {type: "result", id, value}       typed arrays inside value are transferred, not copied
//   {type: "error", id, errorType, message}
//
// Every download goes through download() below, which reports its bytes as they arrive and
// fails with the reader's words for what was being fetched ("NumPy") and why (an HTTP
// status, a dropped connection). Noticing a download that stalls is the page's job: it
// hears of every byte (runtime.js).
//
// A classic (not module) worker, so importScripts works in every browser that runs Pyodide.
"use strict";

// This file sits at <site root>/javascripts/widgets/worker.js.
const SITE_ROOT = new URL("../../", self.location.href);
const DEMOS_DIR = "/home/pyodide/nn"; // where the demos package is unpacked in Pyodide's file system
const STDLIB = "python_stdlib.zip";

let pyodide = null;
let handOver;
let wasmFrom = "worker";
const pageModule = new Promise((resolve) => (handOver = resolve));
let glue = null; // the Python functions create/call/dispose of demos.widgets, held for the worker's life
let startup = null;
const realFetch = self.fetch.bind(self);

function post(message, transfer) {
  self.postMessage(message, transfer || []);
}

// What a reader calls each file of the runtime.
function nounOf(name) {
  if (name.endsWith(".whl") || name === "pyodide-lock.json") return "NumPy";
  return "the Python runtime";
}

// Which loading stage a file belongs to.
function stageOf(name) {
  return nounOf(name) === "NumPy" ? "numpy" : "runtime";
}

class DownloadError extends Error {
  constructor(message, stage) {
    super(message);
    this.stage = stage;
  }
}

const STATUS_WORDS = { 403: "Forbidden", 404: "Not Found", 410: "Gone", 500: "Internal Server Error",
  502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout" };

// The runtime's files as runtime.json describes them: {name: {size, transfer}}, bytes as
// stored and as sent (gzipped where the host compresses them). Empty until it has arrived.
const runtimeSizes = {};

// Fetch `url` and return a Response whose body reports its bytes as they arrive (as
// "progress" messages naming `file` and `noun`), counted as sent on the wire when
// runtimeSizes knows the file, so that progress adds up to the total the reader is shown.
async function download(url, { file, noun, stage, widget }) {
  const fail = (message) => {
    const error = new DownloadError(message, stage);
    failed(error);
    return error;
  };
  let received = 0;
  let reported = 0;
  let later = null;
  const sent = () => {
    const size = runtimeSizes[file];
    return size && size.size ? Math.round((received * size.transfer) / size.size) : received;
  };
  // At most ten messages a second, the last bytes always told (a download may stop after them).
  const report = (done) => {
    clearTimeout(later);
    const wait = 100 - (performance.now() - reported);
    if (done || wait <= 0) {
      reported = performance.now();
      post({ type: "progress", file, noun, received: sent(), done, widget });
    } else {
      later = setTimeout(() => report(false), wait);
    }
  };
  report(false); // under way from now: a server that never answers counts as stalled
  let response;
  try {
    response = await realFetch(url);
  } catch (error) {
    throw fail(`the connection failed while downloading ${noun} (${error.message})`);
  }
  if (!response.ok) {
    const words = STATUS_WORDS[response.status] ? ` (${STATUS_WORDS[response.status]})` : "";
    throw fail(`the server answered ${response.status}${words} for ${noun} (${file})`);
  }
  const reader = response.body.getReader();
  const body = new ReadableStream({
    async pull(controller) {
      let chunk;
      try {
        chunk = await reader.read();
      } catch (error) {
        controller.error(fail(`the connection dropped while downloading ${noun} `
          + `(${(sent() / 1e6).toFixed(1)} MB had arrived)`));
        return;
      }
      if (chunk.done) {
        report(true);
        controller.close();
      } else {
        received += chunk.value.byteLength;
        report(false);
        controller.enqueue(chunk.value);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

// A download that goes wrong inside Pyodide's own loading (say, NumPy's wheel) surfaces there
// as a vague error, or not at all; the first real reason is kept here and reported instead.
let failed = () => {};

// When each step of the start ended, as times since the epoch (ms), sent with "ready" so
// that the page (and the benchmark) can tell where a start spends its time.
const marks = {};
const mark = (name) => (marks[name] = performance.timeOrigin + performance.now());

// The runtime's files, each downloaded once, as early as it is useful: name -> promise of
// its bytes. Pyodide then asks for them (see routeRuntimeFetches) and gets them from here.
const prefetched = new Map();

function prefetch(base, file) {
  const bytes = download(base + file, { file, noun: nounOf(file), stage: stageOf(file) })
    .then((response) => response.arrayBuffer());
  bytes.catch(() => {}); // reported through failed()
  prefetched.set(base + file, bytes);
  return bytes;
}

// Pyodide fetches its own files (the standard library, the lock file): they come from the
// downloads above (or, for one not foreseen, through download()). pyodide.asm.wasm is
// answered with the module the page
// compiled (see compileForWorker in runtime.js), so that a reader's browser reuses the
// machine code it kept from the last visit.
function routeRuntimeFetches(base) {
  const wasmURL = base + "pyodide.asm.wasm";
  const realInstantiate = WebAssembly.instantiateStreaming;
  self.fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (!url.startsWith(base)) return realFetch(input, init);
    const file = url.slice(base.length).split("?")[0];
    if (url === wasmURL && (await pageModule)) {
      return new Response(new ArrayBuffer(0), { headers: { "Content-Type": "application/wasm" } }); // never read
    }
    const bytes = await (prefetched.get(url) || prefetch(base, file));
    prefetched.delete(url); // handed over: the worker keeps no second copy
    return new Response(bytes, { headers: { "Content-Type": url.endsWith(".wasm") ? "application/wasm" : "" } });
  };
  WebAssembly.instantiateStreaming = async (source, imports) => {
    const module = await pageModule;
    if (!module) return realInstantiate(source, imports);
    wasmFrom = "page";
    return { module, instance: await WebAssembly.instantiate(module, imports) };
  };
  return () => {
    self.fetch = realFetch;
    WebAssembly.instantiateStreaming = realInstantiate;
  };
}

// runtime.json, written with the runtime by the build: {optimize, files: {name: {size, transfer}}}.
// `optimize` is the level its bytecode was compiled at, which Python must run at. A runtime
// without one (the official CDN's) is plain Pyodide.
async function runtimeInfo(base) {
  let response;
  try {
    response = await realFetch(base + "runtime.json");
  } catch (error) {
    throw new DownloadError(`the connection failed while downloading the Python runtime (${error.message})`, "runtime");
  }
  if (response.status === 404) return { optimize: 0, files: {} };
  if (!response.ok) throw new DownloadError(`the server answered ${response.status} for the Python runtime`, "runtime");
  return response.json();
}

// Run a script from its downloaded bytes (loadPyodide skips fetching pyodide.asm.js when the
// script has already run).
function runScript(bytes) {
  const url = URL.createObjectURL(new Blob([bytes], { type: "text/javascript" }));
  try {
    importScripts(url);
  } finally {
    URL.revokeObjectURL(url);
  }
}

// --- A memory snapshot: the next visit starts from Python as it stood, NumPy and our code
// imported, instead of starting it all again (see restoreWheel in wheel.js). The worker makes
// one on a first visit and keeps it in the service worker's cache for this version of the
// runtime and demos (so a new build drops it with everything else).

const SNAPSHOT = "snapshot.bin"; // its key, under the runtime's folder (no such file is served)
// Kept while a restore is under way: a start that finds it knows the last restore never ended
// (it crashed or hung), and drops the snapshot rather than trying it again.
const RESTORING = "snapshot-restoring";
const SNAPSHOT_MAGIC = 0x706e7300; // Pyodide's, first in a snapshot
const WASM_PAGE = 65536;

function snapshotCache(base, demos) {
  if (!("caches" in self)) return null;
  const folder = new URL(base).pathname.split("/").filter(Boolean).pop();
  const stem = demos.split("/").pop().replace(/\.zip$/, "");
  return /^pyodide-[0-9a-f]+$/.test(folder) ? `nn-${folder}-${stem}` : null; // none for the CDN's runtime
}

// The kept snapshot, if there is one that looks whole: {bytes, libraries}; else null (and a
// damaged one, or one whose last restore never ended, is dropped).
async function keptSnapshot(cacheName, base) {
  try {
    const cache = await caches.open(cacheName);
    const [kept, restoring] = await Promise.all([cache.match(base + SNAPSHOT), cache.match(base + RESTORING)]);
    if (!kept) return null;
    const bytes = new Uint8Array(await kept.arrayBuffer());
    const libraries = JSON.parse(kept.headers.get("X-Libraries") || "null");
    const header = bytes.length >= 48 ? new Uint32Array(bytes.buffer, 0, 2) : [0, 0];
    const whole = header[0] === SNAPSHOT_MAGIC && header[1] < bytes.length && (bytes.length - header[1]) % WASM_PAGE === 0
      && Array.isArray(libraries) && libraries.length > 0
      && libraries.every((entry) => typeof entry[0] === "string" && Number.isInteger(entry[1]) && entry[1] > 0);
    if (restoring || !whole) {
      await Promise.all([cache.delete(base + SNAPSHOT), cache.delete(base + RESTORING)]);
      return null;
    }
    return { bytes, libraries, cache };
  } catch (error) {
    return null;
  }
}

function keepSnapshot(cacheName, base, bytes, libraries) {
  const headers = { "Content-Type": "application/octet-stream", "X-Libraries": JSON.stringify(libraries) };
  return caches.open(cacheName).then((cache) => cache.put(base + SNAPSHOT, new Response(bytes, { headers })))
    .catch((error) => console.warn(`The Python runtime could not keep a snapshot for next time: ${error.message}`));
}

// Python from `snapshot`: Pyodide lays the snapshot's memory into a new instance and finishes
// starting from there; before it does, NumPy's libraries go back where the snapshot has them.
async function restorePython(options, snapshot, wheel) {
  const create = self._createPyodideModule;
  self._createPyodideModule = async (settings) => {
    const Module = await create(settings);
    const offset = new Uint32Array(snapshot.bytes.buffer, snapshot.bytes.byteOffset, 2)[1]; // Pyodide's header
    Module.HEAP8.set(snapshot.bytes.subarray(offset));
    await restoreWheel(Module, await wheel, snapshot.libraries);
    return Module;
  };
  try {
    return await self.loadPyodide({ ...options, _loadSnapshot: snapshot.bytes });
  } finally {
    self._createPyodideModule = create;
  }
}

async function start({ pyodideBase, demos }) {
  let stage = "runtime";
  const failure = new Promise((_, reject) => (failed = reject));
  failure.catch(() => {});
  const race = (promise) => Promise.race([promise, failure]);
  try {
    const base = new URL(pyodideBase || "vendor/pyodide/", SITE_ROOT).href;
    post({ type: "stage", stage, message: "downloading the Python runtime and NumPy" });
    const cacheName = snapshotCache(base, demos);
    const snapshotting = cacheName ? keptSnapshot(cacheName, base) : Promise.resolve(null);
    const installer = download(new URL("wheel.js", self.location.href).href, { file: "wheel.js",
      noun: "the Python runtime", stage: "runtime" }).then((response) => response.arrayBuffer());
    installer.catch(() => {});
    // What Python needs to start, all at once (the page fetches pyodide.asm.wasm alongside);
    // then, once the standard library is in, NumPy and our code, needed only after Python
    // has started: so the line stays busy while Python starts.
    const info = runtimeInfo(base).then((described) => {
      Object.assign(runtimeSizes, described.files);
      post({ type: "sizes", files: runtimeSizes });
      return described;
    });
    const early = Promise.all([info, ...["pyodide.js", "pyodide.asm.js", STDLIB, "pyodide-lock.json"].map(
      (file) => prefetch(base, file),
    )]);
    early.catch(() => {}); // awaited below, unless an earlier step fails first
    const { optimize } = await race(info);
    const wheelName = Object.keys(runtimeSizes).find((name) => name.endsWith(".whl"));
    if (!wheelName) throw new DownloadError("the Python runtime does not name a NumPy wheel (runtime.json)", "numpy");
    const snapshot = await snapshotting;
    const later = snapshot ? Promise.resolve() : race(prefetched.get(base + STDLIB));
    const wheel = later.then(() => race(download(base + wheelName, { file: wheelName, noun: "NumPy", stage: "numpy" })
      .then((response) => response.arrayBuffer()))).then((bytes) => verified(bytes, wheelName));
    const demosZip = later.then(() => download(new URL(demos, SITE_ROOT).href, { file: demos.split("/").pop(),
      noun: "the widgets' Python code", stage: "model" }).then((response) => response.arrayBuffer()));
    wheel.catch(() => {});
    demosZip.catch(() => {});
    for (const file of ["pyodide.js", "pyodide.asm.js"]) {
      runScript(await race(prefetched.get(base + file)));
      prefetched.delete(base + file);
    }
    runScript(await race(installer));
    mark("scripts");
    const errors = []; // Python's last few lines on stderr, to explain a failure
    const note = (text) => errors.push(text) > 20 && errors.shift();
    const options = { indexURL: base, stdout: () => {}, stderr: note, env: { PYTHONOPTIMIZE: String(optimize || 0) } };
    const restore = routeRuntimeFetches(base);
    let libraries = null; // NumPy's, when this start installs it: a snapshot can be made
    let from = "scratch";
    try {
      await race(early);
      mark("downloaded");
      if (snapshot) {
        await snapshot.cache.put(base + RESTORING, new Response(""));
        try {
          pyodide = await race(restorePython(options, snapshot, wheel));
          from = "snapshot";
          await snapshot.cache.delete(base + RESTORING);
        } catch (error) {
          if (error instanceof DownloadError) throw error;
          console.warn(`The kept snapshot of Python could not be used (${error.message}); starting afresh.`);
          await Promise.all([snapshot.cache.delete(base + SNAPSHOT), snapshot.cache.delete(base + RESTORING)]);
        }
      }
      if (!pyodide) pyodide = await race(self.loadPyodide({ ...options, _makeSnapshot: Boolean(cacheName) }));
      mark("python");
      stage = "numpy";
      post({ type: "stage", stage, message: "starting NumPy" });
      if (from === "scratch") libraries = await race(installWheel(pyodide, await race(wheel)));
    } finally {
      restore();
    }
    try {
      pyodide.runPython("import numpy");
    } catch (error) {
      throw new Error(`NumPy did not load (${errors.join(" ").slice(-300) || error.message})`);
    }
    mark("numpy");

    stage = "model";
    post({ type: "stage", stage, message: "starting the widgets' Python code" });
    writeFiles(pyodide.FS, await unzip(await race(demosZip)), DEMOS_DIR + "/");
    pyodide.runPython(`import sys
if ${JSON.stringify(DEMOS_DIR)} not in sys.path: sys.path.insert(0, ${JSON.stringify(DEMOS_DIR)})`);
    // Kept for the worker's life: the functions below are borrowed from it.
    const module = pyodide.pyimport("demos.widgets");
    glue = { create: module.create, call: module.call, dispose: module.dispose, nModels: module.n_models };
    const versions = JSON.parse(
      pyodide.runPython("import json, sys, numpy; json.dumps([sys.version.split()[0], numpy.__version__])"),
    );
    mark("demos");
    if (libraries && cacheName) {
      // Before any widget's model exists: the snapshot holds Python with NumPy and our code imported.
      try {
        module.import_all();
        keepSnapshot(cacheName, base, pyodide.makeMemorySnapshot(), libraries);
        mark("snapshot");
      } catch (error) {
        console.warn(`The Python runtime could not make a snapshot for next time: ${error.message}`);
      }
    }
    post({ type: "ready", versions: { pyodide: pyodide.version, python: versions[0], numpy: versions[1] }, wasmFrom,
      marks, from });
  } catch (error) {
    post({ type: "failed", stage: error.stage || stage, reason: error.message || String(error) });
  } finally {
    failed = () => {};
  }
}

// `bytes` once they match the sha256 runtime.json gives for the file `name` (Pyodide's own
// check of a package against its lock file is skipped with its package loader).
async function verified(bytes, name) {
  const expected = runtimeSizes[name]?.sha256;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const actual = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  if (expected && actual !== expected) {
    const error = new DownloadError(`${nounOf(name)} (${name}) is not the file this site published: it was changed on `
      + "the way, so it is not used", stageOf(name));
    failed(error);
    throw error;
  }
  return bytes;
}

// --- Crossing the JavaScript/Python boundary (see demos/widgets/__init__.py).

// Arguments: typed arrays become {"__array__": i, dtype, shape} and travel as raw bytes.
const DTYPE_OF = { Float32Array: "float32", Float64Array: "float64", Int32Array: "int32", Uint8Array: "uint8" };

function packArgs(value, buffers) {
  if (ArrayBuffer.isView(value)) {
    const dtype = DTYPE_OF[value.constructor.name];
    if (!dtype) throw new Error(`cannot send a ${value.constructor.name} to Python`);
    buffers.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    return { __array__: buffers.length - 1, dtype, shape: [value.length] };
  }
  if (Array.isArray(value)) return value.map((v) => packArgs(v, buffers));
  if (value && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = packArgs(v, buffers);
    return out;
  }
  return value;
}

// Answers: copy each array out of the wasm heap once, into a typed array the page then owns.
function unpackAnswer(packed, transfer) {
  let text;
  const arrays = [];
  try {
    text = packed.get(0);
    const list = packed.get(1);
    try {
      for (let i = 0; i < list.length; i++) {
        const item = list.get(i);
        try {
          const buffer = item.getBuffer();
          try {
            arrays.push(buffer.data.slice());
          } finally {
            buffer.release();
          }
        } finally {
          item.destroy();
        }
      }
    } finally {
      list.destroy();
    }
  } finally {
    packed.destroy();
  }
  for (const array of arrays) transfer.push(array.buffer);
  return JSON.parse(text, (key, value) =>
    value && typeof value === "object" && "__array__" in value ? arrays[value.__array__] : value,
  );
}

function answer(id, run) {
  try {
    const transfer = [];
    const value = unpackAnswer(run(), transfer);
    if (value && value.__error__) {
      post({ type: "error", id, errorType: value.__error__.type, message: value.__error__.message });
    } else {
      post({ type: "result", id, value }, transfer);
    }
  } catch (error) {
    post({ type: "error", id, errorType: error.type || error.name, message: error.message });
  }
}

async function create({ id, widget, kind, options, files }) {
  const all = { ...(options || {}) };
  try {
    for (const [name, path] of Object.entries(files || {})) {
      const response = await download(new URL(path, SITE_ROOT), { file: path.split("/").pop(),
        noun: "this widget's trained network", stage: "model", widget });
      all[name] = await response.text();
    }
  } catch (error) {
    post({ type: "error", id, errorType: "DownloadError", message: error.message });
    return;
  }
  answer(id, () => glue.create(widget, kind, JSON.stringify(all)));
}

function call({ id, widget, method, args }) {
  const buffers = [];
  const text = JSON.stringify(packArgs(args || {}, buffers));
  answer(id, () => glue.call(widget, method, text, buffers));
}

function memory({ id, trace }) {
  // The wasm heap only grows, so a leak shows as growth here; tracemalloc counts what
  // Python itself still holds (started on the first request, as it slows every allocation),
  // once the cycles nothing holds any more are collected.
  const python = pyodide.runPython(
    `import gc, json, tracemalloc
if ${trace ? "True" : "False"} and not tracemalloc.is_tracing():
    tracemalloc.start()
gc.collect()
json.dumps(tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else None)`,
  );
  const value = { heap: pyodide._module.HEAP8.length, python: JSON.parse(python), models: glue.nModels() };
  post({ type: "result", id, value });
}

async function handle(message) {
  if (message.type === "start") {
    startup = startup || start(message);
    return;
  }
  if (message.type === "wasm") {
    handOver(message.module);
    return;
  }
  if (!glue) {
    if (message.id !== undefined) {
      post({ type: "error", id: message.id, errorType: "NotReady", message: "Python is not loaded yet" });
    }
    return;
  }
  if (message.type === "create") await create(message);
  else if (message.type === "call") call(message);
  else if (message.type === "dispose") glue.dispose(message.widget);
  else if (message.type === "memory") memory(message);
}

// One message at a time, in the order sent: a model is never disposed before it is made.
let queue = Promise.resolve();
self.onmessage = (event) => {
  queue = queue.then(() => handle(event.data));
};

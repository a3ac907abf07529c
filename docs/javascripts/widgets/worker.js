// The page's one Web Worker: loads Pyodide, NumPy and the demos package, then runs the
// widgets' Python models (demos/widgets/) so that training never freezes the page.
//
// Messages in (from runtime.js), all plain objects:
//   {type: "start", pyodideBase}                        load everything (once)
//   {type: "wasm", module}                              Pyodide's WebAssembly.Module, compiled by
//                                                       the page, or null (sent once, after start)
//   {type: "create", id, widget, kind, options, files}  make a model; files: {option: path}
//                                                       are fetched as text into options
//   {type: "call", id, widget, method, args}            call a model method
//   {type: "dispose", widget}                           forget a model
//   {type: "memory", id, trace}                         wasm heap and Python allocations
// Messages out:
//   {type: "stage", stage, message}   stage is "runtime", "numpy" or "model"
//   {type: "ready", versions, wasmFrom}  wasmFrom: "page" or "worker", who compiled pyodide.asm.wasm
//   {type: "failed", stage, reason}
//   {type: "result", id, value}       typed arrays inside value are transferred, not copied
//   {type: "error", id, errorType, message}
//
// A classic (not module) worker, so importScripts works in every browser that runs Pyodide.
"use strict";

// This file sits at <site root>/javascripts/widgets/worker.js.
const SITE_ROOT = new URL("../../", self.location.href);
const DEMOS_DIR = "/home/pyodide/nn"; // where the demos package is unpacked in Pyodide's file system

let pyodide = null;
let handOver;
let wasmFrom = "worker";
const pageModule = new Promise((resolve) => (handOver = resolve));
let glue = null; // the Python functions create/call/dispose of demos.widgets, held for the worker's life
let startup = null;

function post(message, transfer) {
  self.postMessage(message, transfer || []);
}

async function fetchOk(url, what, cache = "no-cache") {
  let response;
  try {
    response = await fetch(url, { cache });
  } catch (error) {
    throw new Error(`could not download ${what} (${error.message})`);
  }
  if (!response.ok) throw new Error(`could not download ${what}: the server answered ${response.status}`);
  return response;
}

// Pyodide does not report a failed download of its own files (a missing .wasm just never
// finishes loading), so watch its requests and fail at once with the file's name. While
// all goes well, say which large file is on its way (on a slow line that takes a while).
function watchDownloads(base) {
  const realFetch = self.fetch;
  let fail;
  const failed = new Promise((_, reject) => (fail = reject));
  const complain = (url, why) => {
    const name = url.slice(base.length).split("?")[0];
    const error = new Error(`could not download ${name} (${why})`);
    error.stage = name.endsWith(".whl") ? "numpy" : "runtime";
    fail(error);
  };
  self.fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    const ours = url.startsWith(base);
    let response;
    try {
      response = await realFetch(input, init);
    } catch (error) {
      if (ours) complain(url, error.message);
      throw error;
    }
    if (ours && !response.ok) complain(url, `the server answered ${response.status}`);
    const size = Number(response.headers.get("Content-Length"));
    if (ours && response.ok && size > 1e6) {
      const name = url.slice(base.length).split("?")[0];
      post({ type: "stage", stage: "runtime", message: `downloading ${name} (${(size / 1e6).toFixed(1)} MB)` });
    }
    return response;
  };
  return { failed, stop: () => (self.fetch = realFetch) };
}

// Pyodide fetches and instantiates pyodide.asm.wasm itself; while it loads, both steps are
// answered with the module the page compiled (see compileForWorker in runtime.js), so that a
// reader's browser reuses the machine code it kept from the last visit.
function useModuleFromPage(base) {
  const wasmURL = base + "pyodide.asm.wasm";
  const realFetch = self.fetch;
  const realInstantiate = WebAssembly.instantiateStreaming;
  self.fetch = async (input, init) => {
    if (String(input instanceof Request ? input.url : input) === wasmURL && (await pageModule)) {
      return new Response(new ArrayBuffer(0), { headers: { "Content-Type": "application/wasm" } }); // never read
    }
    return realFetch(input, init);
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

// The demos package: py/bundle.json names the zip, whose name carries a hash of its content
// (so the HTTP cache may keep it as it is). Returns the zip's bytes.
async function fetchDemos() {
  const bundle = await (await fetchOk(new URL("py/bundle.json", SITE_ROOT), "py/bundle.json")).json();
  if (typeof bundle.demos !== "string" || !/^[\w.-]+\.zip$/.test(bundle.demos)) {
    throw new Error("py/bundle.json does not name the demos zip");
  }
  return (await fetchOk(new URL("py/" + bundle.demos, SITE_ROOT), bundle.demos, "default")).arrayBuffer();
}

async function start(pyodideBase) {
  let stage = "runtime";
  // Downloads while Python starts; a failure is reported at the "model" stage, where it is awaited.
  const demos = fetchDemos();
  demos.catch(() => {});
  try {
    const base = new URL(pyodideBase || "vendor/pyodide/", SITE_ROOT).href;
    post({ type: "stage", stage, message: "downloading the Python runtime and NumPy" });
    try {
      importScripts(base + "pyodide.js");
    } catch (error) {
      throw new Error(`could not load the Python runtime from ${base} (${error.message})`);
    }
    const errors = []; // Python's last few lines on stderr, to explain a failure
    const note = (text) => errors.push(text) > 20 && errors.shift();
    const restore = useModuleFromPage(base);
    const downloads = watchDownloads(base);
    try {
      // NumPy is named up front so its download runs alongside the runtime's.
      pyodide = await Promise.race([
        self.loadPyodide({
          indexURL: base,
          packages: ["numpy"],
          stdout: () => {},
          stderr: note,
        }),
        downloads.failed,
      ]);
    } catch (error) {
      stage = error.stage || stage;
      throw error;
    } finally {
      downloads.stop();
      restore();
    }

    stage = "numpy";
    post({ type: "stage", stage, message: "starting NumPy" });
    if (!pyodide.loadedPackages.numpy) {
      // Downloaded but not installed by the up-front load: try once more, saying what happens.
      await pyodide.loadPackage("numpy", {
        messageCallback: (text) => post({ type: "stage", stage, message: text }),
        errorCallback: note,
      });
    }
    try {
      pyodide.runPython("import numpy");
    } catch (error) {
      throw new Error(`NumPy did not load (${errors.join(" ").slice(-300) || error.message})`);
    }

    stage = "model";
    post({ type: "stage", stage, message: "downloading the network code" });
    const zip = await demos;
    pyodide.unpackArchive(zip, "zip", { extractDir: DEMOS_DIR });
    pyodide.runPython(`import sys; sys.path.insert(0, ${JSON.stringify(DEMOS_DIR)})`);
    // Kept for the worker's life: the functions below are borrowed from it.
    const module = pyodide.pyimport("demos.widgets");
    glue = { create: module.create, call: module.call, dispose: module.dispose, nModels: module.n_models };
    const versions = JSON.parse(
      pyodide.runPython("import json, sys, numpy; json.dumps([sys.version.split()[0], numpy.__version__])"),
    );
    post({ type: "ready", versions: { pyodide: pyodide.version, python: versions[0], numpy: versions[1] }, wasmFrom });
  } catch (error) {
    post({ type: "failed", stage, reason: error.message || String(error) });
  }
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
      all[name] = await (await fetchOk(new URL(path, SITE_ROOT), path)).text();
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
  // Python itself still holds (started on the first request, as it slows every allocation).
  const python = pyodide.runPython(
    `import json, tracemalloc
if ${trace ? "True" : "False"} and not tracemalloc.is_tracing():
    tracemalloc.start()
json.dumps(tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else None)`,
  );
  const value = { heap: pyodide._module.HEAP8.length, python: JSON.parse(python), models: glue.nModels() };
  post({ type: "result", id, value });
}

async function handle(message) {
  if (message.type === "start") {
    startup = startup || start(message.pyodideBase);
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

// The page side of the live widgets.
//
// Every `.nn-widget` placeholder (rendered by scripts/blocks.py) already shows a
// pre-rendered figure. This module brings each one to life when it nears the viewport or
// is touched: it starts the page's one Web Worker (worker.js: Pyodide, NumPy and the
// demos package), asks it to create the widget's Python model, and mounts the widget's
// own module (neuron.js, playground.js, ...) which draws and handles the controls.
//
// The root's data-state tells where it stands:
//   idle      the figure is shown, nothing started yet
//   loading   the runtime is loading; the status line names the stage
//   ready     the live widget replaces the figure
//   fallback  the runtime could not start (or took too long): the figure stays, with why
//   error     the live widget failed; it says so in words and offers to try again
//
// With Material's instant navigation the page is never reloaded: widgets are mounted from
// `document$` and unmounted when their page is left, while the worker lives on for the next page.
//
// A widget NAME is two small modules: demos/widgets/NAME.py (its Python model, registered in
// demos/widgets/__init__.py) and NAME.js here, which exports
//   async mount(container, api) -> {unmount()}
// mount first makes the model, `await api.create(options, files)`, then builds its controls
// in `container` and calls `api.call(method, args)` as the reader acts; see api() below.
// The view mount returns may also carry `status`: a first sentence for the status line.

const DEFAULTS = {
  // How close to the viewport (px, above or below) a widget must come before its runtime starts.
  margin: 600,
  // Time limits per loading stage (ms). Past one, the widget falls back to its figure.
  limits: { runtime: 120000, numpy: 60000, model: 60000 },
  // A single call into Python (one frame of training) that takes longer than this is stuck.
  callLimit: 30000,
};
// Tests may change the settings through globalThis.NN_WIDGET_CONFIG, read at each use.
function setting(name, key) {
  const given = globalThis.NN_WIDGET_CONFIG?.[name];
  const value = key ? given?.[key] : given;
  return value ?? (key ? DEFAULTS[name][key] : DEFAULTS[name]);
}
const STAGES = {
  runtime: "Loading the Python runtime",
  numpy: "Loading NumPy",
  model: "Loading the network",
};
const STAGE_NOUNS = { runtime: "the Python runtime", numpy: "NumPy", model: "the network" };
const FALLBACK_NOTE = "The figure shows what it would do.";

// --- The worker: one per page, started by the first widget that needs it.

class Python {
  constructor() {
    this.worker = null;
    this.ready = null; // a promise, resolved with the versions once everything has loaded
    this.stage = null; // "runtime", "numpy", "model" while loading, then "ready"
    this.listeners = new Set(); // called with (stage, message) while loading
    this.pending = new Map(); // request id -> {resolve, reject, timer}
    this.nextId = 1;
    this.stageTimer = null;
  }

  start(pyodideBase) {
    if (this.ready) return this.ready;
    this.ready = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // A rejected start that nobody awaits yet must not be reported as unhandled.
    this.ready.catch(() => {});
    try {
      this.worker = new Worker(new URL("./worker.js", import.meta.url));
    } catch (error) {
      this.fail("runtime", `this browser cannot start a worker (${error.message})`);
      return this.ready;
    }
    this.worker.onmessage = (event) => this.receive(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.fail(this.stage || "runtime", event.message || "the worker stopped");
    };
    this.enterStage("runtime", "starting");
    this.worker.postMessage({ type: "start", pyodideBase });
    this.compileForWorker(pyodideBase);
    return this.ready;
  }

  // Browsers keep a compiled WebAssembly module's machine code for the next visit only when
  // a page compiled it from the network, not a worker. So the page compiles Pyodide's 10 MB
  // module and hands it over (a module can be posted to a worker); the worker fetches and
  // compiles it itself when the page sends null instead.
  compileForWorker(pyodideBase) {
    const worker = this.worker;
    const send = (module) => worker.postMessage({ type: "wasm", module });
    if (typeof WebAssembly.compileStreaming !== "function") {
      send(null);
      return;
    }
    WebAssembly.compileStreaming(fetch(new URL("pyodide.asm.wasm", pyodideBase)))
      .then(send, () => send(null))
      .catch(() => send(null)); // a browser that cannot post a module
  }

  enterStage(stage, message) {
    if (stage !== this.stage) {
      this.stage = stage;
      clearTimeout(this.stageTimer);
      const limit = setting("limits", stage);
      this.stageTimer = setTimeout(
        () => this.fail(stage, `loading ${STAGE_NOUNS[stage]} took longer than ${Math.round(limit / 1000)} s`),
        limit,
      );
    }
    for (const listener of this.listeners) listener(stage, message);
  }

  receive(message) {
    if (message.type === "stage") {
      this.enterStage(message.stage, message.message);
    } else if (message.type === "ready") {
      clearTimeout(this.stageTimer);
      this.stage = "ready";
      this.versions = message.versions;
      this.wasmFrom = message.wasmFrom;
      this.settle.resolve(message.versions);
    } else if (message.type === "failed") {
      this.fail(message.stage, message.reason);
    } else if (message.type === "result" || message.type === "error") {
      const request = this.pending.get(message.id);
      if (!request) return;
      this.pending.delete(message.id);
      clearTimeout(request.timer);
      if (message.type === "result") {
        request.resolve(message.value);
      } else {
        const error = new Error(message.message);
        error.type = message.errorType;
        request.reject(error);
      }
    }
  }

  // Ends the worker for good: loading failed, or Python got stuck in a computation
  // (stopping running Python needs SharedArrayBuffer, which a static host cannot enable).
  fail(stage, reason) {
    clearTimeout(this.stageTimer);
    if (this.worker) this.worker.terminate();
    this.worker = null;
    const failure = { stage, reason };
    this.settle.reject(failure); // no effect once loading succeeded
    for (const request of this.pending.values()) {
      clearTimeout(request.timer);
      const error = new Error(reason);
      error.type = "WorkerLost";
      request.reject(error);
    }
    this.pending.clear();
    for (const host of hosts) host.workerLost(failure);
  }

  // After a failure, the next start() begins again with a fresh worker.
  reset() {
    if (this.worker) return;
    this.ready = null;
    this.stage = null;
  }

  request(message, limit) {
    if (!this.worker || this.stage !== "ready") {
      const error = new Error("the Python runtime is not running");
      error.type = "WorkerLost";
      return Promise.reject(error);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail("ready", `a computation took longer than ${Math.round(limit / 1000)} s and was stopped`),
        limit,
      );
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ ...message, id });
    });
  }

  dispose(key) {
    if (this.worker && this.stage === "ready") this.worker.postMessage({ type: "dispose", widget: key });
  }
}

const python = new Python();

// --- One host per widget placeholder.

const hosts = new Set();
const hosted = new WeakMap(); // root element -> host
let counter = 0;

function pyodideBase(root) {
  // The page says where Pyodide lives (self-hosted or a CDN); the default is this site's copy.
  const given =
    root.dataset.pyodide || document.querySelector('meta[name="nn-pyodide-base"]')?.content || "";
  if (given && !given.includes("@@")) return new URL(given, document.baseURI).href;
  return new URL("../../vendor/pyodide/", import.meta.url).href;
}

class Host {
  constructor(root) {
    this.root = root;
    this.kind = root.dataset.widget;
    this.key = `${this.kind}-${++counter}`;
    this.statusLine = root.querySelector(".nn-widget-status");
    if (!this.statusLine) {
      this.statusLine = document.createElement("p");
      this.statusLine.className = "nn-widget-status";
      this.statusLine.setAttribute("role", "status");
      root.append(this.statusLine);
    }
    this.retry = document.createElement("button");
    this.retry.type = "button";
    this.retry.className = "nn-widget-retry";
    this.retry.textContent = "Try the live version again";
    this.retry.hidden = true;
    this.retry.addEventListener("click", () => this.again());
    this.statusLine.after(this.retry);
    this.live = null;
    this.view = null;
    this.run = 0; // bumped by every (re)start and unmount, so late answers of an old run are ignored
    this.onStage = (stage, message) => this.setStatus(`${STAGES[stage]}: ${message}…`);
    this.watch();
  }

  get state() {
    return this.root.dataset.state;
  }

  setState(state, text) {
    this.root.dataset.state = state;
    this.retry.hidden = !(state === "fallback" || state === "error");
    if (text !== undefined) this.setStatus(text);
  }

  setStatus(text) {
    this.statusLine.textContent = text;
  }

  // Start when the widget nears the viewport, or at once when the reader touches or focuses it.
  watch() {
    this.wake = () => this.activate();
    const margin = setting("margin");
    const box = this.root.getBoundingClientRect();
    if (!("IntersectionObserver" in window) || (box.bottom > -margin && box.top < innerHeight + margin)) {
      // Near already: no need to wait for the observer's first report, a frame or more later.
      queueMicrotask(this.wake);
    } else {
      this.observer = new IntersectionObserver(
        (entries) => entries.some((entry) => entry.isIntersecting) && this.activate(),
        { rootMargin: `${margin}px 0px` },
      );
      this.observer.observe(this.root);
    }
    for (const type of ["pointerdown", "focusin"]) this.root.addEventListener(type, this.wake);
  }

  unwatch() {
    this.observer?.disconnect();
    this.observer = null;
    for (const type of ["pointerdown", "focusin"]) this.root.removeEventListener(type, this.wake);
  }

  async activate() {
    if (this.state === "loading" || this.state === "ready") return;
    this.unwatch();
    const run = ++this.run;
    let options;
    try {
      options = JSON.parse(this.root.dataset.options || "{}");
    } catch (error) {
      this.setState("error", `This widget's options are not valid JSON (${error.message}).`);
      return;
    }
    this.setState("loading", `${STAGES[python.stage === "ready" ? "model" : python.stage] || STAGES.runtime}…`);
    python.listeners.add(this.onStage);
    let module;
    try {
      [module] = await Promise.all([
        import(`./${encodeURIComponent(this.kind)}.js`).catch((error) => {
          console.error(error); // for the author: a missing module, or one that does not parse
          throw { reason: `there is no live version of the "${this.kind}" widget` };
        }),
        python.start(pyodideBase(this.root)),
      ]);
    } catch (failure) {
      if (run === this.run) this.fallBack(failure);
      return;
    } finally {
      python.listeners.delete(this.onStage);
    }
    if (run !== this.run) return;
    this.setStatus(`${STAGES.model}…`);
    this.live = document.createElement("div");
    this.live.className = "nn-widget-live";
    this.live.hidden = true;
    this.statusLine.before(this.live);
    const api = this.api(run, options);
    try {
      this.view = await module.mount(this.live, api);
    } catch (error) {
      if (run !== this.run) return python.dispose(this.key); // unmounted meanwhile
      this.teardown();
      // A model that could not be made (weights missing, say) leaves the figure in charge.
      if (error.creating) this.fallBack({ reason: error.message });
      else this.fail(error);
      return;
    }
    if (run !== this.run) {
      // Unmounted while the model was being made: undo both halves.
      this.view?.unmount?.();
      python.dispose(this.key);
      return;
    }
    this.live.hidden = false;
    this.setState("ready", this.view?.status || "");
  }

  // What a widget module may use; see neuron.js for a small example.
  api(run, options) {
    const host = this;
    const alive = () => run === host.run;
    return {
      kind: this.kind,
      options,
      root: this.root,
      // Make the Python model. files: {option name: path from the site root}, fetched as text.
      async create(pythonOptions, files) {
        try {
          return await python.request(
            { type: "create", widget: host.key, kind: host.kind, options: pythonOptions, files },
            setting("limits", "model"),
          );
        } catch (error) {
          error.creating = true;
          throw error;
        }
      },
      // Call a method of the model; rejects with an Error whose .type is the Python exception's name.
      call(method, args) {
        if (!alive()) return Promise.reject(Object.assign(new Error("unmounted"), { type: "Unmounted" }));
        return python.request({ type: "call", widget: host.key, method, args }, setting("callLimit"));
      },
      alive,
      status(text) {
        if (alive()) host.setStatus(text);
      },
      fail(error) {
        if (alive() && error.type !== "WorkerLost" && error.type !== "Unmounted") host.fail(error);
      },
    };
  }

  fallBack(failure) {
    this.setState("fallback", `The live version could not start: ${failure.reason}. ${FALLBACK_NOTE}`);
  }

  fail(error) {
    this.teardown();
    this.setState("error", `The live widget stopped: ${error.message}. ${FALLBACK_NOTE}`);
  }

  workerLost(failure) {
    if (this.state === "ready") {
      this.teardown();
      this.setState("error", `The live widget stopped: ${failure.reason}. ${FALLBACK_NOTE}`);
    }
  }

  again() {
    python.reset();
    this.setState("idle", "");
    this.activate();
  }

  // Remove the live part and its Python model; the figure shows again.
  teardown() {
    this.run++;
    try {
      this.view?.unmount?.();
    } finally {
      this.view = null;
      this.live?.remove();
      this.live = null;
      python.dispose(this.key);
    }
  }

  unmount() {
    this.unwatch();
    python.listeners.delete(this.onStage);
    this.teardown();
    this.retry.remove();
  }
}

// --- Mounting on every page, including pages reached by instant navigation.

function scan() {
  for (const host of hosts) {
    if (!host.root.isConnected) {
      host.unmount();
      hosts.delete(host);
    }
  }
  for (const root of document.querySelectorAll(".nn-widget[data-widget]")) {
    if (!hosted.has(root)) {
      const host = new Host(root);
      hosted.set(root, host);
      hosts.add(host);
    }
  }
}

// Guard against a second copy of this module (say, under another URL) starting a second worker.
if (!globalThis.nnWidgets) {
  globalThis.nnWidgets = {
    python,
    hosts,
    scan,
    // Worker memory, for tests: {heap, python, models}; trace=true starts Python's tracemalloc.
    memory: (trace = false) => python.request({ type: "memory", trace }, setting("callLimit")),
  };
  // A module runs once the page is parsed: scan now, and again for each page that Material's
  // instant navigation shows (document$ also repeats the first page, which scan ignores).
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
  globalThis.document$?.subscribe?.(scan);
}

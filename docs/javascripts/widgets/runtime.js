// The page side of the live widgets.
//
// Every `.nn-widget` placeholder (rendered by scripts/site/blocks.py) already shows a
// pre-rendered figure. On a page with widgets this module starts the page's one Web Worker
// (worker.js: Pyodide, NumPy and the demos package) once the page has loaded and the browser
// is idle (see startWhenIdle), and brings each widget to life when it nears the viewport or is
// touched or focused: it asks the worker to create the widget's Python model, and mounts the
// widget's own module (neuron.js, playground.js, ...) which draws and handles the controls.
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
// A widget NAME is two small modules: demos/widgets/NAME.py (its Python model and the
// declaration of its options and data files, listed in demos/widgets/__init__.py) and NAME.js
// here, which exports
//   async mount(container, api) -> {unmount()}
// Before mount, the runtime makes the model from the block's options (data-options) and the
// data files its declaration names (data-files); api.model is then the model's description:
// what its describe() answers, and `spec`, the options' allowed values (menus, limits). mount
// builds the controls in `container` and calls `api.call(method, args)` as the reader acts;
// see api() below. The view mount returns may also carry `status`: a first sentence for the
// status line.

const DEFAULTS = {
  // How close to the viewport (px, above or below) a widget must come before its model is made.
  margin: 600,
  // A download that receives nothing for this long (ms) has stalled: the widget falls back.
  stall: 15000,
  // While loading, the runtime may work without a word (compiling, starting Python) this long (ms).
  quiet: 45000,
  // A single call into Python (one frame of training) that takes longer than this is stuck.
  callLimit: 30000,
  // Making a widget's model (its data downloaded, its network built) may take this long (ms).
  createLimit: 60000,
  // Start loading the runtime as soon as a page with widgets is idle (false: only when a widget asks).
  early: true,
};
// Tests may change the settings through globalThis.NN_WIDGET_CONFIG, read at each use.
function setting(name) {
  return globalThis.NN_WIDGET_CONFIG?.[name] ?? DEFAULTS[name];
}
const STAGES = {
  runtime: "Loading the Python runtime",
  numpy: "Loading NumPy",
  model: "Loading this widget's network",
};
const FALLBACK_NOTE = "The figure shows what it would do.";
const FOCUSABLE = "button:not([disabled]), input:not([disabled]), select:not([disabled]), [tabindex='0']";

function megabytes(bytes) {
  return (bytes / 1e6).toFixed(1);
}

// A list of words as a reader says it: "a", "a and b", "a, b and c".
function spoken(words) {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

// --- The worker: one per page, started by the first widget that needs it.

class Python {
  constructor() {
    this.worker = null;
    this.ready = null; // a promise, resolved with the versions once everything has loaded
    this.stage = null; // "runtime", "numpy", "model" while loading, then "ready"
    this.listeners = new Set(); // called with (stage, message) while loading
    this.pending = new Map(); // request id -> {resolve, reject, timer}
    this.nextId = 1;
    this.watchdog = null;
  }

  start(pyodideBase, demos) {
    if (this.ready) return this.ready;
    this.ready = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // A rejected start that nobody awaits yet must not be reported as unhandled.
    this.ready.catch(() => {});
    // When each step of the start ended (ms since the epoch): here "start" and "wasm" (compiled),
    // the worker's own on "ready" (see worker.js), for the benchmark's profile of a start.
    this.marks = { start: performance.timeOrigin + performance.now() };
    this.downloads = new Map(); // file -> {noun, received, done, last, widget}
    this.sizes = {}; // runtime file -> bytes on the wire, once the worker has read runtime.json
    this.heard = performance.now();
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
    this.base = pyodideBase;
    this.demos = demos;
    this.worker.postMessage({ type: "start", pyodideBase, demos });
    this.compileForWorker(pyodideBase);
    this.watchdog = setInterval(() => this.checkProgress(), 1000);
    return this.ready;
  }

  // Browsers keep a compiled WebAssembly module's machine code for the next visit only when
  // a page compiled it from the network, not a worker. So the page compiles Pyodide's 10 MB
  // module and hands it over (a module can be posted to a worker); the worker fetches and
  // compiles it itself when the page sends null instead. The page counts the module's bytes
  // on a copy of the response, as the compiler must be given the original.
  compileForWorker(pyodideBase) {
    const worker = this.worker;
    const send = (module) => worker === this.worker && worker.postMessage({ type: "wasm", module });
    if (typeof WebAssembly.compileStreaming !== "function") {
      send(null);
      return;
    }
    const file = "pyodide.asm.wasm";
    const noun = "the Python runtime";
    this.progress({ file, noun, received: 0, done: false });
    fetch(new URL(file, pyodideBase))
      .then((response) => {
        if (!response.ok) throw new Error(`the server answered ${response.status}`);
        this.countBytes(response.clone(), file, noun);
        return WebAssembly.compileStreaming(response);
      })
      .then((module) => {
        this.marks.wasm = performance.timeOrigin + performance.now();
        send(module);
      }, () => {
        this.downloads.delete(file); // the worker tries once more and reports what goes wrong
        send(null);
      })
      .catch(() => send(null)); // a browser that cannot post a module
  }

  async countBytes(response, file, noun) {
    const reader = response.body.getReader();
    const size = this.sizes[file];
    let received = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.byteLength;
        // Bytes read are decompressed; the runtime's sizes are as sent (gzipped).
        this.progress({ file, noun, received: received * (this.ratios?.[file] ?? 1), done: false });
      }
      this.progress({ file, noun, received: size ?? received, done: true });
    } catch (error) {
      // The compiler, reading the same response, reports the failure.
    }
  }

  // A download made some progress (or finished): note it and tell the widgets in words.
  progress({ file, noun, received, done, widget }) {
    this.heard = performance.now();
    this.downloads.set(file, { noun, received, done, widget, last: performance.now() });
    const waiting = [...this.downloads.entries()].filter(([, d]) => !d.widget);
    if (widget) {
      if (done) this.downloads.delete(file);
      const host = [...hosts].find((h) => h.key === widget);
      if (host && !done && received) host.setStatus(`${STAGES.model}: ${megabytes(received)} MB…`);
      return;
    }
    if (this.stage !== "runtime" && this.stage !== "numpy") return;
    const nouns = [...new Set(waiting.filter(([, d]) => !d.done).map(([, d]) => d.noun))];
    if (!nouns.length) {
      this.announce(this.stage === "runtime" ? "starting Python" : "starting NumPy");
      return;
    }
    // At most a few updates a second: a screen reader announces each one.
    if (performance.now() - (this.announced || 0) < 250) return;
    this.announced = performance.now();
    const total = Object.values(this.sizes).reduce((sum, n) => sum + n, 0);
    const got = waiting.reduce((sum, [name, d]) => sum + (d.done && this.sizes[name] ? this.sizes[name] : d.received), 0);
    const amount = total ? `: ${megabytes(Math.min(got, total))} of ${megabytes(total)} MB` : "";
    this.announce(`downloading ${spoken(nouns)}${amount}`);
  }

  // A stage that makes no progress ends in the fallback, with the name of what is stuck.
  checkProgress() {
    const now = performance.now();
    for (const [file, d] of this.downloads) {
      if (d.done || now - d.last < setting("stall")) continue;
      const amount = this.sizes[file] ? ` (${megabytes(d.received)} of ${megabytes(this.sizes[file])} MB had arrived)` : "";
      const reason = `the download of ${d.noun} stopped: nothing arrived for ${Math.round(setting("stall") / 1000)} s${amount}`;
      if (d.widget) {
        this.downloads.delete(file);
        [...hosts].find((h) => h.key === d.widget)?.stalled(reason);
      } else if (this.stage !== "ready") {
        this.fail(file.endsWith(".whl") ? "numpy" : this.stage, reason);
        return;
      }
    }
    if (this.stage !== "ready" && this.stage !== null && now - this.heard > setting("quiet")) {
      this.fail(this.stage, `the Python runtime stopped answering for ${Math.round(setting("quiet") / 1000)} s`);
    }
  }

  enterStage(stage, message) {
    this.stage = stage;
    this.heard = performance.now();
    this.announce(message);
  }

  announce(message) {
    for (const listener of this.listeners) listener(this.stage, message);
  }

  receive(message) {
    this.heard = performance.now();
    if (message.type === "stage") {
      this.enterStage(message.stage, message.message);
    } else if (message.type === "sizes") {
      // {file: {size, transfer}}: bytes as stored, and as sent (gzipped where the host compresses).
      this.sizes = Object.fromEntries(Object.entries(message.files).map(([name, f]) => [name, f.transfer]));
      this.ratios = Object.fromEntries(Object.entries(message.files).map(([name, f]) => [name, f.transfer / f.size]));
    } else if (message.type === "progress") {
      this.progress(message);
    } else if (message.type === "ready") {
      this.stage = "ready"; // the watchdog stays: a widget's own downloads may stall too
      this.versions = message.versions;
      this.wasmFrom = message.wasmFrom;
      this.startedFrom = message.from; // "snapshot" (a kept one) or "scratch"
      Object.assign(this.marks, message.marks, { ready: performance.timeOrigin + performance.now() });
      this.readyAt = performance.now();
      this.settle.resolve(message.versions);
      const runtime = [...Object.keys(this.sizes), "runtime.json"].map((name) => new URL(name, this.base).href);
      const scripts = ["./worker.js", "./wheel.js"].map((name) => new URL(name, import.meta.url).href);
      keepForOffline([...runtime, this.demos, ...scripts]);
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
    clearInterval(this.watchdog);
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

// Where a widget's page says the runtime lives (self-hosted or a CDN) and the demos zip is.
function runtimeOf(root) {
  const url = (given) => (given && !given.includes("@@") ? new URL(given, document.baseURI).href : null);
  return { pyodideBase: url(root.dataset.pyodide), demos: url(root.dataset.demos) };
}

function startPython(root) {
  const { pyodideBase, demos } = runtimeOf(root);
  if (!pyodideBase || !demos) {
    return Promise.reject({ reason: "this page does not say where the Python runtime is (build it with `make site`)" });
  }
  return python.start(pyodideBase, demos);
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
    // The placeholder's own button (scripts/site/blocks.py) puts the widget in the tab order
    // before it has loaded: focusing or pressing it starts the live version (see watch()).
    this.start = root.querySelector(".nn-widget-start");
    if (this.start) {
      this.start.hidden = false;
      this.start.addEventListener("click", () => this.activate());
    }
    this.live = null;
    this.view = null;
    this.run = 0; // bumped by every (re)start and unmount, so late answers of an old run are ignored
    this.onStage = (stage, message) => this.setStatus(`${message[0].toUpperCase()}${message.slice(1)}…`);
    this.watch();
  }

  get state() {
    return this.root.dataset.state;
  }

  setState(state, text) {
    // A reader whose focus was on the start button (or the retry button) keeps the focus in the
    // widget as that button goes: on the live widget's first control, or on the retry button.
    const focused = this.root.contains(document.activeElement) &&
      (document.activeElement === this.start || document.activeElement === this.retry);
    this.root.dataset.state = state;
    this.retry.hidden = !(state === "fallback" || state === "error");
    if (this.start) {
      this.start.hidden = state !== "idle" && state !== "loading";
      this.start.setAttribute("aria-disabled", String(state === "loading"));
    }
    if (text !== undefined) this.setStatus(text);
    if (!focused || this.root.contains(document.activeElement) && !document.activeElement.hidden) return;
    const next = state === "ready" ? this.live?.querySelector(FOCUSABLE) : this.retry.hidden ? null : this.retry;
    next?.focus();
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
    let options, files;
    try {
      options = JSON.parse(this.root.dataset.options || "{}");
      files = JSON.parse(this.root.dataset.files || "{}");
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
        startPython(this.root),
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
    let creating = true;
    try {
      api.model = await python.request(
        { type: "create", widget: this.key, kind: this.kind, options, files }, setting("createLimit"));
      creating = false;
      this.view = await module.mount(this.live, api);
    } catch (error) {
      if (run !== this.run) return python.dispose(this.key); // unmounted meanwhile
      this.teardown();
      // A model that could not be made (weights missing, say) leaves the figure in charge.
      if (creating) this.fallBack({ reason: error.message });
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
      model: null, // the model's description, once it is made
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

  // One of this widget's own downloads (its trained network) stopped arriving.
  stalled(reason) {
    if (this.state !== "loading") return;
    this.teardown();
    this.fallBack({ reason });
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

// A reader who reads before reaching a widget should find it ready: on a page with widgets,
// the runtime starts loading once the page itself has loaded and the browser is idle, unless
// the reader asked to save data or is on a 2G-slow line (then it waits for a widget to ask).
function mayStartEarly() {
  const connection = navigator.connection;
  return setting("early") && !connection?.saveData && !/2g$/.test(connection?.effectiveType || "");
}

function startWhenIdle() {
  const first = document.querySelector(".nn-widget[data-widget]");
  if (!first || !mayStartEarly()) return;
  const idle = globalThis.requestIdleCallback || ((callback) => setTimeout(callback, 200));
  const go = () => idle(() => first.isConnected && startPython(first), { timeout: 2000 });
  if (document.readyState === "complete") go();
  else addEventListener("load", go, { once: true });
}

// A reader who has been here before finds the runtime kept by the service worker: when it
// controls the page, Python starts as the page begins. The page's head loads this module
// `async` and names the runtime on its tag (start_with_the_page in scripts/site/hooks.py),
// so it runs before the page's other scripts and before the widgets' placeholders are parsed.
function startWithThePage() {
  const script = document.querySelector("script[data-pyodide][data-demos]");
  if (script && navigator.serviceWorker?.controller && mayStartEarly()) startPython(script).catch(() => {});
}

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
  startWhenIdle();
}

// The service worker (sw.js at the site root, see docs/javascripts/sw.js) keeps the runtime
// and the pages read, for the next visit and for reading offline. It is registered once the
// page has loaded, so it never competes with the page's own files.
function registerServiceWorker() {
  if (!("serviceWorker" in navigator) || !globalThis.isSecureContext) return;
  const register = () =>
    navigator.serviceWorker
      .register(new URL("../../sw.js", import.meta.url))
      .then(() => keepForOffline())
      .catch((error) => console.warn(`The offline copy of this site is not available: ${error.message}`));
  if (document.readyState === "complete") register();
  else addEventListener("load", register, { once: true });
}

// Ask the service worker to keep this page, the files it loaded and `more` (the runtime, once
// it has loaded): the first page a reader opens came before the worker could keep anything.
function keepForOffline(more = []) {
  if (!("serviceWorker" in navigator) || !globalThis.isSecureContext) return;
  const files = performance.getEntriesByType("resource").map((entry) => entry.name);
  navigator.serviceWorker.ready
    .then((registration) => registration.active?.postMessage({ type: "keep", urls: [location.href, ...files, ...more] }))
    .catch(() => {});
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
  startWithThePage();
  // Scan once the page is parsed, and again for each page that Material's instant navigation
  // shows (document$ also repeats the first page, which scan ignores). Run from the head, this
  // module may come before the theme's script that makes document$.
  const follow = () => globalThis.document$?.subscribe?.(scan);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => {
      scan();
      follow();
    });
  } else {
    scan();
    follow();
  }
  registerServiceWorker();
}

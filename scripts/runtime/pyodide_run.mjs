// Runs a Python script inside the pinned Pyodide, under Node, as the build's one way to
// use the browser's own interpreter (scripts/runtime/bytecode.py needs its exact Python version).
//
//   node scripts/runtime/pyodide_run.mjs [--wheel WHEEL] [--optimize N] PYODIDE_DIR SCRIPT.py [ARGS...]
//
// --wheel installs a wheel (NumPy's) with docs/javascripts/widgets/wheel.js, and --optimize
// sets PYTHONOPTIMIZE, both as the reader's worker does (scripts/runtime/runtime_trace.py must see
// the runtime start exactly that way).
//
// The host's file system is mounted at /host inside Pyodide: the script reads and writes a
// host file /x/y as /host/x/y, and the caller passes paths in that form (ARGS pass as they
// are, so a path inside Pyodide such as /lib/python312.zip/ can be an argument too).
// Python's output goes to this process's; an uncaught Python error prints its traceback and
// exits with status 1.
import { readFileSync } from "node:fs";
import { dirname, resolve, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import vm from "node:vm";

const WHEEL_JS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "docs", "javascripts", "widgets", "wheel.js");
const options = { wheel: null, optimize: null };
let argv = process.argv.slice(2);
while (argv[0] === "--wheel" || argv[0] === "--optimize") {
  options[argv[0].slice(2)] = argv[1];
  argv = argv.slice(2);
}
const [pyodideDir, script, ...args] = argv;
if (!pyodideDir || !script) {
  console.error("usage: node scripts/runtime/pyodide_run.mjs [--wheel WHEEL] [--optimize N] PYODIDE_DIR SCRIPT.py [ARGS...]");
  process.exit(2);
}
const indexURL = resolve(pyodideDir) + "/";
const { loadPyodide } = await import(pathToFileURL(join(indexURL, "pyodide.mjs")).href);
const env = { PYTHONHASHSEED: "0" }; // reproducible output: set constants are ordered by hash
if (options.optimize !== null) env.PYTHONOPTIMIZE = options.optimize;
const pyodide = await loadPyodide({
  indexURL,
  env,
  stdout: (text) => console.log(text),
  stderr: (text) => console.error(text),
});
if (options.wheel) {
  vm.runInThisContext(readFileSync(WHEEL_JS, "utf8"), { filename: WHEEL_JS });
  await globalThis.installWheel(pyodide, new Uint8Array(readFileSync(options.wheel)));
}
pyodide.mountNodeFS("/host", "/");

pyodide.globals.set("argv", pyodide.toPy(["/host" + resolve(script), ...args]));
try {
  const status = pyodide.runPython(`
import runpy, sys
sys.argv = list(argv)
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
    status = 0
except SystemExit as stop:
    if isinstance(stop.code, str):
        print(stop.code, file=sys.stderr)
    status = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
status
`);
  process.exitCode = status;
} catch (error) {
  // A Python error's message is its traceback; Node's own report would bury it in minified code.
  console.error(error.message);
  process.exitCode = 1;
}

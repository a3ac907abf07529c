// Runs a Python script inside the pinned Pyodide, under Node, as the build's one way to
// use the browser's own interpreter (scripts/bytecode.py needs its exact Python version).
//
//   node scripts/pyodide_run.mjs PYODIDE_DIR SCRIPT.py [ARGS...]
//
// The host's file system is mounted at /host inside Pyodide, and every argument that is
// an absolute host path is passed as /host/<path>, so the script reads and writes host
// files directly. Python's output goes to this process's; an uncaught Python error
// prints its traceback and exits with status 1.
import { resolve, join, isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, script, ...args] = process.argv.slice(2);
if (!pyodideDir || !script) {
  console.error("usage: node scripts/pyodide_run.mjs PYODIDE_DIR SCRIPT.py [ARGS...]");
  process.exit(2);
}
const indexURL = resolve(pyodideDir) + "/";
const { loadPyodide } = await import(pathToFileURL(join(indexURL, "pyodide.mjs")).href);
const pyodide = await loadPyodide({
  indexURL,
  env: { PYTHONHASHSEED: "0" }, // reproducible output: set constants are ordered by hash
  stdout: (text) => console.log(text),
  stderr: (text) => console.error(text),
});
pyodide.mountNodeFS("/host", "/");
const inside = (path) => (isAbsolute(path) ? "/host" + path : path);

pyodide.globals.set("argv", pyodide.toPy([inside(resolve(script)), ...args.map(inside)]));
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

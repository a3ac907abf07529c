// Runs Python code under Pyodide in Node, with the demos package, and prints one JSON answer.
//
//   node tests/node/parity.mjs PYODIDE_DIR DEMOS < code.py
//
// PYODIDE_DIR is the runtime folder exactly as the site serves it (vendor/pyodide-<hash>/: the
// core files, the pruned standard library, the pruned NumPy wheel and runtime.json). DEMOS is
// the demos zip the site serves, or a folder holding the demos package. The code must leave its answer, a JSON text, in `result`.
// tests/test_parity.py runs the same code under CPython and compares the two answers.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const [pyodideDir, demos] = process.argv.slice(2);
if (!pyodideDir || !demos) {
  console.error("usage: node parity.mjs PYODIDE_DIR DEMOS_ZIP_OR_FOLDER < code.py");
  process.exit(2);
}
const indexURL = resolve(pyodideDir) + "/";
// pyodide.js, the script the reader's worker loads, is also a CommonJS module.
const { loadPyodide } = createRequire(import.meta.url)(join(indexURL, "pyodide.js"));
// As the worker does: Python runs at the optimisation level its bytecode was compiled at, and
// NumPy's wheel (the one runtime.json names) is installed by the worker's own wheel.js.
const info = JSON.parse(readFileSync(join(indexURL, "runtime.json"), "utf8"));
const pyodide = await loadPyodide({ indexURL, env: { PYTHONOPTIMIZE: String(info.optimize ?? 0) },
  stdout: () => {}, stderr: (t) => console.error(t) });
const wheelJS = fileURLToPath(new URL("../../docs/javascripts/widgets/wheel.js", import.meta.url));
vm.runInThisContext(readFileSync(wheelJS, "utf8"), { filename: wheelJS });
const wheel = Object.keys(info.files).find((name) => name.endsWith(".whl"));
await globalThis.installWheel(pyodide, new Uint8Array(readFileSync(join(indexURL, wheel))));

const target = "/home/pyodide/nn";
if (statSync(demos).isDirectory()) {
  // Copy the package folder (without caches) into Pyodide's file system.
  const copy = (from, to) => {
    pyodide.FS.mkdirTree(to);
    for (const name of readdirSync(from)) {
      if (name === "__pycache__") continue;
      const path = join(from, name);
      if (statSync(path).isDirectory()) copy(path, `${to}/${name}`);
      else pyodide.FS.writeFile(`${to}/${name}`, readFileSync(path));
    }
  };
  copy(resolve(demos), `${target}/demos`);
} else {
  // As the worker unpacks it.
  globalThis.writeFiles(pyodide.FS, await globalThis.unzip(new Uint8Array(readFileSync(demos))), `${target}/`);
}
pyodide.runPython(`import sys; sys.path.insert(0, ${JSON.stringify(target)})`);

const code = readFileSync(0, "utf8");
const globals = pyodide.toPy({});
try {
  pyodide.runPython(code, { globals });
  const result = globals.get("result");
  if (typeof result !== "string") throw new Error("the code must set `result` to a JSON text");
  process.stdout.write(result);
} catch (error) {
  // A Python error's message is its traceback; Node's own report would bury it in minified code.
  console.error(error.message);
  process.exitCode = 1;
} finally {
  globals.destroy();
}

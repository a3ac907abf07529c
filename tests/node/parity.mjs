// Runs Python code under Pyodide in Node, with the demos package, and prints one JSON answer.
//
//   node tests/node/parity.mjs PYODIDE_DIR DEMOS < code.py
//
// PYODIDE_DIR is the runtime folder exactly as the site serves it (vendor/pyodide-<hash>/:
// the core files, the pruned standard library, pyodide-lock.json and the pruned NumPy wheel). DEMOS is the demos zip the site serves, or a
// folder holding the demos package. The code must leave its answer, a JSON text, in `result`.
// tests/test_parity.py runs the same code under CPython and compares the two answers.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";

const [pyodideDir, demos] = process.argv.slice(2);
if (!pyodideDir || !demos) {
  console.error("usage: node parity.mjs PYODIDE_DIR DEMOS_ZIP_OR_FOLDER < code.py");
  process.exit(2);
}
const indexURL = resolve(pyodideDir) + "/";
// pyodide.js, the script the reader's worker loads, is also a CommonJS module.
const { loadPyodide } = createRequire(import.meta.url)(join(indexURL, "pyodide.js"));
// As the worker does: Python runs at the optimisation level its bytecode was compiled at.
const info = join(indexURL, "runtime.json");
const optimize = existsSync(info) ? JSON.parse(readFileSync(info, "utf8")).optimize ?? 0 : 0;
const pyodide = await loadPyodide({ indexURL, packages: ["numpy"], env: { PYTHONOPTIMIZE: String(optimize) },
  stdout: () => {}, stderr: (t) => console.error(t) });

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
  // A plain Uint8Array: Pyodide misreads a Node Buffer here.
  pyodide.unpackArchive(new Uint8Array(readFileSync(demos)), "zip", { extractDir: target });
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

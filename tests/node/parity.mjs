// Runs Python code under Pyodide in Node, with the demos package, and prints one JSON answer.
//
//   node tests/node/parity.mjs PYODIDE_DIR DEMOS < code.py
//
// PYODIDE_DIR is an assembled Pyodide folder (the site's vendor/pyodide/: core files,
// pyodide-lock.json and the NumPy wheel). DEMOS is the demos zip the site serves, or a
// folder holding the demos package. The code must leave its answer, a JSON text, in `result`.
// tests/test_parity.py runs the same code under CPython and compares the two answers.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, demos] = process.argv.slice(2);
if (!pyodideDir || !demos) {
  console.error("usage: node parity.mjs PYODIDE_DIR DEMOS_ZIP_OR_FOLDER < code.py");
  process.exit(2);
}
const indexURL = resolve(pyodideDir) + "/";
const { loadPyodide } = await import(pathToFileURL(join(indexURL, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL, packages: ["numpy"], stdout: () => {}, stderr: (t) => console.error(t) });

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

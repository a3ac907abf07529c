// Installing a wheel (NumPy's) into a running Pyodide, and putting its shared libraries back
// after a memory snapshot is restored. A classic script: worker.js loads it with
// importScripts, scripts/runtime/pyodide_run.mjs (the build's trace of the runtime) runs it under
// Node, so both install NumPy exactly alike.
//
// Pyodide's own loadPackage unpacks a wheel with Python (and a dozen standard-library modules
// the widgets never need) and loads its libraries where free memory happens to be. Here the
// wheel is unpacked with the browser's own decompressor, and each library is loaded with a
// handle: a record in Python's memory of where its data and functions went. A snapshot of
// that memory holds the records, so a restore can load every library again at the very same
// places (Emscripten's loader reuses a handle's record, as it does for a thread) before the
// snapshot's memory is laid back over them.
"use strict";

const SITE_PACKAGES = "/lib/python3.12/site-packages/";
const HANDLE_BYTES = 64; // Emscripten's dso record: its loader reads bytes 8 to 35

// [{name, data}] of the zip archive `bytes` (an ArrayBuffer or Uint8Array), in archive order.
async function unzip(bytes) {
  const buffer = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let end = buffer.length - 22;
  while (end >= 0 && view.getUint32(end, true) !== 0x06054b50) end--;
  if (end < 0) throw new Error("not a zip archive");
  const count = view.getUint16(end + 10, true);
  let entry = view.getUint32(end + 16, true);
  const names = new TextDecoder();
  const files = [];
  for (let i = 0; i < count; i++) {
    if (view.getUint32(entry, true) !== 0x02014b50) throw new Error("a damaged zip archive");
    const method = view.getUint16(entry + 10, true);
    const size = view.getUint32(entry + 20, true);
    const nameLength = view.getUint16(entry + 28, true);
    const skip = nameLength + view.getUint16(entry + 30, true) + view.getUint16(entry + 32, true);
    const local = view.getUint32(entry + 42, true);
    const name = names.decode(buffer.subarray(entry + 46, entry + 46 + nameLength));
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const stored = buffer.subarray(start, start + size);
    if (method !== 8 && method !== 0) throw new Error(`${name}: compression method ${method} is not supported`);
    if (!name.endsWith("/")) files.push({ name, data: method === 8 ? inflate(stored) : stored });
    entry += 46 + skip;
  }
  for (const file of files) file.data = await file.data;
  return files;
}

async function inflate(data) {
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// Write the unzipped `files` into the folder `root` (site-packages unless told).
function writeFiles(FS, files, root = SITE_PACKAGES) {
  for (const { name, data } of files) {
    const path = root + name;
    FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
    FS.writeFile(path, data);
  }
}

// Load each library of `libraries` ([[path, handle]], a handle of 0 for a first load) in
// order, as Pyodide loads a package's libraries (each with its own symbols); returns
// [[path, handle]] with the handles used.
async function loadLibraries(Module, libraries) {
  const loaded = [];
  for (const [path, given] of libraries) {
    const handle = given || Module._calloc(HANDLE_BYTES, 1);
    await Module.loadDynamicLibrary(
      path,
      { loadAsync: true, nodelete: true, allowUndefined: true, global: false, fs: Module.FS },
      {},
      handle,
    );
    loaded.push([path, handle]);
  }
  return loaded;
}

// Install the wheel `bytes` into `pyodide`; returns its libraries' [[path, handle]], which a
// snapshot made after this needs to be restored (see restoreWheel).
async function installWheel(pyodide, bytes) {
  const files = await unzip(bytes);
  writeFiles(pyodide.FS, files);
  const libraries = files.filter(({ name }) => name.endsWith(".so")).map(({ name }) => [SITE_PACKAGES + name, 0]);
  return loadLibraries(pyodide._module, libraries);
}

// After a snapshot's memory has been laid into `Module` (and before Pyodide finishes starting
// from it): the wheel's files again (Python may still import some of them), and its libraries
// loaded at the places the snapshot's handles record.
async function restoreWheel(Module, bytes, libraries) {
  writeFiles(Module.FS, await unzip(bytes));
  return loadLibraries(Module, libraries);
}

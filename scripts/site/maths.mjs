// Typesets TeX formulas with the pinned KaTeX, under Node, for scripts/site/maths.py.
//
//   node scripts/site/maths.mjs KATEX_DIR
//
// Reads requests on standard input, one JSON line each: [{"tex": "...", "display": true|false}, ...].
// Answers each with one JSON line, one answer per formula in the same order: {"html": "..."} or
// {"error": "KaTeX's message"}. A bad formula is answered, not thrown, so one request reports
// every mistake of a page. Runs until standard input ends, so a build starts Node once.
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

const [katexDir] = process.argv.slice(2);
if (!katexDir) {
  console.error("usage: node scripts/site/maths.mjs KATEX_DIR < requests (one JSON line each)");
  process.exit(2);
}
// katex.min.js is a UMD bundle: require() gives its API.
const katex = createRequire(import.meta.url)(join(resolve(katexDir), "katex.min.js"));

function typeset({ tex, display }) {
  try {
    // strict "error": what KaTeX would only warn about (say, Unicode text in maths mode)
    // is a mistake the author should fix, so it fails the build like a parse error.
    return { html: katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: "error" }) };
  } catch (error) {
    return { error: error instanceof katex.ParseError ? error.message : String(error) };
  }
}

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (line.trim()) process.stdout.write(JSON.stringify(JSON.parse(line).map(typeset)) + "\n");
}

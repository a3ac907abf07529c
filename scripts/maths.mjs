// Typesets TeX formulas with the pinned KaTeX, under Node, for scripts/maths.py.
//
//   node scripts/maths.mjs KATEX_DIR < formulas.json > rendered.json
//
// Reads [{"tex": "...", "display": true|false}, ...] on standard input and writes one answer
// per formula, in the same order: {"html": "..."} or {"error": "KaTeX's message"}. A bad
// formula is answered, not thrown, so one run reports every mistake of a page.
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const [katexDir] = process.argv.slice(2);
if (!katexDir) {
  console.error("usage: node scripts/maths.mjs KATEX_DIR < formulas.json");
  process.exit(2);
}
// katex.min.js is a UMD bundle: require() gives its API.
const katex = createRequire(import.meta.url)(join(resolve(katexDir), "katex.min.js"));

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;

const answers = JSON.parse(input).map(({ tex, display }) => {
  try {
    // strict "error": what KaTeX would only warn about (say, Unicode text in maths mode)
    // is a mistake the author should fix, so it fails the build like a parse error.
    return { html: katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: "error" }) };
  } catch (error) {
    return { error: error instanceof katex.ParseError ? error.message : String(error) };
  }
});
process.stdout.write(JSON.stringify(answers));

// tslab compiles lib/ itself and resolves a relative import only when it names a file: a directory
// import ("./kernels") type-checks under tsc but fails at run time inside a notebook.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const LIB = path.resolve(__dirname, "..", "lib");

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(full) : e.name.endsWith(".ts") ? [full] : [];
  });
}

test("every relative import in lib/ names a .ts file, so tslab can load it", () => {
  const problems: string[] = [];
  for (const file of tsFiles(LIB)) {
    const source = fs.readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    for (const m of source.matchAll(/(?:from|import|require\()\s*["'](\.{1,2}\/[^"']*)["']/g)) {
      const target = path.resolve(path.dirname(file), m[1]);
      if (!fs.existsSync(`${target}.ts`)) problems.push(`${path.relative(LIB, file)}: "${m[1]}" is not a file (add the module name, e.g. "${m[1]}/index")`);
    }
  }
  assert.deepEqual(problems, []);
});

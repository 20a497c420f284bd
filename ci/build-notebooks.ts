// solutions/*.ipynb are the single source; notebooks/*.ipynb are generated from them by replacing
// every `// BEGIN SOLUTION: <hint>` … `// END SOLUTION` region with a stub that throws
// "not implemented: <hint>", stripping outputs and dropping cells tagged `solution-only`.
// `npm run build:notebooks` regenerates; `--check` fails when anything is out of sync.
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "./paths";

interface Cell {
  cell_type: string;
  source: string | string[];
  metadata?: { tags?: string[] };
  outputs?: unknown[];
  execution_count?: number | null;
}
interface Notebook {
  cells: Cell[];
}

const BEGIN = /^([ \t]*)\/\/\s*BEGIN SOLUTION\b(.*)$/;
const END = /^[ \t]*\/\/\s*END SOLUTION\b/;
const SOLUTION_ONLY_TAG = "solution-only";

export class MarkerError extends Error {}

/** Lines with their endings kept, so joining them gives the source back unchanged. */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function sourceText(source: string | string[]): string {
  return Array.isArray(source) ? source.join("") : source;
}

/** Replaces the solution regions of one cell's source; `where` names notebook and cell in errors. */
export function stubSolutions(source: string, where: string): string {
  const out: string[] = [];
  let open: { line: number; indent: string; hint: string } | undefined;
  splitLines(source).forEach((line, i) => {
    const text = line.replace(/\r?\n$/, "");
    const begin = BEGIN.exec(text);
    if (begin) {
      if (open) throw new MarkerError(`${where} line ${i + 1}: BEGIN SOLUTION inside the region opened on line ${open.line}`);
      const hint = /^\s*:\s*(.*?)\s*$/.exec(begin[2])?.[1] ?? "";
      if (!hint) throw new MarkerError(`${where} line ${i + 1}: BEGIN SOLUTION needs a hint, as in "// BEGIN SOLUTION: build the model"`);
      open = { line: i + 1, indent: begin[1], hint };
    } else if (END.test(text)) {
      if (!open) throw new MarkerError(`${where} line ${i + 1}: END SOLUTION without a BEGIN SOLUTION`);
      const ending = line.slice(text.length);
      out.push(`${open.indent}throw new Error(${JSON.stringify(`not implemented: ${open.hint}`)});${ending}`);
      open = undefined;
    } else if (!open) {
      out.push(line);
    }
  });
  if (open) throw new MarkerError(`${where} line ${open.line}: BEGIN SOLUTION is never closed by END SOLUTION`);
  return out.join("");
}

/** Jupyter's own layout (sorted keys, one-space indent, trailing newline): saving in Jupyter changes nothing. */
export function formatNotebook(nb: unknown): string {
  return JSON.stringify(nb, (_key, value: unknown) => (value && typeof value === "object" && !Array.isArray(value) ? sortKeys(value as Record<string, unknown>) : value), 1) + "\n";
}

function sortKeys(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));
}

/** The learner notebook's text for a solution notebook's text. */
export function learnerNotebook(solutionText: string, name: string): string {
  const nb = JSON.parse(solutionText) as Notebook;
  nb.cells = nb.cells.flatMap((cell, index) => {
    if ((cell.metadata?.tags ?? []).includes(SOLUTION_ONLY_TAG)) return [];
    if (cell.cell_type !== "code") return [cell];
    const stubbed = stubSolutions(sourceText(cell.source), `${name} cell[${index}]`);
    const source = Array.isArray(cell.source) ? splitLines(stubbed) : stubbed;
    return [{ ...cell, source, outputs: [], execution_count: null }];
  });
  return formatNotebook(nb);
}

/** Code cells of a solution that carry outputs or execution counts (they must be committed clean). */
export function cellsWithOutputs(solutionText: string): number[] {
  const nb = JSON.parse(solutionText) as Notebook;
  return nb.cells.flatMap((cell, index) =>
    cell.cell_type === "code" && ((cell.outputs?.length ?? 0) > 0 || (cell.execution_count ?? null) !== null) ? [index] : [],
  );
}

function ipynbIn(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort() : [];
}

/** Writes notebooks/ from solutions/ under root and removes learner notebooks whose solution is gone. */
export function buildNotebooks(root = REPO_ROOT): { written: string[]; removed: string[] } {
  const solutions = path.join(root, "solutions");
  const learners = path.join(root, "notebooks");
  const names = ipynbIn(solutions);
  // Generate everything before writing anything: a marker error must not leave a half-built folder.
  const built = names.map((name) => [name, learnerNotebook(fs.readFileSync(path.join(solutions, name), "utf8"), `solutions/${name}`)] as const);
  fs.mkdirSync(learners, { recursive: true });
  const written = built.map(([name, text]) => {
    fs.writeFileSync(path.join(learners, name), text);
    return `notebooks/${name}`;
  });
  const removed = ipynbIn(learners)
    .filter((name) => !names.includes(name))
    .map((name) => {
      fs.rmSync(path.join(learners, name));
      return `notebooks/${name}`;
    });
  return { written, removed };
}

/** Every way notebooks/ and solutions/ under root are out of sync; empty when all is well. */
export function checkNotebooks(root = REPO_ROOT): string[] {
  const solutions = path.join(root, "solutions");
  const learners = path.join(root, "notebooks");
  const names = ipynbIn(solutions);
  const problems: string[] = [];
  for (const name of names) {
    const text = fs.readFileSync(path.join(solutions, name), "utf8");
    const dirty = cellsWithOutputs(text);
    if (dirty.length > 0) {
      problems.push(`solutions/${name} carries outputs or execution counts in ${dirty.map((i) => `cell[${i}]`).join(", ")}: clear them before committing`);
    }
    let expected: string;
    try {
      expected = learnerNotebook(text, `solutions/${name}`);
    } catch (err) {
      if (!(err instanceof MarkerError)) throw err;
      problems.push(err.message);
      continue;
    }
    const learner = path.join(learners, name);
    if (!fs.existsSync(learner)) problems.push(`notebooks/${name} is missing`);
    else if (fs.readFileSync(learner, "utf8") !== expected) problems.push(`notebooks/${name} is stale: it differs from what solutions/${name} generates`);
  }
  for (const name of ipynbIn(learners)) {
    if (!names.includes(name)) problems.push(`notebooks/${name} has no solutions/${name}`);
  }
  return problems;
}

function main(): void {
  if (process.argv.includes("--check")) {
    const problems = checkNotebooks();
    if (problems.length > 0) {
      console.error(`Learner notebooks are out of sync (npm run build:notebooks regenerates them):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
      process.exitCode = 1;
    } else {
      console.log("Learner notebooks are in sync with solutions/.");
    }
    return;
  }
  const { written, removed } = buildNotebooks();
  for (const file of written) console.log(`wrote ${file}`);
  for (const file of removed) console.log(`removed ${file} (no solution left)`);
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  }
}

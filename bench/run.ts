// `npm run bench`: trains BasicNN, SimpleCNN and CIFAR10CNN for a fixed number of steps on each
// engine, runs interleaved (round 1: A B C, round 2: B C A, …) so machine noise hits every engine
// alike, and prints medians: ms/step, images/s, GFLOP/s, peak RSS and the ratio to PyTorch.
//   npm run bench -- [--models BasicNN,SimpleCNN] [--engines torch,wasm-stock,wasm,wasm-2t,cpu]
//                    [--rounds 3] [--steps 10] [--batch 64] [--profile]
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { initBackend } from "../lib/tf";
import { BENCH_MODELS, MODEL_NAMES, type ModelName } from "./models";
import { profileTrainStep } from "./profile";
import { arg, flag, median } from "./args";

const PYTHON = "/usr/bin/python3";
const DEFAULT_STEPS: Record<ModelName, number> = { BasicNN: 100, SimpleCNN: 20, CIFAR10CNN: 8 };

interface Engine {
  name: string;
  command: (model: ModelName, steps: number, batch: number) => [string, string[]];
}

const tsx = (extra: string[]) => (model: ModelName, steps: number, batch: number): [string, string[]] => [
  process.execPath,
  ["--import", "tsx", path.join(__dirname, "tfjs_steps.ts"), "--model", model, "--steps", String(steps), "--batch", String(batch), ...extra],
];

const ENGINES: Record<string, Engine> = {
  torch: { name: "PyTorch (CPU)", command: (model, steps, batch) => [PYTHON, [path.join(__dirname, "torch_steps.py"), "--model", model, "--steps", String(steps), "--batch", String(batch)]] },
  "wasm-stock": { name: "tfjs wasm, stock kernels", command: tsx(["--backend", "wasm", "--stock-kernels"]) },
  wasm: { name: "tfjs wasm, 1 thread", command: tsx(["--backend", "wasm"]) },
  "wasm-2t": { name: "tfjs wasm, 2 threads", command: tsx(["--backend", "wasm", "--threads", "2"]) },
  cpu: { name: "tfjs cpu (plain JS)", command: tsx(["--backend", "cpu"]) },
};

interface Run {
  ms: number;
  rssMB: number;
  flops?: number;
}

function torchAvailable(): boolean {
  return spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
}

function runOnce(engine: Engine, model: ModelName, steps: number, batch: number): Run {
  const [cmd, args] = engine.command(model, steps, batch);
  const r = spawnSync(cmd, args, { encoding: "utf8", cwd: path.join(__dirname, "..") });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !line.startsWith("{")) throw new Error(`${engine.name} on ${model} failed:\n${r.stderr || r.stdout}`);
  return JSON.parse(line) as Run;
}

async function printProfile(models: ModelName[], batch: number): Promise<void> {
  await initBackend({ quiet: true, backend: "wasm" });
  for (const model of models) {
    const { stepMs, kernels } = await profileTrainStep(BENCH_MODELS[model], batch, 3);
    const total = kernels.reduce((s, k) => s + k.ms, 0);
    console.log(`\n${model}: ${stepMs.toFixed(1)} ms/step under tf.profile (kernel times include nested kernels)`);
    for (const k of kernels.slice(0, 10)) {
      console.log(`  ${k.kernel.padEnd(22)} ${k.ms.toFixed(1).padStart(7)} ms  ${((100 * k.ms) / total).toFixed(0).padStart(3)} %  ×${Math.round(k.calls)}`);
    }
  }
}

async function main(): Promise<void> {
  const models = arg("models", MODEL_NAMES.join(",")).split(",") as ModelName[];
  for (const m of models) if (!BENCH_MODELS[m]) throw new Error(`Unknown model ${m}; use ${MODEL_NAMES.join(", ")}.`);
  const batch = Number(arg("batch", "64"));
  if (flag("profile")) return printProfile(models, batch);
  let engineKeys = arg("engines", "torch,wasm-stock,wasm,wasm-2t").split(",");
  for (const e of engineKeys) if (!ENGINES[e]) throw new Error(`Unknown engine ${e}; use ${Object.keys(ENGINES).join(", ")}.`);
  const haveTorch = torchAvailable();
  if (!haveTorch && engineKeys.includes("torch")) {
    console.log(`PyTorch is absent (${PYTHON} cannot import torch; on Debian: apt-get install -y python3-torch): no ratios.\n`);
    engineKeys = engineKeys.filter((e) => e !== "torch");
  }
  const rounds = Number(arg("rounds", "3"));
  const runs = new Map<string, Run[]>();
  for (let round = 0; round < rounds; round++) {
    for (const model of models) {
      const steps = Number(arg("steps", String(DEFAULT_STEPS[model])));
      // Rotate the order each round so no engine always runs first (warm caches, turbo, neighbours).
      const order = engineKeys.map((_, i) => engineKeys[(i + round) % engineKeys.length]);
      for (const key of order) {
        const run = runOnce(ENGINES[key], model, steps, batch);
        const list = runs.get(`${model}/${key}`) ?? [];
        list.push(run);
        runs.set(`${model}/${key}`, list);
        process.stderr.write(`round ${round + 1}/${rounds} ${model.padEnd(10)} ${key.padEnd(7)} ${run.ms.toFixed(1)} ms/step\n`);
      }
    }
  }
  const rows: string[][] = [["model", "engine", "ms/step", "images/s", "GFLOP/s", "peak RSS MB", "× PyTorch time"]];
  for (const model of models) {
    const flops = runs.get(`${model}/${engineKeys.find((k) => k !== "torch")}`)?.[0]?.flops;
    const torchMs = haveTorch ? runs.get(`${model}/torch`)?.map((r) => r.ms) : undefined;
    const torchMedian = torchMs ? median(torchMs) : undefined;
    for (const key of engineKeys) {
      const list = runs.get(`${model}/${key}`)!;
      const ms = median(list.map((r) => r.ms));
      rows.push([
        model,
        ENGINES[key].name,
        ms.toFixed(1),
        ((batch * 1000) / ms).toFixed(0),
        flops ? (flops / ms / 1e6).toFixed(1) : "–",
        Math.max(...list.map((r) => r.rssMB)).toFixed(0),
        torchMedian === undefined ? "–" : (ms / torchMedian).toFixed(2),
      ]);
    }
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const fmt = (r: string[]) => "| " + r.map((v, c) => (c < 2 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join(" | ") + " |";
  console.log(`\nbatch ${batch}, Adam 1e-3, medians of ${rounds} interleaved runs per engine (× PyTorch: < 1 is faster than PyTorch)\n`);
  console.log(fmt(rows[0]));
  console.log("| " + widths.map((w, c) => (c < 2 ? "-".repeat(w) : "-".repeat(w - 1) + ":")).join(" | ") + " |");
  for (const r of rows.slice(1)) console.log(fmt(r));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

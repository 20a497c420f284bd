// One measurement run in its own process (so backend choice, thread pool and peak RSS belong to
// this run alone): trains one model for --steps steps on synthetic uint8 batches through the
// course's own makeBatch + trainStep, and prints one JSON line.
//   tsx bench/tfjs_steps.ts --model SimpleCNN --backend wasm [--threads 2] [--stock-kernels] --steps 20 --batch 64
import { initBackend, tf, type BackendChoice } from "../lib/tf";
import { useWasmThreads } from "../lib/kernels/wasm_threads";
import { restoreStockWasmKernels } from "../lib/kernels/register";
import { trainStep } from "../lib/train/loop";
import { batchIndices, makeBatch } from "../lib/data/batches";
import { BENCH_MODELS, trainStepFlops, type ModelName } from "./models";
import { syntheticSet } from "./profile";
import { arg, flag, median } from "./args";

async function main(): Promise<void> {
  const model = arg("model") as ModelName;
  const backend = arg("backend", "wasm") as BackendChoice;
  const threads = Number(arg("threads", "1"));
  const steps = Number(arg("steps", "20"));
  const batch = Number(arg("batch", "64"));
  const warmup = Number(arg("warmup", "2"));
  if (backend === "wasm" && threads > 1) useWasmThreads(threads);
  await initBackend({ quiet: true, backend });
  if (flag("stock-kernels")) restoreStockWasmKernels();
  const spec = BENCH_MODELS[model];
  const net = spec.build(1);
  const optimizer = tf.train.adam(0.001);
  const data = syntheticSet(spec.input, batch * 8, 3);
  const order = batchIndices(data.count, batch, { shuffle: true, seed: 1 });
  const times: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const started = performance.now();
    tf.tidy(() => {
      const { x, y } = makeBatch(data, order[i % order.length]);
      trainStep(net, optimizer, x, y).loss.dataSync(); // waits for the step, as loss.item() does
    });
    if (i >= warmup) times.push(performance.now() - started);
  }
  const ms = median(times);
  console.log(JSON.stringify({ ms, flops: trainStepFlops(net, batch), rssMB: process.resourceUsage().maxRSS / 1024, tensors: tf.memory().numTensors }));
  process.exit(0); // the threaded build's worker pool would keep the process alive
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { parseBackendEnv } from "../lib/tf";

const ROOT = path.resolve(__dirname, "..");

/** Backend selection is once per process, so each case runs in a fresh one. */
function banner(env: Record<string, string>): { out: string; err: string; status: number | null } {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "-e", 'require("./lib/tf").initBackend().catch((e) => { console.error(e.message); process.exit(3); })'],
    { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8", timeout: 60_000 },
  );
  return { out: r.stdout, err: r.stderr, status: r.status };
}

test("automatic choice here is wasm (no tfjs-node packages installed), in one banner line", () => {
  const r = banner({ COURSE_BACKEND: "" });
  assert.equal(r.status, 0, r.err);
  const lines = r.out.trim().split("\n");
  assert.equal(lines.length, 1, r.out);
  assert.match(lines[0], /^TensorFlow\.js 4\.22\.0 · backend: wasm \(wasm\) · device: CPU, WebAssembly SIMD, 1 thread$/);
});

test("COURSE_BACKEND forces a backend", () => {
  const r = banner({ COURSE_BACKEND: "cpu" });
  assert.equal(r.status, 0, r.err);
  assert.match(r.out, /backend: cpu \(cpu\)/);
});

test("a forced backend that is not installed is an error naming the package and the fix, not a silent fallback", () => {
  const r = banner({ COURSE_BACKEND: "tfjs-node-gpu" });
  assert.equal(r.status, 3);
  assert.match(r.err, /COURSE_BACKEND=tfjs-node-gpu, but @tensorflow\/tfjs-node-gpu is not installed\. .*CUDA 11\.2/);
});

test("an unknown COURSE_BACKEND lists the valid ones", () => {
  assert.throws(() => parseBackendEnv("gpu"), /COURSE_BACKEND=gpu is not a backend .* tfjs-node-gpu, tfjs-node, wasm, cpu/);
  assert.equal(parseBackendEnv(" "), undefined);
  assert.equal(parseBackendEnv("auto"), undefined);
  assert.equal(parseBackendEnv("wasm"), "wasm");
});

test("COURSE_REQUIRE_GPU=1 refuses to run on anything but a GPU, quoting the banner", () => {
  const r = banner({ COURSE_BACKEND: "", COURSE_REQUIRE_GPU: "1" });
  assert.equal(r.status, 3);
  assert.match(r.err, /COURSE_REQUIRE_GPU=1 but the backend is not on a GPU: TensorFlow\.js 4\.22\.0 · backend: wasm/);
});

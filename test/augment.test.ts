import assert from "node:assert/strict";
import { test } from "node:test";
import { randomFlipCrop } from "../lib/data/augment";
import type { ImageSet } from "../lib/data/types";
// 40 images of 6×5 pixels × 2 channels; pixel (i, j) channel c of image n holds 1 + (n·7 + i·5 + j + 3c) % 250,
// never 0, so a 0 in the output can only be padding.
const [H, W, C, N] = [6, 5, 2, 40];
const value = (n: number, i: number, j: number, c: number) => 1 + ((n * 7 + i * 5 + j + 3 * c) % 250);
const set: ImageSet = {
  images: Uint8Array.from({ length: N * H * W * C }, (_, k) => {
    const c = k % C;
    const j = Math.floor(k / C) % W;
    const i = Math.floor(k / (C * W)) % H;
    return value(Math.floor(k / (C * W * H)), i, j, c);
  }),
  labels: Uint8Array.from({ length: N }, (_, n) => n % 10),
  count: N,
  height: H,
  width: W,
  channels: C,
  classNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
};
const all = Int32Array.from({ length: N }, (_, n) => n);
const pixel = (s: ImageSet, k: number, i: number, j: number, c: number) => s.images[((k * H + i) * W + j) * C + c];

/** Finds the (dy, dx, mirrored) that explains output image k as a shifted copy of image n, or undefined. */
function explain(out: ImageSet, k: number, n: number, padding: number): { dy: number; dx: number; mirrored: boolean } | undefined {
  for (const mirrored of [false, true]) {
    for (let dy = -padding; dy <= padding; dy++) {
      for (let dx = -padding; dx <= padding; dx++) {
        let ok = true;
        for (let i = 0; i < H && ok; i++) {
          for (let j = 0; j < W && ok; j++) {
            const [sy, sx] = [i + dy, (mirrored ? W - 1 - j : j) + dx];
            for (let c = 0; c < C; c++) {
              const want = sy >= 0 && sy < H && sx >= 0 && sx < W ? value(n, sy, sx, c) : 0;
              if (pixel(out, k, i, j, c) !== want) ok = false;
            }
          }
        }
        if (ok) return { dy, dx, mirrored };
      }
    }
  }
  return undefined;
}

test("padding 0 and no flip returns the selected images unchanged, labels kept", () => {
  const picks = Int32Array.of(5, 0, 39);
  const out = randomFlipCrop({ seed: 1, padding: 0, flip: false })(set, picks);
  assert.equal(out.count, 3);
  assert.deepEqual([...out.labels], [5, 0, 9]);
  const size = H * W * C;
  assert.deepEqual([...out.images], [...picks].flatMap((n) => [...set.images.subarray(n * size, (n + 1) * size)]));
});

test("flip only: every image is itself or its mirror, and both happen about half the time", () => {
  const out = randomFlipCrop({ seed: 2, padding: 0 })(set, all);
  const moves = [...all].map((n) => explain(out, n, n, 0));
  assert.ok(moves.every((m) => m !== undefined));
  const mirrored = moves.filter((m) => m!.mirrored).length;
  assert.ok(mirrored >= 10 && mirrored <= 30, `${mirrored} of ${N} mirrored`);
});

test("crop with padding 2: each image is shifted by at most 2 pixels with a black border, in varied ways", () => {
  const out = randomFlipCrop({ seed: 3, padding: 2, flip: false })(set, all);
  const moves = [...all].map((n) => explain(out, n, n, 2));
  assert.ok(moves.every((m) => m !== undefined && !m.mirrored), "every output is a shifted copy");
  const shifts = new Set(moves.map((m) => `${m!.dy},${m!.dx}`));
  assert.ok(shifts.size >= 10, `only ${shifts.size} distinct shifts of 25 possible`);
  assert.ok(moves.some((m) => m!.dy === -2) && moves.some((m) => m!.dx === 2), "the extreme shifts occur");
});

test("seeded: the same seed repeats the sequence of batches, another seed differs, each call draws anew", () => {
  const a = randomFlipCrop({ seed: 7 });
  const b = randomFlipCrop({ seed: 7 });
  const first = a(set, all);
  assert.deepEqual(b(set, all).images, first.images);
  const second = a(set, all);
  assert.notDeepEqual(second.images, first.images);
  assert.deepEqual(b(set, all).images, second.images);
  assert.notDeepEqual(randomFlipCrop({ seed: 8 })(set, all).images, first.images);
});

test("bad padding and out-of-range indices are refused", () => {
  assert.throws(() => randomFlipCrop({ seed: 1, padding: -1 }), /padding must be an integer ≥ 0, got -1/);
  assert.throws(() => randomFlipCrop({ seed: 1 })(set, Int32Array.of(40)), /Sample index 40 is outside 0\.\.39/);
});

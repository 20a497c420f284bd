// Seeded random numbers for everything the course shuffles, splits or synthesises in JavaScript,
// so a run can be repeated exactly (tfjs's own seeded ops cover tensors).

/** mulberry32: a tiny 32-bit PRNG with good statistics for its size. Floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded standard normal numbers (Box–Muller over mulberry32). */
export function gaussian(seed: number): () => number {
  const uniform = mulberry32(seed);
  // 1 − u keeps the log's argument in (0, 1]: mulberry32 can return exactly 0.
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

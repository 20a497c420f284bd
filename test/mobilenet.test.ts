import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { decodeImage } from "../lib/data/images";
import type { Dataset } from "../lib/data/registry";
import { fileSystemHandler } from "../lib/models/fs_handler";
import { CHECKSUM_FILE, downloadModel, findModelFolder, LOCAL_MODELS_ENV, loadMobileNet, MOBILENETS } from "../lib/models/mobilenet";
import { initBackend, tf } from "../lib/tf";

delete process.env[LOCAL_MODELS_ENV]; // the tests say where models are, never the environment

const MODELS = "/work/shared/models";
const V1 = MOBILENETS.mobilenet_v1_025_224;
const V1_DIR = path.join(MODELS, V1.registry.name);
const SHARD = "group1-shard1of1";
const DAISY = "/work/shared/data/flower_photos_small_set/images/daisy/100080576_f52e8ee070_n.jpg";
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "mobilenet-test-"));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));
before(() => initBackend({ quiet: true }));

let dirs = 0;
const tempDir = () => fs.mkdtempSync(path.join(TMP, `${dirs++}-`));
const quiet = () => {};

/** A writable copy of the shared v1 0.25 model. */
function modelCopy(): string {
  const dir = path.join(tempDir(), V1.registry.name);
  fs.cpSync(V1_DIR, dir, { recursive: true });
  for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o644);
  return dir;
}

const sha256 = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

describe("fileSystemHandler", () => {
  test("loads the shared MobileNet v1 0.25 graph model from disk", async () => {
    const model = await tf.loadGraphModel(fileSystemHandler(V1_DIR));
    const logits = tf.tidy(() => model.predict(tf.zeros([1, 224, 224, 3])) as tf.Tensor);
    assert.deepEqual(logits.shape, [1, 1001]);
    logits.dispose();
    model.dispose();
  });

  test("a missing shard is an error naming the file and the fix", async () => {
    const dir = modelCopy();
    fs.rmSync(path.join(dir, SHARD));
    await assert.rejects(tf.loadGraphModel(fileSystemHandler(dir)), (err: Error) =>
      err.message.includes(path.join(dir, SHARD)) && /missing/.test(err.message) && /Fix:/.test(err.message),
    );
  });

  test("a truncated shard is refused by the manifest's byte count", async () => {
    const dir = modelCopy();
    const shard = path.join(dir, SHARD);
    fs.truncateSync(shard, fs.statSync(shard).size - 100);
    await assert.rejects(tf.loadGraphModel(fileSystemHandler(dir)), /1875248 bytes but model.json describes 1875348/);
  });

  test("a corrupt shard of the right size is refused by its sha256", async () => {
    const dir = modelCopy();
    const shard = path.join(dir, SHARD);
    const bytes = fs.readFileSync(shard);
    bytes[12345] ^= 0x55;
    fs.writeFileSync(shard, bytes);
    const checks = { [SHARD]: V1.registry.files[1].check.sha256! };
    await assert.rejects(tf.loadGraphModel(fileSystemHandler(dir, { sha256: checks })), (err: Error) => err.message.includes(shard) && /corrupt/.test(err.message));
  });

  test("a model.json that is not JSON says so", async () => {
    const dir = modelCopy();
    fs.writeFileSync(path.join(dir, "model.json"), "<html>moved</html>");
    await assert.rejects(tf.loadGraphModel(fileSystemHandler(dir)), /is not valid JSON/);
  });
});

describe("loadMobileNet", () => {
  test("loads v1 0.25 from the local models folder and recognises a daisy", async () => {
    const loaded = await loadMobileNet({ model: "mobilenet_v1_025_224", localDir: MODELS, cacheDir: tempDir(), download: false, log: quiet });
    assert.equal(loaded.info.id, "mobilenet_v1_025_224");
    assert.match(loaded.origin, /local copy/);
    const photo = await decodeImage(DAISY, { size: 224 });
    const image = tf.tensor3d(photo.pixels, [224, 224, 3], "int32");
    const top5 = await loaded.net.classify(image, 5);
    assert.ok(top5.some((p) => p.className === "daisy"), `top-5: ${top5.map((p) => p.className).join(", ")}`);
    const embedding = loaded.net.infer(image, true);
    assert.deepEqual(embedding.shape, [1, V1.embeddingSize]);
    tf.dispose([image, embedding]);
  });

  test("falls back to the local v1 0.25 when the default v2 cannot be had, and says why", async () => {
    const loaded = await loadMobileNet({ localDir: MODELS, cacheDir: tempDir(), download: false, log: quiet });
    assert.equal(loaded.info.id, "mobilenet_v1_025_224");
    assert.match(loaded.fallback ?? "", /MobileNet v2 .* could not be loaded .*download is off/);
  });

  test("without a fallback the error names the fix", async () => {
    await assert.rejects(
      loadMobileNet({ localDir: MODELS, cacheDir: tempDir(), download: false, fallback: false, log: quiet }),
      /mobilenet_v2_100_224_classification_tfhub is neither in the cache .* Fix: set COURSE_LOCAL_MODELS/,
    );
  });
});

describe("downloading over HTTP", () => {
  let server: http.Server;
  let base = "";
  const requests: string[] = [];
  // Like tfhub.dev → Kaggle: every file answers with a redirect to a signed storage URL.
  before(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url!, "http://localhost");
      requests.push(url.pathname + url.search);
      const [, kind, name] = url.pathname.split("/");
      if (kind === "hub") {
        assert.equal(url.searchParams.get("tfjs-format"), "file", "shards keep model.json's query string");
        res.writeHead(302, { location: `/storage/${name}?signature=abc` }).end();
      } else if (kind === "storage" || kind === "truncated") {
        const file = path.join(V1_DIR, name);
        if (!fs.existsSync(file)) return void res.writeHead(404).end();
        const data = fs.readFileSync(file);
        res.writeHead(200).end(kind === "truncated" && name === SHARD ? data.subarray(0, 1000) : data);
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const entry = (...urls: string[]): Dataset => ({
    ...V1.registry,
    files: [{ ...V1.registry.files[0], urls }, V1.registry.files[1]],
  });

  test("downloads model.json and its shards, records sha256, then loads from the cache", async () => {
    const cacheDir = tempDir();
    const dest = path.join(cacheDir, V1.registry.name);
    // The first mirror is dead: the second one is used.
    const sha = await downloadModel(entry("http://127.0.0.1:1/model.json", `${base}/hub/model.json?tfjs-format=file`), dest, { log: quiet });
    assert.ok(requests.includes(`/hub/${SHARD}?tfjs-format=file`));
    assert.deepEqual(fs.readdirSync(dest).sort(), [SHARD, "model.json", CHECKSUM_FILE].sort());
    assert.deepEqual(fs.readdirSync(cacheDir), [V1.registry.name], "no temporary folder left behind");
    const recorded = JSON.parse(fs.readFileSync(path.join(dest, CHECKSUM_FILE), "utf8"));
    assert.equal(recorded[SHARD], sha256(path.join(V1_DIR, SHARD)));
    assert.equal(sha[SHARD], V1.registry.files[1].check.sha256);

    const found = await findModelFolder(V1.registry, { cacheDir, download: false });
    assert.match(found.origin, /the cache/);
    await tf.loadGraphModel(fileSystemHandler(dest, { sha256: found.sha256 }));

    // A cached file damaged later is refused on load, with the re-download fix.
    const shard = path.join(dest, SHARD);
    const bytes = fs.readFileSync(shard);
    bytes[7] ^= 1;
    fs.writeFileSync(shard, bytes);
    await assert.rejects(tf.loadGraphModel(fileSystemHandler(dest, { sha256: found.sha256 })), /corrupt/);
  });

  test("a truncated download leaves nothing in the cache and reports every mirror", async () => {
    const cacheDir = tempDir();
    const dest = path.join(cacheDir, V1.registry.name);
    await assert.rejects(
      downloadModel(entry(`${base}/truncated/model.json`, `${base}/missing/model.json`), dest, { log: quiet }),
      (err: Error) => /Could not download/.test(err.message) && /group1-shard1of1 has 1000 bytes/.test(err.message) && /HTTP 404/.test(err.message),
    );
    assert.deepEqual(fs.readdirSync(cacheDir), []);
  });
});

// The search demo end to end: the server (in this process) with a small gallery it builds at
// start-up, driven by headless Chromium, plus HTTP-level checks of what it must refuse.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium, type BrowserContext } from "playwright-core";
import { MAX_UPLOAD_BYTES, startDemo } from "../demo/server";
import { LOCAL_DATA_ENV } from "../lib/data/cache";
import { LOCAL_MODELS_ENV } from "../lib/models/mobilenet";

process.env[LOCAL_MODELS_ENV] ??= "/work/shared/models";
process.env[LOCAL_DATA_ENV] ??= "/work/shared/data";

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "search-demo-test-"));
const SCREENSHOT = path.join(__dirname, "..", "ci", "out", "search-demo.png");
let server: http.Server;
let base: URL;
let note: string;

before(async () => {
  const started = await startDemo({ port: 0, galleryDir: path.join(TMP, "no-gallery-here"), fallbackCount: 150, download: false, log: () => {} });
  server = started.server;
  base = new URL(started.url);
  note = started.note;
});
after(() => {
  server?.close();
  fs.rmSync(TMP, { recursive: true, force: true });
});

interface Reply {
  status: number;
  type: string;
  body: Buffer;
}

/** A request with the path sent exactly as written (fetch and browsers would normalise "../"). */
function request(method: string, rawPath: string, options: { headers?: http.OutgoingHttpHeaders; body?: Buffer | Buffer[] } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: base.hostname, port: base.port, method, path: rawPath, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), body: Buffer.concat(chunks) }));
    });
    // The server may answer (413) and close before a large body is sent: that is the point.
    req.on("error", (err: NodeJS.ErrnoException) => (err.code === "EPIPE" || err.code === "ECONNRESET" ? undefined : reject(err)));
    for (const part of options.body === undefined ? [] : Array.isArray(options.body) ? options.body : [options.body]) req.write(part);
    req.end();
  });
}
const errorOf = (reply: Reply) => (JSON.parse(reply.body.toString()) as { error: string }).error;

describe("HTTP", () => {
  test("builds a small gallery when none is saved, and says so", async () => {
    assert.match(note, /No saved gallery in .*no-gallery-here.*small gallery of 150 CIFAR-10 test images built at start-up/);
    const info = JSON.parse((await request("GET", "/api/info")).body.toString());
    assert.equal(info.count, 150);
    assert.equal(info.modelId, "mobilenet_v1_025_224");
  });

  test("serves its page and nothing else from the disk (no path traversal)", async () => {
    const page = await request("GET", "/");
    assert.equal(page.status, 200);
    assert.match(page.body.toString(), /<title>Visual search demo<\/title>/);
    assert.equal((await request("GET", "/app.js")).status, 200);
    const attempts = [
      "/../package.json", "/%2e%2e/package.json", "/%2E%2E/%2E%2E/etc/passwd", "/..%2fpackage.json", "/..%2f..%2fpackage.json",
      "/%252e%252e/package.json", "/..\\package.json", "/public/../server.ts", "/demo/server.ts", "/server.ts", "//etc/passwd",
      "/app.js/../../package.json", "/index.html%00.js", "/.%2e/.%2e/etc/passwd", "/api/image/..%2f..%2fpackage.json",
    ];
    for (const attempt of attempts) {
      const reply = await request("GET", attempt);
      assert.ok(reply.status === 404 || reply.status === 400, `${attempt} answered ${reply.status}`);
      const text = reply.body.toString();
      assert.ok(!text.includes("tfjs-deep-learning-course") && !text.includes("root:") && !text.includes("startDemo"), `${attempt} leaked a file`);
    }
  });

  test("refuses bad uploads and bad parameters with a clear 4xx, and keeps running", async () => {
    const notImage = await request("POST", "/api/search", { headers: { "content-type": "text/plain" }, body: Buffer.from("hello") });
    assert.equal(notImage.status, 415);
    assert.match(errorOf(notImage), /"text\/plain", not an image: send a JPEG, PNG or WebP/);
    const garbage = await request("POST", "/api/search", { headers: { "content-type": "image/png" }, body: Buffer.from("definitely not a png") });
    assert.equal(garbage.status, 415);
    assert.match(errorOf(garbage), /not an image that can be read/);
    const empty = await request("POST", "/api/search", { headers: { "content-type": "image/png" }, body: Buffer.alloc(0) });
    assert.equal(empty.status, 400);
    assert.match(errorOf(empty), /upload is empty/);
    const big = Buffer.alloc(MAX_UPLOAD_BYTES + 1);
    const declared = await request("POST", "/api/search", { headers: { "content-type": "image/jpeg", "content-length": big.length }, body: big });
    assert.equal(declared.status, 413);
    assert.match(errorOf(declared), /limit is 5 MB/);
    const chunked = await request("POST", "/api/search", { headers: { "content-type": "image/jpeg", "transfer-encoding": "chunked" }, body: [big.subarray(0, 3_000_000), big.subarray(3_000_000)] });
    assert.equal(chunked.status, 413);
    assert.equal((await request("GET", "/api/search?id=1&k=0")).status, 400);
    assert.match(errorOf(await request("GET", "/api/search?id=1&k=abc")), /k must be a whole number from 1 to 50/);
    assert.equal((await request("GET", "/api/search?id=150")).status, 400);
    assert.equal((await request("GET", "/api/search")).status, 400);
    assert.equal((await request("GET", "/api/image/150.png")).status, 404);
    assert.equal((await request("DELETE", "/api/search?id=1")).status, 405);
    assert.equal((await request("GET", "/api/nothing")).status, 404);
    const still = await request("GET", "/api/search?id=3&k=5");
    assert.equal(still.status, 200);
    const answer = JSON.parse(still.body.toString()) as { results: { id: number; score: number }[] };
    assert.equal(answer.results.length, 5);
    assert.ok(answer.results.every((r) => r.id !== 3), "a gallery query must not return itself");
  });
});

describe("in the browser", () => {
  let context: BrowserContext;
  before(async () => {
    context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(TMP, "chromium-")), {
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    await context.route("**/*", (route) => {
      const host = new URL(route.request().url()).hostname;
      return host === "127.0.0.1" || host === "localhost" ? route.continue() : route.abort();
    });
  });
  after(() => context?.close());

  test("a gallery query and an upload both show ranked results with scores", async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    const problems: string[] = [];
    page.on("pageerror", (err) => problems.push(err.message));
    await page.goto(base.href);
    await page.waitForSelector("#picker button");
    assert.match(await page.textContent("#info") ?? "", /150 gallery images · mobilenet_v1_025_224 embeddings · hnsw index/);

    await page.click("#picker button >> nth=3");
    await page.waitForSelector("#results .result");
    assert.equal(await page.locator("#results .result").count(), 12);
    const scores = (await page.locator("#results .score").allTextContents()).map((t) => Number(t.replace("score ", "")));
    assert.ok(scores.every((s, i) => s <= 1.0005 && (i === 0 || s <= scores[i - 1] + 1e-9)), `scores not ranked: ${scores}`);
    assert.match(await page.textContent("#query") ?? "", /gallery image #3/);

    // Upload gallery image 7 itself: the same pixels embed to the same vector, so it must come first with score ≈ 1.
    const png = (await request("GET", "/api/image/7.png")).body;
    await page.setInputFiles("#upload", { name: "known.png", mimeType: "image/png", buffer: png });
    await page.locator("#query", { hasText: "your upload known.png" }).waitFor();
    const first = await page.locator("#results .result img").first().getAttribute("src");
    assert.equal(first, "/api/image/7.png");
    assert.match(await page.locator("#results .score").first().textContent() ?? "", /score (1\.000|0\.99\d)/);

    // A bad upload shows the server's message instead of breaking the page.
    await page.setInputFiles("#upload", { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello") });
    await page.waitForSelector("#status.error");
    assert.match(await page.textContent("#status") ?? "", /not an image/);
    await page.setInputFiles("#upload", { name: "known.png", mimeType: "image/png", buffer: png });
    await page.waitForSelector("#status:not(.error)");
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.deepEqual(problems, []);
  });
});

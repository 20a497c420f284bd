// The week 6 visual search as a local web page: pick a gallery image or upload a photo, get the
// top-K most similar gallery images with their cosine scores. `npm run search-demo`
// [-- --port 8606 --gallery <dir> --host 127.0.0.1 --fallback-count 500].
//
// Backed by the gallery the week 6 notebook saves (<cache root>/search-demo: HNSW index + labels +
// thumbnails). Without one it builds a small gallery at start-up from the local CIFAR-10 test
// images and says so. Plain node:http; it serves only the files in demo/public and its JSON API.
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { MobileNet } from "@tensorflow-models/mobilenet";
import { subset } from "../lib/data/batches";
import { loadCifar10 } from "../lib/data/cifar10";
import { embedImageSet } from "../lib/embeddings/extract";
import { loadMobileNet, MOBILENETS, type MobileNetId } from "../lib/models/mobilenet";
import { encodePng } from "../lib/plot/png";
import { CIFAR_QUERY_PREPROCESSING, decodeQueryImage, loadGallery, searchDemoDir, type Gallery } from "../lib/search/gallery_store";
import { HnswIndex, readIndexMetadata } from "../lib/search/vector_index";
import { initBackend } from "../lib/tf";

export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
const MAX_K = 50;
const PUBLIC_DIR = path.join(__dirname, "public");
const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };

interface Search {
  gallery: Gallery;
  net: MobileNet;
  modelId: string;
  /** Shown on the page: where the gallery came from. */
  note: string;
}

/** A request the client got wrong (4xx): the message is shown to the user as is. */
class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function openSearch(dir: string, fallbackCount: number, download: boolean, log: (msg: string) => void): Promise<Search> {
  let problem = `No saved gallery in ${dir} (the week 6 notebook writes one)`;
  if (fs.existsSync(path.join(dir, "index.json"))) {
    try {
      const meta = await readIndexMetadata(dir);
      if (!(meta.modelId in MOBILENETS)) throw new Error(`it was built with "${meta.modelId}", which is not a MobileNet this demo can load (${Object.keys(MOBILENETS).join(", ")})`);
      const loaded = await loadMobileNet({ model: meta.modelId as MobileNetId, fallback: false, log });
      const gallery = await loadGallery(dir, { dim: loaded.info.embeddingSize, modelId: loaded.info.id, preprocessingId: CIFAR_QUERY_PREPROCESSING });
      return { gallery, net: loaded.net, modelId: loaded.info.id, note: `Saved gallery from ${dir}: ${gallery.note}` };
    } catch (err) {
      problem = `The saved gallery in ${dir} could not be used (${(err as Error).message})`;
    }
  }
  log(`${problem}. Building a small gallery of ${fallbackCount} CIFAR-10 test images now.`);
  const loaded = await loadMobileNet({ download, log });
  const cifar = await loadCifar10({ download, log });
  const images = subset(cifar.test, Math.min(fallbackCount, cifar.test.count), { seed: 6 });
  const run = await embedImageSet(loaded.net, images, { progress: false });
  const index = new HnswIndex({ dim: run.dim, modelId: loaded.info.id, preprocessingId: CIFAR_QUERY_PREPROCESSING, capacity: images.count });
  index.add(run.data);
  const sources = Array.from({ length: images.count }, (_, i) => `cifar10-test subset #${i}`);
  return { gallery: { index, images, sources, note: "" }, net: loaded.net, modelId: loaded.info.id, note: `${problem}; this is a small gallery of ${images.count} CIFAR-10 test images built at start-up (${run.seconds.toFixed(1)} s).` };
}

function intParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new HttpError(400, `${name} must be a whole number from ${min} to ${max}, got "${raw}".`);
  return value;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

/** The request body, refusing (413) anything over the limit without reading it all. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (declared > limit) return Promise.reject(new HttpError(413, `The upload is ${(declared / 1048576).toFixed(1)} MB; the limit is ${limit / 1048576} MB. Use a smaller image.`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpError(413, `The upload is larger than the ${limit / 1048576} MB limit. Use a smaller image.`));
        req.removeAllListeners("data");
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function results(search: Search, vector: Float32Array, k: number, exclude?: number) {
  const { index, images } = search.gallery;
  const hits = index.search(vector, k, exclude === undefined ? undefined : (id) => id !== exclude);
  return hits.ids.map((id, i) => ({ id, className: images.classNames[images.labels[id]], score: hits.scores[i] }));
}

/** Embeds one-image sets with the gallery's model and pipeline (see CIFAR_QUERY_PREPROCESSING). */
async function embedOne(search: Search, set: Gallery["images"]): Promise<Float32Array> {
  return (await embedImageSet(search.net, set, { progress: false })).data;
}

function galleryVector(search: Search, id: number): Promise<Float32Array> {
  const { images } = search.gallery;
  const size = images.height * images.width * 3;
  return embedOne(search, { ...images, images: images.images.subarray(id * size, (id + 1) * size), labels: images.labels.subarray(id, id + 1), count: 1 });
}

async function handle(search: Search, req: http.IncomingMessage, res: http.ServerResponse, statics: Map<string, string>): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const { images } = search.gallery;
  const route = `${req.method} ${url.pathname}`;
  if (req.method === "GET" && statics.has(url.pathname)) {
    const file = statics.get(url.pathname)!;
    res.writeHead(200, { "content-type": TYPES[path.extname(file)], "x-content-type-options": "nosniff", "content-security-policy": "default-src 'self'; img-src 'self' blob:" });
    res.end(await fs.promises.readFile(file));
    return;
  }
  if (route === "GET /api/info") {
    sendJson(res, 200, { count: images.count, classNames: images.classNames, modelId: search.modelId, kind: search.gallery.index.kind, note: search.note, maxK: MAX_K, maxUploadBytes: MAX_UPLOAD_BYTES });
    return;
  }
  if (route === "GET /api/gallery") {
    const count = intParam(url, "count", 24, 1, 200);
    const offset = intParam(url, "offset", 0, 0, Math.max(0, images.count - 1));
    const ids = Array.from({ length: Math.min(count, images.count - offset) }, (_, i) => offset + i);
    sendJson(res, 200, { items: ids.map((id) => ({ id, className: images.classNames[images.labels[id]] })), total: images.count });
    return;
  }
  const image = /^\/api\/image\/(\d+)\.png$/.exec(url.pathname);
  if (req.method === "GET" && image) {
    const id = Number(image[1]);
    if (!(id < images.count)) throw new HttpError(404, `There is no gallery image ${image[1]}: ids run from 0 to ${images.count - 1}.`);
    const size = images.height * images.width * 3;
    res.writeHead(200, { "content-type": "image/png", "cache-control": "max-age=3600" });
    res.end(encodePng(images.images.subarray(id * size, (id + 1) * size), images.width, images.height, 3));
    return;
  }
  if (url.pathname === "/api/search") {
    const k = intParam(url, "k", 12, 1, MAX_K);
    if (req.method === "GET") {
      const id = intParam(url, "id", -1, 0, images.count - 1);
      if (id < 0) throw new HttpError(400, "Give the query as ?id=<gallery id>, or POST an image.");
      sendJson(res, 200, { query: { id, className: images.classNames[images.labels[id]] }, results: results(search, await galleryVector(search, id), k, id) });
      return;
    }
    if (req.method === "POST") {
      const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
      if (type !== "" && !type.startsWith("image/") && type !== "application/octet-stream") {
        throw new HttpError(415, `The upload is "${type}", not an image: send a JPEG, PNG or WebP file.`);
      }
      const body = await readBody(req, MAX_UPLOAD_BYTES);
      if (body.length === 0) throw new HttpError(400, "The upload is empty: choose an image file.");
      let query;
      try {
        query = await decodeQueryImage(body, { width: images.width, height: images.height });
      } catch (err) {
        throw new HttpError(415, (err as Error).message);
      }
      sendJson(res, 200, { query: { upload: true, width: images.width, height: images.height }, results: results(search, await embedOne(search, query), k) });
      return;
    }
    res.setHeader("allow", "GET, POST");
    throw new HttpError(405, `${req.method} is not supported on /api/search: use GET ?id=… or POST an image.`);
  }
  throw new HttpError(404, `Not found: ${url.pathname}`);
}

export interface DemoOptions {
  host?: string;
  port?: number;
  galleryDir?: string;
  fallbackCount?: number;
  /** false: build the fallback gallery only from files on disk (cache or COURSE_LOCAL_*), never download. */
  download?: boolean;
  log?: (msg: string) => void;
}

/** Opens (or builds) the gallery, then listens. Resolves with the server and its address. */
export async function startDemo(options: DemoOptions = {}): Promise<{ server: http.Server; url: string; note: string }> {
  const { host = "127.0.0.1", port = 8606, galleryDir = searchDemoDir(), fallbackCount = 500, download = true, log = console.log } = options;
  await initBackend({ quiet: true });
  const search = await openSearch(galleryDir, fallbackCount, download, log);
  // Only these files are ever served: a fixed map, so no path from a request reaches the file system.
  const statics = new Map<string, string>();
  for (const name of fs.readdirSync(PUBLIC_DIR)) if (TYPES[path.extname(name)]) statics.set(`/${name}`, path.join(PUBLIC_DIR, name));
  statics.set("/", path.join(PUBLIC_DIR, "index.html"));
  const server = http.createServer((req, res) => {
    handle(search, req, res, statics).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof HttpError ? err.message : `Internal error: ${(err as Error).message}`;
      if (status === 500) log(`error on ${req.method} ${req.url}: ${(err as Error).stack}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // An unread request body would otherwise keep the connection busy: close it after answering.
      if (!req.complete) res.setHeader("connection", "close");
      sendJson(res, status, { error: message });
    });
  });
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as { port: number };
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}/`;
  if (host !== "127.0.0.1" && host !== "localhost" && host !== "::1") log(`Warning: listening on ${host}, so other machines can reach this demo.`);
  log(search.note);
  log(`Search demo listening on ${url} (${search.gallery.images.count} images, ${search.modelId}, ${search.gallery.index.kind} index)`);
  return { server, url, note: search.note };
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "8606" },
      gallery: { type: "string" },
      "fallback-count": { type: "string", default: "500" },
    },
  });
  const port = Number(values.port);
  const fallbackCount = Number(values["fallback-count"]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, got ${values.port}.`);
  if (!Number.isInteger(fallbackCount) || fallbackCount < 20) throw new Error(`--fallback-count must be a whole number ≥ 20, got ${values["fallback-count"]}.`);
  startDemo({ host: values.host, port, galleryDir: values.gallery, fallbackCount }).catch((err: Error) => {
    console.error(`The search demo could not start: ${err.message}`);
    process.exit(1);
  });
}

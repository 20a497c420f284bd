// Pretrained MobileNet for week 4 (the guide uses ResNet; TF.js's maintained pretrained CNN is
// MobileNet, through @tensorflow-models/mobilenet). The package can only fetch from hard-coded
// TF Hub URLs, which now redirect to Kaggle and sometimes fail, so the files are fetched here:
// from the URLs in lib/data/registry.ts, once, into the cache, verified, then always loaded from
// disk through fileSystemHandler. A folder of local models (COURSE_LOCAL_MODELS) skips the network.
import * as fs from "node:fs";
import * as path from "node:path";
import * as mobilenet from "@tensorflow-models/mobilenet";
import { cacheRoot, sha256Hex } from "../data/cache";
import { DATASETS, type Dataset } from "../data/registry";
import { tf } from "../tf";
import { fileSystemHandler, groupBytes } from "./fs_handler";

/** A folder holding model folders (e.g. mobilenet_v1_025_224_classification_tfhub/), used instead of downloading. */
export const LOCAL_MODELS_ENV = "COURSE_LOCAL_MODELS";
/** Written last into a downloaded model folder: the sha256 of every file, checked on every load. */
export const CHECKSUM_FILE = "sha256.json";

export type MobileNetId = "mobilenet_v2_100_224" | "mobilenet_v1_025_224";

export interface MobileNetInfo {
  id: MobileNetId;
  title: string;
  version: 1 | 2;
  alpha: number;
  /** ImageNet top-1 accuracy of this checkpoint, as published with it. */
  imagenetTop1: number;
  /** Size of the penultimate layer, what `infer(img, true)` returns per image. */
  embeddingSize: number;
  /** The model wants pixels scaled to this range (TF Hub image models: [0, 1]). */
  inputRange: [number, number];
  registry: Dataset;
}

export const MOBILENETS: Record<MobileNetId, MobileNetInfo> = {
  mobilenet_v2_100_224: {
    id: "mobilenet_v2_100_224",
    title: "MobileNet v2 (width 1.0, 224×224)",
    version: 2,
    alpha: 1.0,
    imagenetTop1: 0.718,
    embeddingSize: 1280,
    inputRange: [0, 1],
    registry: DATASETS.mobilenet_v2_100_224,
  },
  mobilenet_v1_025_224: {
    id: "mobilenet_v1_025_224",
    title: "MobileNet v1 (width 0.25, 224×224)",
    version: 1,
    alpha: 0.25,
    imagenetTop1: 0.498,
    embeddingSize: 256,
    inputRange: [0, 1],
    registry: DATASETS.mobilenet_v1_025_224,
  },
};

export const DEFAULT_MOBILENET: MobileNetId = "mobilenet_v2_100_224";
/** Small enough to ship beside the course for offline use and CI. */
export const FALLBACK_MOBILENET: MobileNetId = "mobilenet_v1_025_224";

export interface LoadMobileNetOptions {
  model?: MobileNetId;
  /** Cache root (default $COURSE_DATA_HOME or <repo>/data/cache); models live in its models/ folder. */
  cacheDir?: string;
  /** Folder of local model folders (default $COURSE_LOCAL_MODELS). */
  localDir?: string;
  /** false: never touch the network. */
  download?: boolean;
  /**
   * When the requested model is neither on disk nor downloadable, load the small fallback model
   * from the cache or the local folder instead (and say why in `fallback`). Default true.
   */
  fallback?: boolean;
  timeoutMs?: number;
  log?: (msg: string) => void;
}

export interface LoadedMobileNet {
  net: mobilenet.MobileNet;
  info: MobileNetInfo;
  /** Where the files were read from. */
  origin: string;
  /** Set when the fallback model was loaded instead of the requested one: why. */
  fallback?: string;
}

/**
 * Loads a pretrained MobileNet (default v2 1.0) from the first place that has it: the cache, the
 * local models folder, a download into the cache. Every file is checksum-verified.
 */
export async function loadMobileNet(options: LoadMobileNetOptions = {}): Promise<LoadedMobileNet> {
  const log = options.log ?? console.log;
  const requested = MOBILENETS[options.model ?? DEFAULT_MOBILENET];
  if (!requested) throw new Error(`Unknown model ${options.model}: use one of ${Object.keys(MOBILENETS).join(", ")}.`);
  const cacheDir = path.join(path.resolve(options.cacheDir ?? cacheRoot()), "models");
  const localDir = options.localDir ?? (process.env[LOCAL_MODELS_ENV] || undefined);
  try {
    const found = await findModelFolder(requested.registry, { ...options, cacheDir, localDir, log });
    return { net: await loadFolder(requested, found), info: requested, origin: found.origin };
  } catch (err) {
    const fallbackInfo = MOBILENETS[FALLBACK_MOBILENET];
    if (options.fallback === false || requested.id === fallbackInfo.id) throw err;
    let found: ModelFolder;
    try {
      found = await findModelFolder(fallbackInfo.registry, { cacheDir, localDir, log, download: false });
    } catch {
      throw err; // the fallback is not on disk either: the original problem is the one to fix
    }
    const reason = firstLine((err as Error).message).replace(/\.$/, "");
    log(`${requested.title} is unavailable (${reason}); loading ${fallbackInfo.title} from ${found.dir} instead.`);
    return {
      net: await loadFolder(fallbackInfo, found),
      info: fallbackInfo,
      origin: found.origin,
      fallback: `${requested.title} could not be loaded (${reason})`,
    };
  }
}

export interface ModelFolder {
  dir: string;
  /** file name → sha256 that every load checks. */
  sha256: Record<string, string>;
  origin: string;
}

export interface FindModelOptions {
  /** The folder that holds one sub-folder per model (…/models). */
  cacheDir: string;
  localDir?: string;
  download?: boolean;
  timeoutMs?: number;
  log?: (msg: string) => void;
}

/** The cache, then the local folder, then a download into the cache. */
export async function findModelFolder(entry: Dataset, options: FindModelOptions): Promise<ModelFolder> {
  const cached = path.join(options.cacheDir, entry.name);
  if (fs.existsSync(path.join(cached, CHECKSUM_FILE))) {
    return { dir: cached, sha256: cachedChecksums(entry, cached), origin: `the cache ${cached}` };
  }
  if (options.localDir !== undefined) {
    const local = path.join(options.localDir, entry.name);
    if (fs.existsSync(path.join(local, "model.json"))) {
      // Read in place: a local copy is already on disk, and the registry's checksums (when it has them) are checked on load.
      return { dir: local, sha256: registryChecksums(entry), origin: `the local copy ${local}` };
    }
  }
  if (options.download === false) {
    throw new Error(
      `${entry.name} is neither in the cache ${options.cacheDir} nor in ${options.localDir ? `the local models folder ${options.localDir}` : `a local models folder (${LOCAL_MODELS_ENV} is not set)`}, and download is off. ` +
        `Fix: set ${LOCAL_MODELS_ENV}=<folder containing ${entry.name}/> or allow the download.`,
    );
  }
  const sha256 = await downloadModel(entry, cached, options);
  return { dir: cached, sha256, origin: `a download (now in the cache ${cached})` };
}

/**
 * Downloads model.json and every shard it lists into `dest`, trying the registry's URLs in order.
 * The files go to a sibling temporary folder that is renamed to `dest` only when complete and
 * verified (a rename is atomic), so an interrupted download never looks like a cached model.
 * Returns the sha256 of every file, also written to dest/sha256.json.
 */
export async function downloadModel(
  entry: Dataset,
  dest: string,
  options: { timeoutMs?: number; log?: (msg: string) => void } = {},
): Promise<Record<string, string>> {
  const { timeoutMs = 60_000, log = console.log } = options;
  const modelFile = entry.files.find((f) => f.name === "model.json");
  if (!modelFile) throw new Error(`The registry entry ${entry.name} lists no model.json.`);
  const failures: { url: string; reason: string }[] = [];
  for (const url of modelFile.urls) {
    log(`downloading ${entry.name} from ${url}`);
    const part = `${dest}.part-${process.pid}`;
    try {
      await fs.promises.rm(part, { recursive: true, force: true });
      await fs.promises.mkdir(part, { recursive: true });
      const sha256 = await fetchModelFiles(entry, url, part, timeoutMs);
      await fs.promises.writeFile(path.join(part, CHECKSUM_FILE), JSON.stringify(sha256, null, 2));
      try {
        await fs.promises.rename(part, dest);
      } catch (err) {
        // Another process finished the same download first: use its copy.
        if (!fs.existsSync(path.join(dest, CHECKSUM_FILE))) throw err;
      }
      return cachedChecksums(entry, dest);
    } catch (err) {
      const reason = describeFailure(err);
      failures.push({ url, reason });
      log(`  failed: ${reason}`);
    } finally {
      await fs.promises.rm(part, { recursive: true, force: true });
    }
  }
  throw new Error(
    `Could not download ${entry.name} (${[...new Set(failures.map((f) => f.reason))].join("; ")}).\nTried:\n` +
      `${failures.map((f) => `  ${f.url}: ${f.reason}`).join("\n")}\n` +
      `Fix: copy the model folder to ${dest}, or set ${LOCAL_MODELS_ENV}=<folder containing ${entry.name}/>; ` +
      `if every URL fails, the model has moved: update its URL in lib/data/registry.ts.`,
  );
}

async function fetchModelFiles(entry: Dataset, modelUrl: string, dir: string, timeoutMs: number): Promise<Record<string, string>> {
  const save = async (name: string, url: string, expectedBytes?: number): Promise<Buffer> => {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`${name}: HTTP ${response.status} ${response.statusText}`.trim());
    const data = Buffer.from(await response.arrayBuffer());
    if (expectedBytes !== undefined && data.length !== expectedBytes) {
      throw new Error(`${name} has ${data.length} bytes, expected ${expectedBytes}`);
    }
    const check = entry.files.find((f) => f.name === name)?.check;
    if (check?.bytes !== undefined && data.length !== check.bytes) throw new Error(`${name} has ${data.length} bytes, the registry says ${check.bytes}`);
    if (check?.sha256 !== undefined && sha256Hex(data) !== check.sha256) throw new Error(`${name} is corrupt (sha256 ${sha256Hex(data)}, the registry says ${check.sha256})`);
    await fs.promises.writeFile(path.join(dir, name), data);
    return data;
  };
  const modelJson = parseModelJson((await save("model.json", modelUrl)).toString("utf8"), modelUrl);
  // tfjs resolves shards the same way: the model.json URL's folder + the shard path + its query.
  const parsed = new URL(modelUrl);
  const base = `${parsed.origin}${parsed.pathname.slice(0, parsed.pathname.lastIndexOf("/") + 1)}`;
  for (const group of modelJson.weightsManifest ?? []) {
    const expected = groupBytes(group);
    let received = 0;
    for (const shard of group.paths) {
      if (!/^[\w.-]+$/.test(shard)) throw new Error(`model.json lists a weight file "${shard}" outside its folder; refusing it`);
      // Only a single-shard group's size is known per file; a multi-shard group is checked as a whole below.
      received += (await save(shard, `${base}${shard}${parsed.search}`, group.paths.length === 1 ? expected : undefined)).length;
    }
    if (expected !== undefined && received !== expected) throw new Error(`the shards ${group.paths.join(", ")} hold ${received} bytes, model.json describes ${expected}`);
  }
  const sha256: Record<string, string> = {};
  for (const name of await fs.promises.readdir(dir)) sha256[name] = sha256Hex(await fs.promises.readFile(path.join(dir, name)));
  return sha256;
}

function parseModelJson(text: string, source: string): tf.io.ModelJSON {
  try {
    const json = JSON.parse(text) as tf.io.ModelJSON;
    if (json && typeof json === "object" && json.modelTopology !== undefined) return json;
  } catch {
    // reported below
  }
  throw new Error(`${source} did not return a TF.js model.json (an error page or a moved model?)`);
}

/** The recorded checksums of a cached model, with the registry's (when known) taking precedence. */
function cachedChecksums(entry: Dataset, dir: string): Record<string, string> {
  const file = path.join(dir, CHECKSUM_FILE);
  const fix = `delete the folder ${dir} and run again to re-download`;
  let recorded: Record<string, string>;
  try {
    recorded = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
  } catch (err) {
    throw new Error(`${file} is unreadable (${(err as Error).message}). Fix: ${fix}.`);
  }
  const modelJson = parseModelJson(fs.readFileSync(path.join(dir, "model.json"), "utf8"), path.join(dir, "model.json"));
  const needed = ["model.json", ...(modelJson.weightsManifest ?? []).flatMap((g) => g.paths)];
  const missing = needed.filter((name) => typeof recorded[name] !== "string");
  if (missing.length) throw new Error(`${file} has no checksum for ${missing.join(", ")}. Fix: ${fix}.`);
  return { ...recorded, ...registryChecksums(entry) };
}

function registryChecksums(entry: Dataset): Record<string, string> {
  return Object.fromEntries(entry.files.flatMap((f) => (f.check.sha256 ? [[f.name, f.check.sha256]] : [])));
}

async function loadFolder(info: MobileNetInfo, folder: ModelFolder): Promise<mobilenet.MobileNet> {
  const fix = folder.origin.startsWith("the local copy")
    ? `replace ${folder.dir} with a good copy, or unset ${LOCAL_MODELS_ENV}`
    : `delete the folder ${folder.dir} and run again to re-download`;
  return mobilenet.load({
    version: info.version,
    modelUrl: fileSystemHandler(folder.dir, { sha256: folder.sha256, fix }),
    // With modelUrl set the package assumes [-1, 1]; TF Hub image models want [0, 1].
    inputRange: info.inputRange,
  });
}


function describeFailure(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError") return "timed out";
  return e.cause ? `${e.message}: ${e.cause.code ?? e.cause.message}` : e.message;
}

function firstLine(s: string): string {
  return s.split("\n")[0];
}

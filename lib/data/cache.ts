import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import * as zlib from "node:zlib";
import type { Checksums, DatasetFile } from "./registry";

/** Overrides where downloaded and installed data files are kept. */
export const DATA_HOME_ENV = "COURSE_DATA_HOME";
/** A folder with a copy of the data (USB stick, shared drive), used instead of downloading. */
export const LOCAL_DATA_ENV = "COURSE_LOCAL_DATA";

/** Hex sha256 of bytes in memory: how every file the course writes or reads back is fingerprinted. */
export function sha256Hex(data: Uint8Array): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

/** Hex sha256 of a file, streamed (index and model files can be large). */
export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash("sha256");
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** The fix for any bad file in the cache: it only ever holds copies that can be fetched again. */
export const REFETCH_FIX = "delete it and run again to re-download";

// realpath because notebooks/lib is a symlink to lib: tslab loads this file through it, and the
// cache must be the same folder whether a notebook, a test or a script asked.
const REPO_ROOT = path.resolve(fs.realpathSync(__dirname), "..", "..");

export function cacheRoot(): string {
  return process.env[DATA_HOME_ENV] || path.join(REPO_ROOT, "data", "cache");
}

/** Throws, naming the file and the fix, unless `file` passes every check in `check`. */
export async function verifyFile(file: string, check: Checksums, fix: string = REFETCH_FIX): Promise<void> {
  const { problem } = await scan(file, check, false);
  if (problem) throw new Error(`${file} ${problem}. Fix: ${fix}.`);
}

/** Reads a whole file, hashing it on the way, so a bad copy is refused without a second read. */
export async function readVerified(file: string, check: Checksums, fix: string = REFETCH_FIX): Promise<Buffer> {
  const { problem, data } = await scan(file, check, true);
  if (!data) throw new Error(`${file} ${problem}. Fix: ${fix}.`);
  return data;
}

/**
 * Copies a local copy of a data file (decompressing a .gz) into the cache at `dest`, verified.
 * A bad source is reported by its own path, since that is the file the learner must replace.
 */
export async function installFile(source: string, dest: string, check: Checksums, fix: string): Promise<void> {
  try {
    await writeVerified(dest, check, source, (part) =>
      source.endsWith(".gz") ? gunzip(source, part, source) : fs.promises.copyFile(source, part),
    );
  } catch (err) {
    if (err instanceof BadDataError) throw new Error(`${err.message}. Fix: ${fix}.`);
    throw err;
  }
}

export interface DownloadOptions {
  /** Give up on a mirror after this long without receiving a byte. */
  timeoutMs?: number;
  log?: (msg: string) => void;
}

/**
 * Fetches `file` into `dir`, trying each mirror in order until one gives bytes that pass the
 * registry's checks. Returns the path of the verified file.
 */
export async function downloadFile(file: DatasetFile, dir: string, options: DownloadOptions = {}): Promise<string> {
  const { timeoutMs = 30_000, log = console.log } = options;
  const dest = path.join(dir, file.name);
  const failures: string[] = [];
  for (const url of file.urls) {
    log(`downloading ${url}`);
    try {
      await writeVerified(dest, file.check, file.gzip ? "the decompressed download" : "the download", async (part) => {
        if (!file.gzip) return fetchTo(url, part, timeoutMs);
        const gz = `${part}.gz`;
        try {
          await fetchTo(url, gz, timeoutMs);
          const { problem } = await scan(gz, file.gzip, false);
          if (problem) throw new BadDataError(`the download ${problem}`);
          await gunzip(gz, part, "the download");
        } finally {
          await fs.promises.rm(gz, { force: true });
        }
      });
      return dest;
    } catch (err) {
      const reason = describeFailure(err);
      failures.push(`  ${url}: ${reason}`);
      log(`  failed: ${reason}`);
    }
  }
  throw new Error(
    `Could not download ${file.name}. Tried:\n${failures.join("\n")}\n` +
      `Fix: copy the files into ${dir} or set ${LOCAL_DATA_ENV}=<folder with a copy>.`,
  );
}

/** The data itself is wrong (as opposed to, say, a permission error), so replacing it is the fix. */
class BadDataError extends Error {}

/**
 * Builds `dest` through `<dest>.part-<pid>` in the same folder and renames only once `check`
 * accepts the part file: rename is atomic on one filesystem, so an interrupted or refused write
 * never leaves a file under the final name, and two processes filling the same cache never share
 * a part file.
 */
export async function writeAtomic(dest: string, produce: (part: string) => Promise<void>, check?: (part: string) => Promise<void>): Promise<void> {
  await fs.promises.mkdir(path.dirname(dest), { recursive: true });
  const part = `${dest}.part-${process.pid}`;
  try {
    await produce(part);
    await check?.(part);
    await fs.promises.rename(part, dest);
  } finally {
    await fs.promises.rm(part, { force: true });
  }
}

function writeVerified(dest: string, check: Checksums, subject: string, produce: (part: string) => Promise<void>): Promise<void> {
  return writeAtomic(dest, produce, async (part) => {
    const { problem } = await scan(part, check, false);
    if (problem) throw new BadDataError(`${subject} ${problem}`);
  });
}

async function gunzip(source: string, dest: string, subject: string): Promise<void> {
  try {
    await pipeline(fs.createReadStream(source), zlib.createGunzip(), fs.createWriteStream(dest));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (!e.code?.startsWith("Z_")) throw err;
    throw new BadDataError(`${subject} is not valid gzip (${e.message})`);
  }
}

async function fetchTo(url: string, dest: string, timeoutMs: number): Promise<void> {
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), timeoutMs);
  // The clock restarts on every chunk: a slow link is fine, a silent one is abandoned.
  const keepAlive = new Transform({
    transform(chunk, _encoding, done) {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(), timeoutMs);
      done(null, chunk);
    },
  });
  try {
    const response = await fetch(url, { signal: controller.signal });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    }
    const body = Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>);
    await pipeline(body, keepAlive, fs.createWriteStream(dest));
  } catch (err) {
    if (controller.signal.aborted) throw new Error(`no data for ${timeoutMs / 1000} s, timed out`);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** fetch hides the useful part ("ECONNREFUSED", "ENOTFOUND") in `cause`. */
function describeFailure(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.cause ? `${e.message}: ${e.cause.code ?? e.cause.message}` : e.message;
}

/**
 * One streaming pass over `file`: the size is checked before reading a byte (a truncated
 * download says so at once), then every requested digest is computed, keeping the bytes if asked.
 */
async function scan(file: string, check: Checksums, keep: boolean): Promise<{ problem?: string; data?: Buffer }> {
  const size = (await fs.promises.stat(file)).size;
  if (check.bytes !== undefined && size !== check.bytes) {
    return {
      problem:
        size < check.bytes
          ? `is truncated (${size} of ${check.bytes} bytes)`
          : `is longer than expected (${size} bytes, expected ${check.bytes})`,
    };
  }
  const algorithms = (["sha256", "md5"] as const).filter((a) => check[a] !== undefined);
  // A size alone would let a corrupt file through, and "never use a bad file" is the point.
  if (algorithms.length === 0) throw new Error(`No checksum is registered for ${file}: add one in lib/data/registry.ts.`);
  const hashes = algorithms.map((a) => crypto.createHash(a));
  const data = keep ? Buffer.allocUnsafe(size) : undefined;
  let offset = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (const h of hashes) h.update(chunk);
    if (data) {
      if (offset + chunk.length > size) return { problem: "changed while being read" };
      chunk.copy(data, offset);
    }
    offset += chunk.length;
  }
  if (data && offset !== size) return { problem: "changed while being read" };
  for (const [i, algorithm] of algorithms.entries()) {
    const actual = hashes[i].digest("hex");
    if (actual !== check[algorithm]?.toLowerCase()) {
      return { problem: `is corrupt (${algorithm} ${actual}, expected ${check[algorithm]})` };
    }
  }
  return { data };
}

// Loads a TF.js model (model.json + weight shards) from a folder on disk. tfjs-node registers a
// file:// handler, but the wasm and pure-JS backends this course also runs on have none, and
// serving the folder over loopback HTTP just to read local files is a detour.
import * as fs from "node:fs";
import * as path from "node:path";
import { sha256Hex } from "../data/cache";
import { tf } from "../tf";

export interface FileSystemHandlerOptions {
  /** File name (as in the folder) → expected sha256; every file listed is checked before use. */
  sha256?: Readonly<Record<string, string>>;
  /** What the learner should do about a missing or bad file (ends every error message). */
  fix?: string;
}

/** Bytes per stored value; quantised weights are stored in their quantisation dtype. */
const STORED_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/**
 * A tf.io.IOHandler whose load() reads `model.json` and the shards its weightsManifest lists.
 * `location` is the model folder or its model.json. Use it wherever tfjs takes a URL:
 * `tf.loadGraphModel(fileSystemHandler(dir))`, or mobilenet's `modelUrl`.
 */
export function fileSystemHandler(location: string, options: FileSystemHandlerOptions = {}): tf.io.IOHandler {
  const modelJsonPath = location.endsWith(".json") ? location : path.join(location, "model.json");
  const dir = path.dirname(modelJsonPath);
  const fix = options.fix ?? `replace the model folder ${dir} with a complete copy`;
  const fail = (problem: string) => new Error(`${problem}. Fix: ${fix}.`);

  const readChecked = async (name: string, what: string): Promise<Buffer> => {
    const file = path.join(dir, name);
    let data: Buffer;
    try {
      data = await fs.promises.readFile(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw fail(code === "ENOENT" ? `${what} ${file} is missing` : `cannot read ${what} ${file} (${code ?? (err as Error).message})`);
    }
    const expected = options.sha256?.[name];
    if (expected !== undefined) {
      const actual = sha256Hex(data);
      if (actual !== expected.toLowerCase()) throw fail(`${file} is corrupt (sha256 ${actual}, expected ${expected})`);
    }
    return data;
  };

  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const text = (await readChecked(path.basename(modelJsonPath), "the model file")).toString("utf8");
      let modelJson: tf.io.ModelJSON;
      try {
        modelJson = JSON.parse(text) as tf.io.ModelJSON;
      } catch (err) {
        throw fail(`${modelJsonPath} is not valid JSON (${(err as Error).message})`);
      }
      if (modelJson === null || typeof modelJson !== "object" || modelJson.modelTopology === undefined) {
        throw fail(`${modelJsonPath} has no modelTopology: it is not a TF.js model.json`);
      }
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const shards: ArrayBuffer[] = [];
        for (const group of manifest) {
          const buffers = await Promise.all(group.paths.map((p) => readChecked(p, `the weight shard (listed in ${modelJsonPath})`)));
          const expected = groupBytes(group);
          const actual = buffers.reduce((sum, b) => sum + b.length, 0);
          if (expected !== undefined && actual !== expected) {
            throw fail(
              `the weight shards ${group.paths.join(", ")} in ${dir} hold ${actual} bytes but model.json describes ` +
                `${expected} bytes of weights: a shard is truncated or belongs to another model`,
            );
          }
          // Each shard gets its own ArrayBuffer: tfjs accepts a list and joins them lazily.
          for (const b of buffers) shards.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
        }
        return [tf.io.getWeightSpecs(manifest), shards];
      });
    },
  };
}

/** Bytes the manifest implies for one group, or undefined when it holds variable-length strings. */
export function groupBytes(group: tf.io.WeightsManifestConfig[number]): number | undefined {
  let total = 0;
  for (const w of group.weights) {
    const stored = STORED_BYTES[w.quantization?.dtype ?? w.dtype];
    if (stored === undefined) return undefined;
    total += stored * w.shape.reduce((a, b) => a * b, 1);
  }
  return total;
}

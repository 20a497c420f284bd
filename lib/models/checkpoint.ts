// Trained weights on disk, so a later week can reuse a network trained earlier instead of spending
// minutes of CPU training it again. A checkpoint is a folder <cache>/checkpoints/<name>/ holding
// model.json + weights.bin (the TF.js layers format, loadable with tf.loadLayersModel anywhere)
// and checkpoint.json: what was trained and how (free-form `info`), and the sha256 of both files,
// checked on every load — a truncated or half-written checkpoint must fail loudly, not load garbage.
import * as fs from "node:fs";
import * as path from "node:path";
import { cacheRoot, sha256Hex } from "../data/cache";
import { tf } from "../tf";
import { fileSystemHandler } from "./fs_handler";

/** What was trained and how: dataset, image count, epochs, test accuracy, profile… */
export type CheckpointInfo = Record<string, string | number | boolean>;

interface CheckpointFile {
  format: 1;
  name: string;
  savedAt: string;
  /** sha256 of weights.bin: identifies these exact weights (e.g. in embedding cache keys). */
  fingerprint: string;
  sha256: Record<string, string>;
  info: CheckpointInfo;
}

export interface Checkpoint {
  model: tf.LayersModel;
  name: string;
  dir: string;
  savedAt: string;
  fingerprint: string;
  info: CheckpointInfo;
}

const MANIFEST = "checkpoint.json";
const WEIGHTS = "weights.bin";

export function checkpointRoot(): string {
  return path.join(cacheRoot(), "checkpoints");
}

/** The folder of checkpoint `name` under `root` (default <cache>/checkpoints). */
export function checkpointDir(name: string, root = checkpointRoot()): string {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`Checkpoint name "${name}" must be letters, digits, ".", "-" or "_" (it becomes a folder name).`);
  return path.join(root, name);
}

/**
 * Saves `model` (topology + weights) as checkpoint `name`, replacing any previous one. The files go
 * to a temporary sibling folder that is renamed into place when complete, so a crash mid-save never
 * leaves a checkpoint that looks valid.
 */
export async function saveCheckpoint(model: tf.LayersModel, name: string, info: CheckpointInfo, options: { root?: string } = {}): Promise<Checkpoint> {
  const dir = checkpointDir(name, options.root);
  const { modelJson, weights } = await serialize(model);
  const files: Record<string, Buffer> = { "model.json": Buffer.from(JSON.stringify(modelJson)), [WEIGHTS]: weights };
  const manifest: CheckpointFile = {
    format: 1,
    name,
    savedAt: new Date().toISOString(),
    fingerprint: sha256Hex(weights),
    sha256: Object.fromEntries(Object.entries(files).map(([file, data]) => [file, sha256Hex(data)])),
    info,
  };
  const part = `${dir}.part-${process.pid}`;
  const old = `${dir}.old-${process.pid}`;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  try {
    fs.rmSync(part, { recursive: true, force: true });
    fs.mkdirSync(part);
    for (const [file, data] of Object.entries(files)) fs.writeFileSync(path.join(part, file), data);
    fs.writeFileSync(path.join(part, MANIFEST), JSON.stringify(manifest, null, 2));
    if (fs.existsSync(dir)) fs.renameSync(dir, old);
    fs.renameSync(part, dir);
  } finally {
    fs.rmSync(part, { recursive: true, force: true });
    fs.rmSync(old, { recursive: true, force: true });
  }
  return { model, name, dir, savedAt: manifest.savedAt, fingerprint: manifest.fingerprint, info };
}

/**
 * Loads checkpoint `name`, or returns undefined when there is none. A checkpoint that exists but is
 * incomplete or corrupt is an error naming the folder to delete.
 */
export async function loadCheckpoint(name: string, options: { root?: string } = {}): Promise<Checkpoint | undefined> {
  const dir = checkpointDir(name, options.root);
  const manifestFile = path.join(dir, MANIFEST);
  if (!fs.existsSync(manifestFile)) return undefined;
  const fix = `delete the folder ${dir} and train the model again`;
  let manifest: CheckpointFile;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as CheckpointFile;
  } catch (err) {
    throw new Error(`The checkpoint manifest ${manifestFile} is unreadable (${(err as Error).message}). Fix: ${fix}.`);
  }
  if (manifest.format !== 1 || typeof manifest.sha256?.[WEIGHTS] !== "string" || typeof manifest.sha256?.["model.json"] !== "string") {
    throw new Error(`${manifestFile} is not a checkpoint manifest this course wrote (format ${String(manifest.format)}). Fix: ${fix}.`);
  }
  const model = await tf.loadLayersModel(fileSystemHandler(dir, { sha256: manifest.sha256, fix }));
  return { model, name, dir, savedAt: manifest.savedAt, fingerprint: manifest.fingerprint, info: manifest.info };
}

/** sha256 of the model's serialised weights: equal fingerprints mean identical weights. */
export async function weightsFingerprint(model: tf.LayersModel): Promise<string> {
  return sha256Hex((await serialize(model)).weights);
}

/**
 * Checkpoint `name` if it exists; otherwise `build()` a model, `fit` it (returning what to record
 * about the run) and save it under `name`. `trained` says which happened.
 */
export async function loadOrTrain(
  name: string,
  build: () => tf.LayersModel,
  fit: (model: tf.LayersModel) => Promise<CheckpointInfo>,
  options: { root?: string } = {},
): Promise<Checkpoint & { trained: boolean }> {
  const found = await loadCheckpoint(name, options);
  if (found) return { ...found, trained: false };
  const model = build();
  const info = await fit(model);
  return { ...(await saveCheckpoint(model, name, info, options)), trained: true };
}

/** The model as TF.js's layers-format model.json (one weights file) and the weight bytes. */
async function serialize(model: tf.LayersModel): Promise<{ modelJson: tf.io.ModelJSON; weights: Buffer }> {
  let captured: { modelJson: tf.io.ModelJSON; weights: Buffer } | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
      captured = {
        modelJson: {
          modelTopology: artifacts.modelTopology ?? {},
          format: artifacts.format,
          generatedBy: artifacts.generatedBy,
          convertedBy: artifacts.convertedBy,
          weightsManifest: [{ paths: [WEIGHTS], weights: artifacts.weightSpecs ?? [] }],
        },
        weights,
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON", weightDataBytes: weights.length } };
    }),
  );
  if (!captured) throw new Error("saveCheckpoint: TensorFlow.js did not hand over the model's artifacts.");
  return captured;
}


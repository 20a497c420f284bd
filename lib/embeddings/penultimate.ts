// Turning a classifier we trained ourselves into an embedding extractor (the guide's §20): keep
// every layer up to the one that feeds the classification head, and read its output. The cut
// model shares the trained layers (and weights) with the original; nothing is copied or retrained.
import { makeBatch } from "../data/batches";
import type { ImageSet } from "../data/types";
import { tf } from "../tf";
import { embedInBatches, type EmbeddingRun, type Embeddings } from "./extract";

/**
 * A model from `model`'s input to the output of its penultimate layer — or of `options.layer`.
 * Dropout layers just before the head are skipped: at inference they pass their input through,
 * so the layer they wrap is the one that names the embedding. The chosen layer must give one flat
 * vector per image ([batch, d]); a feature map needs a Flatten or a global pooling first.
 */
export function featureExtractor(model: tf.LayersModel, options: { layer?: string } = {}): tf.LayersModel {
  const names = model.layers.map((l) => l.name);
  let layer: tf.layers.Layer;
  if (options.layer !== undefined) {
    const found = model.layers.find((l) => l.name === options.layer);
    if (!found) throw new Error(`featureExtractor: ${model.name} has no layer "${options.layer}". Its layers: ${names.join(", ")}.`);
    if (found === model.layers[model.layers.length - 1]) {
      throw new Error(`featureExtractor: "${options.layer}" is the classification head itself; name a layer before it (${names.slice(0, -1).join(", ")}).`);
    }
    layer = found;
  } else {
    let i = model.layers.length - 2;
    while (i >= 0 && model.layers[i].getClassName() === "Dropout") i--;
    if (i < 0) {
      throw new Error(`featureExtractor: ${model.name} has no layer before its output layer (layers: ${names.join(", ") || "none"}), so there is no head to cut off. Use a model with hidden layers, or raw pixels.`);
    }
    layer = model.layers[i];
  }
  const output = layer.output;
  if (Array.isArray(output)) {
    throw new Error(`featureExtractor: layer "${layer.name}" has ${output.length} outputs; name a layer with one output with { layer: "…" }.`);
  }
  if (output.shape.length !== 2) {
    const flat = model.layers.filter((l) => !Array.isArray(l.output) && l.output.shape.length === 2 && l !== model.layers[model.layers.length - 1]).map((l) => l.name);
    throw new Error(
      `featureExtractor: layer "${layer.name}" outputs shape [${output.shape.map((d) => d ?? "batch").join(", ")}], a feature map, not one vector per image. ` +
        (flat.length ? `Name a flat layer with { layer: "${flat[flat.length - 1]}" } (flat layers: ${flat.join(", ")})` : "Add a Flatten or GlobalAveragePooling2D layer before the head") +
        ".",
    );
  }
  return tf.model({ inputs: model.inputs, outputs: output, name: `${model.name}_to_${layer.name}` });
}

/**
 * Embeds every image of `set` (in order) with `extractor`, batch by batch, after the same
 * normalisation the network was trained with (makeBatch: x/127.5 − 1).
 */
export async function embedWithModel(extractor: tf.LayersModel, set: ImageSet, options: { batchSize?: number; progress?: boolean } = {}): Promise<EmbeddingRun> {
  const expected = extractor.inputs[0].shape.slice(1);
  const actual = [set.height, set.width, set.channels];
  if (expected.length !== 3 || expected.some((d, i) => d !== null && d !== actual[i])) {
    throw new Error(`embedWithModel: ${extractor.name} takes images of shape [${expected.join(", ")}] but the set's are [${actual.join(", ")}]: embed the dataset the model was trained on.`);
  }
  return embedBatches(set, options, (x) => extractor.predict(x) as tf.Tensor2D, `embedding with ${extractor.name}`);
}

/**
 * Raw pixels as "embeddings": each image flattened to height·width·channels numbers, normalised
 * like the training batches. The baseline that learned embeddings have to beat.
 */
export async function pixelEmbeddings(set: ImageSet, options: { batchSize?: number; progress?: boolean } = {}): Promise<EmbeddingRun> {
  return embedBatches(set, { progress: false, ...options }, (x) => x.reshape([x.shape[0], -1]) as tf.Tensor2D, "flattening pixels");
}

/** Embeds normalised training-style batches (makeBatch), so features see what the model was trained on. */
function embedBatches(
  set: ImageSet,
  options: { batchSize?: number; progress?: boolean },
  toRows: (x: tf.Tensor4D) => tf.Tensor2D,
  what: string,
): Promise<EmbeddingRun> {
  return embedInBatches(set, options, (indices) => toRows(makeBatch(set, indices).x), what);
}

/** Each row of `embeddings` as a view (no copy): the "list of vectors" the guide's loop walks over. */
export function embeddingRows(embeddings: Embeddings): Float32Array[] {
  return Array.from({ length: embeddings.count }, (_, i) => embeddings.data.subarray(i * embeddings.dim, (i + 1) * embeddings.dim));
}

/** The embeddings as a [count, dim] tensor (the caller disposes it), for cosineTopK, knnAccuracy, pca. */
export function embeddingMatrix(embeddings: Embeddings): tf.Tensor2D {
  return tf.tensor2d(embeddings.data, [embeddings.count, embeddings.dim]);
}

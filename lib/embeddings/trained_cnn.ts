// The CIFAR10CNN whose penultimate layer week 5 uses as an embedding: the one week 3 trained and
// saved, when its checkpoint is on disk; otherwise a short seeded run here (saved too, so the next
// run loads it). Either way the caller is told which, because every number downstream depends on it.
import { subset } from "../data/batches";
import type { ImageSet } from "../data/types";
import { cifar10CNN } from "../models/cifar10_cnn";
import { loadCheckpoint, loadOrTrain, type Checkpoint, type CheckpointInfo } from "../models/checkpoint";
import { tf } from "../tf";
import { train } from "../train/loop";

/** The name week 3's notebook saves its trained CIFAR10CNN under. */
export const WEEK3_CHECKPOINT = "week3-cifar10cnn";

export interface TrainBudget {
  /** Training images, a seeded random subset of `trainSet`. */
  trainImages: number;
  maxEpochs: number;
  /** No new epoch starts once the next one would end past this many seconds of training. */
  budgetSeconds: number;
  seed?: number;
}

export interface CnnSource extends Checkpoint {
  origin: "week 3 checkpoint" | "earlier week 5 run" | "trained now";
  /** One sentence for the notebook: where the weights come from and how they were trained. */
  description: string;
}

/** Week 3's checkpoint if present, else a CIFAR10CNN trained within `budget` (or loaded from an earlier such run). */
export async function cifarCnnForEmbeddings(trainSet: ImageSet, budget: TrainBudget, options: { root?: string; log?: (msg: string) => void } = {}): Promise<CnnSource> {
  const { seed = 1 } = budget;
  const week3 = await loadCheckpoint(WEEK3_CHECKPOINT, options);
  if (week3) return { ...week3, origin: "week 3 checkpoint", description: `the CIFAR10CNN trained in week 3 (${describe(week3.info)}), loaded from ${week3.dir}` };
  const name = `week5-cifar10cnn-${budget.trainImages}img-seed${seed}`;
  const result = await loadOrTrain(name, () => cifar10CNN({ seed }), (model) => trainWithinBudget(model, subset(trainSet, budget.trainImages, { seed }), budget, options.log), options);
  return result.trained
    ? { ...result, origin: "trained now", description: `a CIFAR10CNN trained just now (${describe(result.info)}; no week 3 checkpoint at ${WEEK3_CHECKPOINT}), saved to ${result.dir}` }
    : { ...result, origin: "earlier week 5 run", description: `the CIFAR10CNN an earlier run of this notebook trained (${describe(result.info)}; no week 3 checkpoint), loaded from ${result.dir}` };
}

/** One epoch at a time with one Adam optimizer, stopping at maxEpochs or when the next epoch would overrun the budget. */
async function trainWithinBudget(model: tf.LayersModel, data: ImageSet, budget: TrainBudget, log: (msg: string) => void = console.log): Promise<CheckpointInfo> {
  const { maxEpochs, budgetSeconds, seed = 1 } = budget;
  const optimizer = tf.train.adam(0.001);
  let seconds = 0;
  let epochs = 0;
  let accuracy = 0;
  try {
    while (epochs < maxEpochs) {
      const history = await train(model, data, { epochs: 1, optimizer, seed: seed * 1000 + epochs + 1, progress: false });
      const record = history.epochs[0];
      epochs++;
      seconds += history.seconds;
      accuracy = record.accuracy;
      log(`epoch ${epochs}/${maxEpochs}: loss ${record.loss.toFixed(3)}, training accuracy ${record.accuracy.toFixed(3)}, ${history.seconds.toFixed(1)} s`);
      if (epochs < maxEpochs && seconds + history.seconds > budgetSeconds) {
        log(`stopping after ${epochs} epochs: another would pass the ${budgetSeconds} s budget`);
        break;
      }
    }
  } finally {
    optimizer.dispose();
  }
  return { dataset: "cifar10", train_images: data.count, epochs, seconds: Math.round(seconds), final_train_accuracy: accuracy, stopped_by: epochs < maxEpochs ? "time budget" : "epochs" };
}

function describe(info: CheckpointInfo): string {
  const parts = [
    info.train_images !== undefined ? `${info.train_images} training images` : undefined,
    info.epochs !== undefined ? `${info.epochs} epochs` : undefined,
    typeof info.test_accuracy === "number" ? `test accuracy ${info.test_accuracy.toFixed(3)}` : undefined,
    info.profile !== undefined ? `${info.profile} profile` : undefined,
  ].filter((p) => p !== undefined);
  return parts.length ? parts.join(", ") : "no training details recorded";
}

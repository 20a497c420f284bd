// The course library's front door: notebooks import from "./lib/index" (tslab cannot resolve
// directory imports, so the file is named). Everything here is typed and documented at its source.
export { tf, initBackend, type BackendInfo, type BackendChoice } from "./tf";
export { byProfile, currentProfile, type Profile } from "./profile";
export { recordMetrics } from "./metrics";
export { display, markdown, liveOutput } from "./display";

export type { ImageSet, TrainTest } from "./data/types";
export { loadMnist } from "./data/mnist";
export { batchIndices, makeBatch, subset } from "./data/batches";

export { basicNN } from "./models/basic_nn";
export { torchInit } from "./models/torch_init";
export { layerTable, layerRows } from "./models/summary";

export { train, evaluate, trainStep, type History, type EpochRecord, type Evaluation } from "./train/loop";
export { crossEntropy, countCorrect } from "./train/loss";

export { showImages, imageGridSvg, type RawImage } from "./plot/image_grid";
export { showChart, renderSpec, svgToPng, type TopLevelSpec } from "./plot/render";
export { lineChart, historyChart, barChart, confusionMatrix, scatterChart, type Series, type Bar, type Point } from "./plot/charts";

export { checkBasicNN, checkAccuracy } from "./exercises/week1";

// The course library's front door: notebooks import from "./lib/index" (tslab cannot resolve
// directory imports, so the file is named). Everything here is typed and documented at its source.
export { tf, initBackend, type BackendInfo, type BackendChoice } from "./tf";
export { byProfile, currentProfile, type Profile } from "./profile";
export { recordMetrics } from "./metrics";
export { display, markdown, liveOutput } from "./display";
export { bestFirst, type Score } from "./text/best_first";

export type { ImageSet, TrainTest } from "./data/types";
export { loadMnist } from "./data/mnist";
export { batchIndices, makeBatch, subset } from "./data/batches";

export { basicNN } from "./models/basic_nn";
export { logisticRegression } from "./models/logistic_regression";
export { torchInit } from "./models/torch_init";
export { layerTable, layerRows } from "./models/summary";

export { train, evaluate, trainStep, type History, type EpochRecord, type Evaluation } from "./train/loop";
export { crossEntropy, countCorrect } from "./train/loss";

export { showImages, imageGridSvg, type RawImage } from "./plot/image_grid";
export { showChart, renderSpec, svgToPng, type TopLevelSpec } from "./plot/render";
export { lineChart, historyChart, barChart, confusionMatrix, scatterChart, type Series, type Bar, type Point } from "./plot/charts";
export { lineChartSpec, historyChartSpec, barChartSpec, confusionMatrixSpec, scatterChartSpec, type ChartSpec } from "./plot/charts";

export { checkBasicNN, checkAccuracy } from "./exercises/week1";

// Week 4: pretrained MobileNet, photos from disk, embeddings and transfer heads.
export { loadMobileNet, MOBILENETS, type MobileNetId, type MobileNetInfo, type LoadedMobileNet } from "./models/mobilenet";
export { fileSystemHandler } from "./models/fs_handler";
export { decodeImage, readImageSet, type DecodedImage } from "./data/images";
export { loadFlowers, creditsFor, FLOWER_CLASSES, type FlowerPhoto, type FlowerPhotos } from "./data/flowers";
export { embedImageSet, classifyImages, type Embeddings, type Prediction } from "./embeddings/extract";
export { cachedEmbeddings, type EmbeddingKey } from "./embeddings/cache";
export { denseHead, trainHead, evaluateHead, featureSet, selectFeatures, stratifiedSplit, type FeatureSet } from "./embeddings/head";
export { checkTransferHead, checkCosineSimilarity } from "./exercises/week4";

export { simpleCNN } from "./models/simple_cnn";
export { shapeFlow, shapeFlowTable, showShapeFlow, type ShapeStep } from "./models/shape_flow";
export { tensorToImage, showTensorImages } from "./plot/tensor_images";
export { checkSimpleCNN, checkCnnAccuracy, checkComparisonRow, checkExperiments, GUIDE_BASELINE, type ComparisonRow, type ComparisonRowFn, type ExperimentSettings } from "./exercises/week2";

export { loadCifar10, parseCifar10Batches, type LoadCifar10Options } from "./data/cifar10";
export { randomFlipCrop, type BatchAugment, type FlipCropOptions } from "./data/augment";
export { cifar10CNN, type Cifar10CNNOptions } from "./models/cifar10_cnn";
export { checkCifar10CNN, checkPerClassAccuracy, checkAssignment5, type Assignment5Answer } from "./exercises/week3";

export { dot, cosineSimilarity, euclideanDistance, l2Normalize, dotMatrix, cosineMatrix, euclideanMatrix, matMulTransposeB, type Vector, type Matrix } from "./search/similarity";
export { topK, topKRow, topKLoop, cosineTopK, majorityVote, knnAccuracy, type TopK, type TopKOptions, type ScoreOrder, type KnnResult } from "./search/topk";
export { pca, projectPca, type PcaResult, type PcaFit, type PcaOptions } from "./search/pca";
export { ExactIndex, HnswIndex, loadIndex, readIndexMetadata, type VectorIndex, type SearchHits, type Provenance, type HnswParams, type IndexMetadata, type IndexKind, type Vectors } from "./search/vector_index";
export { precisionAtK, recallAtK, averagePrecisionAtK, reciprocalRank, ndcgAtK, meanPrecisionAtK, meanRecallAtK, meanAveragePrecisionAtK, meanReciprocalRank, meanNdcgAtK, annRecallAtK, labelRetrievalMetrics, type LabelRetrievalMetrics, type Relevant, type Ranking, type Gain } from "./search/ranking";
export { benchmarkSearch, clusteredVectors, type BenchmarkRow, type BenchmarkResult, type BenchmarkOptions } from "./search/benchmark";

// Week 5: a trained classifier as an embedding extractor, checkpoints, exercises.
export { featureExtractor, embedWithModel, pixelEmbeddings, embeddingRows, embeddingMatrix } from "./embeddings/penultimate";
export { cifarCnnForEmbeddings, WEEK3_CHECKPOINT, type CnnSource, type TrainBudget } from "./embeddings/trained_cnn";
export { saveCheckpoint, loadCheckpoint, loadOrTrain, weightsFingerprint, checkpointDir, type Checkpoint, type CheckpointInfo } from "./models/checkpoint";
export { checkCosine, checkFindTopK } from "./exercises/week5";

// Week 6: visual search project — views, evaluation, re-ranking, contrastive head, saved gallery, exercises.
export { fixedView, randomViews, downscale, type FixedView, type RandomViewOptions } from "./search/views";
export { pickImages, concatImages } from "./search/gallery_images";
export { evaluateRetrieval, rankOfTargets, summarizeRanks, type RankSummary } from "./search/evaluate";
export { removeNearDuplicates, searchAndRerank, type Removed, type RerankOptions } from "./search/rerank";
export { infoNceLoss, projectionHead, trainContrastive, projectEmbeddings, type ContrastiveOptions, type ContrastiveHistory } from "./search/contrastive";
export { saveGallery, loadGallery, decodeQueryImage, searchDemoDir, CIFAR_QUERY_PREPROCESSING, type Gallery } from "./search/gallery_store";
export { showSearchResults, type SearchResultRow } from "./search/show";
export { indexBytes } from "./search/index_size";
export { checkPrecisionAtK, checkIndexTopK } from "./exercises/week6";

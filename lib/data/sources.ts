// What every dataset loader shares (torchvision-style: one shape for all datasets): the options,
// where a local copy may sit, and loading each dataset once per process.
import * as fs from "node:fs";
import * as path from "node:path";
import { cacheRoot, LOCAL_DATA_ENV } from "./cache";
import type { TrainTest } from "./types";

export interface LoadOptions {
  /** Cache root (default: $COURSE_DATA_HOME or <repo>/data/cache); each dataset has its folder in it. */
  cacheDir?: string;
  /** Folder with local copies, each dataset in its own subfolder or directly (default: $COURSE_LOCAL_DATA). */
  localDir?: string;
  /** false: fail with instructions instead of downloading. */
  download?: boolean;
  log?: (msg: string) => void;
}

export interface Loaded {
  data: TrainTest;
  /** One line saying where the data came from, shown to the learner. */
  origin: string;
}

export type DatasetReader = (dir: string, localDir: string | undefined, download: boolean, log: (msg: string) => void) => Promise<Loaded>;

/**
 * A loader that reads `<cache root>/<folder>` (and the local copy) through `read` once per process:
 * re-running a notebook's data cell must not re-read and re-hash tens of megabytes. Repeated calls
 * return the same (shared, do not mutate) sets; a failed load is forgotten, so the learner can fix
 * the cause and call again.
 */
export function memoizedLoader(folder: string, read: DatasetReader): (options?: LoadOptions) => Promise<TrainTest> {
  const loaded = new Map<string, Promise<Loaded>>();
  return async (options: LoadOptions = {}) => {
    const log = options.log ?? console.log;
    const root = path.resolve(options.cacheDir ?? cacheRoot());
    const localDir = options.localDir ?? (process.env[LOCAL_DATA_ENV] || undefined);
    const key = JSON.stringify([root, localDir ?? null]);
    const previous = loaded.get(key);
    if (previous) {
      const { data, origin } = await previous;
      log(`${origin} (already in memory)`);
      return data;
    }
    if (localDir !== undefined && !fs.statSync(localDir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new Error(`The local data folder ${localDir} does not exist. Fix: correct the path, or unset ${LOCAL_DATA_ENV}.`);
    }
    const loading = read(path.join(root, folder), localDir, options.download ?? true, log);
    loaded.set(key, loading);
    try {
      const { data, origin } = await loading;
      log(origin);
      return data;
    } catch (err) {
      if (loaded.get(key) === loading) loaded.delete(key);
      throw err;
    }
  };
}

/** `name` (or `name.gz`) in `<localDir>/<subfolder>/` or directly in `localDir`. */
export function findLocalCopy(localDir: string, subfolder: string, name: string): string | undefined {
  return [path.join(localDir, subfolder), localDir]
    .flatMap((d) => [path.join(d, name), path.join(d, `${name}.gz`)])
    .find((p) => fs.existsSync(p));
}

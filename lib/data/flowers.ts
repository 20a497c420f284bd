// TensorFlow's flower photos: real photographs in 5 classes, each under CC BY 2.0, so whoever
// shows them must credit the photographer (the dataset's LICENSE.txt / ATTRIBUTION.txt does).
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { cacheRoot, downloadFile, LOCAL_DATA_ENV, sha256Hex } from "./cache";
import { DATASETS } from "./registry";

export const FLOWER_CLASSES: readonly string[] = ["daisy", "dandelion", "roses", "sunflowers", "tulips"];
/** The 200-photo labelled subset (40 per class) shipped for offline use, looked for in the local data folder. */
export const SMALL_SET = "flower_photos_small_set";

export interface FlowerPhoto {
  /** Absolute path of the JPEG. */
  path: string;
  /** Class index into FLOWER_CLASSES. */
  label: number;
  className: string;
  /** The photographer's credit line: "daisy/123_abc.jpg CC-BY by NAME - https://www.flickr.com/…". */
  credit: string;
}

export interface FlowerPhotos {
  photos: FlowerPhoto[];
  classNames: readonly string[];
  /** The licence header every display of the photos must carry, followed by the credits. */
  licence: string;
  origin: string;
}

export interface LoadFlowersOptions {
  /** Folder with flower_photos_small_set/ (default $COURSE_LOCAL_DATA). */
  localDir?: string;
  /** Cache root for the full download (default $COURSE_DATA_HOME or <repo>/data/cache). */
  cacheDir?: string;
  /** false: fail with instructions instead of downloading the 229 MB archive. */
  download?: boolean;
  log?: (msg: string) => void;
}

/**
 * The flower photos as a list of files with labels and credits: the verified 200-photo set from
 * the local data folder when there is one, else the full 3,670-photo archive (downloaded once into
 * the cache, sha256-checked, unpacked). Photos are sorted by class, then file name.
 */
export async function loadFlowers(options: LoadFlowersOptions = {}): Promise<FlowerPhotos> {
  const log = options.log ?? console.log;
  const localDir = options.localDir ?? (process.env[LOCAL_DATA_ENV] || undefined);
  const small = localDir === undefined ? undefined : path.join(localDir, SMALL_SET);
  if (small && fs.existsSync(path.join(small, "labels.csv"))) {
    const result = await readSmallSet(small);
    log(result.origin);
    return result;
  }
  const dir = path.join(path.resolve(options.cacheDir ?? cacheRoot()), DATASETS.flower_photos.name);
  const unpacked = path.join(dir, "flower_photos");
  if (!fs.existsSync(unpacked)) {
    if (options.download === false) {
      throw new Error(
        `The flower photos are neither in ${unpacked} nor in a local data folder, and download is off. ` +
          `Fix: set ${LOCAL_DATA_ENV}=<folder containing ${SMALL_SET}/> or allow the download.`,
      );
    }
    const archive = path.join(dir, DATASETS.flower_photos.files[0].name);
    if (!fs.existsSync(archive)) await downloadFile(DATASETS.flower_photos.files[0], dir, { log });
    await unpack(archive, unpacked);
  }
  const result = readFullSet(unpacked);
  log(result.origin);
  return result;
}

/** labels.csv: path,label,label_index,width,height,sha256 — each photo is checked against its sha256. */
async function readSmallSet(dir: string): Promise<FlowerPhotos> {
  const fix = `replace ${dir} with a complete copy, or unset ${LOCAL_DATA_ENV}`;
  const rows = fs.readFileSync(path.join(dir, "labels.csv"), "utf8").trim().split("\n").slice(1);
  const { licence, credits } = parseCredits(fs.readFileSync(path.join(dir, "ATTRIBUTION.txt"), "utf8"));
  const photos = await Promise.all(
    rows.map(async (row) => {
      const [file, className, , , , sha256] = row.trim().split(",");
      const full = path.join(dir, file);
      const data = await fs.promises.readFile(full).catch(() => {
        throw new Error(`${full} (listed in labels.csv) is missing. Fix: ${fix}.`);
      });
      if (sha256Hex(data) !== sha256) throw new Error(`${full} is corrupt (sha256 differs from labels.csv). Fix: ${fix}.`);
      return photo(full, className, credits, path.relative(path.join(dir, "images"), full));
    }),
  );
  return { photos: sorted(photos), classNames: FLOWER_CLASSES, licence, origin: `Flower photos: ${photos.length} photos, sha256 verified, from the local copy ${dir}` };
}

function readFullSet(dir: string): FlowerPhotos {
  const { licence, credits } = parseCredits(fs.readFileSync(path.join(dir, "LICENSE.txt"), "utf8"));
  const photos = FLOWER_CLASSES.flatMap((className) =>
    fs
      .readdirSync(path.join(dir, className))
      .filter((f) => f.toLowerCase().endsWith(".jpg"))
      .map((f) => photo(path.join(dir, className, f), className, credits, `${className}/${f}`)),
  );
  return { photos: sorted(photos), classNames: FLOWER_CLASSES, licence, origin: `Flower photos: ${photos.length} photos from ${dir}` };
}

function photo(file: string, className: string, credits: Map<string, string>, key: string): FlowerPhoto {
  const label = FLOWER_CLASSES.indexOf(className);
  if (label < 0) throw new Error(`${file}: unknown flower class "${className}" (expected one of ${FLOWER_CLASSES.join(", ")}).`);
  const credit = credits.get(key.split(path.sep).join("/"));
  // CC BY: a photo without its credit line must not be shown.
  if (!credit) throw new Error(`${file} has no credit line in the dataset's licence file; it cannot be shown under CC BY.`);
  return { path: file, label, className, credit };
}

/** The licence file: a header, then one "class/file.jpg CC-BY by NAME - URL" line per photo. */
function parseCredits(text: string): { licence: string; credits: Map<string, string> } {
  const credits = new Map<string, string>();
  const header: string[] = [];
  for (const line of text.split("\n")) {
    const match = /^(\S+\.jpg) /i.exec(line);
    if (match) credits.set(match[1], line.trim());
    else if (credits.size === 0 && line.trim()) header.push(line.trim());
  }
  return { licence: header.join("\n"), credits };
}

function sorted(photos: FlowerPhoto[]): FlowerPhoto[] {
  return photos.sort((a, b) => a.label - b.label || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Unpacks with the system tar (Linux, macOS, Windows 10+) into a temporary folder, then renames. */
async function unpack(archive: string, dest: string): Promise<void> {
  const part = `${dest}.part-${process.pid}`;
  await fs.promises.rm(part, { recursive: true, force: true });
  await fs.promises.mkdir(part, { recursive: true });
  try {
    await promisify(execFile)("tar", ["-xzf", archive, "-C", part]);
    await fs.promises.rename(path.join(part, "flower_photos"), dest);
  } catch (err) {
    throw new Error(`Could not unpack ${archive}: ${(err as Error).message}. Fix: unpack it by hand into ${path.dirname(dest)} (it holds a flower_photos/ folder).`);
  } finally {
    await fs.promises.rm(part, { recursive: true, force: true });
  }
}

/** The credit block to print under any display of `photos`, as CC BY 2.0 requires. */
export function creditsFor(flowers: FlowerPhotos, photos: readonly FlowerPhoto[]): string {
  // The header's first two lines: the licence statement and its URL.
  const licence = flowers.licence.split("\n").slice(0, 2).join(" ");
  return [licence, "", ...photos.map((p) => `- ${p.credit}`)].join("\n");
}

// A query and its results as one image grid: the query first, then each result with its class and
// cosine score, which is how a search result page (and a quick sanity check) looks.
import type { ImageSet } from "../data/types";
import { display } from "../display";
import { imageGridSvg, type RawImage } from "../plot/image_grid";
import { svgToPng } from "../plot/render";
import type { SearchHits } from "./vector_index";

function imageAt(set: ImageSet, index: number): RawImage {
  if (!Number.isInteger(index) || index < 0 || index >= set.count) throw new Error(`Image index ${index} is outside 0..${set.count - 1}.`);
  const size = set.height * set.width * set.channels;
  return { pixels: set.images.subarray(index * size, (index + 1) * size), width: set.width, height: set.height, channels: set.channels as 1 | 3 };
}

export interface SearchResultRow {
  /** The query image: a set and the index in it. */
  query: { set: ImageSet; index: number; caption?: string };
  /** Gallery ids (indices into `gallery`) with scores, best first. */
  hits: SearchHits;
}

/**
 * One grid row per query: the query (captioned "query: <class>" unless given) then its results
 * ("<class> 0.93"; a ✓ marks the query's class when `markSameClass`).
 */
export function showSearchResults(rows: readonly SearchResultRow[], gallery: ImageSet, options: { scale?: number; markSameClass?: boolean } = {}): void {
  const { scale = 2.5, markSameClass = true } = options;
  if (rows.length === 0) throw new Error("showSearchResults: no queries to show.");
  const columns = 1 + Math.max(...rows.map((r) => r.hits.ids.length));
  const images: RawImage[] = [];
  const captions: string[] = [];
  for (const { query, hits } of rows) {
    const queryClass = query.set.classNames[query.set.labels[query.index]];
    images.push(imageAt(query.set, query.index));
    captions.push(query.caption ?? `query: ${queryClass}`);
    hits.ids.forEach((id, i) => {
      const name = gallery.classNames[gallery.labels[id]];
      images.push(imageAt(gallery, id));
      captions.push(`${markSameClass && name === queryClass ? "✓ " : ""}${name} ${hits.scores[i].toFixed(2)}`);
    });
    // Pad short rows so every query starts a new row.
    for (let i = hits.ids.length + 1; i < columns; i++) {
      images.push({ pixels: new Uint8Array(gallery.width * gallery.height * 3).fill(255), width: gallery.width, height: gallery.height, channels: 3 });
      captions.push("");
    }
  }
  const svg = imageGridSvg(images, captions, { columns, scale });
  const text = rows
    .map(({ query, hits }) => `${query.caption ?? "query"} → ${hits.ids.map((id, i) => `#${id} ${gallery.classNames[gallery.labels[id]]} ${hits.scores[i].toFixed(3)}`).join(", ")}`)
    .join("\n");
  display({ "image/svg+xml": svg, "image/png": svgToPng(svg, 1), "text/plain": text });
}

// Notebook prose must not assume which model wins: that depends on the profile and on which
// checkpoint is on disk (week 3's full training turns the CIFAR-10 CNN from last into first on
// class-level search). A measured sentence under each table states this run's order.

export interface Score {
  name: string;
  value: number;
}

/** "A 0.747, then B 0.740 (0.007 behind), then C 0.385 (0.362 behind)": highest first, gaps to the best. */
export function bestFirst(scores: readonly Score[], format: (value: number) => string = (v) => v.toFixed(3)): string {
  if (scores.length === 0) throw new Error("bestFirst: no scores given; pass at least one { name, value }.");
  const missing = scores.filter((s) => !Number.isFinite(s.value));
  if (missing.length > 0) {
    throw new Error(`bestFirst: no finite score for ${missing.map((s) => `${s.name} (${s.value})`).join(", ")}; compute every score before ordering them.`);
  }
  const [best, ...rest] = [...scores].sort((a, b) => b.value - a.value);
  return [`${best.name} ${format(best.value)}`, ...rest.map((s) => `${s.name} ${format(s.value)} (${format(best.value - s.value)} behind)`)].join(", then ");
}

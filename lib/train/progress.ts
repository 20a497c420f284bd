import { liveOutput, inNotebook, type LiveOutput } from "../display";

/**
 * One line per epoch that rewrites itself while the epoch runs (loss, accuracy, images/s, time
 * left) and stays as the epoch's summary afterwards. In a notebook it is a display that updates
 * in place; elsewhere only the summary line is printed.
 */
export class EpochProgress {
  private readonly output: LiveOutput | undefined;
  private readonly started = performance.now();
  private lastDraw = 0;

  constructor(
    private readonly epoch: number,
    private readonly epochs: number,
    private readonly totalImages: number,
  ) {
    this.output = inNotebook() ? liveOutput() : undefined;
  }

  /** Whether a redraw is due (at most ~3 per second), so callers only read tensors when it is. */
  due(): boolean {
    return this.output !== undefined && performance.now() - this.lastDraw > 333;
  }

  /** Redraws the live line; await it so the update leaves before training goes on. */
  async draw(imagesDone: number, loss: number, accuracy: number): Promise<void> {
    if (!this.output) return;
    this.lastDraw = performance.now();
    const seconds = this.elapsed();
    const rate = imagesDone / Math.max(seconds, 1e-9);
    const left = (this.totalImages - imagesDone) / Math.max(rate, 1e-9);
    const width = 20;
    const filled = Math.round((width * imagesDone) / this.totalImages);
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    await this.show(
      `${this.label()} ${bar} ${imagesDone}/${this.totalImages}  loss ${loss.toFixed(4)}  acc ${accuracy.toFixed(4)}` +
        `  ${Math.round(rate)} img/s  ${formatSeconds(left)} left`,
    );
  }

  finish(summary: string): Promise<void> {
    return this.show(`${this.label()} ${summary}`, true);
  }

  elapsed(): number {
    return (performance.now() - this.started) / 1000;
  }

  private label(): string {
    return `epoch ${String(this.epoch).padStart(String(this.epochs).length)}/${this.epochs}`;
  }

  private async show(line: string, final = false): Promise<void> {
    if (this.output) await this.output.update({ "text/plain": line }, { final });
    else console.log(line);
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

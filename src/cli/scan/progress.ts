import type { ScanStats } from './finding.js';

/** A progress line on stderr for long scans, only when stderr is a terminal (never in logs or pipes). */
export class Progress {
  private readonly started = Date.now();
  private last = 0;
  private shown = false;

  constructor(private readonly enabled: boolean = process.stderr.isTTY === true) {}

  /** Redraws the line at most five times a second, after the first second. */
  tick(stats: ScanStats): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.started < 1000 || now - this.last < 200) return;
    this.last = now;
    this.shown = true;
    const mb = (stats.bytes / 1e6).toFixed(1);
    process.stderr.write(`\rscanning… ${stats.files} files${stats.blobs ? `, ${stats.blobs} history blobs` : ''}, ${mb} MB`);
  }

  /** Clears the line before the report. */
  done(): void {
    if (this.shown) process.stderr.write('\r\x1b[K');
  }
}

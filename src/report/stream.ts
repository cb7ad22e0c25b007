/**
 * A buffered, atomic file writer for large outputs (CSV, JUnit): text is appended in
 * chunks and the file appears under its final name only when complete (temp + fsync + rename).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";

const FLUSH_AT = 1 << 20;

/** A writer that streams text to a temp file and renames it into place on `close()`. */
export class AtomicStreamWriter {
  private readonly fd: number;
  private readonly tmp: string;
  private parts: string[] = [];
  private pending = 0;
  private written = 0;
  private closed = false;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
    this.fd = openSync(this.tmp, "w");
  }

  /** Append text; flushed to disk every megabyte or so. */
  write(text: string): void {
    this.parts.push(text);
    this.pending += text.length;
    if (this.pending >= FLUSH_AT) this.flush();
  }

  /** Bytes written so far (after the last flush). */
  get bytes(): number {
    return this.written;
  }

  /** Flush, fsync and rename into place; returns the file size in bytes. */
  close(): number {
    if (this.closed) return this.written;
    try {
      this.flush();
      fsyncSync(this.fd);
    } catch (err) {
      this.abort();
      throw err;
    }
    closeSync(this.fd);
    this.closed = true;
    renameSync(this.tmp, this.path);
    return this.written;
  }

  /** Give up: close and remove the temp file. */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    try { closeSync(this.fd); } catch { /* already closed */ }
    try { unlinkSync(this.tmp); } catch { /* already gone */ }
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    const buf = Buffer.from(this.parts.join(""), "utf8");
    this.parts = [];
    this.pending = 0;
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    this.written += buf.length;
  }
}

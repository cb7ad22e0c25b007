/**
 * A buffered, atomic file writer for large outputs (findings files, CSV, JUnit, SARIF): text
 * is encoded straight into one reused buffer and written out when it fills, and the file
 * appears under its final name only when complete (temp + fsync + rename). Encoding into a
 * reused buffer, rather than joining chunks into megabyte strings, keeps a 300 MB output from
 * allocating 300 MB of short-lived large strings, which on a heap holding millions of
 * findings each cost a full mark-compact collection.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";

const FLUSH_AT = 1 << 20;

/** A writer that streams text to a temp file and renames it into place on `close()`. */
export class AtomicStreamWriter {
  private readonly fd: number;
  private readonly tmp: string;
  private readonly buf = Buffer.allocUnsafe(FLUSH_AT);
  private used = 0;
  private written = 0;
  private closed = false;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
    this.fd = openSync(this.tmp, "w");
  }

  /** Append text; flushed to disk every megabyte or so. */
  write(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit, so this bound never splits a character.
    const worst = text.length * 3;
    if (this.used + worst > this.buf.length) {
      this.flush();
      if (worst > this.buf.length) {
        this.writeAll(Buffer.from(text, "utf8"));
        return;
      }
    }
    this.used += this.buf.write(text, this.used, "utf8");
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
    if (this.used === 0) return;
    this.writeAll(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  private writeAll(buf: Buffer): void {
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    this.written += buf.length;
  }
}

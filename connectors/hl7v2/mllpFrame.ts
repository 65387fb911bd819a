/**
 * MLLP (Minimal Lower Layer Protocol) framing, HL7 v2.5.1 Appendix C (release 1 /
 * "MLLP block"): a message travels as
 *
 *     <VT 0x0B> payload <FS 0x1C> <CR 0x0D>
 *
 * Pure: no sockets here. `MllpDecoder` is incremental so the transport can feed it
 * whatever chunks TCP happens to deliver.
 *
 * Tolerances, each one seen in the wild:
 * - a missing final CR after FS (Camel's `requireEndOfData=false`): the payload is
 *   complete at FS, and a CR that follows is swallowed if it comes;
 * - bytes outside a frame (line feeds, keep-alive junk, a half frame from a sender that
 *   reconnected) are skipped and reported, never glued onto the next message;
 * - a start byte inside an open frame means the sender abandoned the previous frame
 *   and began again: the partial payload is reported as discarded and the new frame
 *   is read.
 */

/** Start block, VT. */
export const MLLP_START = 0x0b;
/** End block, FS. */
export const MLLP_END = 0x1c;
/** Carriage return that closes the block after FS. */
export const MLLP_CR = 0x0d;

/** Frames one message: 0x0B payload 0x1C 0x0D. Text is written as UTF-8. */
export function frameMessage(payload: string | Uint8Array): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload, "utf8") : Buffer.from(payload);
  const framed = Buffer.allocUnsafe(body.length + 3);
  framed[0] = MLLP_START;
  body.copy(framed, 1);
  framed[body.length + 1] = MLLP_END;
  framed[body.length + 2] = MLLP_CR;
  return framed;
}

export type MllpDiscardReason =
  /** Bytes seen outside any frame (not whitespace). */
  | "outside-frame"
  /** A new start block arrived before the open frame ended. */
  | "restarted-frame"
  /** The open frame grew past `maxMessageBytes`; the rest of it is skipped up to the next start block. */
  | "too-large"
  /** The stream ended inside a frame (see `MllpDecoder.end`). */
  | "truncated";

export interface MllpDiscard {
  reason: MllpDiscardReason;
  /** How many bytes were thrown away. */
  bytes: number;
  /** Up to 64 of those bytes, for a log line that helps a person see what the sender did. */
  sample: Buffer;
}

export interface MllpDecoderOptions {
  /**
   * A frame larger than this is dropped (reported as `too-large`) rather than buffered
   * without bound. Default 64 MiB, far above any real HL7 message.
   */
  maxMessageBytes?: number;
  /** Called for every run of bytes the decoder throws away. */
  onDiscard?: (discard: MllpDiscard) => void;
}

const SAMPLE_BYTES = 64;

type DecoderState =
  /** Between frames: looking for a start block. */
  | "idle"
  /** Inside a frame: collecting payload until FS. */
  | "payload"
  /** Just read FS: a CR may follow and belongs to the frame. */
  | "after-end"
  /** Skipping an oversized frame until the next start block. */
  | "skipping";

function isWhitespace(byte: number): boolean {
  return byte === 0x0d || byte === 0x0a || byte === 0x20 || byte === 0x09;
}

/**
 * Incremental MLLP decoder. `push` any chunk; it returns the payloads completed by that
 * chunk, in order, without the framing bytes.
 */
export class MllpDecoder {
  private state: DecoderState = "idle";
  private parts: Buffer[] = [];
  private partBytes = 0;
  private skippedBytes = 0;
  private skippedSample: Buffer[] = [];
  private readonly maxMessageBytes: number;
  private readonly onDiscard: ((discard: MllpDiscard) => void) | undefined;

  constructor(options: MllpDecoderOptions = {}) {
    this.maxMessageBytes = options.maxMessageBytes ?? 64 * 1024 * 1024;
    this.onDiscard = options.onDiscard;
  }

  /** Bytes of the frame currently open (0 when between frames). */
  get pendingBytes(): number {
    return this.state === "payload" ? this.partBytes : 0;
  }

  push(chunk: Uint8Array): Buffer[] {
    const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const out: Buffer[] = [];
    let pos = 0;
    while (pos < data.length) {
      switch (this.state) {
        case "after-end": {
          if (data[pos] === MLLP_CR) pos++;
          // No CR: tolerated (requireEndOfData off); whatever follows is read as between frames.
          this.state = "idle";
          break;
        }
        case "idle": {
          const start = data.indexOf(MLLP_START, pos);
          const stop = start === -1 ? data.length : start;
          this.noteOutside(data, pos, stop);
          pos = stop;
          if (start !== -1) {
            this.flushOutside();
            this.state = "payload";
            pos = start + 1;
          }
          break;
        }
        case "payload": {
          const end = data.indexOf(MLLP_END, pos);
          const stop = end === -1 ? data.length : end;
          const within = data.subarray(pos, stop).indexOf(MLLP_START);
          const restart = within === -1 ? -1 : pos + within;
          if (restart !== -1) {
            // The sender began a new frame without ending this one.
            if (this.appendPart(data.subarray(pos, restart))) this.reportSkip();
            else this.discardPart("restarted-frame");
            this.state = "payload";
            pos = restart + 1;
            break;
          }
          const overflowed = this.appendPart(data.subarray(pos, stop));
          pos = stop;
          if (end === -1) break;
          pos = end + 1;
          if (overflowed) {
            // The frame went over the size limit; its FS ends the skip.
            this.reportSkip();
          } else if (this.partBytes > 0) {
            // An empty frame carries no message; some senders use one as a keep-alive.
            out.push(this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partBytes));
            this.parts = [];
            this.partBytes = 0;
          }
          this.state = "after-end";
          break;
        }
        case "skipping": {
          const start = data.indexOf(MLLP_START, pos);
          const end = data.indexOf(MLLP_END, pos);
          const firstStop = [start, end].filter((i) => i !== -1).sort((a, b) => a - b)[0];
          const stop = firstStop ?? data.length;
          this.skippedBytes += stop - pos;
          pos = stop;
          if (firstStop !== undefined) {
            this.reportSkip();
            if (firstStop === start) {
              this.state = "payload";
              pos = start + 1;
            } else {
              this.state = "after-end";
              pos = end + 1;
            }
          }
          break;
        }
      }
    }
    return out;
  }

  /**
   * The stream has ended (socket closed). A frame still open is reported as
   * `truncated` and dropped: a sender that did not finish the frame got no ACK and will
   * resend. Returns how many bytes were dropped. The decoder can be reused afterwards.
   */
  end(): number {
    let dropped = 0;
    if (this.state === "payload" && this.partBytes > 0) {
      dropped = this.partBytes;
      this.discardPart("truncated");
    } else if (this.state === "skipping") {
      dropped = this.skippedBytes;
      this.reportSkip();
    }
    this.flushOutside();
    this.parts = [];
    this.partBytes = 0;
    this.state = "idle";
    return dropped;
  }

  /** Returns true when the frame went over the size limit (the decoder is now skipping). */
  private appendPart(part: Buffer): boolean {
    if (part.length === 0) return this.state === "skipping";
    if (this.partBytes + part.length > this.maxMessageBytes) {
      this.skippedBytes = this.partBytes + part.length;
      this.skippedSample = this.parts.length > 0 ? [this.parts[0]!] : [part];
      this.parts = [];
      this.partBytes = 0;
      this.state = "skipping";
      return true;
    }
    // Copy: the caller may reuse the chunk's memory (node does for some streams).
    this.parts.push(Buffer.from(part));
    this.partBytes += part.length;
    return false;
  }

  private discardPart(reason: MllpDiscardReason): void {
    if (this.partBytes === 0) return;
    const all = Buffer.concat(this.parts, this.partBytes);
    this.parts = [];
    this.partBytes = 0;
    this.onDiscard?.({ reason, bytes: all.length, sample: all.subarray(0, SAMPLE_BYTES) });
  }

  private reportSkip(): void {
    const sample = Buffer.concat(this.skippedSample).subarray(0, SAMPLE_BYTES);
    const bytes = this.skippedBytes;
    this.skippedBytes = 0;
    this.skippedSample = [];
    this.onDiscard?.({ reason: "too-large", bytes, sample });
  }

  // Junk between frames is collected until the next start block so that one run of
  // junk yields one report, however the chunks were cut.
  private outsideBytes = 0;
  private outsideSample: Buffer[] = [];
  private outsideSampleBytes = 0;

  private noteOutside(data: Buffer, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      // Whitespace between frames (a CRLF after the block, a newline from a test tool)
      // is noise, not an error worth reporting.
      if (isWhitespace(data[i]!)) continue;
      this.outsideBytes++;
      if (this.outsideSampleBytes < SAMPLE_BYTES) {
        this.outsideSample.push(data.subarray(i, i + 1));
        this.outsideSampleBytes++;
      }
    }
  }

  private flushOutside(): void {
    if (this.outsideBytes === 0) return;
    const sample = Buffer.concat(this.outsideSample.map((b) => Buffer.from(b)));
    const bytes = this.outsideBytes;
    this.outsideBytes = 0;
    this.outsideSample = [];
    this.outsideSampleBytes = 0;
    this.onDiscard?.({ reason: "outside-frame", bytes, sample });
  }
}

/** Decodes a whole byte sequence at once (tests, files of framed messages). */
export function decodeFrames(bytes: Uint8Array, options: MllpDecoderOptions = {}): Buffer[] {
  const decoder = new MllpDecoder(options);
  const out = decoder.push(bytes);
  decoder.end();
  return out;
}

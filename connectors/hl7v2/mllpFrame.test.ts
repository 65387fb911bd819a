import { describe, expect, it } from "vitest";
import { MllpDecoder, decodeFrames, frameMessage, type MllpDiscard } from "./mllpFrame";

const A = "MSH|^~\\&|EHR|H1|TIEOUT|H1|20260101120000||ADT^A01^ADT_A01|MSG1|P|2.5.1\rPID|1||123\r";
const B = "MSH|^~\\&|EHR|H1|TIEOUT|H1|20260101120001||ADT^A08^ADT_A01|MSG2|P|2.5.1\rPID|1||456\r";

const text = (buffers: Buffer[]): string[] => buffers.map((b) => b.toString("utf8"));

function feedBytewise(decoder: MllpDecoder, bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i++) out.push(...decoder.push(bytes.subarray(i, i + 1)));
  return out;
}

describe("frameMessage", () => {
  it("wraps the payload in VT ... FS CR", () => {
    const framed = frameMessage("MSH|x");
    expect([...framed]).toEqual([0x0b, ...Buffer.from("MSH|x"), 0x1c, 0x0d]);
  });

  it("writes text as UTF-8 and passes bytes through unchanged", () => {
    expect(frameMessage("é").subarray(1, 3)).toEqual(Buffer.from([0xc3, 0xa9]));
    expect(frameMessage(new Uint8Array([0xe9])).subarray(1, 2)).toEqual(Buffer.from([0xe9]));
  });
});

describe("MllpDecoder", () => {
  it("yields each complete payload, in order, from one chunk holding several frames", () => {
    const bytes = Buffer.concat([frameMessage(A), frameMessage(B)]);
    expect(text(new MllpDecoder().push(bytes))).toEqual([A, B]);
  });

  it("yields the same payloads when fed one byte at a time", () => {
    const bytes = Buffer.concat([frameMessage(A), frameMessage(B), frameMessage(A)]);
    expect(text(feedBytewise(new MllpDecoder(), bytes))).toEqual([A, B, A]);
  });

  it("reassembles a payload split across chunks at every possible cut", () => {
    const bytes = Buffer.concat([frameMessage(A), frameMessage(B)]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const decoder = new MllpDecoder();
      const got = [...decoder.push(bytes.subarray(0, cut)), ...decoder.push(bytes.subarray(cut))];
      expect(text(got), `cut at ${cut}`).toEqual([A, B]);
    }
  });

  it("accepts a frame whose final CR is missing (requireEndOfData off)", () => {
    const noCr = (s: string): Buffer => Buffer.concat([Buffer.from([0x0b]), Buffer.from(s), Buffer.from([0x1c])]);
    const bytes = Buffer.concat([noCr(A), noCr(B)]);
    expect(text(decodeFrames(bytes))).toEqual([A, B]);
    expect(text(feedBytewise(new MllpDecoder(), bytes))).toEqual([A, B]);
  });

  it("completes a frame as soon as FS arrives, before the CR", () => {
    const decoder = new MllpDecoder();
    const framed = frameMessage(A);
    expect(text(decoder.push(framed.subarray(0, framed.length - 1)))).toEqual([A]);
    expect(decoder.push(framed.subarray(framed.length - 1))).toEqual([]);
  });

  it("skips garbage between frames and reports it once per run", () => {
    const discards: MllpDiscard[] = [];
    const decoder = new MllpDecoder({ onDiscard: (d) => discards.push(d) });
    const bytes = Buffer.concat([Buffer.from("junk"), frameMessage(A), Buffer.from("\r\n more junk "), frameMessage(B)]);
    expect(text(feedBytewise(decoder, bytes))).toEqual([A, B]);
    expect(discards.map((d) => [d.reason, d.bytes, d.sample.toString()])).toEqual([
      ["outside-frame", 4, "junk"],
      ["outside-frame", 8, "morejunk"],
    ]);
  });

  it("does not report whitespace between frames", () => {
    const discards: MllpDiscard[] = [];
    const bytes = Buffer.concat([frameMessage(A), Buffer.from("\n\r\n"), frameMessage(B)]);
    expect(text(decodeFrames(bytes, { onDiscard: (d) => discards.push(d) }))).toEqual([A, B]);
    expect(discards).toEqual([]);
  });

  it("drops a frame abandoned by a new start block and reads the new frame", () => {
    const discards: MllpDiscard[] = [];
    const bytes = Buffer.concat([Buffer.from([0x0b]), Buffer.from("MSH|half"), frameMessage(B)]);
    expect(text(decodeFrames(bytes, { onDiscard: (d) => discards.push(d) }))).toEqual([B]);
    expect(discards).toEqual([expect.objectContaining({ reason: "restarted-frame", bytes: 8 })]);
  });

  it("reports a frame left open when the stream ends", () => {
    const discards: MllpDiscard[] = [];
    const decoder = new MllpDecoder({ onDiscard: (d) => discards.push(d) });
    const framed = frameMessage(A);
    expect(decoder.push(framed.subarray(0, 20))).toEqual([]);
    expect(decoder.pendingBytes).toBe(19);
    expect(decoder.end()).toBe(19);
    expect(discards).toEqual([expect.objectContaining({ reason: "truncated", bytes: 19 })]);
    // The decoder is usable again afterwards.
    expect(text(decoder.push(frameMessage(B)))).toEqual([B]);
  });

  it("ignores empty frames", () => {
    const bytes = Buffer.concat([Buffer.from([0x0b, 0x1c, 0x0d]), frameMessage(A)]);
    expect(text(decodeFrames(bytes))).toEqual([A]);
  });

  it("drops a frame over the size limit and recovers at the next frame, whatever the chunking", () => {
    const big = "MSH|" + "x".repeat(200);
    const bytes = Buffer.concat([frameMessage(big), frameMessage(A)]);
    for (const feed of ["whole", "bytewise"] as const) {
      const discards: MllpDiscard[] = [];
      const decoder = new MllpDecoder({ maxMessageBytes: 100, onDiscard: (d) => discards.push(d) });
      const got = feed === "whole" ? decoder.push(bytes) : feedBytewise(decoder, bytes);
      expect(text(got), feed).toEqual([A]);
      expect(discards, feed).toEqual([expect.objectContaining({ reason: "too-large", bytes: big.length })]);
    }
  });

  it("does not alias the caller's chunk memory", () => {
    const decoder = new MllpDecoder();
    const framed = frameMessage(A);
    const chunk = Buffer.from(framed.subarray(0, 10));
    decoder.push(chunk);
    chunk.fill(0x41);
    expect(text(decoder.push(framed.subarray(10)))).toEqual([A]);
  });

  it("keeps non-UTF-8 payload bytes exactly", () => {
    const latin1 = Buffer.from("MSH|^~\\&|EHR|H1\rPID|1||M\xfcller\r", "latin1");
    const [payload] = decodeFrames(frameMessage(latin1));
    expect(payload).toEqual(latin1);
  });
});

/**
 * Splits a text stream of HL7 v2 messages (the generator's stream file, a dump from an
 * interface engine, a file of MLLP frames) into single messages, ready to send one by
 * one. This is transport-side splitting, not parsing: nothing is validated here, and no
 * text is thrown away except batch envelope segments and framing bytes.
 *
 * A message starts at a line beginning with `MSH` followed by its field separator, or
 * after a blank line. Batch envelope segments (FHS, BHS, BTS, FTS; HL7 v2.5.1 §2.10.3)
 * wrap messages in a file and are not part of any message, so they are dropped. Text
 * before the first MSH of a block is kept as a piece of its own, so a broken message still
 * reaches the receiver (and its quarantine) instead of vanishing.
 *
 * Segments are returned CR-terminated, the HL7 encoding rule (v2.5.1 §2.8: "segment
 * terminator is always a carriage return"), whatever line endings the file used.
 */

import { MLLP_END, MLLP_START } from "./mllpFrame";

const BATCH_ENVELOPE = new Set(["FHS", "BHS", "BTS", "FTS"]);

/** CRLF, LF and lone CR all become CR: HL7's only segment terminator. */
export function normaliseSegmentTerminators(text: string): string {
  return text.replace(/\r\n|\n/g, "\r");
}

function isMshLine(line: string): boolean {
  // MSH-1 is the field separator itself, so "MSH" is followed by whatever it is ("|" almost always).
  return line.length >= 4 && line.startsWith("MSH") && !/[A-Za-z0-9\s]/.test(line[3]!);
}

function isEnvelopeLine(line: string): boolean {
  return BATCH_ENVELOPE.has(line.slice(0, 3)) && (line.length === 3 || !/[A-Za-z0-9\s]/.test(line[3]!));
}

export function splitHl7Stream(text: string): string[] {
  const cleaned = normaliseSegmentTerminators(
    text
      .replace(/^\uFEFF/, "")
      // Framing bytes from a file of MLLP frames (VT, FS) are transport, not content.
      .replaceAll(String.fromCharCode(MLLP_START), "\n")
      .replaceAll(String.fromCharCode(MLLP_END), "\n"),
  );
  const messages: string[] = [];
  let current: string[] = [];
  const flush = (): void => {
    if (current.length > 0) messages.push(current.map((segment) => segment + "\r").join(""));
    current = [];
  };
  for (const rawLine of cleaned.split("\r")) {
    // Leading blanks never belong to a segment (every segment starts with its id); trailing
    // ones may be field content and are kept.
    const line = rawLine.replace(/^[ \t]+/, "");
    if (line.trim().length === 0) {
      flush();
      continue;
    }
    if (isEnvelopeLine(line)) {
      flush();
      continue;
    }
    if (isMshLine(line)) flush();
    current.push(line);
  }
  flush();
  return messages;
}

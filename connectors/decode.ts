/**
 * Bytes → text for every connector. Files arrive as UTF-8 (with or without a BOM),
 * UTF-16 (with or without a BOM: the corpus has a BOM-less UTF-16LE 837), or Latin-1
 * (HL7 MSH-18 "8859/1"). We never drop a byte silently: invalid UTF-8 falls back to
 * Latin-1 and says so.
 */

export interface DecodedText {
  text: string;
  encoding: "utf-8" | "utf-16le" | "utf-16be" | "latin1";
  hadBom: boolean;
  /** Set when the bytes were not valid in the encoding we first assumed. */
  note: string | null;
}

function looksUtf16(bytes: Uint8Array): "le" | "be" | null {
  // ASCII-heavy text in UTF-16 has a zero in every other byte.
  const n = Math.min(bytes.length - (bytes.length % 2), 512);
  if (n < 4) return null;
  let zeroOdd = 0;
  let zeroEven = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) zeroEven++;
    if (bytes[i + 1] === 0) zeroOdd++;
  }
  const pairs = n / 2;
  if (zeroOdd > pairs * 0.6 && zeroEven < pairs * 0.1) return "le";
  if (zeroEven > pairs * 0.6 && zeroOdd < pairs * 0.1) return "be";
  return null;
}

export function decodeText(bytes: Uint8Array): DecodedText {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder("utf-8").decode(bytes.subarray(3)), encoding: "utf-8", hadBom: true, note: null };
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder("utf-16le").decode(bytes.subarray(2)), encoding: "utf-16le", hadBom: true, note: null };
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: new TextDecoder("utf-16be").decode(bytes.subarray(2)), encoding: "utf-16be", hadBom: true, note: null };
  }
  const wide = looksUtf16(bytes);
  if (wide) {
    const encoding = wide === "le" ? "utf-16le" : "utf-16be";
    return {
      text: new TextDecoder(encoding).decode(bytes),
      encoding,
      hadBom: false,
      note: `no byte-order mark; detected ${encoding.toUpperCase()}`,
    };
  }
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), encoding: "utf-8", hadBom: false, note: null };
  } catch {
    return {
      text: new TextDecoder("latin1").decode(bytes),
      encoding: "latin1",
      hadBom: false,
      note: "not valid UTF-8; read as Latin-1 (ISO-8859-1)",
    };
  }
}

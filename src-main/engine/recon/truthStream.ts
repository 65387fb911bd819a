/**
 * A streaming JSON reader for files too large for one string (V8 caps a string near
 * 512 MB; the 1M-encounter truth.json is ~700 MB). It reads the file in chunks, checks
 * the whole document against the JSON grammar (RFC 8259), and hands back only the
 * values the caller asks for, each parsed on its own with JSON.parse. Everything else is
 * walked without being kept, so memory stays near the chunk size plus what the caller keeps.
 */
import { closeSync, openSync, readSync } from "node:fs";

/** Where a value sits: object keys and array indexes from the root. */
export type JsonPath = readonly (string | number)[];

export interface StreamJsonOptions {
  /**
   * Called as each value begins (outside values already being emitted): true to parse the
   * value whole and hand it to `onValue`. The root's path is `[]`.
   */
  emitAt: (path: JsonPath) => boolean;
  /**
   * Called once as each object or array that is not emitted begins: false to skip it (it is
   * still checked, but nothing inside reaches `emitAt`). Default: walk into every container.
   */
  enter?: (path: JsonPath) => boolean;
  /** Bytes read per chunk (default 4 MiB). */
  chunkBytes?: number;
}

/**
 * Streams the JSON file at `file`, calling `onValue` with each value `emitAt` selects, in
 * document order. The path passed to the callbacks is reused as the walk goes on: copy it
 * to keep it. A file that is not valid JSON (or not UTF-8) throws an Error naming the file
 * and the byte offset.
 */
export function streamJsonValues(file: string, onValue: (path: JsonPath, value: unknown) => void, options: StreamJsonOptions): void {
  const chunkBytes = Math.max(1, Math.floor(options.chunkBytes ?? 4 * 1024 * 1024));
  const scanner = new JsonScanner(file, onValue, options.emitAt, options.enter);
  // ignoreBOM keeps a leading U+FEFF in the text so byte offsets stay exact; the scanner skips it.
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const buffer = Buffer.allocUnsafe(chunkBytes);
  const fd = openSync(file, "r");
  try {
    let bytesRead = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, chunkBytes, null);
      if (n === 0) break;
      scanner.write(decodeChunk(decoder, buffer.subarray(0, n), file, bytesRead, bytesRead + n));
      bytesRead += n;
    }
    scanner.write(decodeChunk(decoder, undefined, file, bytesRead, bytesRead));
    scanner.end();
  } finally {
    closeSync(fd);
  }
}

function decodeChunk(decoder: TextDecoder, bytes: Buffer | undefined, file: string, from: number, to: number): string {
  try {
    return bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode();
  } catch {
    const where = bytes ? `between bytes ${Math.max(0, from - 3)} and ${to}` : `at the end of the file (byte ${to})`;
    throw new Error(`${file}: not valid UTF-8 ${where}`);
  }
}

// Scanner states. The ones up to AFTER_ROOT sit between tokens, where whitespace is allowed.
const VALUE = 0; // a value must come (root, after ':' or after ',' in an array)
const ARRAY_FIRST = 1; // after '[': a value or ']'
const OBJECT_FIRST = 2; // after '{': a key or '}'
const KEY = 3; // after ',' in an object: a key
const COLON = 4;
const AFTER_VALUE = 5; // after a value inside a container: ',' or the closing bracket
const AFTER_ROOT = 6;
const STRING = 7;
const STRING_ESCAPE = 8;
const STRING_HEX = 9;
const NUMBER = 10;
const LITERAL = 11;

// Number states (RFC 8259 §6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?).
const N_MINUS = 0;
const N_ZERO = 1;
const N_INT = 2;
const N_DOT = 3;
const N_FRAC = 4;
const N_E = 5;
const N_E_SIGN = 6;
const N_EXP = 7;

const OBJECT = 0;
const ARRAY = 1;

const NO_CAPTURE = 0;
const CAPTURE_VALUE = 1;
const CAPTURE_KEY = 2;

const C_TAB = 9;
const C_LF = 10;
const C_CR = 13;
const C_SPACE = 32;
const C_QUOTE = 34;
const C_PLUS = 43;
const C_COMMA = 44;
const C_MINUS = 45;
const C_DOT = 46;
const C_0 = 48;
const C_9 = 57;
const C_COLON = 58;
const C_UPPER_E = 69;
const C_LBRACKET = 91;
const C_BACKSLASH = 92;
const C_RBRACKET = 93;
const C_LOWER_E = 101;
const C_LBRACE = 123;
const C_RBRACE = 125;

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Escapes allowed after a backslash: " \ / b f n r t (u is handled apart). */
function isSimpleEscape(c: number): boolean {
  return c === 34 || c === 92 || c === 47 || c === 98 || c === 102 || c === 110 || c === 114 || c === 116;
}

/** A push scanner over decoded text: `write` each piece in order, then `end`. */
class JsonScanner {
  private state = VALUE;
  private numberState = N_MINUS;
  private literal = "";
  private literalPos = 0;
  private hexLeft = 0;
  private stringIsKey = false;
  /** OBJECT or ARRAY for every open container. */
  private readonly kinds: number[] = [];
  /** Path of the current position through the containers that are walked (not skipped or emitted). */
  private readonly path: (string | number)[] = [];
  /** Open containers that are skipped or inside an emitted value. */
  private opaque = 0;
  private captureKind = NO_CAPTURE;
  private captureStart = 0;
  private captureParts: string[] = [];
  private captureDepth = 0;
  private text = "";
  private byteBase = 0;
  private started = false;

  constructor(
    private readonly source: string,
    private readonly onValue: (path: JsonPath, value: unknown) => void,
    private readonly emitAt: (path: JsonPath) => boolean,
    private readonly enter: ((path: JsonPath) => boolean) | undefined,
  ) {}

  write(text: string): void {
    this.text = text;
    const n = text.length;
    let i = 0;
    if (!this.started && n > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    scan: while (i < n) {
      let c = text.charCodeAt(i);
      const state = this.state;
      if (state <= AFTER_ROOT) {
        while (c === C_SPACE || c === C_LF || c === C_CR || c === C_TAB) {
          if (++i === n) break scan;
          c = text.charCodeAt(i);
        }
        switch (state) {
          case VALUE:
            this.beginValue(c, i);
            break;
          case ARRAY_FIRST:
            if (c === C_RBRACKET) this.close(c, i);
            else this.beginValue(c, i);
            break;
          case OBJECT_FIRST:
            if (c === C_RBRACE) this.close(c, i);
            else if (c === C_QUOTE) this.beginKey(i);
            else this.fail(i, "a string key or '}'");
            break;
          case KEY:
            if (c === C_QUOTE) this.beginKey(i);
            else this.fail(i, "a string key");
            break;
          case COLON:
            if (c === C_COLON) this.state = VALUE;
            else this.fail(i, "':'");
            break;
          case AFTER_VALUE:
            if (c === C_COMMA) {
              if (this.kinds[this.kinds.length - 1] === ARRAY) {
                if (this.opaque === 0) this.path[this.path.length - 1] = (this.path[this.path.length - 1] as number) + 1;
                this.state = VALUE;
              } else this.state = KEY;
            } else if (c === C_RBRACE || c === C_RBRACKET) this.close(c, i);
            else this.fail(i, this.kinds[this.kinds.length - 1] === ARRAY ? "',' or ']'" : "',' or '}'");
            break;
          default:
            this.fail(i, "the end of the file after the root value");
        }
        i++;
        continue;
      }
      switch (state) {
        case STRING: {
          // The hot loop: run to the next quote, backslash or control character.
          while (c !== C_QUOTE && c !== C_BACKSLASH && c >= C_SPACE) {
            if (++i === n) break scan;
            c = text.charCodeAt(i);
          }
          if (c === C_QUOTE) this.endString(i + 1);
          else if (c === C_BACKSLASH) this.state = STRING_ESCAPE;
          else this.fail(i, "a character other than a control character (those must be escaped)");
          i++;
          break;
        }
        case STRING_ESCAPE:
          if (isSimpleEscape(c)) this.state = STRING;
          else if (c === 117) {
            this.state = STRING_HEX;
            this.hexLeft = 4;
          } else this.fail(i, 'an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)');
          i++;
          break;
        case STRING_HEX:
          if (!isHexDigit(c)) this.fail(i, "a hex digit in a \\u escape");
          if (--this.hexLeft === 0) this.state = STRING;
          i++;
          break;
        case NUMBER: {
          let ns = this.numberState;
          for (;;) {
            if (c >= C_0 && c <= C_9) {
              if (ns === N_ZERO) this.fail(i, "'.', 'e' or the end of the number after a leading 0");
              ns = ns === N_MINUS ? (c === C_0 ? N_ZERO : N_INT) : ns === N_DOT ? N_FRAC : ns === N_E || ns === N_E_SIGN ? N_EXP : ns;
            } else if (c === C_DOT && (ns === N_ZERO || ns === N_INT)) ns = N_DOT;
            else if ((c === C_LOWER_E || c === C_UPPER_E) && (ns === N_ZERO || ns === N_INT || ns === N_FRAC)) ns = N_E;
            else if ((c === C_PLUS || c === C_MINUS) && ns === N_E) ns = N_E_SIGN;
            else {
              // The character after the number: end it here and read that character again.
              this.numberState = ns;
              this.endNumber(i);
              continue scan;
            }
            if (++i === n) {
              this.numberState = ns;
              break scan;
            }
            c = text.charCodeAt(i);
          }
        }
        case LITERAL:
          if (c !== this.literal.charCodeAt(this.literalPos)) this.fail(i, JSON.stringify(this.literal));
          if (++this.literalPos === this.literal.length) this.endValue(i + 1);
          i++;
          break;
      }
    }
    if (this.captureKind !== NO_CAPTURE) {
      this.captureParts.push(text.slice(this.captureStart));
      this.captureStart = 0;
    }
    this.byteBase += Buffer.byteLength(text);
  }

  end(): void {
    this.text = "";
    if (this.state === NUMBER) this.endNumber(0);
    if (this.state !== AFTER_ROOT) {
      const expected =
        this.state === STRING || this.state === STRING_ESCAPE || this.state === STRING_HEX
          ? "the closing '\"' of a string"
          : this.kinds.length > 0
            ? `the rest of the open ${this.kinds[this.kinds.length - 1] === ARRAY ? "array" : "object"}`
            : "a value";
      this.fail(0, expected);
    }
  }

  private beginValue(c: number, i: number): void {
    let opaque = this.opaque > 0;
    if (!opaque && this.emitAt(this.path)) {
      opaque = true;
      this.captureKind = CAPTURE_VALUE;
      this.captureStart = i;
      this.captureParts = [];
      this.captureDepth = this.kinds.length;
    }
    switch (c) {
      case C_LBRACE:
      case C_LBRACKET:
        if (!opaque && this.enter && !this.enter(this.path)) opaque = true;
        if (opaque) this.opaque++;
        else this.path.push(c === C_LBRACKET ? 0 : "");
        this.kinds.push(c === C_LBRACKET ? ARRAY : OBJECT);
        this.state = c === C_LBRACKET ? ARRAY_FIRST : OBJECT_FIRST;
        return;
      case C_QUOTE:
        this.stringIsKey = false;
        this.state = STRING;
        return;
      case 116: // t
        return this.beginLiteral("true");
      case 102: // f
        return this.beginLiteral("false");
      case 110: // n
        return this.beginLiteral("null");
    }
    if (c === C_MINUS || (c >= C_0 && c <= C_9)) {
      this.numberState = c === C_MINUS ? N_MINUS : c === C_0 ? N_ZERO : N_INT;
      this.state = NUMBER;
      return;
    }
    this.fail(i, "a value");
  }

  private beginLiteral(literal: string): void {
    this.literal = literal;
    this.literalPos = 1;
    this.state = LITERAL;
  }

  private beginKey(i: number): void {
    this.stringIsKey = true;
    this.state = STRING;
    if (this.opaque === 0) {
      this.captureKind = CAPTURE_KEY;
      this.captureStart = i;
      this.captureParts = [];
    }
  }

  private endString(endExclusive: number): void {
    if (!this.stringIsKey) return this.endValue(endExclusive);
    if (this.captureKind === CAPTURE_KEY) {
      // JSON.parse decodes escapes and gives a fresh string (a slice would pin the whole chunk).
      this.path[this.path.length - 1] = JSON.parse(this.takeCapture(endExclusive)) as string;
    }
    this.state = COLON;
  }

  private endNumber(i: number): void {
    const ns = this.numberState;
    if (ns !== N_ZERO && ns !== N_INT && ns !== N_FRAC && ns !== N_EXP) this.fail(i, "a digit");
    this.endValue(i);
  }

  private close(c: number, i: number): void {
    const kind = this.kinds.pop();
    if ((kind === ARRAY) !== (c === C_RBRACKET)) this.fail(i, kind === ARRAY ? "',' or ']'" : "',' or '}'");
    if (this.opaque > 0) this.opaque--;
    else this.path.pop();
    this.endValue(i + 1);
  }

  private endValue(endExclusive: number): void {
    if (this.captureKind === CAPTURE_VALUE && this.kinds.length === this.captureDepth) {
      this.onValue(this.path, JSON.parse(this.takeCapture(endExclusive)));
    }
    this.state = this.kinds.length === 0 ? AFTER_ROOT : AFTER_VALUE;
  }

  private takeCapture(endExclusive: number): string {
    const tail = this.text.slice(this.captureStart, endExclusive);
    const raw = this.captureParts.length === 0 ? tail : this.captureParts.join("") + tail;
    this.captureKind = NO_CAPTURE;
    this.captureParts = [];
    return raw;
  }

  private fail(i: number, expected: string): never {
    const text = this.text;
    const found = i < text.length ? JSON.stringify(String.fromCodePoint(text.codePointAt(i)!)) : "the end of the file";
    const byte = this.byteBase + Buffer.byteLength(text.slice(0, i));
    throw new Error(`${this.source}: invalid JSON at byte ${byte}: expected ${expected}, found ${found}`);
  }
}

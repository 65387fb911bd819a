/**
 * A strict JSON syntax scanner (RFC 8259) that records where values sit in the text.
 *
 * Why not only `JSON.parse`: Node 20's V8 reports some syntax errors without a position
 * ("Unexpected token 'x', "…" is not valid JSON"), and a user needs file, line and column.
 * The scanner also gives each Bundle entry's `resource` as an exact slice of the source, so a
 * raw unit is archived verbatim instead of re-serialised.
 *
 * The scanner does not build values: callers `JSON.parse` the slices they need.
 */

export type JsonPath = ReadonlyArray<string | number>;

export interface JsonSpan {
  path: (string | number)[];
  start: number;
  /** Offset one past the value's last character. */
  end: number;
}

export type JsonScan = { ok: true; spans: JsonSpan[] } | { ok: false; offset: number; message: string };

/** Max nesting we accept; deeper input is refused rather than risking the call stack. */
const MAX_DEPTH = 512;

/**
 * Scans `text` and returns the spans of the values whose path satisfies `want`
 * (checked for every value at depth ≤ `maxDepth`), or the first syntax error's offset.
 */
export function scanJson(text: string, want: (path: JsonPath) => boolean, maxDepth = 3): JsonScan {
  let i = 0;
  const n = text.length;
  const spans: JsonSpan[] = [];
  const path: (string | number)[] = [];

  class ScanError extends Error {
    constructor(
      readonly offset: number,
      message: string,
    ) {
      super(message);
    }
  }
  const fail = (message: string, at = i): never => {
    throw new ScanError(at, message);
  };

  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };

  const describe = (at: number) => (at >= n ? "end of input" : JSON.stringify(text[at]));

  const str = (): string => {
    // i at opening quote
    const start = ++i;
    let simple = true;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        const raw = text.slice(start, i);
        i++;
        return simple ? raw : (JSON.parse(`"${raw}"`) as string);
      }
      if (c === 0x5c) {
        simple = false;
        const e = text[i + 1];
        if (e === undefined) fail("unterminated string", i);
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail("bad \\u escape in string", i);
          i += 6;
        } else if ('"\\/bfnrt'.includes(e!)) i += 2;
        else fail(`bad escape \\${e} in string`, i);
        continue;
      }
      if (c < 0x20) fail("control character inside a string (unescaped line break?)", i);
      i++;
    }
    return fail("unterminated string", start - 1);
  };

  const num = () => {
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = i;
    if (!m.exec(text) || m.lastIndex === i) fail(`expected a value, found ${describe(i)}`);
    i = m.lastIndex;
  };

  const lit = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`expected a value, found ${describe(i)}`);
  };

  const value = (depth: number) => {
    ws();
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels`);
    const start = i;
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") i++;
      else {
        for (;;) {
          ws();
          if (text[i] !== '"') fail(`expected a property name in double quotes, found ${describe(i)}`);
          const key = str();
          ws();
          if (text[i] !== ":") fail(`expected ':' after property name, found ${describe(i)}`);
          i++;
          path.push(key);
          value(depth + 1);
          path.pop();
          ws();
          if (text[i] === ",") {
            i++;
            continue;
          }
          if (text[i] === "}") {
            i++;
            break;
          }
          fail(`expected ',' or '}' after a property value, found ${describe(i)}`);
        }
      }
    } else if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") i++;
      else {
        for (let k = 0; ; k++) {
          path.push(k);
          value(depth + 1);
          path.pop();
          ws();
          if (text[i] === ",") {
            i++;
            continue;
          }
          if (text[i] === "]") {
            i++;
            break;
          }
          fail(`expected ',' or ']' after an array element, found ${describe(i)}`);
        }
      }
    } else if (c === '"') str();
    else if (c === "t") lit("true");
    else if (c === "f") lit("false");
    else if (c === "n") lit("null");
    else num();
    if (path.length <= maxDepth && want(path)) spans.push({ path: [...path], start, end: i });
  };

  try {
    // A UTF-8 BOM that survived decoding is not JSON, but it is not the user's fault either.
    if (text.charCodeAt(0) === 0xfeff) i = 1;
    value(0);
    ws();
    if (i < n) fail(`unexpected ${describe(i)} after the end of the JSON value`);
    return { ok: true, spans };
  } catch (e) {
    if (e instanceof ScanError) return { ok: false, offset: e.offset, message: e.message };
    throw e;
  }
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let k = 0; k < end; k++) {
    if (text.charCodeAt(k) === 0x0a) {
      line++;
      lineStart = k + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** Incremental line counter for many increasing offsets in one text (O(total length)). */
export function lineCounter(text: string): (offset: number) => number {
  let pos = 0;
  let line = 1;
  return (offset: number) => {
    if (offset < pos) {
      pos = 0;
      line = 1;
    }
    for (; pos < offset && pos < text.length; pos++) if (text.charCodeAt(pos) === 0x0a) line++;
    return line;
  };
}

import { describe, expect, it } from "vitest";
import { DEFAULT_DELIMITERS, hl7Date, hl7Number, hl7Timestamp, readDelimiters, splitSegment, unescapeHl7, value } from "./hl7Message";

const d = DEFAULT_DELIMITERS;

describe("readDelimiters", () => {
  it("reads the standard ^~\\& set", () => {
    const r = readDelimiters("MSH|^~\\&|APP");
    expect(r.problem).toBeNull();
    expect(r.delimiters).toMatchObject({ field: "|", component: "^", repetition: "~", escape: "\\", subcomponent: "&", truncation: "" });
  });

  it("reads a fifth (truncation) character, v2.7+", () => {
    expect(readDelimiters("MSH|^~\\&#|APP").delimiters.truncation).toBe("#");
  });

  it("reads custom encoding characters position by position", () => {
    const r = readDelimiters("MSH#!@%*#SENDER");
    expect(r.delimiters).toMatchObject({ field: "#", component: "!", repetition: "@", escape: "%", subcomponent: "*" });
  });

  it("accepts three encoding characters (hapi's ^~})", () => {
    const r = readDelimiters("MSH|^~}|ADMISSION");
    expect(r.problem).toBeNull();
    expect(r.delimiters).toMatchObject({ component: "^", repetition: "~", escape: "}", subcomponent: "" });
  });

  it("drops a repeated encoding character and says so", () => {
    const r = readDelimiters("MSH|^~\\\\&|SE050");
    expect(r.delimiters).toMatchObject({ component: "^", repetition: "~", escape: "\\", subcomponent: "&" });
    expect(r.problem).toContain("repeats");
  });

  it("reports a missing field separator", () => {
    expect(readDelimiters("MSH").problem).toContain("expected a field separator");
  });
});

describe("splitSegment and value", () => {
  it("numbers MSH fields as the standard does (MSH-1 is the separator)", () => {
    const msh = splitSegment("MSH|^~\\&|APP|FAC|||20260101||ADT^A01|CTRL1|P|2.5", 1, d);
    expect(value(msh, 1, d)).toBe("|");
    expect(value(msh, 2, d)).toBe("^~\\&");
    expect(value(msh, 9, d, { comp: 2 })).toBe("A01");
    expect(value(msh, 10, d)).toBe("CTRL1");
    expect(value(msh, 12, d)).toBe("2.5");
  });

  it("reads repetitions, components and sub-components", () => {
    const pid = splitSegment("PID|Field1|Component1^Component2|Component1^Sub-Component1&Sub-Component2^Component3|Repeat1~Repeat2", 2, d);
    expect(value(pid, 2, d, { comp: 2 })).toBe("Component2");
    expect(value(pid, 3, d, { comp: 2, sub: 2 })).toBe("Sub-Component2");
    expect(value(pid, 4, d, { rep: 1 })).toBe("Repeat2");
    expect(value(pid, 4, d, { rep: 2 })).toBeNull();
    expect(value(pid, 40, d)).toBeNull();
  });

  it('reads the explicit null "" as null', () => {
    const seg = splitSegment('PID|""|A^""', 1, d);
    expect(value(seg, 1, d)).toBeNull();
    expect(value(seg, 2, d, { comp: 2 })).toBeNull();
  });

  it("unescapes only after splitting, so escaped delimiters stay data", () => {
    const seg = splitSegment("PID|DOE\\T\\SMITH^JOHN\\S\\JANE", 1, d);
    expect(value(seg, 1, d, { comp: 1 })).toBe("DOE&SMITH");
    expect(value(seg, 1, d, { comp: 2 })).toBe("JOHN^JANE");
  });
});

describe("unescapeHl7", () => {
  it("replaces the delimiter escapes", () => {
    expect(unescapeHl7("pipe \\F\\ amp \\T\\ caret \\S\\ tilde \\R\\ backslash \\E\\ chars", d)).toBe(
      "pipe | amp & caret ^ tilde ~ backslash \\ chars",
    );
  });

  it("decodes hex data, including CR LF and multi-byte UTF-8", () => {
    expect(unescapeHl7("a\\X0D\\\\X0A\\b", d)).toBe("a\r\nb");
    expect(unescapeHl7("\\X0D0A\\", d)).toBe("\r\n");
    expect(unescapeHl7("M\\XC3BC\\ller", d)).toBe("Müller");
    expect(unescapeHl7("caf\\XE9\\", d)).toBe("café");
  });

  it("turns \\.br\\ and \\.sp\\ into line breaks and drops highlighting", () => {
    expect(unescapeHl7("some text\\.br\\some text after \\H\\new line\\N\\", d)).toBe("some text\nsome text after new line");
    expect(unescapeHl7("a\\.sp2\\b", d)).toBe("a\n\nb");
  });

  it("drops character-set switches and keeps locally defined \\Z escapes", () => {
    expect(unescapeHl7("\\C2842\\abc\\C2B42\\", d)).toBe("abc");
    expect(unescapeHl7("x\\Zfoo\\y", d)).toBe("x\\Zfoo\\y");
  });

  it("keeps unknown or unterminated sequences as written", () => {
    expect(unescapeHl7("C:\\path\\file", d)).toBe("C:\\path\\file");
    expect(unescapeHl7("trailing \\", d)).toBe("trailing \\");
    expect(unescapeHl7("bad hex \\XZZ\\", d)).toBe("bad hex \\XZZ\\");
  });

  it("uses the message's own escape character", () => {
    const custom = { ...d, field: "#", component: "!", escape: "%" };
    expect(unescapeHl7("A%S%B%F%C", custom)).toBe("A!B#C");
  });

  it("maps \\P\\ to the truncation character when one is declared", () => {
    expect(unescapeHl7("x\\P\\y", { ...d, truncation: "#" })).toBe("x#y");
  });
});

describe("dates, timestamps and numbers", () => {
  it("reads YYYYMMDD dates and refuses impossible ones", () => {
    expect(hl7Date("20260401")).toBe("2026-04-01");
    expect(hl7Date("20260401120000")).toBe("2026-04-01");
    expect(hl7Date("20260230")).toBeNull();
    expect(hl7Date("196203520")).toBeNull();
  });

  it("converts timestamps with an offset to UTC and keeps local ones as given", () => {
    expect(hl7Timestamp("20060529090131-0500")).toBe("2006-05-29T14:01:31Z");
    expect(hl7Timestamp("202604010830+0200")).toBe("2026-04-01T06:30:00Z");
    expect(hl7Timestamp("20260401083000")).toBe("2026-04-01T08:30:00");
    expect(hl7Timestamp("202604010830")).toBe("2026-04-01T08:30:00");
    expect(hl7Timestamp("20260401083000.12")).toBe("2026-04-01T08:30:00.120");
    expect(hl7Timestamp("20260401")).toBe("2026-04-01");
    expect(hl7Timestamp("2026-04-01")).toBeNull();
    expect(hl7Timestamp("20260401256000")).toBeNull();
  });

  it("reads quantities, including a trailing minus", () => {
    expect(hl7Number("2")).toBe(2);
    expect(hl7Number("1.5")).toBe(1.5);
    expect(hl7Number("3-")).toBe(-3);
    expect(hl7Number("two")).toBeNull();
  });
});

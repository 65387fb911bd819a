import { describe, expect, it } from "vitest";
import { splitHl7Stream } from "./splitMessages";

const M1 = ["MSH|^~\\&|EHR|H1|TIEOUT|H1|20260101||ADT^A01|M1|P|2.5.1", "PID|1||100"];
const M2 = ["MSH|^~\\&|EHR|H1|TIEOUT|H1|20260101||DFT^P03|M2|P|2.5.1", "FT1|1"];
const asMessage = (lines: string[]): string => lines.map((l) => l + "\r").join("");

describe("splitHl7Stream", () => {
  it("splits messages separated by blank lines, whatever the line endings", () => {
    for (const eol of ["\r", "\n", "\r\n"]) {
      const text = [...M1, "", ...M2, ""].join(eol);
      expect(splitHl7Stream(text), JSON.stringify(eol)).toEqual([asMessage(M1), asMessage(M2)]);
    }
  });

  it("splits messages that follow each other with no blank line at each MSH", () => {
    expect(splitHl7Stream([...M1, ...M2].join("\n"))).toEqual([asMessage(M1), asMessage(M2)]);
  });

  it("drops FHS/BHS/BTS/FTS batch envelope segments", () => {
    const text = ["FHS|^~\\&|EHR", "BHS|^~\\&|EHR", ...M1, ...M2, "BTS|2", "FTS|1"].join("\r");
    expect(splitHl7Stream(text)).toEqual([asMessage(M1), asMessage(M2)]);
  });

  it("keeps text before the first MSH as a piece of its own so nothing is lost", () => {
    const text = ["PID|orphan", ...M1].join("\n");
    expect(splitHl7Stream(text)).toEqual(["PID|orphan\r", asMessage(M1)]);
  });

  it("reads a file of MLLP frames and a BOM", () => {
    const text = "\uFEFF\u000b" + asMessage(M1) + "\u001c\r\u000b" + asMessage(M2) + "\u001c\r";
    expect(splitHl7Stream(text)).toEqual([asMessage(M1), asMessage(M2)]);
  });

  it("returns nothing for an empty or blank stream", () => {
    expect(splitHl7Stream("")).toEqual([]);
    expect(splitHl7Stream("\n\r\n  \n")).toEqual([]);
  });

  it("does not take a segment that merely starts with MSH letters for a new message", () => {
    const text = [...M1, "MSHX|not a header"].join("\r");
    expect(splitHl7Stream(text)).toHaveLength(1);
  });
});

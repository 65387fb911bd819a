import { describe, expect, it } from "vitest";
import { formatCents, parseDisplayedAmount } from "./money";

describe("an amount typed as it is shown", () => {
  it("reads the screen's own format back to cents, and nothing that is not an amount", () => {
    expect(parseDisplayedAmount("$1,240.00")).toBe(124_000);
    expect(parseDisplayedAmount(" 240.5 ")).toBe(24_050);
    expect(parseDisplayedAmount("240")).toBe(24_000);
    expect(parseDisplayedAmount("-$12.50")).toBe(-1_250);
    expect(parseDisplayedAmount("($12.50)")).toBe(-1_250);
    expect(parseDisplayedAmount(formatCents(-987_654, "en-US"))).toBe(-987_654);
    for (const text of ["", "cdm", "12.345", "ehr:C1", "4000000001x", "$"]) expect(parseDisplayedAmount(text)).toBeNull();
  });
});

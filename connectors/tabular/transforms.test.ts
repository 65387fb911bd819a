import { describe, expect, it } from "vitest";
import { booleanCell, calendarDate, decimalCents, integerCents, plainNumber } from "./transforms";

describe("decimalCents", () => {
  it.each([
    ["1,234.50", 123450],
    ["(12.00)", -1200],
    ["12.00-", -1200],
    ["$1,234.50", 123450],
    ["-$5", -500],
    ["$-5.10", -510],
    ["($1,000.00)", -100000],
    [".5", 50],
    ["0.00", 0],
    ["12.300", 1230],
  ])("reads %s as %i cents", (text, cents) => {
    expect(decimalCents(text)).toEqual({ ok: true, value: cents });
  });
  it.each(["12,50", "1,23.00", "12.345", "abc", "1.2.3", "$", "1e3"])("refuses %s", (text) => {
    expect(decimalCents(text).ok).toBe(false);
  });
  it("treats an empty cell as no value", () => {
    expect(decimalCents("  ")).toEqual({ ok: true, value: null });
  });
});

describe("other transforms", () => {
  it("reads integer cents, numbers and booleans", () => {
    expect(integerCents("-1250")).toEqual({ ok: true, value: -1250 });
    expect(integerCents("12.5").ok).toBe(false);
    expect(plainNumber("2.5")).toEqual({ ok: true, value: 2.5 });
    expect(plainNumber("1,000")).toEqual({ ok: true, value: 1000 });
    expect(plainNumber("1,0").ok).toBe(false);
    expect(booleanCell("Y")).toEqual({ ok: true, value: true });
    expect(booleanCell("false")).toEqual({ ok: true, value: false });
    expect(booleanCell("maybe").ok).toBe(false);
  });

  it.each([
    ["2024-03-01", "YYYY-MM-DD", "2024-03-01"],
    ["1959-11-07T09:12:44Z", "YYYY-MM-DD", "1959-11-07"],
    ["3/7/2024", "MM/DD/YYYY", "2024-03-07"],
    ["07/03/2024", "DD/MM/YYYY", "2024-03-07"],
    ["20240229", "YYYYMMDD", "2024-02-29"],
    ["11-Nov-2023", "DD-MMM-YYYY", "2023-11-11"],
  ])("reads the date %s as %s → %s", (text, format, iso) => {
    expect(calendarDate(text, format)).toEqual({ ok: true, value: iso });
  });
  it("refuses impossible dates and the wrong format", () => {
    expect(calendarDate("20230229", "YYYYMMDD").ok).toBe(false);
    expect(calendarDate("13/45/2024", "MM/DD/YYYY")).toEqual({ ok: false, expected: "a date as MM/DD/YYYY" });
    expect(calendarDate("2024-03-01", "MM/DD/YYYY").ok).toBe(false);
  });
});

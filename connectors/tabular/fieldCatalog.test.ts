import { describe, expect, expectTypeOf, it } from "vitest";
import type { CanonicalRecord, CanonicalType, Charge, JournalLine } from "../../src-shared/model";
import { CANONICAL_TYPES, FIELD_CATALOG, fieldCatalog, requiredFields } from "./fieldCatalog";

type RecordOf<T extends CanonicalType> = Extract<CanonicalRecord, { type: T }>;
type Fields<T extends CanonicalType> = Exclude<keyof RecordOf<T>, "type" | "system">;
type RequiredOf<T extends CanonicalType> = { [F in Fields<T>]: null extends RecordOf<T>[F] ? never : F }[Fields<T>];

describe("fieldCatalog mirrors model.ts", () => {
  // Compile-time: these lines fail `tsc` when the catalog drifts from the model
  // (fieldCatalog.ts also declares the table `satisfies FieldCatalogTable`).
  it("has exactly the model's fields for every record type (checked by the type checker)", () => {
    expectTypeOf<keyof typeof FIELD_CATALOG>().toEqualTypeOf<CanonicalType>();
    expectTypeOf<keyof (typeof FIELD_CATALOG)["charge"]>().toEqualTypeOf<Exclude<keyof Charge, "type" | "system">>();
    expectTypeOf<keyof (typeof FIELD_CATALOG)["journalLine"]>().toEqualTypeOf<Exclude<keyof JournalLine, "type" | "system">>();
    type RequiredInCatalog<T extends CanonicalType> = {
      [F in keyof (typeof FIELD_CATALOG)[T]]: (typeof FIELD_CATALOG)[T][F] extends { required: true } ? F : never;
    }[keyof (typeof FIELD_CATALOG)[T]];
    expectTypeOf<RequiredInCatalog<"charge">>().toEqualTypeOf<RequiredOf<"charge">>();
    expectTypeOf<RequiredInCatalog<"encounter">>().toEqualTypeOf<RequiredOf<"encounter">>();
    expectTypeOf<RequiredInCatalog<"inventoryTransaction">>().toEqualTypeOf<RequiredOf<"inventoryTransaction">>();
  });

  it("lists every canonical type with its required fields", () => {
    expect(CANONICAL_TYPES).toHaveLength(23);
    expect(requiredFields("charge")).toEqual(["transactionId", "cdmCode", "quantity", "amountCents", "serviceDate"]);
    expect(requiredFields("journalLine")).toEqual([
      "journalId",
      "lineNumber",
      "period",
      "accountingDate",
      "account",
      "debitCents",
      "creditCents",
    ]);
    expect(fieldCatalog("encounter").find((f) => f.name === "status")).toEqual({
      name: "status",
      kind: "text",
      required: true,
      values: ["active", "discharged", "cancelled"],
    });
  });

  it("gives money fields the cents kind and only them", () => {
    for (const type of CANONICAL_TYPES) {
      for (const f of fieldCatalog(type)) expect(f.kind === "cents").toBe(f.name.endsWith("Cents"));
    }
  });
});

import type { CanonicalRecord, CanonicalType } from "../../../src-shared/model";

/**
 * Where each canonical record type is stored, and how a re-sent record finds the row
 * it updates. State tables (encounters, accounts, masters) are upserted on their
 * natural key; fact tables (charges, claims, payments, bank lines) are appended,
 * because the raw archive's de-duplication already keeps a re-sent unit out.
 */
export interface CanonicalTableInfo {
  table: string;
  label: string;
  /** Natural key columns (snake_case) for state tables; absent for fact tables. */
  upsertKey?: readonly string[];
}

export const CANONICAL_TABLES = {
  patientAccount: { table: "patient_account", label: "Patient accounts", upsertKey: ["system", "account_number"] },
  encounter: { table: "encounter", label: "Encounters", upsertKey: ["system", "visit_number"] },
  charge: { table: "charge", label: "Charges" },
  supplyUsage: { table: "supply_usage", label: "Supply usage" },
  claim: { table: "claim", label: "Claims" },
  claimLine: { table: "claim_line", label: "Claim lines" },
  remittancePayment: { table: "remittance_payment", label: "Remittance payments" },
  claimPayment: { table: "claim_payment", label: "Claim payments" },
  servicePayment: { table: "service_payment", label: "Service payments" },
  remittanceAdjustment: { table: "remittance_adjustment", label: "Remittance adjustments" },
  providerAdjustment: { table: "provider_adjustment", label: "Provider adjustments (PLB)" },
  bankTransaction: { table: "bank_transaction", label: "Bank transactions" },
  journalLine: { table: "journal_line", label: "GL journal lines" },
  inventoryTransaction: { table: "inventory_transaction", label: "Inventory transactions" },
  onHandBalance: {
    table: "on_hand_balance",
    label: "On-hand balances",
    upsertKey: ["system", "item_number", "location_code", "as_of_date"],
  },
  provider: { table: "provider", label: "Providers", upsertKey: ["system", "npi"] },
  department: { table: "department", label: "Departments", upsertKey: ["system", "code"] },
  costCenter: { table: "cost_center", label: "Cost centers", upsertKey: ["system", "code"] },
  location: { table: "location", label: "Locations", upsertKey: ["system", "code"] },
  item: { table: "item", label: "Items", upsertKey: ["system", "item_number"] },
  chargeMasterEntry: { table: "charge_master_entry", label: "Charge master", upsertKey: ["system", "cdm_code"] },
  payer: { table: "payer", label: "Payers", upsertKey: ["system", "payer_id"] },
  crosswalk: { table: "crosswalk", label: "Crosswalks", upsertKey: ["system", "kind", "from_code", "effective_from"] },
} as const satisfies Record<CanonicalType, CanonicalTableInfo>;

export const CANONICAL_TYPES = Object.keys(CANONICAL_TABLES) as CanonicalType[];

const byTable = new Map<string, CanonicalType>(CANONICAL_TYPES.map((type) => [CANONICAL_TABLES[type].table, type] as const));

export function recordTypeOfTable(table: string): CanonicalType | undefined {
  return byTable.get(table);
}

const snakeNames = new Map<string, string>();

/** `accountNumber` → `account_number`. Remembered: an import asks for the same few names once per row. */
export function snakeCase(name: string): string {
  let snake = snakeNames.get(name);
  if (snake === undefined) {
    snake = name.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
    if (snakeNames.size < 10_000) snakeNames.set(name, snake);
  }
  return snake;
}

export function camelCase(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** A SQLite row value: booleans are stored as 0/1. */
export type SqlValue = string | number | null;

/** Column names and values of a record as stored (snake_case, booleans as 0/1, `type` dropped). */
export function recordColumns(record: CanonicalRecord): { columns: string[]; values: SqlValue[] } {
  const columns: string[] = [];
  const values: SqlValue[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (key === "type") continue;
    columns.push(snakeCase(key));
    values.push(typeof value === "boolean" ? (value ? 1 : 0) : (value as SqlValue));
  }
  return { columns, values };
}

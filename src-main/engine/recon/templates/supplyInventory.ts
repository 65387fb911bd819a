import type { ReconTemplate } from "../../../../src-shared/reconRules";

/**
 * EHR supply usage (cabinet DFT^P03, FT1-34 item) against ERP inventory issues, through the
 * supply → item crosswalk (STANDARDS.md B5): implants exactly by serial, stock by item,
 * location, case/account, quantity and date window. Usage without an issue is an
 * unrecorded issue (inventory adjustment); an issue without usage is a possible lost charge.
 */
export const supplyInventory: ReconTemplate = {
  id: "supply-inventory",
  name: "Supply usage to inventory",
  description: "Every supply used in the EHR is issued in the ERP and every issue was used: lost charges and unrecorded issues.",
  version: 3,
  runOutDays: 7,
  left: {
    label: "EHR supply usage",
    recordTypes: ["supplyUsage"],
    sql: `SELECT u.usage_id AS row_key, 'supply_usage' AS source_table, u.id AS source_id,
        CAST(ROUND(u.quantity * COALESCE(i.unit_cost_cents, 0)) AS INTEGER) AS amount_cents, u.used_date AS row_date,
        u.usage_id, u.supply_code, x.to_code AS item_number, u.location_code, u.department_code, u.account_number,
        u.quantity, u.used_date, u.implant, u.lot_number, u.serial_number, i.description, i.unit_cost_cents, 'issue' AS movement,
        (SELECT dc.to_code FROM crosswalk dc WHERE dc.system = 'erp' AND dc.kind = 'department-cost-center' AND dc.from_code = u.department_code
          ORDER BY dc.effective_from DESC LIMIT 1) AS cost_center
      FROM supply_usage u
      LEFT JOIN crosswalk x ON x.kind = 'supply-item' AND x.from_code = u.supply_code
      LEFT JOIN item i ON i.system = 'erp' AND i.item_number = x.to_code
      WHERE u.used_date BETWEEN :from AND :to
      ORDER BY u.usage_id`,
  },
  right: {
    label: "ERP inventory transactions",
    recordTypes: ["inventoryTransaction"],
    sql: `SELECT t.transaction_id AS row_key, 'inventory_transaction' AS source_table, t.id AS source_id,
        CAST(ROUND(-t.quantity * COALESCE(t.unit_cost_cents, 0)) AS INTEGER) AS amount_cents, t.transaction_date AS row_date,
        t.transaction_id, t.item_number, t.location_code, t.cost_center, t.reference AS account_number, -t.quantity AS quantity,
        t.transaction_date, t.transaction_type, t.lot_number, t.serial_number, t.unit_cost_cents
      FROM inventory_transaction t
      WHERE t.transaction_date BETWEEN :from AND :to
      ORDER BY t.transaction_id`,
  },
  passes: [
    {
      id: "implant-serial",
      label: "Implant by serial number",
      keys: [
        { label: "serial", left: "serial_number", right: "serial_number", normalize: "upper" },
        { label: "item", left: "item_number", right: "item_number" },
      ],
      date: { left: "used_date", right: "transaction_date", minDays: -2, maxDays: 5 },
      cardinality: "1:1",
      mode: "auto",
    },
    {
      id: "item-location-case",
      label: "Item, location, case and quantity",
      keys: [
        { label: "movement", left: "movement", right: "transaction_type" },
        { label: "item", left: "item_number", right: "item_number" },
        { label: "location", left: "location_code", right: "location_code" },
        { label: "account", left: "account_number", right: "account_number", normalize: "trim" },
        { label: "quantity", left: "quantity", right: "quantity" },
      ],
      // Issues follow usage in order (cabinet pick → perpetual inventory): first in, first out, not nearest date.
      date: { left: "used_date", right: "transaction_date", minDays: -2, maxDays: 5, scored: false },
      prefer: [{ label: "lot", left: "lot_number", right: "lot_number" }],
      cardinality: "1:1",
      mode: "auto",
    },
    {
      id: "item-location",
      label: "Item, location and quantity within the date window (no case on the issue)",
      keys: [
        { label: "movement", left: "movement", right: "transaction_type" },
        { label: "item", left: "item_number", right: "item_number" },
        { label: "location", left: "location_code", right: "location_code" },
        { label: "quantity", left: "quantity", right: "quantity" },
      ],
      date: { left: "used_date", right: "transaction_date", minDays: -1, maxDays: 2 },
      cardinality: "1:1",
      mode: "suggest",
    },
    {
      // Left over after the passes above: the same case's pick of the same item, in another
      // quantity. One break for the difference, not a missing issue and a stray one.
      id: "case-quantity-differs",
      label: "Item, location and case; quantity differs",
      keys: [
        { label: "movement", left: "movement", right: "transaction_type" },
        { label: "item", left: "item_number", right: "item_number" },
        { label: "location", left: "location_code", right: "location_code" },
        { label: "account", left: "account_number", right: "account_number", normalize: "trim" },
      ],
      date: { left: "used_date", right: "transaction_date", minDays: -2, maxDays: 5 },
      cardinality: "1:1",
      mode: "auto",
    },
  ],
  exceptions: [
    {
      reason: "quantity-mismatch",
      on: "matched",
      when: [{ field: "group.pass", op: "=", value: "case-quantity-differs" }],
      keepMatch: true,
      amount: "difference",
      expected: "left.quantity",
      found: "right.quantity",
      message:
        "Supply usage {left.usage_id} used {left.quantity} × item {left.item_number} {left.description} at {left.location_code} on {left.used_date}; inventory issue {right.transaction_id} issued {right.quantity}",
      correction: "inventory-difference",
    },
    {
      reason: "usage-without-issue",
      on: "unmatched-left",
      when: [],
      amount: "left",
      message:
        "Supply usage {left.usage_id} ({left.supply_code} → item {left.item_number} {left.description}, qty {left.quantity}, {left.location_code}, {left.used_date}) has no ERP inventory issue",
      correction: "inventory-issue",
    },
    {
      reason: "issue-without-usage",
      on: "unmatched-right",
      when: [{ field: "right.transaction_type", op: "=", value: "issue" }],
      amount: "right",
      message:
        "Inventory issue {right.transaction_id} (item {right.item_number}, qty {right.quantity}, {right.location_code}, {right.transaction_date}) has no matching EHR supply usage",
      correction: "inventory-return",
    },
  ],
  expected: [
    {
      reason: "receipt-not-usage",
      on: "unmatched-right",
      when: [{ field: "right.transaction_type", op: "in", values: ["receipt", "adjustment", "transfer"] }],
    },
  ],
  unmatchedLeftReason: "usage-without-issue",
  unmatchedRightReason: "issue-without-usage",
  params: { supplyExpenseAccount: "6100", inventoryAccount: "1400" },
};

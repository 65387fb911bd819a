import type { ReconTemplate } from "../../../../src-shared/reconRules";

/**
 * Master data across systems (STANDARDS.md B5 "Master-data crosswalks"): EHR providers
 * against the billing provider master by NPI (by name when the NPI differs), EHR
 * departments against the ERP department, its department → cost center crosswalk and its
 * cost center, EHR supplies against the supply → item crosswalk and the ERP item, and the
 * CDM against the CDM → GL account crosswalk. 100% mapped is the target.
 */
export const masterData: ReconTemplate = {
  id: "master-data",
  name: "Master data",
  description: "Providers, departments, cost centers, items and charge codes agree across the EHR, billing and the ERP.",
  version: 3,
  runOutDays: 0,
  left: {
    label: "EHR masters",
    recordTypes: ["provider", "department", "item", "chargeMasterEntry"],
    sql: `SELECT 'ehr:provider:' || npi AS row_key, 'provider' AS source_table, id AS source_id, NULL AS amount_cents, NULL AS row_date,
          'provider' AS kind, npi AS code, name, department_code, NULL AS cost_center
        FROM provider WHERE system = 'ehr'
      UNION ALL SELECT 'ehr:department:' || code, 'department', id, NULL, NULL, 'department', code, name, code, cost_center
        FROM department WHERE system = 'ehr'
      UNION ALL SELECT 'ehr:item:' || item_number, 'item', id, NULL, NULL, 'item', item_number, description, NULL, NULL
        FROM item WHERE system = 'ehr'
      UNION ALL SELECT 'ehr:chargeMasterEntry:' || cdm_code, 'charge_master_entry', id, NULL, NULL, 'cdm', cdm_code, description, department_code, NULL
        FROM charge_master_entry WHERE system = 'ehr'
      ORDER BY row_key`,
  },
  right: {
    label: "Billing and ERP masters",
    recordTypes: ["provider", "department", "costCenter", "item", "crosswalk"],
    // A department row stands for its crosswalk and cost center, a supply crosswalk for its item.
    lineage: [
      { table: "crosswalk", where: "c.system = 'erp' AND c.kind = 'department-cost-center'" },
      { table: "cost_center", where: "c.system = 'erp'" },
      { table: "item", where: "c.system = 'erp'" },
    ],
    sql: `SELECT 'billing:provider:' || npi AS row_key, 'provider' AS source_table, id AS source_id, NULL AS amount_cents, NULL AS row_date,
          'billing:provider:' || npi AS member_keys, 'provider' AS kind, npi AS code, name, department_code,
          NULL AS crosswalk_cost_center, NULL AS master_cost_center, 1 AS consistent, NULL AS master_keys, NULL AS problem, NULL AS target_code
        FROM provider WHERE system = 'billing'
      UNION ALL
      SELECT 'erp:department:' || d.code, 'department', d.id, NULL, NULL,
          'erp:department:' || d.code || COALESCE(' erp:crosswalk:department-cost-center/' || x.from_code, '') || COALESCE(' erp:costCenter:' || x.to_code, ''),
          'department', d.code, d.name, d.code, x.to_code, d.cost_center,
          CASE WHEN x.to_code IS d.cost_center AND COALESCE(cc.active, 0) = 1 THEN 1 ELSE 0 END,
          'erp:department:' || d.code || COALESCE(' erp:crosswalk:department-cost-center/' || x.from_code, '') || COALESCE(' erp:costCenter:' || d.cost_center, ''),
          CASE WHEN x.to_code IS NULL THEN 'no-crosswalk' WHEN x.to_code IS NOT d.cost_center THEN 'differs'
            WHEN COALESCE(cc.active, 0) = 0 THEN 'inactive' END,
          NULL
        FROM department d
        LEFT JOIN crosswalk x ON x.system = 'erp' AND x.kind = 'department-cost-center' AND x.from_code = d.code
        LEFT JOIN cost_center cc ON cc.system = 'erp' AND cc.code = d.cost_center
        WHERE d.system = 'erp'
      UNION ALL
      SELECT 'erp:crosswalk:supply-item/' || x.from_code, 'crosswalk', x.id, NULL, NULL,
          'erp:crosswalk:supply-item/' || x.from_code || COALESCE(' erp:item:' || i.item_number, ''),
          'item', x.from_code, i.description, NULL, NULL, NULL, CASE WHEN i.id IS NULL THEN 0 ELSE 1 END, NULL,
          CASE WHEN i.id IS NULL THEN 'no-item' END, x.to_code
        FROM crosswalk x LEFT JOIN item i ON i.system = 'erp' AND i.item_number = x.to_code
        WHERE x.kind = 'supply-item'
      UNION ALL
      SELECT 'erp:crosswalk:cdm-gl-account/' || x.from_code, 'crosswalk', x.id, NULL, NULL, 'erp:crosswalk:cdm-gl-account/' || x.from_code,
          'cdm', x.from_code, NULL, NULL, NULL, NULL, 1, NULL, NULL, NULL
        FROM crosswalk x WHERE x.kind = 'cdm-gl-account'
      ORDER BY row_key`,
  },
  passes: [
    {
      id: "code",
      label: "Same code (NPI, department, supply, CDM)",
      keys: [
        { label: "kind", left: "kind", right: "kind" },
        { label: "code", left: "code", right: "code", normalize: "trim" },
      ],
      cardinality: "1:1",
      mode: "auto",
    },
    {
      id: "provider-name",
      label: "Provider by name and department (NPI differs)",
      keys: [
        { label: "kind", left: "kind", right: "kind" },
        { label: "name", left: "name", right: "name", normalize: "words" },
        { label: "department", left: "department_code", right: "department_code" },
      ],
      text: [{ label: "name", left: "name", right: "name", method: "jaro-winkler", min: 0.95 }],
      cardinality: "1:1",
      mode: "auto",
    },
  ],
  exceptions: [
    {
      reason: "npi-mismatch",
      on: "matched",
      when: [{ field: "group.pass", op: "=", value: "provider-name" }],
      keepMatch: true,
      expected: "left.code",
      found: "right.code",
      message: "Provider {left.name} has NPI {left.code} in the EHR (MFN^M02 PRA-6) but {right.code} in the billing provider master",
      correction: "master-data-fix",
    },
    // A missing crosswalk entry or an inactive cost center is a break, but not one a field change
    // fixes: which cost center is right is for a person to say (no proposal).
    {
      reason: "crosswalk-missing",
      on: "matched",
      when: [
        { field: "left.kind", op: "=", value: "department" },
        { field: "right.problem", op: "=", value: "no-crosswalk" },
      ],
      keepMatch: true,
      keysFrom: { right: "master_keys" },
      found: "right.master_cost_center",
      message:
        "Department {left.code} has no entry in the ERP department → cost center crosswalk (the ERP department master points to cost center {right.master_cost_center})",
    },
    {
      reason: "cost-center-inactive",
      on: "matched",
      when: [
        { field: "left.kind", op: "=", value: "department" },
        { field: "right.problem", op: "=", value: "inactive" },
      ],
      keepMatch: true,
      keysFrom: { right: "master_keys" },
      found: "right.master_cost_center",
      message:
        "Department {left.code} maps to cost center {right.master_cost_center}, which is missing or inactive in the ERP cost center master",
    },
    {
      reason: "item-missing-in-erp",
      on: "matched",
      when: [
        { field: "left.kind", op: "=", value: "item" },
        { field: "right.problem", op: "=", value: "no-item" },
      ],
      keepMatch: true,
      found: "right.target_code",
      message:
        "EHR supply {left.code} ({left.name}) maps to ERP item {right.target_code} in the supply → item crosswalk, and the ERP item master has no such item",
    },
    {
      reason: "cost-center-mismatch",
      on: "matched",
      when: [
        { field: "left.kind", op: "=", value: "department" },
        { field: "right.problem", op: "=", value: "differs" },
      ],
      keepMatch: true,
      // The break is about the cost center the department master points to, not the crosswalk's.
      keysFrom: { right: "master_keys" },
      expected: "right.crosswalk_cost_center",
      found: "right.master_cost_center",
      message:
        "Department {left.code} maps to cost center {right.crosswalk_cost_center} in the department → cost center crosswalk but to {right.master_cost_center} in the ERP department master",
      correction: "master-data-fix",
    },
  ],
  expected: [],
  unmatchedLeftReason: "missing-in-target",
  unmatchedRightReason: "missing-in-ehr",
};

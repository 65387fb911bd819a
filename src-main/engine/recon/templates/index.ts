import { validateTemplate, type ReconTemplate } from "../../../../src-shared/reconRules";
import { billingGl } from "./billingGl";
import { chargeReconciliation } from "./chargeReconciliation";
import { claimRemittance } from "./claimRemittance";
import { masterData } from "./masterData";
import { registrationBilling } from "./registrationBilling";
import { remittanceBank } from "./remittanceBank";
import { supplyInventory } from "./supplyInventory";

/** The seven templates of DESIGN.md, in the order a month-end close works through them. */
export const BUILT_IN_TEMPLATES: readonly ReconTemplate[] = [
  registrationBilling,
  chargeReconciliation,
  claimRemittance,
  remittanceBank,
  billingGl,
  supplyInventory,
  masterData,
];

for (const template of BUILT_IN_TEMPLATES) {
  const issues = validateTemplate(template);
  if (issues.length > 0) {
    throw new Error(`template ${template.id} does not validate: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
  }
}

export function findTemplate(id: string): ReconTemplate | undefined {
  return BUILT_IN_TEMPLATES.find((t) => t.id === id);
}

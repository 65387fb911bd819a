import { expect, test } from "@playwright/test";
import { ReconcilePage } from "./reconcilePages";
import { startTieout, type RunningTieout } from "./tieoutServer";
import { Workbench } from "./workbench";

const PERIOD = "2026-10";
const CHARGES = "Charge reconciliation (charge lag)";

let tieout: RunningTieout;
test.afterEach(async () => {
  await tieout?.stop();
});

test("a reviewer widens a pass's date window, saves it as a new version with a reason, re-runs, and goes back", async ({
  page,
  browser,
}) => {
  tieout = await startTieout({ args: ["--demo", "--demo-encounters", "300"] });
  await new Workbench(page).open(tieout.loginUrl, { userId: "rob", password: "demo" });
  const recon = new ReconcilePage(page);
  await recon.openList(PERIOD);
  await recon.runFromList("charge-reconciliation");
  await recon.openDetail(CHARGES);
  await expect(page.getByTestId("balance-panel")).toBeVisible();
  await expect(page.getByTestId("rules-changed")).toBeHidden();

  await page.getByText("Rules v1", { exact: true }).click();
  const rules = page.getByRole("region", { name: "Matching rules" });
  await expect(rules.getByTestId("rules-in-use")).toHaveText("v1 (built-in)");
  await expect(rules.getByTestId("rule-pass-exact")).toContainText("account + CDM + service date");

  // A value that is not an amount is marked and holds the save back.
  const tolerance = rules.getByLabel("Pass near: amount tolerance in dollars");
  await expect(tolerance).toHaveValue("1.00");
  await tolerance.fill("1.5x");
  await expect(tolerance).toHaveAttribute("aria-invalid", "true");
  await tolerance.fill("1.50");
  await expect(tolerance).toHaveAttribute("aria-invalid", "false");
  // "From" typed past "to" on the way to a wider window: the form stays, says what is wrong, and holds the save.
  const from = rules.getByLabel("Pass near: date window from (days)");
  await from.fill("2");
  await expect(from).toBeFocused();
  await expect(rules.getByRole("list", { name: "Problems in the rules" })).toHaveText("pass near, date: minDays must not exceed maxDays");
  await from.fill("-1");
  await expect(rules.getByRole("list", { name: "Problems in the rules" })).toBeHidden();
  await rules.getByLabel("Pass near: date window to (days)").fill("3");
  await expect(rules.getByTestId("rule-changes").getByRole("listitem")).toHaveText([
    "pass near: amount tolerance $1.00 → $1.50",
    "pass near: date window -1 to 1 days → -1 to 3 days",
  ]);
  const saveButton = rules.getByRole("button", { name: "Save as a new version" });
  await expect(saveButton).toBeDisabled();
  await rules.getByLabel("Why the rules change").fill("Billing posts up to 3 days after service");
  await page.screenshot({ path: test.info().outputPath("rules-edit.png") });
  await rules.getByLabel("Why the rules change").press("Enter");
  await expect(rules.getByTestId("rules-message")).toHaveText("Saved as v2. The next run uses these rules; re-run to apply them.");
  await expect(rules.getByTestId("rules-in-use")).toHaveText("v2 (edited, saved by rob)");
  await expect(page.getByText("Rules v2 (edited)", { exact: true })).toBeVisible();
  await expect(page.getByTestId("rules-changed")).toHaveText("The rules changed since the last run (v1 → v2). Re-run to apply them.");

  // Someone without the reviewer role sees the rules in use, and cannot change them.
  const other = await browser.newContext();
  try {
    const anaPage = await other.newPage();
    await new Workbench(anaPage).open(tieout.loginUrl, { userId: "ana", password: "demo" });
    const anaRecon = new ReconcilePage(anaPage);
    await anaRecon.openList(PERIOD);
    await anaRecon.openDetail(CHARGES);
    await anaPage.getByText("Rules v2 (edited)", { exact: true }).click();
    const anaRules = anaPage.getByRole("region", { name: "Matching rules" });
    await expect(anaRules).toContainText("Only a reviewer or an administrator can change the rules.");
    await expect(anaRules.getByLabel("Pass near: date window to (days)")).toHaveValue("3");
    await expect(anaRules.getByLabel("Pass near: date window to (days)")).toBeDisabled();
  } finally {
    await other.close();
  }

  // The re-run uses the new rules: the notice goes, and the run records v2. Esc folds the panel away.
  await page.keyboard.press("Escape");
  await expect(rules).toBeHidden();
  await page.keyboard.press("r");
  await expect(page.getByTestId("recon-message")).toHaveText("Run finished.", { timeout: 60_000 });
  await expect(page.getByTestId("rules-changed")).toBeHidden();

  // Back to the built-in rules, from the version list.
  await page.getByText("Rules v2 (edited)", { exact: true }).click();
  await rules.getByText("Versions (2)").click();
  await expect(rules.getByTestId("rule-version-2-edited")).toContainText("Billing posts up to 3 days after service");
  // An edit not saved yet is lost by a switch: the reason prompt says so.
  await rules.getByLabel("Pass near: amount tolerance in dollars").fill("2.00");
  await rules.getByTestId("rule-version-1-built-in").getByRole("button", { name: "Use v1" }).click();
  await expect(rules.getByTestId("rules-switch-drops-draft")).toContainText("Your unsaved changes to these rules are discarded");
  // Like a save, a switch says why (for the audit trail): the reason field takes the keyboard, and the switch waits for it.
  const why = rules.getByLabel("Why use rules v1?");
  await expect(why).toBeFocused();
  await expect(rules.getByRole("button", { name: "Use rules v1" })).toBeDisabled();
  await why.press("Enter");
  await expect(rules.getByTestId("rules-in-use")).toHaveText("v2 (edited, saved by rob)");
  await why.fill("The wider window matched charges to the wrong day");
  await why.press("Enter");
  await expect(rules.getByTestId("rules-message")).toHaveText("Runs now use rules v1; re-run to apply them.");
  await expect(rules.getByTestId("rules-in-use")).toHaveText("v1 (built-in)");
  await expect(rules.getByLabel("Pass near: date window to (days)")).toHaveValue("1");
  await expect(page.getByTestId("rules-changed")).toHaveText("The rules changed since the last run (v2 → v1). Re-run to apply them.");
  await page.screenshot({ path: test.info().outputPath("rules-versions.png") });

  // The audit trail keeps the reason.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit", exact: true }).click();
  await expect(page.getByRole("row").filter({ hasText: "rules-use" })).toContainText("The wider window matched charges to the wrong day");
});

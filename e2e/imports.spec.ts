import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { startTieout, type RunningTieout } from "./tieoutServer";
import { Workbench } from "./workbench";

let tieout: RunningTieout;
test.afterEach(async () => {
  await tieout?.stop();
});

test("a new CSV layout is mapped once in the wizard, then imports with progress", async ({ page }) => {
  tieout = await startTieout();
  const workbench = new Workbench(page);
  await workbench.open(tieout.loginUrl);
  await workbench.goTo("Sources");
  await page.getByRole("button", { name: "Import a file…" }).click();
  const wizard = page.getByTestId("import-wizard");
  await wizard.getByLabel("or a path on this computer").fill(resolve("fixtures/samples/tabular/charges.csv"));
  await wizard.getByRole("button", { name: "Preview" }).click();
  await expect(wizard.getByTestId("detected-format")).toContainText("csv");
  await expect(wizard.getByTestId("matched-profile")).toContainText("new");
  await expect(wizard.getByRole("button", { name: "Import", exact: true })).toBeDisabled();

  const mapping = wizard.getByTestId("mapping-step");
  await mapping.getByLabel("Record type").selectOption("charge");
  await mapping.getByLabel("Source system").selectOption("billing");
  await mapping.getByLabel("Date format").selectOption("MM/DD/YYYY");
  // The suggestions fill the obvious columns; the analyst checks the money column.
  await expect(mapping.getByLabel("Column for transactionId")).toHaveValue("Txn ID");
  await mapping.getByLabel("Column for amountCents").selectOption("Amount");
  await mapping.getByLabel("Column for serviceDate").selectOption("Svc Date");
  await mapping.getByLabel("Column for cdmCode").selectOption("CDM");
  await mapping.getByLabel("Column for quantity").selectOption("Qty");
  await page.screenshot({ path: test.info().outputPath("import-mapping.png") });
  await mapping.getByRole("button", { name: "Save this mapping" }).click();

  await expect(wizard.getByTestId("matched-profile")).toContainText("known");
  await wizard.getByRole("button", { name: "Import", exact: true }).click();
  await workbench.waitForJobDone();

  await workbench.openSourcesTab("Connectors");
  const csv = page.getByTestId("connectors-table").getByRole("row", { name: /csv/ });
  await expect(csv).toBeVisible();
  await workbench.openSourcesTab("Quarantine");
  // The sample's bad amount is kept with the row and the column named.
  await expect(page.getByTestId("quarantine-list")).toContainText(/charges\.csv line \d+, Amount/);
});

test("a quarantined record is corrected and replayed from the Sources page", async ({ page }) => {
  tieout = await startTieout();
  const workbench = new Workbench(page);
  await workbench.open(tieout.loginUrl);
  await workbench.importPaths([resolve("fixtures/samples/hl7v2/malformed.hl7")]);
  await workbench.waitForJobDone();
  await workbench.openSourcesTab("Quarantine");
  const list = page.getByTestId("quarantine-list");
  const record = list.locator(":scope > li").filter({ hasText: "FT1-11" });
  await expect(record).toBeVisible();
  await record.getByRole("button", { name: "Correct…" }).click();
  const editor = record.getByRole("textbox");
  const text = await editor.inputValue();
  expect(text).toContain("12,50");
  await editor.fill(text.replace("12,50", "12.50"));
  await record.getByRole("button", { name: "Replay corrected" }).click();
  await expect(page.getByTestId("replay-result")).toHaveText(/replayed: loaded/);
  await expect(list.locator(":scope > li").filter({ hasText: "FT1-11" })).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath("quarantine-replayed.png") });
});

test("a file dropped on the wizard is uploaded and previewed", async ({ page }) => {
  tieout = await startTieout();
  const workbench = new Workbench(page);
  await workbench.open(tieout.loginUrl);
  await workbench.goTo("Sources");
  await page.getByRole("button", { name: "Import a file…" }).click();
  const content = readFileSync(resolve("fixtures/samples/x12/remit-balanced.835"), "latin1");
  const dataTransfer = await page.evaluateHandle((text) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], "remit-balanced.835", { type: "text/plain" }));
    return transfer;
  }, content);
  await page.getByTestId("dropzone").dispatchEvent("drop", { dataTransfer });
  const wizard = page.getByTestId("import-wizard");
  await expect(wizard.getByTestId("detected-format")).toContainText("x12-835");
  await wizard.getByRole("button", { name: "Import", exact: true }).click();
  await workbench.waitForJobDone();
  await workbench.openSourcesTab("Files");
  await expect(page.getByTestId("files-table")).toContainText("remit-balanced.835");
});

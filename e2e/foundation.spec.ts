import { expect, test } from "@playwright/test";
import { resolve } from "node:path";
import { startTieout, type RunningTieout } from "./tieoutServer";
import { Workbench } from "./workbench";

const samples = resolve("fixtures/samples/hl7v2");

let tieout: RunningTieout;
test.afterEach(async () => {
  await tieout?.stop();
});

test("a new workbench says what to do first and lists every area", async ({ page }) => {
  tieout = await startTieout();
  const workbench = new Workbench(page);
  await workbench.open(tieout.loginUrl);
  await expect(page.getByTestId("empty-state")).toContainText("No data yet");
  for (const label of ["Dashboard", "Sources", "Reconciliations", "Exceptions", "Adjustments", "Outbox", "Audit", "Settings"]) {
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: label, exact: true })).toBeVisible();
  }
  await workbench.goTo("Settings");
  await expect(page.getByTestId("db-path")).toHaveText(tieout.dbPath);
  await page.screenshot({ path: test.info().outputPath("empty-workbench.png") });
});

test("the page cannot reach the engine without the launch token", async ({ page }) => {
  tieout = await startTieout();
  await page.goto(tieout.baseUrl);
  await expect(page.getByText(/launch token/)).toBeVisible();
});

test("imports files through a job and shows the engine's rows in the grid, surviving a restart", async ({ page }) => {
  tieout = await startTieout();
  const workbench = new Workbench(page);
  await workbench.open(tieout.loginUrl);
  await workbench.importPaths([samples]);
  await workbench.waitForJobDone();

  await workbench.openSourcesTab("Files");
  const files = page.getByTestId("files-table");
  await expect(files).toContainText("dft-credit-reversal.hl7");
  await expect(files).toContainText("malformed.hl7");

  await workbench.openSourcesTab("Quarantine");
  await expect(page.getByTestId("quarantine-list")).toContainText("malformed.hl7");

  await workbench.openSourcesTab("Data");
  await page.getByLabel("Table").selectOption("charge");
  const grid = page.getByTestId("table-grid");
  await expect(grid.getByRole("gridcell", { name: "T1001" }).first()).toBeVisible();
  await expect(grid.getByRole("gridcell", { name: "$250.00", exact: true }).first()).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("charges-grid.png") });

  await workbench.goTo("Dashboard");
  const chargeCount = await page.getByTestId("count-charge").textContent();
  expect(Number(chargeCount?.replace(/\D/g, ""))).toBeGreaterThan(0);

  // A second launch on the same database migrates nothing and loses nothing.
  const filesBefore = await page.getByTestId("dashboard-tiles").textContent();
  await tieout.stop({ keepData: true });
  tieout = await startTieout({ dataDir: tieout.dataDir });
  await workbench.open(tieout.loginUrl);
  await expect(page.getByTestId("count-charge")).toHaveText(chargeCount ?? "");
  await expect(page.getByTestId("dashboard-tiles")).toHaveText(filesBefore ?? "");
});

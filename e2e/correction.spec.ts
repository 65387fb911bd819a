import { expect, test } from "@playwright/test";
import { ExceptionsQueue } from "./reconcilePages";
import { startTieout, type RunningTieout } from "./tieoutServer";
import { Workbench } from "./workbench";

let tieout: RunningTieout;
test.afterEach(async () => {
  await tieout?.stop();
});

test("a journal posted to the wrong cost center becomes a draft correcting journal, and the exception shows it", async ({ page }) => {
  tieout = await startTieout({ args: ["--demo", "--demo-encounters", "300"] });
  const workbench = new Workbench(page);
  await workbench.open(tieout.loginUrl, { userId: "ana", password: "demo" });
  // The demo is reconciled at load; its billing-to-GL breaks propose balanced journals.
  await page.goto(`${tieout.baseUrl}exceptions/billing-gl/wrong-cost-center/2026-10`);
  await expect(page.getByRole("heading", { level: 2, name: "Exceptions" })).toBeVisible();
  const queue = new ExceptionsQueue(page);
  await expect(queue.row(0)).toBeVisible();
  await queue.row(0).locator('[col-id="reason"]').click();
  const drawer = page.getByTestId("exception-drawer");
  await expect(drawer.getByRole("heading", { name: "Proposed corrections" })).toBeVisible();
  await drawer.getByRole("button", { name: "Create adjustment" }).first().click();
  const adjustments = page.getByTestId("exception-adjustments");
  await expect(adjustments).toContainText("draft");
  await expect(drawer).toContainText("(accepted)");
  await page.screenshot({ path: test.info().outputPath("exception-adjustment.png") });
  await adjustments.getByRole("button").first().click();
  await expect(page.getByRole("heading", { level: 2, name: "Adjustments" })).toBeVisible();
  await expect(page.getByRole("main")).toContainText(/ADJ-\d+\s*Draft/);
  await expect(page.getByRole("main")).toContainText("Submit for approval");
});

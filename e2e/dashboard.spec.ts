import { expect, test } from "@playwright/test";
import { startTieout, type RunningTieout } from "./tieoutServer";
import { Workbench } from "./workbench";

let tieout: RunningTieout;
test.afterEach(async () => {
  await tieout?.stop();
});

test("the demo health system opens on a dashboard whose tiles lead to their rows", async ({ page }) => {
  tieout = await startTieout({ args: ["--demo", "--demo-encounters", "300"] });
  const workbench = new Workbench(page);
  await workbench.open(tieout.loginUrl, { userId: "ana", password: "demo" });
  await expect(page.getByTestId("signed-in-user")).toHaveText("Ana Preparer");

  await expect(page.getByTestId("charge-lag")).toBeVisible();
  await expect(page.getByTestId("intake-trend")).toBeVisible();
  const lateTile = page.getByTestId("tile-late-charges");
  await expect(lateTile).toContainText("%");
  await page.screenshot({ path: test.info().outputPath("demo-dashboard.png"), fullPage: true });

  await lateTile.click();
  await expect(page.getByRole("heading", { level: 2, name: "Sources" })).toBeVisible();
  await expect(page.getByLabel("Table")).toHaveValue("charge");
  await expect(page.getByTestId("table-grid").getByRole("gridcell").first()).toBeVisible();
});

import { expect, test, type Page } from "@playwright/test";
import { ExceptionsQueue, ReconcilePage } from "./reconcilePages";
import { startTieout, type RunningTieout } from "./tieoutServer";
import { Workbench } from "./workbench";

const PERIOD = "2026-10";

let tieout: RunningTieout;
test.afterEach(async () => {
  await tieout?.stop();
});

/** The demo with the charge reconciliation run for the period, and its exceptions queue open. */
async function openQueue(page: Page, userId = "ana"): Promise<ExceptionsQueue> {
  tieout = await startTieout({ args: ["--demo", "--demo-encounters", "300"] });
  await new Workbench(page).open(tieout.loginUrl, { userId, password: "demo" });
  const recon = new ReconcilePage(page);
  await recon.openList(PERIOD);
  await recon.runFromList("charge-reconciliation");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Exceptions", exact: true }).click();
  await expect(page.getByRole("heading", { level: 2, name: "Exceptions" })).toBeVisible();
  const queue = new ExceptionsQueue(page);
  await expect(queue.row(0)).toBeVisible();
  return queue;
}

test("the owner, status and search filters stay in the address, so a reload or a shared link keeps them", async ({ page }) => {
  const queue = await openQueue(page);
  const term = ((await queue.row(0).locator('[col-id="message"]').textContent()) ?? "").slice(0, 14);
  expect(term.length).toBeGreaterThan(3);

  await page.getByLabel("Owner").selectOption({ label: "Unassigned" });
  await page.getByRole("group", { name: "Status" }).getByRole("button", { name: "resolved" }).click();
  await page.getByLabel("Search exceptions").fill(term);
  await expect(page).toHaveURL(new RegExp(`/exceptions/all/all/any/open,resolved/unassigned/${encodeURIComponent(term)}$`));
  await expect(queue.row(0).locator('[col-id="message"]')).toContainText(term);
  const count = (await page.getByTestId("exceptions-count").textContent()) ?? "";
  expect(count).toMatch(/^\d+ exceptions?$/);

  await page.reload();
  await expect(page.getByLabel("Owner")).toHaveValue("-");
  await expect(page.getByRole("group", { name: "Status" }).getByRole("button", { name: "open" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("group", { name: "Status" }).getByRole("button", { name: "resolved" })).toHaveAttribute(
    "aria-pressed",
    "true",
  );
  await expect(page.getByLabel("Search exceptions")).toHaveValue(term);
  await expect(page.getByTestId("exceptions-count")).toHaveText(count);

  // Back to the defaults: the address is the short one the dashboard and the reconciliations link to.
  await page.getByLabel("Search exceptions").fill("");
  await page.getByRole("group", { name: "Status" }).getByRole("button", { name: "resolved" }).click();
  await page.getByLabel("Owner").selectOption({ label: "Any owner" });
  await expect(page).toHaveURL(/\/exceptions\/all\/all\/any$/);
});

test("the exceptions' Excel round trip is reached from the queue for one reconciliation and period, and from the reconciliation", async ({
  page,
}) => {
  await openQueue(page);
  const excel = page.getByTestId("exceptions-excel");
  await expect(excel).toContainText("pick one reconciliation and a period");
  await page.getByLabel("Reconciliation").selectOption("charge-reconciliation");
  await expect(excel).toContainText("pick one reconciliation and a period");
  await page.getByLabel("Period (empty: any)").fill(PERIOD);
  await excel.getByRole("button", { name: /in Excel: export, or import a filled workbook/ }).click();
  await expect(page).toHaveURL(new RegExp(`/audit/signoff/charge-reconciliation/${PERIOD}$`));
  const roundtrip = page.getByRole("region", { name: "Exceptions round trip" });
  await roundtrip.getByRole("button", { name: "Export open exceptions to Excel" }).click();
  await expect(roundtrip.getByRole("status")).toContainText(/\d+ open exceptions written to /);

  // The reconciliation's own sign-off and workpaper fold leads to the same place.
  const recon = new ReconcilePage(page);
  await recon.openList(PERIOD);
  await recon.openDetail("Charge reconciliation (charge lag)");
  await page.getByText("Sign-off & workpaper").click();
  await page.getByRole("button", { name: "Open exceptions in Excel: export, or import a filled workbook →" }).click();
  await expect(page).toHaveURL(new RegExp(`/audit/signoff/charge-reconciliation/${PERIOD}$`));
  await expect(page.getByRole("region", { name: "Exceptions round trip" })).toBeVisible();
});

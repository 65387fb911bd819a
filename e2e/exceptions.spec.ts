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

test("select all takes every exception matching the filter, and assign, resolve and reopen act on all of them", async ({ page }) => {
  const queue = await openQueue(page);
  await page.getByLabel("Reconciliation").selectOption("charge-reconciliation");
  // The count is the new filter's once it shows (it says "Loading…" until then, not the last filter's).
  await expect(page).toHaveURL(/\/exceptions\/charge-reconciliation\//);
  const count = page.getByTestId("exceptions-count");
  await expect(count).toHaveText(/^\d+ exceptions$/);
  const total = Number((await count.textContent())!.replace(/\D/g, ""));
  expect(total).toBeGreaterThan(1);
  const bulk = page.getByTestId("bulk-bar");
  const selected = bulk.locator("strong.num");

  // * selects them all (more than the grid has on screen), Space still unselects the focused row.
  await page.getByRole("heading", { level: 2, name: "Exceptions" }).click();
  await page.keyboard.press("*");
  await expect(selected).toHaveText(String(total));
  await expect(queue.grid().locator('.ag-row[row-index="0"]').getByRole("checkbox")).toBeChecked();
  await queue.row(0).locator('[col-id="reason"]').click();
  await expect(page.getByTestId("exception-drawer")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("exception-drawer")).toBeHidden();
  await page.keyboard.press(" ");
  await expect(selected).toHaveText(String(total - 1));
  await page.keyboard.press("a");
  await expect(page.getByTestId("exceptions-message")).toHaveText(`Assigned ${total - 1} to you.`);

  // The button says how many the filter matches; resolve acts on every one of them.
  await page.getByLabel("Owner").selectOption({ label: "Me" });
  await expect(count).toHaveText(`${total - 1} exception${total - 1 === 1 ? "" : "s"}`);
  await expect(selected).toHaveText("0");
  await bulk.getByRole("button", { name: `Select all ${total - 1} matching` }).click();
  await expect(selected).toHaveText(String(total - 1));
  await page.getByLabel("Resolution note").fill("Re-posted in billing");
  await bulk.getByRole("button", { name: "Resolve" }).click();
  await expect(page.getByTestId("exceptions-message")).toHaveText(`Resolved ${total - 1} exceptions.`);
  await expect(page.getByTestId("exceptions-empty")).toBeVisible();

  await page.getByRole("group", { name: "Status" }).getByRole("button", { name: "open" }).click();
  await page.getByRole("group", { name: "Status" }).getByRole("button", { name: "resolved" }).click();
  await expect(count).toHaveText(`${total - 1} exceptions`);
  await bulk.getByRole("button", { name: `Select all ${total - 1} matching` }).click();
  await bulk.getByRole("button", { name: "Reopen" }).click();
  await expect(page.getByTestId("exceptions-message")).toHaveText(`Reopened ${total - 1}.`);
});

test("saving a view under a name in use, and deleting a view, ask first; the keyboard answers", async ({ page }) => {
  await openQueue(page);
  const status = page.getByRole("group", { name: "Status" });
  const views = page.getByLabel("Saved views");
  await page.getByLabel("Owner").selectOption({ label: "Unassigned" });
  await page.getByLabel("View name").fill("Mine");
  await page.getByRole("button", { name: "Save view" }).click();
  await expect(page.getByTestId("exceptions-message")).toHaveText('View "Mine" saved.');

  // The same name again: asked, and Escape (the focus starts on Cancel) keeps the old view.
  await status.getByRole("button", { name: "resolved" }).click();
  await page.getByLabel("View name").fill("Mine");
  await page.getByRole("button", { name: "Save view" }).click();
  const replace = page.getByRole("alertdialog", { name: 'Replace the view "Mine"?' });
  await expect(replace).toContainText('You already have a saved view named "Mine"');
  await expect(replace.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.screenshot({ path: test.info().outputPath("exceptions-replace-view.png") });
  await page.keyboard.press("Escape");
  await expect(replace).toBeHidden();
  await views.selectOption({ label: "Mine" });
  await expect(status.getByRole("button", { name: "resolved" })).toHaveAttribute("aria-pressed", "false");

  // Asked again, Tab to Replace and Enter: the view now holds the new filter.
  await status.getByRole("button", { name: "resolved" }).click();
  await page.getByLabel("View name").fill("Mine");
  await page.getByRole("button", { name: "Save view" }).click();
  await expect(replace).toBeVisible();
  await page.keyboard.press("Tab");
  await expect(replace.getByRole("button", { name: "Replace view" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(replace).toBeHidden();
  await expect(page.getByTestId("exceptions-message")).toHaveText('View "Mine" saved.');
  await status.getByRole("button", { name: "resolved" }).click();
  await views.selectOption({ label: "Mine" });
  await expect(status.getByRole("button", { name: "resolved" })).toHaveAttribute("aria-pressed", "true");

  // Deleting asks too: Enter on Cancel keeps the view, Tab and Enter on Delete view removes it.
  await page.getByRole("button", { name: "Delete view" }).click();
  const remove = page.getByRole("alertdialog", { name: 'Delete the view "Mine"?' });
  await expect(remove).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(remove).toBeHidden();
  await expect(views.getByRole("option", { name: "Mine" })).toHaveCount(1);
  await page.getByRole("button", { name: "Delete view" }).click();
  await page.keyboard.press("Tab");
  await expect(remove.getByRole("button", { name: "Delete view" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("exceptions-message")).toHaveText("View deleted.");
  await expect(views.getByRole("option", { name: "Mine" })).toHaveCount(0);
  // The Delete view button is gone with the view: the focus lands on the views picker, not the page.
  await expect(views).toBeFocused();
});

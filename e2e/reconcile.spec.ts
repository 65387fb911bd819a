import { expect, test } from "@playwright/test";
import { ExceptionsQueue, ReconcilePage } from "./reconcilePages";
import { startTieout, type RunningTieout } from "./tieoutServer";
import { Workbench } from "./workbench";

const PERIOD = "2026-10";
const CHARGES = "Charge reconciliation (charge lag)";

let tieout: RunningTieout;
test.afterEach(async () => {
  await tieout?.stop();
});

async function openDemo(page: import("@playwright/test").Page): Promise<{ workbench: Workbench; recon: ReconcilePage }> {
  tieout = await startTieout({ args: ["--demo", "--demo-encounters", "300"] });
  const workbench = new Workbench(page);
  await workbench.open(tieout.loginUrl, { userId: "ana", password: "demo" });
  const recon = new ReconcilePage(page);
  await recon.openList(PERIOD);
  return { workbench, recon };
}

test("a reconciliation run on the demo shows a balance that ties to the cent", async ({ page }) => {
  const { recon } = await openDemo(page);
  // A period nothing ran for says what to do.
  await page.getByLabel("Period").fill("2026-09");
  await expect(page.getByTestId("recon-empty")).toContainText("No reconciliation has run for 2026-09 yet");
  await recon.openDetail(CHARGES);
  await expect(page.getByTestId("recon-no-run")).toContainText("No run yet for 2026-09");
  await page.screenshot({ path: test.info().outputPath("reconcile-no-run.png") });

  // The detail's picker opens a period on Enter (or once it settles), and keeps the focus.
  await page.getByLabel("Period").fill(PERIOD);
  await page.getByLabel("Period").press("Enter");
  await expect(page).toHaveURL(new RegExp(`charge-reconciliation/${PERIOD}$`));
  await expect(page.getByLabel("Period")).toBeFocused();
  await page.getByRole("heading", { level: 2, name: CHARGES }).click();
  await page.keyboard.press("r");
  await expect(page.getByTestId("recon-message")).toHaveText("Run finished.", { timeout: 60_000 });
  const balance = page.getByTestId("balance-panel");
  await expect(balance).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId("balance-unexplained")).toHaveText("$0.00");
  await expect(page.getByTestId("balance-tie")).toHaveText("✔ ties to the cent");
  // The reconciling items account for the whole difference, to the cent.
  await expect(page.getByTestId("balance-reconciling-total")).toHaveText(
    (await page.getByTestId("balance-difference").textContent()) ?? "",
  );
  await expect(recon.gridRow("left", 0)).toBeVisible();
  await expect(recon.gridRow("right", 0)).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("reconcile-balance.png") });

  // Sign-off and the workpaper export sit in the header.
  await page.getByText("Sign-off & workpaper").click();
  await expect(page.getByRole("region", { name: "Sign-off" })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("reconcile-signoff.png") });
  await page.getByText("Sign-off & workpaper").click();

  await page.keyboard.press("?");
  await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toContainText("Match the selected rows");
  await page.screenshot({ path: test.info().outputPath("reconcile-shortcuts.png") });
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeHidden();

  // The same view in the dark theme.
  await page.evaluate(() => localStorage.setItem("tieout.theme", "dark"));
  await page.reload();
  await expect(page.getByTestId("balance-tie")).toHaveText("✔ ties to the cent");
  await expect(recon.gridRow("left", 0)).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("reconcile-balance-dark.png") });

  await page.getByRole("button", { name: "← Reconciliations" }).click();
  await expect(recon.listRow("charge-reconciliation")).toContainText("$0.00");
  await page.screenshot({ path: test.info().outputPath("reconcile-list.png") });
});

test("unmatching a group and matching its rows again by hand brings the running difference to zero", async ({ page }) => {
  const { recon } = await openDemo(page);
  await recon.runFromList("charge-reconciliation");
  await recon.openDetail(CHARGES);
  await expect(page.getByTestId("balance-panel")).toBeVisible();

  // A matched row opens its group with the rule's explanation.
  await recon.toggleStatus("left", "Matched");
  await recon.gridRow("left", 0).locator('[col-id="rowKey"]').click();
  const group = page.getByTestId("group-panel");
  await expect(group).toBeVisible();
  await expect(page.getByTestId("group-explanation")).not.toBeEmpty();
  const leftKey = (await group.locator("table").nth(0).locator("tbody td").first().textContent()) ?? "";
  const rightKey = (await group.locator("table").nth(1).locator("tbody td").first().textContent()) ?? "";
  expect(leftKey).not.toBe("");
  expect(rightKey).not.toBe("");
  await page.screenshot({ path: test.info().outputPath("reconcile-group.png") });

  await group.getByRole("button", { name: "Unmatch" }).click();
  await expect(page.getByTestId("recon-message")).toContainText("Unmatched 1 group");
  await expect(group).toBeHidden();

  // Select the two rows again, one per side: the running difference goes to zero.
  await recon.toggleStatus("left", "Matched");
  await recon.search("left", leftKey);
  await expect(recon.gridRow("left", 0)).toContainText(leftKey);
  await expect(recon.gridRow("left", 0)).not.toContainText("Matched");
  await recon.select("left", leftKey);
  await expect(page.getByTestId("running-difference")).not.toHaveText("$0.00");
  await recon.search("right", rightKey);
  await expect(recon.gridRow("right", 0)).toContainText(rightKey);
  await recon.select("right", rightKey);
  await expect(page.getByTestId("running-difference")).toHaveText("$0.00");
  await page.screenshot({ path: test.info().outputPath("reconcile-manual-selection.png") });

  await page.keyboard.press("m");
  await expect(page.getByTestId("recon-message")).toContainText("Matched 1 ↔ 1 rows");
  await expect(page.getByTestId("group-panel")).toContainText("manual");
  await expect(recon.gridRow("left", 0)).toContainText("Matched (manual)");
  await expect(page.getByTestId("running-difference")).toHaveText("$0.00");
  await expect(page.getByTestId("balance-unexplained")).toHaveText("$0.00");
  await page.screenshot({ path: test.info().outputPath("reconcile-manual-match.png") });

  // U breaks the open manual group apart again.
  await page.keyboard.press("u");
  await expect(page.getByTestId("recon-message")).toContainText("Unmatched 1 group");
  await expect(recon.gridRow("left", 0)).not.toContainText("Matched");

  // E marks a selected row explained, with a reason.
  await recon.select("left", leftKey);
  await page.keyboard.press("e");
  await page.getByLabel(/Why are these 1 rows explained/).fill("Timing: posts next period");
  await page.getByRole("button", { name: "Mark explained" }).click();
  await expect(page.getByTestId("recon-message")).toContainText("Marked 1 row explained");
  await expect(recon.gridRow("left", 0)).toContainText("Explained");
  await recon.gridRow("left", 0).locator('[col-id="rowKey"]').click();
  await expect(page.getByTestId("row-panel")).toContainText("Timing: posts next period");
  await page.screenshot({ path: test.info().outputPath("reconcile-explained.png") });
});

test("the keyboard and the roles: months stepped with arrows, shortcuts held under a dialog, the group panel's own unmatch, an auditor who only reads", async ({
  page,
  browser,
}) => {
  const { recon } = await openDemo(page);
  await recon.runFromList("charge-reconciliation");
  await recon.openDetail(CHARGES);
  await expect(page.getByTestId("balance-panel")).toBeVisible();

  // Arrow keys step through months in the picker, which keeps the focus as each month opens.
  const picker = page.getByLabel("Period");
  await picker.focus();
  await picker.press("ArrowUp");
  await picker.press("ArrowUp");
  await expect(page).toHaveURL(/charge-reconciliation\/2026-12$/);
  await expect(page.getByTestId("recon-no-run")).toContainText("No run yet for 2026-12");
  await expect(page.getByLabel("Period")).toBeFocused();
  await page.getByLabel("Period").press("ArrowDown");
  await page.getByLabel("Period").press("ArrowDown");
  await expect(page).toHaveURL(new RegExp(`charge-reconciliation/${PERIOD}$`));
  await expect(page.getByTestId("balance-panel")).toBeVisible();

  // Under the list of shortcuts the page does not act: R does not start a run, Tab stays in the dialog.
  await page.getByTestId("balance-panel").click();
  await page.keyboard.press("?");
  const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(dialog).toBeVisible();
  await page.keyboard.press("r");
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Close" })).toBeFocused();
  await expect(page.getByTestId("run-progress")).toBeHidden();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();

  // With a row ticked, the group panel's Unmatch breaks the group on screen, not the ticked row's.
  await recon.toggleStatus("left", "Matched");
  // Read the keys once the filter is in force (unfiltered, the second row is an exception).
  await expect(recon.gridRow("left", 0)).toContainText("Matched");
  await expect(recon.gridRow("left", 1)).toContainText("Matched");
  const ticked = ((await recon.gridRow("left", 0).locator('[col-id="rowKey"]').textContent()) ?? "").trim();
  const opened = ((await recon.gridRow("left", 1).locator('[col-id="rowKey"]').textContent()) ?? "").trim();
  await recon.select("left", ticked);
  await recon.gridRow("left", 1).locator('[col-id="rowKey"]').click();
  const group = page.getByTestId("group-panel");
  await expect(group).toContainText(opened);
  await group.getByRole("button", { name: "Unmatch" }).click();
  await expect(page.getByTestId("recon-message")).toContainText("Unmatched 1 group");
  await recon.toggleStatus("left", "Matched");
  await recon.search("left", ticked);
  await expect(recon.gridRow("left", 0)).toContainText("Matched");
  await recon.search("left", opened);
  await expect(recon.gridRow("left", 0)).not.toContainText("Matched");
  // The list's unexplained difference is today's: the unmatched rows are in it at once.
  const unexplained = (await page.getByTestId("balance-unexplained").textContent()) ?? "";
  await page.getByRole("button", { name: "← Reconciliations" }).click();
  await expect(recon.listRow("charge-reconciliation")).toContainText(unexplained);

  // An auditor reads the reconciliation but cannot run it or change it.
  const other = await browser.newContext();
  try {
    const avaPage = await other.newPage();
    await new Workbench(avaPage).open(tieout.loginUrl, { userId: "ava", password: "demo" });
    const avaRecon = new ReconcilePage(avaPage);
    await avaRecon.openList(PERIOD);
    await avaRecon.openDetail(CHARGES);
    await expect(avaPage.getByTestId("balance-panel")).toBeVisible();
    await expect(avaPage.getByRole("button", { name: "Re-run" })).toBeDisabled();
    await avaPage.keyboard.press("r");
    await expect(avaPage.getByTestId("run-progress")).toBeHidden();
    await expect(avaPage.getByRole("button", { name: "Explain…" })).toBeDisabled();
    await expect(avaPage.getByTestId("selection-bar").getByRole("button", { name: "Match", exact: true })).toBeDisabled();
    // The Excel round trip writes and imports: not offered to someone who only reads.
    await avaPage.getByText("Sign-off & workpaper").click();
    await expect(avaPage.getByRole("region", { name: "Sign-off" })).toBeVisible();
    await expect(avaPage.getByRole("button", { name: /Open exceptions in Excel/ })).toHaveCount(0);
  } finally {
    await other.close();
  }

  // A finished run clears the selection: ticked rows would carry the groups and amounts read before it.
  await recon.openDetail(CHARGES);
  await recon.search("left", opened);
  await recon.select("left", opened);
  await expect(page.getByTestId("selection-bar")).toContainText("Left selected 1");
  await page.getByRole("heading", { level: 2, name: CHARGES }).click();
  await page.keyboard.press("r");
  await expect(page.getByTestId("recon-message")).toHaveText("Run finished.", { timeout: 60_000 });
  await expect(page.getByTestId("selection-bar")).toContainText("Left selected 0");
});

test("runs under way still show, with their cancel, after leaving the page and coming back", async ({ page }) => {
  const { workbench, recon } = await openDemo(page);
  await page.getByRole("button", { name: `Run all for ${PERIOD}` }).click();
  await expect(page.getByTestId("run-progress").first()).toBeVisible();
  await workbench.goTo("Exceptions");
  await recon.openList(PERIOD);
  // The page opened after the runs were queued: it finds them rather than offering to queue them again.
  await expect(page.getByTestId("run-progress").first()).toBeVisible();
  await expect(page.getByRole("button", { name: `Run all for ${PERIOD}` })).toBeDisabled();
  await expect(page.getByRole("button", { name: `Run all for ${PERIOD}` })).toBeEnabled({ timeout: 120_000 });
  await expect(page.getByTestId("run-progress")).toHaveCount(0);
  await expect(recon.listRow("master-data")).toContainText("$0.00");
});

test("an exception is assigned, commented and resolved from the queue, and a filter is saved as a view", async ({ page }) => {
  const { recon } = await openDemo(page);
  await recon.runFromList("charge-reconciliation");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Exceptions", exact: true }).click();
  await expect(page.getByRole("heading", { level: 2, name: "Exceptions" })).toBeVisible();
  const queue = new ExceptionsQueue(page);
  await expect(queue.row(0)).toBeVisible();
  const openCount = (await page.getByTestId("exceptions-count").textContent()) ?? "";
  expect(openCount).toMatch(/^\d+ exceptions$/);

  // Assign to me (bulk bar), then open it, comment and resolve with a note.
  const id = await queue.selectRow(0);
  await page.getByTestId("bulk-bar").getByRole("button", { name: "Assign to me" }).click();
  await expect(page.getByTestId("exceptions-message")).toContainText("Assigned 1 to you");
  await expect(queue.row(0).locator('[col-id="owner"]')).toHaveText("Ana Preparer");
  await queue.row(0).locator('[col-id="reason"]').click();
  const drawer = page.getByTestId("exception-drawer");
  await expect(drawer).toContainText(`Exception ${id}`);
  await expect(page.getByTestId("exception-owner")).toHaveText("Ana Preparer");
  await drawer.getByLabel("Comment", { exact: true }).fill("Billing confirms the charge was dropped; re-posting.");
  await drawer.getByRole("button", { name: "Add comment" }).click();
  await expect(page.getByTestId("exception-comments")).toContainText("re-posting");
  await page.screenshot({ path: test.info().outputPath("exceptions-assigned.png") });

  await page.getByLabel("Resolution note").fill("Charge re-posted in billing");
  await page.getByTestId("bulk-bar").getByRole("button", { name: "Resolve" }).click();
  await expect(page.getByTestId("exceptions-message")).toContainText("Resolved 1 exception");
  await expect(drawer).toContainText("Charge re-posted in billing");
  await expect(page.getByTestId("exceptions-count")).not.toHaveText(openCount);

  // The resolved one shows under the resolved status, and can be reopened.
  await page.getByRole("group", { name: "Status" }).getByRole("button", { name: "open" }).click();
  await page.getByRole("group", { name: "Status" }).getByRole("button", { name: "resolved" }).click();
  await expect(page.getByTestId("exceptions-count")).toHaveText("1 exception");
  await expect(queue.row(0).locator('[col-id="status"]')).toHaveText("resolved");
  await page.screenshot({ path: test.info().outputPath("exceptions-resolved.png") });

  // A filter saved as a named view comes back after the filter changed.
  await page.getByLabel("View name").fill("My resolved");
  await page.getByRole("button", { name: "Save view" }).click();
  await expect(page.getByTestId("exceptions-message")).toContainText('View "My resolved" saved');
  await page.getByRole("group", { name: "Status" }).getByRole("button", { name: "resolved" }).click();
  await page.getByRole("group", { name: "Status" }).getByRole("button", { name: "open" }).click();
  await expect(page.getByTestId("exceptions-count")).toHaveText(openCount.replace(/^\d+/, (n) => String(Number(n) - 1)));
  await page.getByLabel("Saved views").selectOption({ label: "My resolved" });
  await expect(page.getByTestId("exceptions-count")).toHaveText("1 exception");
  await queue.selectRow(0);
  await page.getByTestId("bulk-bar").getByRole("button", { name: "Reopen" }).click();
  await expect(page.getByTestId("exceptions-message")).toContainText("Reopened 1");
});

test("a dashboard tile leads to the exceptions behind it", async ({ page }) => {
  test.setTimeout(180_000);
  const { recon } = await openDemo(page);
  await page.getByRole("button", { name: `Run all for ${PERIOD}` }).click();
  for (const id of [
    "registration-billing",
    "charge-reconciliation",
    "claim-remittance",
    "remittance-bank",
    "billing-gl",
    "supply-inventory",
    "master-data",
  ]) {
    await expect(recon.listRow(id).getByRole("button", { name: /^Run / })).toHaveText("Re-run", { timeout: 120_000 });
  }
  await page.screenshot({ path: test.info().outputPath("reconcile-list-all.png") });

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard", exact: true }).click();
  const tile = page.getByTestId("tile-charges");
  await expect(tile).toContainText("Late and missing charges");
  await expect(tile.locator(".tile-value")).toHaveText(/^\d+$/);
  const count = (await tile.locator(".tile-value").textContent()) ?? "";
  await page.screenshot({ path: test.info().outputPath("dashboard-recon-tiles.png") });

  await tile.click();
  await expect(page.getByRole("heading", { level: 2, name: "Exceptions" })).toBeVisible();
  await expect(page.getByLabel("Reconciliation")).toHaveValue("charge-reconciliation");
  await expect(page.getByRole("button", { name: "Missing in billing ×" })).toBeVisible();
  await expect(page.getByTestId("exceptions-count")).toHaveText(`${count} exceptions`);
  await expect(new ExceptionsQueue(page).row(0)).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("dashboard-tile-rows.png") });
});

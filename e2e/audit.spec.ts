import { expect, test, type Page } from "@playwright/test";
import BetterSqlite3 from "better-sqlite3";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTieout, type RunningTieout } from "./tieoutServer";
import { Workbench } from "./workbench";

let tieout: RunningTieout;
test.afterEach(async () => {
  await tieout?.stop();
});

/** The Audit page as a user sees it: the log's table, its filters and the chain check. */
class AuditPageObject {
  constructor(readonly page: Page) {}
  get table() {
    return this.page.getByTestId("audit-table");
  }
  async verify(): Promise<string> {
    await this.page.getByRole("button", { name: "Verify the hash chain" }).click();
    const result = this.page.getByTestId("audit-verify-result");
    await expect(result).toBeVisible();
    return (await result.textContent()) ?? "";
  }
  async filter(fields: { action?: string; entity?: string }): Promise<void> {
    const form = this.page.getByRole("form", { name: "Filter the audit trail" });
    if (fields.action !== undefined) await form.getByLabel("Action").selectOption(fields.action);
    if (fields.entity !== undefined) await form.getByLabel("Entity", { exact: true }).fill(fields.entity);
    await form.getByRole("button", { name: "Filter" }).click();
  }
}

test("the Audit page lists the first user's creation and verifies the chain intact", async ({ page }) => {
  tieout = await startTieout();
  const workbench = new Workbench(page);
  await workbench.open(tieout.loginUrl);
  await workbench.goTo("Audit");
  const audit = new AuditPageObject(page);
  await expect(audit.table).toContainText("create user");
  await expect(audit.table.getByRole("row", { name: /create user/ })).toContainText("ana");

  await audit.table.getByRole("button", { name: "Before / after" }).first().click();
  await expect(audit.table).toContainText('"displayName": "Ana Analyst"');

  await audit.filter({ action: "create user" });
  await expect(audit.table.getByRole("row")).toHaveCount(3); // header, the entry, its opened detail
  await audit.filter({ entity: "nobody" });
  await expect(page.getByText("No audit entries match.")).toBeVisible();
  await page.getByRole("button", { name: "Clear" }).click();
  await expect(audit.table).toContainText("create user");

  expect(await audit.verify()).toMatch(/Chain intact: 1 entries recomputed/);
  await page.screenshot({ path: test.info().outputPath("audit-page.png"), fullPage: true });
});

test("verify names the entry someone altered in the database file", async ({ page }) => {
  tieout = await startTieout();
  const workbench = new Workbench(page);
  await workbench.open(tieout.loginUrl);
  // Someone with the file drops the append-only guard and rewrites history.
  const db = new BetterSqlite3(tieout.dbPath);
  db.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 1;");
  db.close();
  await workbench.goTo("Audit");
  const audit = new AuditPageObject(page);
  expect(await audit.verify()).toMatch(/Chain broken at entry 1: entry 1 \(create user user ana\) was altered/);
  await page.screenshot({ path: test.info().outputPath("audit-broken.png") });
});

/** A demo database with the charge reconciliation run for 2026-10, built as a user would with the CLI and engine. */
function demoWithRun(): string {
  const dataDir = mkdtempSync(join(tmpdir(), "tieout-e2e-"));
  const dbPath = join(dataDir, "tieout.db");
  const demo = spawnSync(process.execPath, ["bin/tieout.mjs", "demo", "--db", dbPath, "--encounters", "120"], { encoding: "utf8" });
  if (demo.status !== 0) throw new Error(`tieout demo failed: ${demo.stderr}`);
  const script = `
    import { openStore } from "./src-main/engine/store/store.ts";
    import { runReconciliation } from "./src-main/engine/recon/run.ts";
    const store = await openStore(${JSON.stringify(dbPath)});
    runReconciliation(store, "charge-reconciliation", "2026-10", { actor: "ana" });
    await store.close();`;
  const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`the reconciliation run failed: ${run.stderr}`);
  return dataDir;
}

test("preparer and reviewer sign off; a changed figure voids both visibly; the workpaper exports", async ({ page, browser }) => {
  tieout = await startTieout({ dataDir: demoWithRun() });
  const ana = new Workbench(page);
  await ana.open(tieout.loginUrl, { userId: "ana", password: "demo" });
  await page.goto(`${tieout.baseUrl}audit/signoff/charge-reconciliation/2026-10`);
  const preparer = page.getByTestId("signoff-preparer");
  await preparer.getByRole("button", { name: "Sign off as preparer" }).click();
  await expect(preparer).toContainText("Ana Preparer");
  await expect(page.getByTestId("signoff-reviewer")).toContainText("not signed");

  const robPage = await (await browser.newContext()).newPage();
  const rob = new Workbench(robPage);
  await rob.open(tieout.loginUrl, { userId: "rob", password: "demo" });
  await robPage.goto(`${tieout.baseUrl}audit/signoff/charge-reconciliation/2026-10`);
  await robPage.getByTestId("signoff-reviewer").getByRole("button", { name: "Sign off as reviewer" }).click();
  await expect(robPage.getByTestId("signoff-reviewer")).toContainText("Rob Reviewer");

  // A signed figure changes underneath (as a re-run or a late row would change it).
  const db = new BetterSqlite3(tieout.dbPath);
  db.prepare(
    `UPDATE recon_item SET amount_cents = amount_cents + 500 WHERE id = (
       SELECT i.id FROM recon_item i JOIN reconciliation r ON r.id = i.reconciliation_id
       WHERE r.template_id = 'charge-reconciliation' AND i.side = 'left' AND i.status = 'exception' LIMIT 1)`,
  ).run();
  db.close();
  await robPage.reload();
  const voided = robPage.getByRole("list", { name: "Voided sign-offs" });
  await expect(voided).toContainText("preparer sign-off by Ana Preparer voided");
  await expect(voided).toContainText("left balance");
  await expect(robPage.getByTestId("signoff-preparer")).toContainText("not signed");
  await expect(robPage.getByTestId("signoff-reviewer")).toContainText("not signed");
  await robPage.screenshot({ path: test.info().outputPath("signoff-voided.png"), fullPage: true });

  await robPage.getByRole("button", { name: "Export workpaper (.xlsx)" }).click();
  await expect(robPage.getByText(/Workpaper written to .*charge-reconciliation_2026-10_workpaper_.*\.xlsx/)).toBeVisible({
    timeout: 60_000,
  });

  await robPage.goto(`${tieout.baseUrl}audit`);
  await expect(robPage.getByTestId("audit-table")).toContainText("void sign-off");
  await expect(robPage.getByTestId("audit-table")).toContainText("export workpaper");
  expect(await new AuditPageObject(robPage).verify()).toMatch(/Chain intact/);
});

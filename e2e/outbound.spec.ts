import { expect, test, type Browser, type Page } from "@playwright/test";
import { startErpStandin, type ErpStandin } from "../fixtures/standins/erpStandin";
import { startTieout, type RunningTieout } from "./tieoutServer";
import { Workbench } from "./workbench";

let tieout: RunningTieout | null = null;
let erp: ErpStandin | null = null;
test.afterEach(async () => {
  await tieout?.stop();
  await erp?.close();
  tieout = null;
  erp = null;
});

const ACCOUNTS = ["1200", "4010", "6100"];

/** Calls the engine over the web server as a signed-in user, as the page does. */
async function api<T>(running: RunningTieout, session: string | null, method: string, args: unknown): Promise<T> {
  const token = decodeURIComponent(/token=([^&]+)/.exec(running.loginUrl)![1]!);
  const response = await fetch(`${running.baseUrl.replace(/\/$/, "")}/api/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...(session ? { "x-tieout-session": session } : {}) },
    body: JSON.stringify(args),
  });
  const result = (await response.json()) as { ok: boolean; value?: T; error?: { message: string } };
  if (!result.ok) throw new Error(`${method}: ${result.error?.message}`);
  return result.value as T;
}

/** The first user (ana, an administrator) signs in; she adds rob, an approver, and points the outbox at the stand-in ERP. */
async function setUp(page: Page): Promise<{ workbench: Workbench; adminSession: string }> {
  erp = await startErpStandin({ port: 0, accounts: ACCOUNTS });
  tieout = await startTieout();
  const workbench = new Workbench(page);
  await workbench.open(tieout.loginUrl, { userId: "ana", password: "pass" });
  const { sessionId } = await api<{ sessionId: string }>(tieout, null, "auth/login", { userId: "ana", password: "pass" });
  await api(tieout, sessionId, "auth/createUser", {
    userId: "rob",
    displayName: "Rob Reviewer",
    roles: ["preparer", "approver"],
    password: "pass2",
  });
  await api(tieout, sessionId, "outbox/saveSettings", {
    erpUrl: erp.url,
    chartOfAccounts: ACCOUNTS,
    baseDelayMs: 50,
    maxDelayMs: 200,
    requestTimeoutMs: 2_000,
  });
  return { workbench, adminSession: sessionId };
}

async function signInAs(browser: Browser, userId: string, password: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
  await new Workbench(page).open(tieout!.loginUrl, { userId, password });
  return page;
}

test("a hand-made journal must balance, is approved by someone else, and is posted to the ERP once", async ({ page, browser }) => {
  const { workbench } = await setUp(page);
  await workbench.goTo("Adjustments");
  await page.getByRole("button", { name: "New journal" }).click();
  const form = page.getByRole("form", { name: "Journal" });
  await form.getByLabel("Period").fill("2026-10");
  await form.getByLabel("Journal description").fill("Reclass contractual allowance");
  await form.getByLabel("Line 1 account").fill("4010");
  await form.getByLabel("Line 1 cost center").fill("CC100");
  await form.getByLabel("Line 1 debit").fill("1234.56");
  await form.getByLabel("Line 2 account").fill("1200");
  await form.getByLabel("Line 2 credit").fill("1234.55");
  await expect(form.getByTestId("balance-state")).toHaveText("Out of balance by $0.01");
  await expect(form.getByRole("button", { name: "Save and submit" })).toBeDisabled();
  await form.getByLabel("Line 2 credit").fill("1234.56");
  await expect(form.getByTestId("balance-state")).toHaveText("Balanced");
  await expect(form.getByTestId("total-debits")).toHaveText("$1,234.56");
  await page.screenshot({ path: test.info().outputPath("journal-editor.png") });
  await form.getByRole("button", { name: "Save and submit" }).click();

  const detail = page.getByRole("article", { name: "Adjustment ADJ-000001" });
  await expect(detail).toContainText("Awaiting approval");
  // Maker-checker: the preparer sees no Approve button, only that someone else must approve.
  await expect(detail.getByRole("button", { name: "Approve" })).toHaveCount(0);
  await expect(detail).toContainText("Waiting for another approver");

  const rob = await signInAs(browser, "rob", "pass2");
  const robBench = new Workbench(rob);
  await robBench.goTo("Adjustments");
  await rob.getByRole("button", { name: "ADJ-000001" }).click();
  const robDetail = rob.getByRole("article", { name: "Adjustment ADJ-000001" });
  await robDetail.getByRole("button", { name: "Approve" }).click();
  await expect(robDetail.getByRole("heading", { level: 3 })).toContainText("Approved");
  await expect(robDetail.getByTestId("adjustment-outbox")).toContainText("Queued");

  await robBench.goTo("Outbox");
  await rob.getByRole("button", { name: "Send now" }).click();
  const row = rob.getByTestId("outbox-row-ADJ-000001");
  await expect(row).toContainText("Posted");
  await expect(row).toContainText("JE000001");
  await expect(row).toContainText("$1,234.56");
  await rob.screenshot({ path: test.info().outputPath("outbox-posted.png") });

  // The adjustment shows where it went.
  await row.getByRole("button", { name: "ADJ-000001" }).click();
  await expect(rob.getByTestId("adjustment-outbox")).toContainText("document JE000001");

  const posted = erp!.posted();
  expect(posted).toHaveLength(1);
  expect(posted[0]!.body).toMatchObject({
    journalId: "ADJ-000001",
    period: "2026-10",
    lines: [
      { account: "4010", debitCents: 123_456 },
      { account: "1200", creditCents: 123_456 },
    ],
  });
  await rob.context().close();
});

test("an item the ERP rejects goes dead with the ERP's answer, and is replayed after the fix", async ({ page, browser }) => {
  const { workbench, adminSession } = await setUp(page);
  const created = await api<{ id: number }>(tieout!, adminSession, "adjustments/createJournal", {
    ledger: "US-PRIMARY",
    period: "2026-10",
    accountingDate: "2026-10-31",
    description: "Supply expense reclass",
    lines: [
      { account: "6100", costCenter: "CC200", debitCents: 50_000, creditCents: 0 },
      { account: "1200", debitCents: 0, creditCents: 50_000 },
    ],
  });
  await api(tieout!, adminSession, "adjustments/submit", { id: created.id });
  const robSession = (await api<{ sessionId: string }>(tieout!, null, "auth/login", { userId: "rob", password: "pass2" })).sessionId;
  await api(tieout!, robSession, "adjustments/approve", { id: created.id });

  erp!.setFaults({ queue: [{ kind: "reject", message: "period 2026-10 is being revalued; posting is blocked" }] });
  await workbench.goTo("Outbox");
  await page.getByRole("button", { name: "Send now" }).click();
  const row = page.getByTestId("outbox-row-ADJ-000001");
  await expect(row).toContainText("Dead");
  await expect(row).toContainText("422 REJECTED: period 2026-10 is being revalued; posting is blocked");
  await page.screenshot({ path: test.info().outputPath("outbox-dead.png") });
  expect(erp!.posted()).toHaveLength(0);

  // Replay needs a reason; then it goes again with the same idempotency key.
  await row.getByLabel("What was fixed for ADJ-000001").fill("revaluation finished");
  await row.getByRole("button", { name: "Replay" }).click();
  await expect(row).toContainText("Queued");
  await page.getByRole("button", { name: "Send now" }).click();
  await expect(row).toContainText("Posted");
  await expect(row).toContainText("JE000001");
  await page.screenshot({ path: test.info().outputPath("outbox-replayed.png") });
  expect(erp!.posted()).toHaveLength(1);

  // A rejection without a reason is refused; with one, the preparer sees it.
  const second = await api<{ id: number }>(tieout!, adminSession, "adjustments/createMasterDataFix", {
    entity: "costCenter",
    key: "D200",
    field: "glAccount",
    oldValue: "4000",
    newValue: "4010",
  });
  await api(tieout!, adminSession, "adjustments/submit", { id: second.id });
  const rob = await signInAs(browser, "rob", "pass2");
  await new Workbench(rob).goTo("Adjustments");
  await rob.getByRole("button", { name: "ADJ-000002" }).click();
  const detail = rob.getByRole("article", { name: "Adjustment ADJ-000002" });
  await detail.getByRole("button", { name: "Reject" }).click();
  await expect(detail.getByRole("alert")).toContainText("needs a reason");
  await detail.getByLabel("Reason for rejecting").fill("old value is wrong: it is 4100 in the ERP");
  await detail.getByRole("button", { name: "Reject" }).click();
  await expect(detail).toContainText("Rejected: old value is wrong");
  await rob.screenshot({ path: test.info().outputPath("adjustment-rejected.png") });
  await rob.context().close();
});

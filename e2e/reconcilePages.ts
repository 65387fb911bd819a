import { expect, type Locator, type Page } from "@playwright/test";

/** Page objects for the Reconciliations and Exceptions pages. */
export class ReconcilePage {
  constructor(readonly page: Page) {}

  /** The list of reconciliations for a period. */
  async openList(period: string): Promise<void> {
    await this.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reconciliations", exact: true }).click();
    await expect(this.page.getByRole("heading", { level: 2, name: "Reconciliations" })).toBeVisible();
    await this.page.getByLabel("Period").fill(period);
    await expect(this.page.getByTestId("recon-list")).toBeVisible();
  }

  listRow(templateId: string): Locator {
    return this.page.getByTestId(`recon-${templateId}`);
  }

  /** Runs one reconciliation from the list and waits until its line says it ran. */
  async runFromList(templateId: string): Promise<void> {
    const row = this.listRow(templateId);
    await row.getByRole("button", { name: /^Run / }).click();
    await expect(row.getByRole("button", { name: /^Run / })).toHaveText("Re-run", { timeout: 60_000 });
  }

  async openDetail(name: string): Promise<void> {
    await this.page.getByTestId("recon-list").getByRole("link", { name }).click();
    await expect(this.page.getByRole("heading", { level: 2, name })).toBeVisible();
  }

  grid(side: "left" | "right"): Locator {
    return this.page.getByTestId(`grid-${side}`);
  }

  /** A row's business cells (not the pinned checkbox column). */
  gridRow(side: "left" | "right", index: number): Locator {
    return this.grid(side)
      .locator(`.ag-row[row-index="${index}"]`)
      .filter({ has: this.page.locator('[col-id="rowKey"]') });
  }

  async search(side: "left" | "right", text: string): Promise<void> {
    await this.page.getByLabel(`Search ${side}`).fill(text);
    await this.page.getByLabel(`Search ${side}`).press("Enter");
  }

  async toggleStatus(side: "left" | "right", status: string): Promise<void> {
    await this.page
      .getByRole("group", { name: `${side} status filter` })
      .getByRole("button", { name: status, exact: true })
      .click();
  }

  async select(side: "left" | "right", key: string): Promise<void> {
    // The cell is re-rendered when the selection changes, so click and then look again.
    const checkbox = this.grid(side).getByRole("checkbox", { name: `Select ${key}`, exact: true });
    await checkbox.click();
    await expect(checkbox).toBeChecked();
  }
}

export class ExceptionsQueue {
  constructor(readonly page: Page) {}

  grid(): Locator {
    return this.page.getByTestId("exceptions-grid");
  }

  row(index: number): Locator {
    return this.grid()
      .locator(`.ag-row[row-index="${index}"]`)
      .filter({ has: this.page.locator('[col-id="reason"]') });
  }

  async selectRow(index: number): Promise<string> {
    const checkbox = this.grid().locator(`.ag-row[row-index="${index}"]`).getByRole("checkbox");
    const label = (await checkbox.getAttribute("aria-label")) ?? "";
    await checkbox.click();
    await expect(this.grid().getByRole("checkbox", { name: label, exact: true })).toBeChecked();
    return label.replace("Select exception ", "");
  }
}

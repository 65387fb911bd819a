import { expect, type Page } from "@playwright/test";

/** A small page object for the workbench shell: navigation, sources, dashboard. */
export class Workbench {
  constructor(readonly page: Page) {}

  /** Opens the printed address; on a new database creates the first user, else signs in. */
  async open(loginUrl: string, user = { userId: "ana", password: "pass" }): Promise<void> {
    await this.page.goto(loginUrl);
    const form = this.page.getByRole("form", { name: "Sign in" });
    await expect(form).toBeVisible();
    if (await form.getByRole("heading", { name: "Create the first user" }).isVisible()) {
      await form.getByLabel("User id").fill(user.userId);
      await form.getByLabel("Full name").fill("Ana Analyst");
    } else {
      await form.getByLabel("User").selectOption(user.userId);
    }
    await form.getByLabel("Password").fill(user.password);
    await form.getByRole("button").click();
    await expect(this.page.getByRole("navigation", { name: "Main" })).toBeVisible();
  }

  async goTo(label: string): Promise<void> {
    await this.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: label, exact: true }).click();
    await expect(this.page.getByRole("heading", { level: 2, name: label })).toBeVisible();
  }

  async importPaths(paths: string[]): Promise<void> {
    await this.goTo("Sources");
    await this.page.getByLabel(/Import files or folders/).fill(paths.join("\n"));
    await this.page.getByRole("button", { name: "Import", exact: true }).click();
  }

  async waitForJobDone(): Promise<void> {
    await expect(this.page.getByTestId("job-indicator")).toContainText(": done", { timeout: 60_000 });
  }

  async openSourcesTab(name: "Connectors" | "Files" | "Data" | "Quarantine"): Promise<void> {
    await this.page.getByRole("tab", { name }).click();
  }
}

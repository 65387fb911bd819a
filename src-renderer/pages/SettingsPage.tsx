import { useApiQuery } from "../api/hooks";

export function SettingsPage({ dark, setDark }: { dark: boolean; setDark: (dark: boolean) => void }) {
  const info = useApiQuery("app/info", {});
  return (
    <section>
      <h2>Settings</h2>
      <dl className="settings">
        <dt>Database</dt>
        <dd data-testid="db-path">{info.data?.dbPath ?? "…"}</dd>
        <dt>Schema version</dt>
        <dd>{info.data?.schemaVersion ?? "…"}</dd>
        <dt>Tieout version</dt>
        <dd>{info.data?.version ?? "…"}</dd>
        <dt>Running as</dt>
        <dd>{info.data?.mode ?? "…"}</dd>
        <dt>
          <label htmlFor="theme-toggle">Dark theme</label>
        </dt>
        <dd>
          <input id="theme-toggle" type="checkbox" checked={dark} onChange={(e) => setDark(e.target.checked)} />
        </dd>
      </dl>
    </section>
  );
}

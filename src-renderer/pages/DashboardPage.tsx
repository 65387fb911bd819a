import { useApiQuery } from "../api/hooks";
import { formatNumber, formatTimestamp } from "../format";
import type { Route } from "../routes";

/** What a person checks first: what is in the store and what failed to load. */
export function DashboardPage({ navigate }: { navigate: (route: Route) => void }) {
  const summary = useApiQuery("store/summary", {});
  if (summary.error) return <p className="error">Could not read the store: {summary.error}</p>;
  if (!summary.data) return <p aria-busy="true">Loading…</p>;
  const s = summary.data;
  const nonEmpty = s.tables.filter((t) => t.rows > 0);

  if (s.rawRecords === 0) {
    return (
      <section className="empty-state" data-testid="empty-state">
        <h2>No data yet</h2>
        <p>Tieout reconciles what your EHR, billing system, bank and ERP send it. Start by importing their extracts.</p>
        <ol>
          <li>
            Go to{" "}
            <button type="button" className="link" onClick={() => navigate({ page: "sources" })}>
              Sources
            </button>{" "}
            and import a folder of HL7, X12 835/837, BAI2, FHIR or CSV files.
          </li>
          <li>
            Or load the built-in demo health system: <code>npx tieout demo --db {s.dbPath}</code>
          </li>
        </ol>
      </section>
    );
  }

  return (
    <section>
      <h2>Dashboard</h2>
      <div className="tiles" data-testid="dashboard-tiles">
        <button type="button" className="tile" onClick={() => navigate({ page: "sources", tab: "files" })}>
          <span className="tile-label">Files imported</span>
          <span className="tile-value num">{formatNumber(s.sourceFiles)}</span>
          <span className="tile-note">last {formatTimestamp(s.lastImportAt)}</span>
        </button>
        <button type="button" className="tile" onClick={() => navigate({ page: "sources", tab: "files" })}>
          <span className="tile-label">Raw records archived</span>
          <span className="tile-value num">{formatNumber(s.rawRecords)}</span>
        </button>
        <button
          type="button"
          className={`tile ${s.quarantined > 0 ? "tile-warn" : ""}`}
          onClick={() => navigate({ page: "sources", tab: "quarantine" })}
        >
          <span className="tile-label">Quarantined</span>
          <span className="tile-value num">{formatNumber(s.quarantined)}</span>
          <span className="tile-note">{s.quarantined > 0 ? "need a look" : "nothing waiting"}</span>
        </button>
        {nonEmpty.map((t) => (
          <button key={t.table} type="button" className="tile" onClick={() => navigate({ page: "sources", tab: "data", table: t.table })}>
            <span className="tile-label">{t.label}</span>
            <span className="tile-value num" data-testid={`count-${t.table}`}>
              {formatNumber(t.rows)}
            </span>
          </button>
        ))}
      </div>
    </section>
  );
}

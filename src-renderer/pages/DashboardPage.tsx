import { useApiQuery } from "../api/hooks";
import { BarChart, StackedBars } from "../components/Charts";
import { ConnectorsTable } from "../components/ConnectorsTable";
import { ReconTiles } from "../components/recon/ReconTiles";
import { formatMoney, formatNumber, formatTimestamp } from "../format";
import type { Route } from "../routes";

/**
 * The integration control tower: business measures first (charge lag, what is waiting),
 * then the connectors' health and their intake over the month. Every tile opens the
 * rows behind it.
 */
export function DashboardPage({ navigate }: { navigate: (route: Route) => void }) {
  const summary = useApiQuery("store/summary", {});
  const dashboard = useApiQuery("dashboard/summary", {});
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

  const lag = dashboard.data?.chargeLag;
  return (
    <section>
      <h2>Dashboard</h2>
      <ReconTiles navigate={navigate} />
      <h3 className="dash-subhead">Data and intake</h3>
      <div className="tiles" data-testid="dashboard-tiles">
        {lag && lag.charges > 0 && (
          <button
            type="button"
            className={`tile ${lag.lateRate > 0.05 ? "tile-warn" : ""}`}
            onClick={() => navigate({ page: "sources", tab: "data", table: "charge" })}
            data-testid="tile-late-charges"
          >
            <span className="tile-label">Late charges (&gt; {lag.lateAfterDays} days)</span>
            <span className="tile-value num">{(lag.lateRate * 100).toFixed(1)}%</span>
            <span className="tile-note">of {formatNumber(lag.charges)} EHR charges</span>
          </button>
        )}
        <button
          type="button"
          className={`tile ${s.quarantined > 0 ? "tile-warn" : ""}`}
          onClick={() => navigate({ page: "sources", tab: "quarantine" })}
        >
          <span className="tile-label">Quarantined</span>
          <span className="tile-value num">{formatNumber(s.quarantined)}</span>
          <span className="tile-note">{s.quarantined > 0 ? "need a look" : "nothing waiting"}</span>
        </button>
        <button type="button" className="tile" onClick={() => navigate({ page: "sources", tab: "files" })}>
          <span className="tile-label">Files imported</span>
          <span className="tile-value num">{formatNumber(s.sourceFiles)}</span>
          <span className="tile-note">last {formatTimestamp(s.lastImportAt)}</span>
        </button>
        <button type="button" className="tile" onClick={() => navigate({ page: "sources", tab: "connectors" })}>
          <span className="tile-label">Raw records archived</span>
          <span className="tile-value num">{formatNumber(s.rawRecords)}</span>
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
      <div className="dash-row">
        {lag && lag.charges > 0 && (
          <section className="dash-section" data-testid="charge-lag">
            <h3>Charge lag: service date to posting</h3>
            <BarChart
              title={`EHR charges by days from service to posting; ${(lag.lateRate * 100).toFixed(1)}% later than ${lag.lateAfterDays} days`}
              bars={lag.buckets.map((b) => ({
                label: b.label,
                value: b.charges,
                detail: `${formatNumber(b.charges)} charges, ${formatMoney(b.amountCents)}`,
                warn: b.minDays > lag.lateAfterDays,
              }))}
            />
          </section>
        )}
        {dashboard.data && dashboard.data.intake.length > 0 && (
          <section className="dash-section" data-testid="intake-trend">
            <h3>Intake by day</h3>
            <div className="legend">
              <span className="l-loaded">loaded</span>
              <span className="l-ignored">not mapped</span>
              <span className="l-quarantined">quarantined</span>
            </div>
            <StackedBars
              title="Raw records received per day, by outcome"
              days={dashboard.data.intake.map((d) => ({
                label: d.date,
                parts: [
                  { name: "loaded", value: d.loaded, className: "part-loaded" },
                  { name: "not mapped", value: d.ignored, className: "part-ignored" },
                  { name: "quarantined", value: d.quarantined, className: "part-quarantined" },
                ],
              }))}
            />
          </section>
        )}
      </div>
      <section className="dash-section" style={{ marginTop: 16 }}>
        <h3>Connector health</h3>
        <ConnectorsTable />
      </section>
    </section>
  );
}

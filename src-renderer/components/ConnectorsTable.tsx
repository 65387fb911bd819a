import { useApiQuery } from "../api/hooks";
import { formatNumber, formatTimestamp } from "../format";

/** Each connector's health: received, loaded, not mapped, quarantined, duplicates, last activity. */
export function ConnectorsTable() {
  const connectors = useApiQuery("sources/connectors", {});
  if (connectors.error) return <p className="error">{connectors.error}</p>;
  if (!connectors.data) return <p aria-busy="true">Loading…</p>;
  if (connectors.data.length === 0)
    return (
      <p className="empty-state">
        Nothing has arrived yet. Import a file, or start a live HL7 feed with <code>tieout listen</code>.
      </p>
    );
  return (
    <table className="plain" data-testid="connectors-table">
      <thead>
        <tr>
          <th>Connector</th>
          <th className="num">Received</th>
          <th className="num">Loaded</th>
          <th className="num">Not mapped</th>
          <th className="num">Quarantined</th>
          <th className="num">Duplicates</th>
          <th>Last activity</th>
          <th>Last error</th>
        </tr>
      </thead>
      <tbody>
        {connectors.data.map((c) => (
          <tr key={c.connector}>
            <td>
              {c.connector}
              {c.live && <span className="badge">live</span>}
            </td>
            <td className="num">{formatNumber(c.received)}</td>
            <td className="num">{formatNumber(c.loaded)}</td>
            <td className="num">{formatNumber(c.ignored)}</td>
            <td className={`num ${c.quarantined > 0 ? "warn" : ""}`}>{formatNumber(c.quarantined)}</td>
            <td className="num">{formatNumber(c.duplicates)}</td>
            <td>{formatTimestamp(c.lastActivityAt)}</td>
            <td className="muted">{c.lastError ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

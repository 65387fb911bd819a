import { useState, type FormEvent } from "react";
import { call } from "../api/client";
import { useApiQuery } from "../api/hooks";
import { ConnectorsTable } from "../components/ConnectorsTable";
import { ImportWizard } from "../components/ImportWizard";
import { TableGrid } from "../components/TableGrid";
import type { QuarantineItem } from "../../src-shared/api";
import { formatNumber, formatTimestamp } from "../format";
import type { Route, SourcesTab } from "../routes";

function ImportForm() {
  const [paths, setPaths] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const list = paths
      .split("\n")
      .map((p) => p.trim())
      .filter(Boolean);
    if (list.length === 0) {
      setMessage("Type at least one file or folder path.");
      return;
    }
    call("jobs/start", { kind: "ingest", params: { paths: list } }).then(
      () => {
        setMessage(`Importing ${list.length === 1 ? list[0] : `${list.length} paths`}…`);
        setPaths("");
      },
      (e: Error) => setMessage(e.message),
    );
  };
  return (
    <form className="import-form" onSubmit={submit}>
      <label htmlFor="import-paths">Import files or folders (one path per line, on this computer)</label>
      <textarea id="import-paths" rows={2} value={paths} onChange={(e) => setPaths(e.target.value)} placeholder="/data/extracts/2026-10" />
      <div>
        <button type="submit">Import</button>
        {message && (
          <span className="form-message" role="status">
            {message}
          </span>
        )}
      </div>
    </form>
  );
}

function ConnectorsTab() {
  return <ConnectorsTable />;
}

function FilesTab() {
  const files = useApiQuery("sources/files", { limit: 200 });
  if (files.error) return <p className="error">{files.error}</p>;
  if (!files.data) return <p aria-busy="true">Loading…</p>;
  if (files.data.length === 0) return <p className="empty-state">No files imported yet. Import a folder above.</p>;
  return (
    <table className="plain" data-testid="files-table">
      <thead>
        <tr>
          <th>File</th>
          <th>Format</th>
          <th>System</th>
          <th>Received</th>
          <th className="num">Records</th>
          <th className="num">Loaded</th>
          <th className="num">Quarantined</th>
          <th className="num">Duplicates</th>
        </tr>
      </thead>
      <tbody>
        {files.data.map((f) => (
          <tr key={f.id}>
            <td title={f.sha256}>{f.fileName}</td>
            <td>{f.format ?? "unknown"}</td>
            <td>{f.system ?? ""}</td>
            <td>{formatTimestamp(f.receivedAt)}</td>
            <td className="num">{formatNumber(f.records)}</td>
            <td className="num">{formatNumber(f.loaded)}</td>
            <td className={`num ${f.quarantined > 0 ? "warn" : ""}`}>{formatNumber(f.quarantined)}</td>
            <td className="num">{formatNumber(f.duplicates)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DataTab({ table, navigate, dark }: { table: string | undefined; navigate: (r: Route) => void; dark: boolean }) {
  const summary = useApiQuery("store/summary", {});
  const tables = summary.data?.tables ?? [];
  const chosen = table ?? tables.find((t) => t.rows > 0)?.table ?? tables[0]?.table;
  const columns = useApiQuery("rows/page", { table: chosen ?? "encounter", offset: 0, limit: 1 });
  return (
    <div className="data-tab">
      <label htmlFor="table-picker">Table </label>
      <select id="table-picker" value={chosen ?? ""} onChange={(e) => navigate({ page: "sources", tab: "data", table: e.target.value })}>
        {tables.map((t) => (
          <option key={t.table} value={t.table}>
            {t.label} ({formatNumber(t.rows)})
          </option>
        ))}
      </select>
      {chosen && columns.data && <TableGrid key={chosen} table={chosen} columns={columns.data.columns} dark={dark} />}
    </div>
  );
}

function QuarantinedRecord({ item, onReplayed }: { item: QuarantineItem; onReplayed: (message: string) => void }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(item.text);
  const [result, setResult] = useState<string | null>(null);
  const replay = (corrected?: string) => {
    call("sources/replay", { rawRecordId: item.rawRecordId, ...(corrected !== undefined ? { text: corrected } : {}) }).then(
      (r) => {
        if (r.status === "quarantined")
          setResult(`Still quarantined: ${r.issues.find((i) => i.severity === "error")?.message ?? "see issues"}`);
        // A record that loaded leaves the quarantine list; the page says what happened to it.
        else onReplayed(`Record ${item.rawRecordId} from ${item.sourceFile ?? "the live feed"} replayed: ${r.status}`);
      },
      (e: Error) => setResult(e.message),
    );
  };
  return (
    <li>
      <div className="q-head">
        <strong>{item.sourceFile ?? "live feed"}</strong>
        {item.line !== null && <span> line {item.line}</span>} <span className="muted">({item.kind})</span>
      </div>
      <ul>
        {item.issues.map((issue, i) => (
          <li key={i} className={issue.severity}>
            {issue.message}
          </li>
        ))}
      </ul>
      {editing ? (
        <div>
          <textarea
            aria-label={`Corrected record ${item.rawRecordId}`}
            className="q-edit"
            rows={6}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          <button type="button" onClick={() => replay(text)}>
            Replay corrected
          </button>
          <button type="button" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <details>
          <summary>Raw record</summary>
          <pre>{item.text}</pre>
        </details>
      )}
      <div className="q-actions">
        {!editing && (
          <button type="button" onClick={() => setEditing(true)}>
            Correct…
          </button>
        )}
        <button type="button" onClick={() => replay()} title="Parse it again as it is, e.g. after saving a column mapping">
          Replay as is
        </button>
        {result && <span role="status">{result}</span>}
      </div>
    </li>
  );
}

function QuarantineTab() {
  const quarantine = useApiQuery("sources/quarantine", { limit: 100 });
  const [replayed, setReplayed] = useState<string | null>(null);
  const banner = replayed && (
    <p role="status" className="replayed" data-testid="replay-result">
      {replayed}
    </p>
  );
  if (quarantine.error) return <p className="error">{quarantine.error}</p>;
  if (!quarantine.data) return <p aria-busy="true">Loading…</p>;
  if (quarantine.data.total === 0) {
    return (
      <div>
        {banner}
        <p className="empty-state">Nothing in quarantine: every record that arrived was loaded.</p>
      </div>
    );
  }
  return (
    <div>
      {banner}
      <p>{formatNumber(quarantine.data.total)} records could not be loaded. Each is kept exactly as it arrived, with the reason.</p>
      <ul className="quarantine" data-testid="quarantine-list">
        {quarantine.data.items.map((item) => (
          <QuarantinedRecord key={item.rawRecordId} item={item} onReplayed={setReplayed} />
        ))}
      </ul>
    </div>
  );
}

export function SourcesPage({
  tab,
  table,
  navigate,
  dark,
}: {
  tab: SourcesTab;
  table?: string;
  navigate: (r: Route) => void;
  dark: boolean;
}) {
  const [wizardOpen, setWizardOpen] = useState(false);
  const tabs: [SourcesTab, string][] = [
    ["connectors", "Connectors"],
    ["files", "Files"],
    ["data", "Data"],
    ["quarantine", "Quarantine"],
  ];
  return (
    <section>
      <div className="page-head">
        <h2>Sources</h2>
        {!wizardOpen && (
          <button type="button" className="primary" onClick={() => setWizardOpen(true)}>
            Import a file…
          </button>
        )}
      </div>
      {wizardOpen && <ImportWizard onClose={() => setWizardOpen(false)} />}
      <ImportForm />
      <div role="tablist" className="tabs">
        {tabs.map(([id, label]) => (
          <button key={id} role="tab" type="button" aria-selected={tab === id} onClick={() => navigate({ page: "sources", tab: id })}>
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        {tab === "connectors" && <ConnectorsTab />}
        {tab === "files" && <FilesTab />}
        {tab === "data" && <DataTab table={table} navigate={navigate} dark={dark} />}
        {tab === "quarantine" && <QuarantineTab />}
      </div>
    </section>
  );
}

import { useState } from "react";
import type { ExportRecord, RoundtripPreview } from "../../../src-shared/api/audit";
import { call } from "../../api/client";

async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let k = 0; k < bytes.length; k += 0x8000) binary += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
  return btoa(binary);
}

/**
 * The exceptions round trip: export the open exceptions to Excel, fill owners and
 * explanations offline, bring the workbook back, see what applies and what conflicts, apply.
 */
export function ExceptionsRoundtrip({ reconId, period }: { reconId: string; period: string }) {
  const [exported, setExported] = useState<ExportRecord | null>(null);
  const [path, setPath] = useState<string | null>(null);
  const [preview, setPreview] = useState<(RoundtripPreview & { applied: number }) | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const fail = (e: Error) => setMessage({ text: e.message, error: true });

  const exportWorkbook = () =>
    call("exceptions/exportWorkbook", { reconId, period }).then((r) => {
      setExported(r);
      setMessage({ text: `${r.rows} open exceptions written to ${r.path}`, error: false });
    }, fail);
  const choose = async (file: File | undefined) => {
    if (!file) return;
    setPreview(null);
    try {
      const { path: saved } = await call("import/upload", { fileName: file.name, contentBase64: await fileToBase64(file) });
      setPath(saved);
      setPreview(await call("exceptions/importWorkbook", { path: saved, apply: false }));
      setMessage(null);
    } catch (e) {
      fail(e as Error);
    }
  };
  const apply = () => {
    if (!path) return;
    call("exceptions/importWorkbook", { path, apply: true }).then((r) => {
      setPreview(r);
      const conflicts = r.changes.filter((c) => c.outcome === "conflict").length;
      setMessage({ text: `Applied changes to ${r.applied} exceptions; ${conflicts} conflicts left as they are in Tieout.`, error: false });
    }, fail);
  };
  const toApply = preview?.changes.filter((c) => c.outcome === "apply").length ?? 0;
  return (
    <section className="roundtrip" aria-label="Exceptions round trip">
      <div className="export-workpaper">
        <button type="button" onClick={() => void exportWorkbook()}>
          Export open exceptions to Excel
        </button>
        <label>
          Import a filled workbook <input type="file" accept=".xlsx" onChange={(e) => void choose(e.target.files?.[0])} />
        </label>
      </div>
      {exported && <p className="muted">Export {exported.id}</p>}
      {preview && (
        <div data-testid="roundtrip-preview">
          <p>
            {preview.fileName}: {preview.rows} rows, {preview.changes.length} changes
            {preview.problems.length > 0 && `, ${preview.problems.length} rows not used`}
          </p>
          {preview.changes.length > 0 && (
            <table className="plain">
              <thead>
                <tr>
                  <th>Exception</th>
                  <th>Field</th>
                  <th>Exported</th>
                  <th>In the workbook</th>
                  <th>In Tieout now</th>
                  <th>Outcome</th>
                </tr>
              </thead>
              <tbody>
                {preview.changes.map((c) => (
                  <tr key={`${c.exceptionId}.${c.field}`} className={c.outcome === "conflict" ? "warn" : ""}>
                    <td>{c.exceptionId}</td>
                    <td>{c.field}</td>
                    <td>{c.base}</td>
                    <td>{c.workbook}</td>
                    <td>{c.current}</td>
                    <td>
                      {c.outcome === "conflict"
                        ? "conflict: Tieout's value kept"
                        : c.outcome === "apply"
                          ? "will apply"
                          : "already the same"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <ul>
            {preview.problems.map((p) => (
              <li key={p.row} className="warn">
                {p.message}
              </li>
            ))}
          </ul>
          {preview.applied === 0 && (
            <button type="button" className="primary" disabled={toApply === 0} onClick={apply}>
              Apply {toApply} changes
            </button>
          )}
        </div>
      )}
      {message && (
        <p role="status" className={message.error ? "error" : "form-message"}>
          {message.text}
        </p>
      )}
    </section>
  );
}

import { useCallback, useEffect, useState, type DragEvent, type FormEvent } from "react";
import type { CanonicalFieldInfo, ImportPreview } from "../../src-shared/api";
import type { ColumnTransform, MappingProfile } from "../../src-shared/mapping";
import type { CanonicalType, SourceSystem } from "../../src-shared/model";
import { call } from "../api/client";
import { formatNumber } from "../format";

const RECORD_TYPES: { type: CanonicalType; label: string }[] = [
  { type: "charge", label: "Charges" },
  { type: "encounter", label: "Encounters" },
  { type: "patientAccount", label: "Patient accounts" },
  { type: "claim", label: "Claims" },
  { type: "claimLine", label: "Claim lines" },
  { type: "journalLine", label: "GL journal lines" },
  { type: "inventoryTransaction", label: "Inventory transactions" },
  { type: "onHandBalance", label: "On-hand balances" },
  { type: "supplyUsage", label: "Supply usage" },
  { type: "bankTransaction", label: "Bank transactions" },
  { type: "item", label: "Item master" },
  { type: "provider", label: "Providers" },
  { type: "department", label: "Departments" },
  { type: "costCenter", label: "Cost centers" },
  { type: "location", label: "Locations" },
  { type: "chargeMasterEntry", label: "Charge master (CDM)" },
  { type: "payer", label: "Payers" },
  { type: "crosswalk", label: "Crosswalks" },
];
const SYSTEMS: SourceSystem[] = ["billing", "erp", "ehr", "bank", "payer"];
const DATE_FORMATS = ["YYYY-MM-DD", "MM/DD/YYYY", "DD/MM/YYYY", "YYYYMMDD", "DD-MMM-YYYY"];

function transformFor(kind: CanonicalFieldInfo["kind"]): ColumnTransform {
  switch (kind) {
    case "cents":
      return "decimal-cents";
    case "number":
      return "number";
    case "date":
      return "date";
    case "boolean":
      return "boolean";
    default:
      return "text";
  }
}

async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

type Step = { step: "choose" } | { step: "preview"; preview: ImportPreview } | { step: "started"; fileName: string };

/**
 * Drop a file (or type a path), see the detected format and a preview, map the columns
 * of a new CSV/XLSX layout once, then import it as a job with progress.
 */
export function ImportWizard({ onClose }: { onClose: () => void }) {
  const [state, setState] = useState<Step>({ step: "choose" });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [path, setPath] = useState("");
  const [dragging, setDragging] = useState(false);

  const preview = useCallback(async (filePath: string) => {
    setBusy(true);
    setError(null);
    try {
      setState({ step: "preview", preview: await call("import/preview", { path: filePath }) });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }, []);

  const onDrop = async (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (!file) return;
    setBusy(true);
    try {
      const { path: saved } = await call("import/upload", { fileName: file.name, contentBase64: await fileToBase64(file) });
      await preview(saved);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  const startImport = async (filePath: string, fileName: string) => {
    setBusy(true);
    try {
      await call("jobs/start", { kind: "ingest", params: { paths: [filePath] } });
      setState({ step: "started", fileName });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="wizard" aria-label="Import a file" data-testid="import-wizard">
      <header className="wizard-head">
        <h3>Import a file</h3>
        <button type="button" onClick={onClose} aria-label="Close the import wizard">
          Close
        </button>
      </header>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {state.step === "choose" && (
        <div>
          <div
            className={`dropzone ${dragging ? "dragging" : ""}`}
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={(e) => void onDrop(e)}
            data-testid="dropzone"
          >
            Drop an HL7, X12 835/837, BAI2, FHIR, CSV or XLSX file here
          </div>
          <form
            className="inline-form"
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              if (path.trim()) void preview(path.trim());
            }}
          >
            <label htmlFor="wizard-path">or a path on this computer</label>
            <input id="wizard-path" value={path} onChange={(e) => setPath(e.target.value)} placeholder="/data/extracts/charges.csv" />
            <button type="submit" disabled={busy}>
              Preview
            </button>
          </form>
        </div>
      )}
      {state.step === "preview" && (
        <PreviewStep
          preview={state.preview}
          busy={busy}
          onImport={() => void startImport(state.preview.path, state.preview.fileName)}
          onBack={() => setState({ step: "choose" })}
          onProfileSaved={() => void preview(state.preview.path)}
        />
      )}
      {state.step === "started" && (
        <p role="status">
          Importing {state.fileName}. Progress shows at the top of the window; the counts appear under Connectors and Files when it is done.{" "}
          <button type="button" onClick={() => setState({ step: "choose" })}>
            Import another
          </button>
        </p>
      )}
    </section>
  );
}

function PreviewStep({
  preview,
  busy,
  onImport,
  onBack,
  onProfileSaved,
}: {
  preview: ImportPreview;
  busy: boolean;
  onImport: () => void;
  onBack: () => void;
  onProfileSaved: () => void;
}) {
  const needsMapping = preview.tabular !== null && preview.tabular.matchedProfile === null;
  return (
    <div>
      <dl className="preview-facts">
        <dt>File</dt>
        <dd>{preview.fileName}</dd>
        <dt>Detected</dt>
        <dd data-testid="detected-format">
          {preview.format ?? "unknown"} <span className="muted">({preview.reason})</span>
        </dd>
        <dt>Size</dt>
        <dd>{formatNumber(preview.sizeBytes)} bytes</dd>
        {preview.tabular && (
          <>
            <dt>Rows</dt>
            <dd>about {formatNumber(preview.tabular.rowCountEstimate)}</dd>
            <dt>Layout</dt>
            <dd data-testid="matched-profile">
              {preview.tabular.matchedProfile ? `known: ${preview.tabular.matchedProfile.name}` : "new: map its columns below"}
            </dd>
          </>
        )}
      </dl>
      {preview.alreadyImported && <p className="warn">This exact file was imported before; importing it again changes nothing.</p>}
      {preview.sample !== null && <pre className="sample">{preview.sample}</pre>}
      {preview.tabular && (
        <div className="preview-table">
          <table className="plain">
            <thead>
              <tr>
                {preview.tabular.headers.map((h, i) => (
                  <th key={i}>{h}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {preview.tabular.rows.slice(0, 5).map((row, r) => (
                <tr key={r}>
                  {row.map((cell, c) => (
                    <td key={c}>{cell}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {needsMapping && preview.tabular && (
        <MappingStep fileName={preview.fileName} headers={preview.tabular.headers} onSaved={onProfileSaved} />
      )}
      <div className="wizard-actions">
        <button type="button" onClick={onBack}>
          Back
        </button>
        <button type="button" onClick={onImport} disabled={busy || needsMapping || preview.format === null} className="primary">
          Import
        </button>
      </div>
    </div>
  );
}

function MappingStep({ fileName, headers, onSaved }: { fileName: string; headers: string[]; onSaved: () => void }) {
  const [recordType, setRecordType] = useState<CanonicalType>("charge");
  const [system, setSystem] = useState<SourceSystem>("billing");
  const [dateFormat, setDateFormat] = useState("YYYY-MM-DD");
  const [name, setName] = useState(fileName.replace(/\.[^.]+$/, "") + " layout");
  const [fields, setFields] = useState<CanonicalFieldInfo[] | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    call("import/fields", { recordType, headers }).then(
      (result) => {
        if (!live) return;
        setFields(result.fields);
        setMapping(Object.fromEntries(Object.entries(result.suggested).map(([field, m]) => [field, m.column])));
      },
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [recordType, headers]);

  const save = async () => {
    if (!fields) return;
    const missing = fields.filter((f) => f.required && !mapping[f.name]);
    if (missing.length > 0) {
      setError(`Map a column to each required field: ${missing.map((f) => f.name).join(", ")}`);
      return;
    }
    const profile: MappingProfile = {
      id: `user-${Date.now().toString(36)}`,
      name,
      recordType,
      system,
      headers: headers.map((h) => h.trim().toLowerCase()),
      dateFormat,
      fields: Object.fromEntries(
        fields.filter((f) => mapping[f.name]).map((f) => [f.name, { column: mapping[f.name]!, transform: transformFor(f.kind) }]),
      ),
    };
    try {
      await call("import/saveProfile", { profile });
      onSaved();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <div className="mapping" data-testid="mapping-step">
      <h4>Map this layout once</h4>
      <p className="muted">Later files with the same header row import without asking.</p>
      <div className="mapping-options">
        <label>
          Records are{" "}
          <select value={recordType} onChange={(e) => setRecordType(e.target.value as CanonicalType)} aria-label="Record type">
            {RECORD_TYPES.map((t) => (
              <option key={t.type} value={t.type}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          from{" "}
          <select value={system} onChange={(e) => setSystem(e.target.value as SourceSystem)} aria-label="Source system">
            {SYSTEMS.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          dates look like{" "}
          <select value={dateFormat} onChange={(e) => setDateFormat(e.target.value)} aria-label="Date format">
            {DATE_FORMATS.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
        </label>
        <label>
          layout name <input value={name} onChange={(e) => setName(e.target.value)} aria-label="Layout name" />
        </label>
      </div>
      {fields && (
        <table className="plain mapping-table">
          <thead>
            <tr>
              <th>Field</th>
              <th>Column in the file</th>
            </tr>
          </thead>
          <tbody>
            {fields.map((f) => (
              <tr key={f.name}>
                <td>
                  {f.name}
                  {f.required && (
                    <span className="required" title="required">
                      {" "}
                      *
                    </span>
                  )}{" "}
                  <span className="muted">{f.kind}</span>
                </td>
                <td>
                  <select
                    aria-label={`Column for ${f.name}`}
                    value={mapping[f.name] ?? ""}
                    onChange={(e) => setMapping((m) => ({ ...m, [f.name]: e.target.value }))}
                  >
                    <option value="">(not in this file)</option>
                    {headers.map((h) => (
                      <option key={h} value={h}>
                        {h}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="button" onClick={() => void save()}>
        Save this mapping
      </button>
    </div>
  );
}

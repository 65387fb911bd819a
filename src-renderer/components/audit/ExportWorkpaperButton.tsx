import { useCallback, useState } from "react";
import { hasRole, type JobInfo, type UserInfo } from "../../../src-shared/api";
import { call } from "../../api/client";
import { useEvent } from "../../api/hooks";

/**
 * Exports the reconciliation's Excel workpaper as a background job. Patient identifiers are
 * masked unless a user with the phi role ticks the box.
 */
export function ExportWorkpaperButton({ reconId, period, user }: { reconId: string; period: string; user: UserInfo }) {
  const [includePhi, setIncludePhi] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const mayUnmask = user.roles.includes("phi");
  const mayExport = hasRole(user, "preparer");
  useEvent(
    "job/finished",
    useCallback(
      (job: JobInfo) => {
        if (job.id !== jobId) return;
        setJobId(null);
        if (job.status === "succeeded") setMessage({ text: `Workpaper written to ${String(job.result?.path ?? "")}`, error: false });
        else if (job.status === "cancelled") setMessage({ text: "Export cancelled.", error: false });
        else setMessage({ text: job.error ?? "The export failed.", error: true });
      },
      [jobId],
    ),
  );
  const start = () => {
    setMessage(null);
    call("jobs/start", { kind: "workpaper", params: { reconId, period, includePhi: mayUnmask && includePhi } }).then(
      ({ jobId: id }) => setJobId(id),
      (e: Error) => setMessage({ text: e.message, error: true }),
    );
  };
  return (
    <div className="export-workpaper">
      <button
        type="button"
        onClick={start}
        disabled={jobId !== null || !mayExport}
        title={mayExport ? undefined : "Exporting a workpaper needs the preparer role"}
      >
        {jobId ? "Writing workpaper…" : "Export workpaper (.xlsx)"}
      </button>
      {mayUnmask && (
        <label>
          <input type="checkbox" checked={includePhi} onChange={(e) => setIncludePhi(e.target.checked)} /> include patient identifiers
        </label>
      )}
      {message && (
        <span role="status" className={message.error ? "error" : "form-message"}>
          {message.text}
        </span>
      )}
    </div>
  );
}

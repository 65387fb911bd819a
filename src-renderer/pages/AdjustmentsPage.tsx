import { hasRole } from "../../src-shared/api";
import { useCallback, useState } from "react";
import type { AdjustmentStatus } from "../../src-shared/api/outbound";
import { useApiQuery, useEvent } from "../api/hooks";
import { AdjustmentView } from "../components/outbound/AdjustmentView";
import { JournalEditor } from "../components/outbound/JournalEditor";
import { InventoryForm, MasterDataForm } from "../components/outbound/OtherAdjustmentForms";
import { StatusBadge } from "../components/outbound/StatusBadge";
import { formatMoney, formatTimestamp } from "../format";
import type { PageProps } from "./pageProps";

const STATUSES: (AdjustmentStatus | "")[] = ["", "draft", "submitted", "approved", "rejected"];

function AdjustmentDetailRoute({ id, ...props }: PageProps & { id: number }) {
  const detail = useApiQuery("adjustments/get", { id });
  const reload = detail.reload;
  useEvent(
    "outbox/changed",
    useCallback((c: { adjustmentId: number }) => c.adjustmentId === id && reload(), [id, reload]),
  );
  if (detail.error) return <p className="error">{detail.error}</p>;
  if (!detail.data) return <p aria-busy="true">Loading…</p>;
  return <AdjustmentView detail={detail.data} user={props.user} navigate={props.navigate} reload={reload} />;
}

function AdjustmentList({ navigate }: PageProps) {
  const [status, setStatus] = useState<AdjustmentStatus | "">("");
  const list = useApiQuery("adjustments/list", status ? { status } : {});
  useEvent("outbox/changed", list.reload);
  if (list.error) return <p className="error">{list.error}</p>;
  return (
    <>
      <label>
        Status{" "}
        <select value={status} onChange={(e) => setStatus(e.target.value as AdjustmentStatus | "")}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s === "" ? "all" : s}
            </option>
          ))}
        </select>
      </label>
      {list.data && list.data.length === 0 ? (
        <p className="empty-state">No adjustments yet. Create a journal, an inventory adjustment or a master-data fix.</p>
      ) : (
        <table className="plain ob-table" data-testid="adjustments-table">
          <thead>
            <tr>
              <th>Number</th>
              <th>Kind</th>
              <th>Description</th>
              <th>Period</th>
              <th className="num">Amount</th>
              <th>Status</th>
              <th>Approvals</th>
              <th>Prepared by</th>
              <th>ERP</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((a) => (
              <tr key={a.id}>
                <td>
                  <button type="button" className="link" onClick={() => navigate({ page: "adjustments", sub: String(a.id) })}>
                    {a.number}
                  </button>
                </td>
                <td>{a.kind}</td>
                <td>{a.description}</td>
                <td>{a.period}</td>
                <td className="num">{formatMoney(a.amountCents)}</td>
                <td>
                  <StatusBadge status={a.status} />
                </td>
                <td>
                  {a.approvals}/{a.requiredApprovals}
                </td>
                <td>{a.preparedBy}</td>
                <td>
                  {a.outbox && <StatusBadge status={a.outbox.status} />} {a.outbox?.erpDocumentId ?? ""}
                </td>
                <td>{formatTimestamp(a.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** Adjustments: hand-made or proposed journals, inventory adjustments and master-data fixes, through maker-checker approval. */
export function AdjustmentsPage(props: PageProps) {
  const { sub, navigate, user } = props;
  const canPrepare = hasRole(user, "preparer");
  const open = (id: number) => navigate({ page: "adjustments", sub: String(id) });
  let body;
  if (sub === "new-journal") body = <JournalEditor onSaved={(d) => open(d.id)} onCancel={() => navigate({ page: "adjustments" })} />;
  else if (sub === "new-inventory") body = <InventoryForm onSaved={(d) => open(d.id)} onCancel={() => navigate({ page: "adjustments" })} />;
  else if (sub === "new-master-data")
    body = <MasterDataForm onSaved={(d) => open(d.id)} onCancel={() => navigate({ page: "adjustments" })} />;
  else if (sub && /^\d+$/.test(sub)) body = <AdjustmentDetailRoute key={sub} id={Number(sub)} {...props} />;
  else body = <AdjustmentList {...props} />;
  return (
    <section className="ob-page">
      <div className="page-head">
        <h2>Adjustments</h2>
        {canPrepare && (
          <div className="ob-actions">
            <button type="button" className="primary" onClick={() => navigate({ page: "adjustments", sub: "new-journal" })}>
              New journal
            </button>
            <button type="button" onClick={() => navigate({ page: "adjustments", sub: "new-inventory" })}>
              New inventory adjustment
            </button>
            <button type="button" onClick={() => navigate({ page: "adjustments", sub: "new-master-data" })}>
              New master-data fix
            </button>
          </div>
        )}
      </div>
      {body}
    </section>
  );
}

import { useState } from "react";
import type { ReconciliationInfo } from "../../../src-shared/api/recon";
import { useApiQuery } from "../../api/hooks";
import { formatMoney, formatNumber } from "../../format";
import type { Route } from "../../routes";
import { BUSINESS_TILES, exceptionsSub, initialPeriod, type BusinessTile } from "./reconLabels";

function Tile({
  tile,
  period,
  info,
  navigate,
}: {
  tile: BusinessTile;
  period: string;
  info: ReconciliationInfo | undefined;
  navigate: (route: Route) => void;
}) {
  const open = useApiQuery("exceptions/list", {
    templateId: tile.templateId,
    period,
    status: ["open"],
    ...(tile.reasons.length > 0 ? { reason: tile.reasons } : {}),
    offset: 0,
    limit: 1,
  });
  const run = info?.lastRun;
  if (!run) {
    return (
      <button
        type="button"
        className="tile tile-idle"
        data-testid={`tile-${tile.id}`}
        onClick={() => navigate({ page: "reconciliations", sub: `${tile.templateId}/${period}` })}
        title="Open the reconciliation to run it"
      >
        <span className="tile-label">{tile.label}</span>
        <span className="tile-value muted">—</span>
        <span className="tile-note">not run for {period}: open it and press Run</span>
      </button>
    );
  }
  const byReason = Object.entries(run.exceptionsByReason).filter(([reason]) => tile.reasons.length === 0 || tile.reasons.includes(reason));
  const amountCents = byReason.reduce((s, [, r]) => s + r.amountCents, 0);
  const count = open.data?.total ?? null;
  return (
    <button
      type="button"
      className={`tile ${count ? "tile-warn" : ""}`}
      data-testid={`tile-${tile.id}`}
      onClick={() => navigate({ page: "exceptions", sub: exceptionsSub({ templateId: tile.templateId, reasons: tile.reasons, period }) })}
      title={byReason.map(([reason, r]) => `${reason}: ${formatNumber(r.count)}, ${formatMoney(r.amountCents)}`).join("\n") || undefined}
    >
      <span className="tile-label">{tile.label}</span>
      <span className="tile-value num">{count === null ? "…" : formatNumber(count)}</span>
      <span className="tile-note">
        open
        {amountCents !== 0 && (
          <>
            {" "}
            · <span className="num">{formatMoney(amountCents)}</span> at the last run
          </>
        )}
      </span>
    </button>
  );
}

/** The reconciliations' business measures for the dashboard; each tile opens the exceptions behind it. */
export function ReconTiles({ navigate }: { navigate: (route: Route) => void }) {
  const [period] = useState(initialPeriod);
  const list = useApiQuery("recon/list", { period });
  if (list.error) {
    return (
      <p className="muted" data-testid="recon-tiles-unavailable">
        Reconciliation measures are unavailable: {list.error}
      </p>
    );
  }
  const byTemplate = new Map((list.data ?? []).map((r) => [r.templateId, r]));
  const anyRun = (list.data ?? []).some((r) => r.lastRun);
  return (
    <section className="dash-section recon-tiles" data-testid="recon-tiles" aria-label="Reconciliation measures">
      <h3>
        Reconciliation breaks, {period}{" "}
        <button type="button" className="link" onClick={() => navigate({ page: "reconciliations", sub: period })}>
          {anyRun ? "all reconciliations" : "run the reconciliations"}
        </button>
      </h3>
      <div className="tiles">
        {BUSINESS_TILES.map((tile) => (
          <Tile key={tile.id} tile={tile} period={period} info={byTemplate.get(tile.templateId)} navigate={navigate} />
        ))}
      </div>
    </section>
  );
}

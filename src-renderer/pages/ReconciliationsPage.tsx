import { useState } from "react";
import { ReconDetail } from "../components/recon/ReconDetail";
import { ReconList } from "../components/recon/ReconList";
import { initialPeriod, isPeriod } from "../components/recon/reconLabels";
import type { PageProps } from "./pageProps";

/**
 * `/reconciliations` lists every template for a period; `/reconciliations/<period>` the same for
 * that period; `/reconciliations/<template>/<period>` opens one reconciliation.
 */
export function ReconciliationsPage({ user, dark, sub, navigate }: PageProps) {
  const [first, second] = (sub ?? "").split("/");
  const [listPeriod, setListPeriod] = useState(initialPeriod);
  if (first && !isPeriod(first)) {
    const period = isPeriod(second) ? second : listPeriod;
    return <ReconDetail key={`${first}/${period}`} templateId={first} period={period} user={user} dark={dark} navigate={navigate} />;
  }
  const period = isPeriod(first) ? first : listPeriod;
  return (
    <ReconList
      period={period}
      onPeriod={(p) => {
        setListPeriod(p);
        navigate({ page: "reconciliations", sub: p });
      }}
      navigate={navigate}
    />
  );
}

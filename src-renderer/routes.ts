export type SourcesTab = "connectors" | "files" | "data" | "quarantine";

export type Route =
  | { page: "dashboard" }
  | { page: "sources"; tab?: SourcesTab; table?: string }
  | { page: "reconciliations"; sub?: string }
  | { page: "exceptions"; sub?: string }
  | { page: "adjustments"; sub?: string }
  | { page: "outbox"; sub?: string }
  | { page: "audit"; sub?: string }
  | { page: "settings" };

/** Pages whose capability owns the rest of the path (`/reconciliations/<sub…>`). */
export type CapabilityPage = "reconciliations" | "exceptions" | "adjustments" | "outbox" | "audit";

export type PageId = Route["page"];

export const NAV: { page: PageId; label: string; key: string }[] = [
  { page: "dashboard", label: "Dashboard", key: "1" },
  { page: "sources", label: "Sources", key: "2" },
  { page: "reconciliations", label: "Reconciliations", key: "3" },
  { page: "exceptions", label: "Exceptions", key: "4" },
  { page: "adjustments", label: "Adjustments", key: "5" },
  { page: "outbox", label: "Outbox", key: "6" },
  { page: "audit", label: "Audit", key: "7" },
  { page: "settings", label: "Settings", key: "8" },
];

/** Routes live in the URL's path so a reload or a bookmark returns to the same place. */
export function routeToPath(route: Route): string {
  if (route.page === "sources") {
    const parts = ["/sources", route.tab ?? "connectors"];
    if (route.table) parts.push(route.table);
    return parts.join("/");
  }
  if ("sub" in route && route.sub) return `/${route.page}/${route.sub}`;
  return `/${route.page}`;
}

export function pathToRoute(path: string): Route {
  const [page, tab, table] = path.replace(/^\/+/, "").split("/");
  const sub = path.replace(/^\/+/, "").split("/").slice(1).join("/");
  switch (page) {
    case "sources":
      return {
        page: "sources",
        tab: tab === "data" || tab === "quarantine" || tab === "files" ? tab : "connectors",
        ...(table ? { table } : {}),
      };
    case "reconciliations":
    case "exceptions":
    case "adjustments":
    case "outbox":
    case "audit":
      return sub ? { page, sub } : { page };
    case "settings":
      return { page };
    default:
      return { page: "dashboard" };
  }
}

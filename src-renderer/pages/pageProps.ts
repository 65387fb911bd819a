import type { UserInfo } from "../../src-shared/api";
import type { Route } from "../routes";

/** What every capability page gets from the shell. */
export interface PageProps {
  user: UserInfo;
  dark: boolean;
  /** The rest of the path after the page's own segment, e.g. "charge-reconciliation/2026-10". */
  sub: string | undefined;
  navigate: (route: Route) => void;
}

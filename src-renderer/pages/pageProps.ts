import type { UserInfo } from "../../src-shared/api";
import type { Route } from "../routes";

/** What every capability page gets from the shell. */
export interface PageProps {
  user: UserInfo;
  dark: boolean;
  /** The rest of the path after the page's own segment, e.g. "charge-reconciliation/2026-10". */
  sub: string | undefined;
  /** `replace`: the new address takes the current one's place in the history (a search as it is typed). */
  navigate: (route: Route, options?: { replace?: boolean }) => void;
}

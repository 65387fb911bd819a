import { NotYetPage } from "./PlaceholderPages";
import type { PageProps } from "./pageProps";

export function ReconciliationsPage(props: PageProps) {
  void props;
  return <NotYetPage page="reconciliations" />;
}

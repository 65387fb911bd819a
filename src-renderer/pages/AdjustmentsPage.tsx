import { NotYetPage } from "./PlaceholderPages";
import type { PageProps } from "./pageProps";

export function AdjustmentsPage(props: PageProps) {
  void props;
  return <NotYetPage page="adjustments" />;
}

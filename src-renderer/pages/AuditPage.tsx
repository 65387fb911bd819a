import { NotYetPage } from "./PlaceholderPages";
import type { PageProps } from "./pageProps";

export function AuditPage(props: PageProps) {
  void props;
  return <NotYetPage page="audit" />;
}

import { NotYetPage } from "./PlaceholderPages";
import type { PageProps } from "./pageProps";

export function OutboxPage(props: PageProps) {
  void props;
  return <NotYetPage page="outbox" />;
}

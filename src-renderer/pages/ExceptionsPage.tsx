import { NotYetPage } from "./PlaceholderPages";
import type { PageProps } from "./pageProps";

export function ExceptionsPage(props: PageProps) {
  void props;
  return <NotYetPage page="exceptions" />;
}

import { useCallback, useEffect, useState } from "react";
import type { UserInfo } from "../src-shared/api";
import { call, setSession } from "./api/client";
import { JobIndicator } from "./components/JobIndicator";
import { SignIn } from "./components/SignIn";
import { DashboardPage } from "./pages/DashboardPage";
import { AdjustmentsPage } from "./pages/AdjustmentsPage";
import { AuditPage } from "./pages/AuditPage";
import { ExceptionsPage } from "./pages/ExceptionsPage";
import { OutboxPage } from "./pages/OutboxPage";
import type { PageProps } from "./pages/pageProps";
import { ReconciliationsPage } from "./pages/ReconciliationsPage";
import { SettingsPage } from "./pages/SettingsPage";
import { SourcesPage } from "./pages/SourcesPage";
import { NAV, pathToRoute, routeToPath, type Route } from "./routes";

const THEME_KEY = "tieout.theme";

/** Under Electron the page is a file:// URL, where only the fragment can change; web mode uses real paths. */
const FILE_PROTOCOL = window.location.protocol === "file:";
const currentPath = () => (FILE_PROTOCOL ? window.location.hash.replace(/^#/, "") || "/" : window.location.pathname);

export function App() {
  const [user, setUser] = useState<UserInfo | null | undefined>(undefined);
  useEffect(() => {
    call("auth/me", {}).then(setUser, () => setUser(null));
  }, []);
  if (user === undefined) return <p aria-busy="true">Loading…</p>;
  if (user === null) {
    return (
      <div className="signin-page">
        <h1>Tieout</h1>
        <SignIn onSignedIn={setUser} />
      </div>
    );
  }
  return (
    <Workbench
      user={user}
      onSignOut={() => {
        void call("auth/logout", {}).finally(() => {
          setSession(null);
          setUser(null);
        });
      }}
    />
  );
}

function Workbench({ user, onSignOut }: { user: UserInfo; onSignOut: () => void }) {
  const [route, setRoute] = useState<Route>(() => pathToRoute(currentPath()));
  const [dark, setDark] = useState(() => {
    const saved = localStorage.getItem(THEME_KEY);
    return saved ? saved === "dark" : window.matchMedia?.("(prefers-color-scheme: dark)").matches === true;
  });

  const navigate = useCallback((next: Route, options?: { replace?: boolean }) => {
    const url = FILE_PROTOCOL ? `#${routeToPath(next)}` : routeToPath(next);
    if (options?.replace) history.replaceState(null, "", url);
    else history.pushState(null, "", url);
    setRoute(next);
  }, []);

  useEffect(() => {
    const onPop = () => setRoute(pathToRoute(currentPath()));
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  useEffect(() => {
    document.documentElement.dataset.theme = dark ? "dark" : "light";
    localStorage.setItem(THEME_KEY, dark ? "dark" : "light");
  }, [dark]);

  // Alt+1..8 jumps between pages from anywhere.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const target = NAV.find((n) => n.key === event.key);
      if (target) {
        event.preventDefault();
        navigate({ page: target.page } as Route);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [navigate]);

  const pageProps = (sub: string | undefined): PageProps => ({ user, dark, sub, navigate });

  return (
    <div className="app">
      <header className="topbar">
        <h1>Tieout</h1>
        <JobIndicator user={user} />
        <span className="who" data-testid="signed-in-user">
          {user.displayName}
        </span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <nav className="sidebar" aria-label="Main">
        <ul>
          {NAV.map((item) => (
            <li key={item.page}>
              <a
                href={(FILE_PROTOCOL ? "#" : "") + routeToPath({ page: item.page } as Route)}
                aria-current={route.page === item.page ? "page" : undefined}
                title={`Alt+${item.key}`}
                onClick={(event) => {
                  event.preventDefault();
                  navigate({ page: item.page } as Route);
                }}
              >
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content">
        {route.page === "dashboard" && <DashboardPage navigate={navigate} />}
        {route.page === "sources" && <SourcesPage tab={route.tab ?? "connectors"} table={route.table} navigate={navigate} dark={dark} />}
        {route.page === "settings" && <SettingsPage dark={dark} setDark={setDark} />}
        {route.page === "reconciliations" && <ReconciliationsPage {...pageProps(route.sub)} />}
        {route.page === "exceptions" && <ExceptionsPage {...pageProps(route.sub)} />}
        {route.page === "adjustments" && <AdjustmentsPage {...pageProps(route.sub)} />}
        {route.page === "outbox" && <OutboxPage {...pageProps(route.sub)} />}
        {route.page === "audit" && <AuditPage {...pageProps(route.sub)} />}
      </main>
    </div>
  );
}

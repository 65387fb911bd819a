import { useEffect, useState, type FormEvent } from "react";
import type { UserInfo } from "../../src-shared/api";
import { call, setSession } from "../api/client";

/** Sign-in: pick who you are and give your password. A new database asks for its first user. */
export function SignIn({ onSignedIn }: { onSignedIn: (user: UserInfo) => void }) {
  const [users, setUsers] = useState<UserInfo[] | null>(null);
  const [userId, setUserId] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    call("auth/users", {}).then(
      (list) => {
        setUsers(list);
        if (list[0]) setUserId(list[0].userId);
      },
      (e: Error) => setError(e.message),
    );
  }, []);

  const signIn = async (id: string) => {
    const { sessionId, user } = await call("auth/login", { userId: id, password });
    setSession(sessionId);
    onSignedIn(user);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const work =
      users && users.length === 0
        ? call("auth/createUser", {
            userId,
            displayName: displayName || userId,
            roles: ["admin", "preparer", "approver", "reviewer"],
            password,
          }).then(() => signIn(userId))
        : signIn(userId);
    work.catch((e: Error) => setError(e.message));
  };

  if (error && users === null) return <p className="error">{error}</p>;
  if (users === null) return <p aria-busy="true">Loading…</p>;
  const first = users.length === 0;
  return (
    <form className="signin" onSubmit={submit} aria-label="Sign in">
      <h2>{first ? "Create the first user" : "Sign in"}</h2>
      {first && <p className="muted">This database has no users yet. The first one is its administrator.</p>}
      {first ? (
        <>
          <label htmlFor="signin-user">User id</label>
          <input id="signin-user" value={userId} onChange={(e) => setUserId(e.target.value)} autoFocus />
          <label htmlFor="signin-name">Full name</label>
          <input id="signin-name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
        </>
      ) : (
        <>
          <label htmlFor="signin-user">User</label>
          <select id="signin-user" value={userId} onChange={(e) => setUserId(e.target.value)}>
            {users.map((u) => (
              <option key={u.userId} value={u.userId}>
                {u.displayName} ({u.userId})
              </option>
            ))}
          </select>
        </>
      )}
      <label htmlFor="signin-password">Password</label>
      <input id="signin-password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoFocus={!first} />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="primary">
        {first ? "Create and sign in" : "Sign in"}
      </button>
    </form>
  );
}

// Users: one page of the list at a time from the server (GET /api/users?page=&limit=), narrowed
// by the server's search (&search=) as one types, and for the user opened, only the actions
// GET /api/users/<username>/actions allows.
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf, type Role, type SessionSummary, type TargetActions, type User, type UserPage } from '../api';
import { Message, type Note, formFields } from '../message';
import type { Session } from '../session';

const kPageSize = 50;
// Typing pauses this long before the search goes to the server (not one request per key).
const kSearchDelayMs = 250;

export function Users({ session }: { session: Session }) {
  const [page, setPage] = useState(1);
  const [list, setList] = useState<UserPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');

  useEffect(() => {
    const pause = setTimeout(() => { setSearch(typed.trim()); setPage(1); }, kSearchDelayMs);
    return () => clearTimeout(pause);
  }, [typed]);

  useEffect(() => {
    const started = performance.now();
    const query = search ? `&search=${encodeURIComponent(search)}` : '';
    api.get<UserPage>(`/api/users?page=${page}&limit=${kPageSize}${query}`).then((result) => {
      setList(result);
      setError(null);
      // For the browser test's timing of the first page (docs/console.md).
      document.body.dataset.usersLoadedMs = String(Math.round(performance.now() - started));
    }, (e) => setError(messageOf(e)));
  }, [page, search, reload]);

  const changed = () => setReload((n) => n + 1);
  const pages = list ? Math.max(1, list.pagination.total_pages) : 1;
  return (
    <>
      {error && <p role="alert" class="error">{error}</p>}
      {session.actions.create_users && <CreateUser onCreated={changed} />}
      <section aria-labelledby="list-heading">
        <h2 id="list-heading">
          {search ? 'Users found' : 'All users'} {list && <span class="muted" data-testid="users-total">({list.pagination.total_records})</span>}
        </h2>
        <form role="search" class="grid-form" aria-label="Search users" onSubmit={(e) => { e.preventDefault(); setSearch(typed.trim()); setPage(1); }}>
          <label>Search <input type="search" name="search" value={typed} maxLength={100} autocomplete="off"
            onInput={(e) => setTyped((e.currentTarget as HTMLInputElement).value)} /></label>
          <span class="muted">username, e-mail or name</span>
        </form>
        <div class="table-scroll">
          <table data-testid="users">
            <thead><tr><th scope="col">Username</th><th scope="col">Name</th><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {list?.data.map((user) => (
                <tr key={user.username}>
                  <td>{user.username}</td>
                  <td>{[user.name, user.lastname].filter(Boolean).join(' ')}</td>
                  <td>{user.email}</td>
                  <td>{user.role.name}</td>
                  <td><button type="button" onClick={() => setOpen(user.username)} aria-label={`Open ${user.username}`}>Open</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <nav class="pager" aria-label="Pages of users">
          <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>Previous</button>
          <span aria-live="polite">Page {page} of {pages}</span>
          <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>Next</button>
        </nav>
      </section>
      {open && <UserPanel username={open} onChanged={changed} onClose={() => setOpen(null)} />}
    </>
  );
}

function CreateUser({ onCreated }: { onCreated: () => void }) {
  const [roles, setRoles] = useState<Role[]>([]);
  const [message, setMessage] = useState<Note>(null);
  useEffect(() => { api.get<Role[]>('/api/users/roles').then(setRoles, () => setRoles([])); }, []);
  const submit = async (event: Event) => {
    const form = event.currentTarget as HTMLFormElement;
    const data = formFields(event);
    try {
      await api.post('/api/users/signup', data);
      setMessage({ ok: true, text: `User ${data.username} created` });
      form.reset();
      onCreated();
    } catch (e) {
      setMessage({ ok: false, text: messageOf(e) });
    }
  };
  return (
    <details class="panel">
      <summary>Create a user</summary>
      <form class="grid-form" onSubmit={submit}>
        <label>Username <input name="username" required autocomplete="off" /></label>
        <label>E-mail <input name="email" type="email" required autocomplete="off" /></label>
        <label>Password <input name="password" type="password" required autocomplete="new-password" /></label>
        <label>Role
          <select name="role_name">{roles.filter((r) => r.level > 0).map((r) => <option key={r.name}>{r.name}</option>)}</select>
        </label>
        <button class="primary" type="submit">Create</button>
      </form>
      <Message note={message} />
    </details>
  );
}

function UserPanel({ username, onChanged, onClose }: { username: string; onChanged: () => void; onClose: () => void }) {
  const [user, setUser] = useState<User | null>(null);
  const [actions, setActions] = useState<TargetActions | null>(null);
  const [message, setMessage] = useState<Note>(null);
  const [roles, setRoles] = useState<Role[]>([]);
  const [sessions, setSessions] = useState<SessionSummary[] | null>(null);
  const [gone, setGone] = useState(false);
  const path = `/api/users/${encodeURIComponent(username)}`;

  const load = () => {
    api.get<User>(path).then(setUser, (e) => setMessage({ ok: false, text: messageOf(e) }));
    api.get<{ actions: TargetActions }>(`${path}/actions`).then((a) => {
      setActions(a.actions);
      if (a.actions.manage_sessions) api.get<SessionSummary[]>(`${path}/sessions`).then(setSessions, () => setSessions(null));
      if (a.actions.change_role) api.get<Role[]>('/api/users/roles').then(setRoles, () => setRoles([]));
    }, (e) => setMessage({ ok: false, text: messageOf(e) }));
  };
  useEffect(load, [username]);

  // Runs one action; shows the API's message, success or refusal.
  const run = async (what: () => Promise<unknown>, done: string, deleted = false) => {
    try {
      await what();
      setMessage({ ok: true, text: done });
      if (deleted) setGone(true);
      onChanged();
      if (!deleted) load();
    } catch (e) {
      setMessage({ ok: false, text: messageOf(e) });
    }
  };

  return (
    <section class="panel" aria-labelledby="user-heading" data-testid="user-panel">
      <div class="panel-head">
        <h2 id="user-heading">User {username}</h2>
        <button type="button" onClick={onClose}>Close</button>
      </div>
      <Message note={message} />
      {user && !gone && <p>{user.email} · role {user.role.name} (level {user.role.level})</p>}
      {actions && !gone && (
        <div class="actions">
          {actions.edit && user && (
            <form class="grid-form" aria-label="Edit" onSubmit={(e) => { const f = formFields(e); run(() => api.put(path, f), 'Saved'); }}>
              <label>E-mail <input name="email" type="email" defaultValue={user.email ?? ''} /></label>
              <label>Name <input name="name" defaultValue={user.name ?? ''} /></label>
              <label>Last name <input name="lastname" defaultValue={user.lastname ?? ''} /></label>
              <button type="submit">Save</button>
            </form>
          )}
          {actions.change_role && (
            <form class="grid-form" aria-label="Change role" onSubmit={(e) => { const f = formFields(e); run(() => api.post('/api/users/update_role', { target_username: username, new_role_name: f.role }), 'Role changed'); }}>
              <label>Role
                <select name="role">{roles.filter((r) => r.level > 0).map((r) => <option key={r.name} selected={r.name === user?.role.name}>{r.name}</option>)}</select>
              </label>
              <button type="submit">Change role</button>
            </form>
          )}
          {actions.reset_password && (
            <form class="grid-form" aria-label="Reset password" onSubmit={(e) => { const f = formFields(e); run(() => api.post('/api/users/reset_password', { target_username: username, new_password: f.new_password }), 'Password reset: the user must choose a new one at the next sign-in'); }}>
              <label>New password <input name="new_password" type="password" required autocomplete="new-password" /></label>
              <button type="submit">Reset password</button>
            </form>
          )}
          <div class="buttons">
            {actions.unlock && <button type="button" onClick={() => run(() => api.post(`${path}/unlock`), 'Account unlocked')}>Unlock</button>}
            {actions.reset_mfa && <button type="button" onClick={() => run(() => api.post(`${path}/mfa/reset`), 'Second factor reset')}>Reset MFA</button>}
            {actions.delete && (
              <button type="button" class="danger" onClick={() => {
                if (window.confirm(`Delete ${username}? This cannot be undone.`)) {
                  run(() => api.del(path), `User ${username} deleted`, true);
                }
              }}>Delete</button>
            )}
          </div>
          {actions.manage_sessions && sessions && (
            <div>
              <h3>Sessions ({sessions.length})</h3>
              <ul class="sessions" data-testid="user-sessions">
                {sessions.map((s) => (
                  <li key={s.id}>
                    since {s.created_on}, last used {s.last_used_on ?? 'never'}{s.client_address ? ` from ${s.client_address}` : ''}
                    {' '}<button type="button" onClick={() => run(() => api.del(`${path}/sessions/${encodeURIComponent(s.id)}`), 'Session ended')}>End</button>
                  </li>
                ))}
              </ul>
              {sessions.length > 0 && <button type="button" onClick={() => run(() => api.del(`${path}/sessions`), 'Every session ended')}>End all sessions</button>}
            </div>
          )}
          {!Object.values(actions).some(Boolean) && <p>Your role may not change this user.</p>}
        </div>
      )}
    </section>
  );
}

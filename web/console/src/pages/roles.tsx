// Roles: the list (GET /api/users/roles) and, where the policy allows, a new role
// (POST /api/users/roles/add; the level must be at least the caller's own).
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf, type Role } from '../api';
import { Message, type Note, formFields } from '../message';
import type { Session } from '../session';

export function Roles({ session }: { session: Session }) {
  const [roles, setRoles] = useState<Role[] | null>(null);
  const [note, setNote] = useState<Note>(null);
  const load = () => { api.get<Role[]>('/api/users/roles').then(setRoles, (e) => setNote({ ok: false, text: messageOf(e) })); };
  useEffect(load, []);

  const add = async (event: Event) => {
    const form = event.currentTarget as HTMLFormElement;
    const f = formFields(event);
    try {
      const role = await api.post<Role>('/api/users/roles/add', { name: f.name, level: Number(f.level) });
      setNote({ ok: true, text: `Role ${role.name} added (level ${role.level})` });
      form.reset();
      load();
    } catch (e) {
      setNote({ ok: false, text: messageOf(e) });
    }
  };
  const lowest = Math.max(1, session.me.role.level);
  return (
    <>
      {session.actions.add_roles && (
        <section class="panel" aria-labelledby="add-role-heading">
          <h2 id="add-role-heading">Add a role</h2>
          <p class="muted">A lower level is more privileged; yours is {session.me.role.level}, so a new role's level is {lowest} or higher.</p>
          <form class="grid-form" aria-label="Add a role" onSubmit={add}>
            <label>Name <input name="name" required autocomplete="off" /></label>
            <label>Level <input name="level" type="number" required min={lowest} step={1} /></label>
            <button class="primary" type="submit">Add</button>
          </form>
        </section>
      )}
      <Message note={note} />
      <section aria-labelledby="roles-heading">
        <h2 id="roles-heading">All roles {roles && <span class="muted">({roles.length})</span>}</h2>
        <div class="table-scroll">
          <table data-testid="roles">
            <thead><tr><th scope="col">Name</th><th scope="col">Level</th></tr></thead>
            <tbody>{roles?.map((r) => <tr key={r.name}><td>{r.name}</td><td>{r.level}</td></tr>)}</tbody>
          </table>
        </div>
      </section>
    </>
  );
}

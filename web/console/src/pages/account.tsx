// My account (everyone): change the password with the rules shown before they are broken
// (GET /api/users/me/password_rules), the caller's sessions with the others ended from here
// (GET/DELETE /api/users/me/sessions), and multi-factor authentication (docs/mfa.md).
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf, type MfaStatus, type OwnSession, type PasswordRules } from '../api';
import { Message, type Note, formFields } from '../message';
import type { Session } from '../session';

export function Account({ session }: { session: Session }) {
  return (
    <>
      <ChangePassword username={session.me.username} />
      <MySessions />
      <Mfa />
    </>
  );
}

// The same count of character classes as the server's (core/password_rules.cpp).
function characterClasses(password: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(password)).length;
}

function ChangePassword({ username }: { username: string }) {
  const [rules, setRules] = useState<PasswordRules | null>(null);
  const [password, setPassword] = useState('');
  const [note, setNote] = useState<Note>(null);
  useEffect(() => { api.get<PasswordRules>('/api/users/me/password_rules').then(setRules, (e) => setNote({ ok: false, text: messageOf(e) })); }, []);

  const length = [...password].length;
  const submit = async (event: Event) => {
    const form = event.currentTarget as HTMLFormElement;
    const f = formFields(event);
    if (f.new_password !== f.repeat) {
      setNote({ ok: false, text: 'The new password and its repetition differ' });
      return;
    }
    try {
      await api.post('/api/users/change_password',
        { target_username: username, current_password: f.current_password, new_password: f.new_password });
      setNote({ ok: true, text: 'Password changed; your other sessions were ended' });
      form.reset();
      setPassword('');
    } catch (e) {
      setNote({ ok: false, text: messageOf(e) });
    }
  };
  return (
    <section class="panel" aria-labelledby="password-heading">
      <h2 id="password-heading">Change your password</h2>
      {rules && (
        <ul class="rules" data-testid="password-rules" aria-label="A new password must">
          <Rule met={password === '' ? null : length >= rules.min_length}>have at least {rules.min_length} characters</Rule>
          {rules.min_character_classes > 0 && (
            <Rule met={password === '' ? null : characterClasses(password) >= rules.min_character_classes}>
              use at least {rules.min_character_classes} of: lower case letters, upper case letters, digits, other characters
            </Rule>
          )}
          {rules.dictionary_check && <Rule met={null}>not be easy to guess (a dictionary word, your username, a pattern)</Rule>}
          {rules.history > 0 && <Rule met={null}>differ from your last {rules.history} passwords</Rule>}
          {rules.min_age_hours > 0 && <Rule met={null}>wait {rules.min_age_hours} hours after your last change</Rule>}
          {rules.max_age_days > 0 && <li class="muted">It must be changed again after {rules.max_age_days} days.</li>}
        </ul>
      )}
      <form class="grid-form" aria-label="Change your password" onSubmit={submit}>
        <label>Current password <input name="current_password" type="password" required autocomplete="current-password" /></label>
        <label>New password
          <input name="new_password" type="password" required autocomplete="new-password" aria-describedby="password-heading"
            onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <label>New password again <input name="repeat" type="password" required autocomplete="new-password" /></label>
        <button class="primary" type="submit">Change password</button>
      </form>
      <Message note={note} />
    </section>
  );
}

// One rule, with whether the password typed so far meets it (null: not known here, or
// nothing typed yet). Said in words too, not by colour alone.
function Rule({ met, children }: { met: boolean | null; children: ComponentChildren }) {
  const state = met === null ? '' : met ? 'met' : 'unmet';
  return (
    <li class={state} data-state={state || undefined}>
      {children}{met !== null && <span class="sr-only">{met ? ' (met)' : ' (not met yet)'}</span>}
    </li>
  );
}

function MySessions() {
  const [sessions, setSessions] = useState<OwnSession[] | null>(null);
  const [note, setNote] = useState<Note>(null);
  const load = () => { api.get<OwnSession[]>('/api/users/me/sessions').then(setSessions, (e) => setNote({ ok: false, text: messageOf(e) })); };
  useEffect(load, []);

  const end = async (ids: string[]) => {
    try {
      for (const id of ids) await api.del(`/api/users/me/sessions/${encodeURIComponent(id)}`);
      setNote({ ok: true, text: ids.length === 1 ? 'Session ended' : `${ids.length} sessions ended` });
    } catch (e) {
      setNote({ ok: false, text: messageOf(e) });
    }
    load();
  };
  const others = sessions?.filter((s) => !s.current) ?? [];
  return (
    <section class="panel" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Your sessions {sessions && <span class="muted">({sessions.length})</span>}</h2>
      <Message note={note} />
      {sessions && (
        <ul class="sessions" data-testid="my-sessions">
          {sessions.map((s) => (
            <li key={s.id}>
              {s.current ? <strong>This browser</strong> : 'Another sign-in'}: since {s.created_on}
              {s.client_address ? ` from ${s.client_address}` : ''}, last used {s.last_used_on ?? 'not recorded'}
              {!s.current && <> <button type="button" onClick={() => end([s.id])}>End</button></>}
            </li>
          ))}
        </ul>
      )}
      {others.length > 0 && <button type="button" onClick={() => end(others.map((s) => s.id))}>End all other sessions</button>}
    </section>
  );
}

// Enrollment: a new secret with its QR code (POST /api/users/me/mfa/totp), confirmed with a
// code, answered with the recovery codes, shown once. Removal needs the password and a code.
function Mfa() {
  const [status, setStatus] = useState<MfaStatus | null>(null);
  const [enrollment, setEnrollment] = useState<{ secret: string; qr_svg: string } | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [note, setNote] = useState<Note>(null);
  const load = () => { api.get<MfaStatus>('/api/users/me/mfa').then(setStatus, (e) => setNote({ ok: false, text: messageOf(e) })); };
  useEffect(load, []);

  const attempt = async (what: () => Promise<void>) => {
    try {
      await what();
    } catch (e) {
      setNote({ ok: false, text: messageOf(e) });
    }
  };
  const begin = () => attempt(async () => {
    setEnrollment(await api.post<{ secret: string; qr_svg: string }>('/api/users/me/mfa/totp'));
    setCodes(null);
    setNote(null);
  });
  const confirm = (event: Event) => {
    const f = formFields(event);
    attempt(async () => {
      const answer = await api.post<{ recovery_codes: string[] }>('/api/users/me/mfa/totp/confirm', { code: f.code });
      setEnrollment(null);
      setCodes(answer.recovery_codes);
      setNote({ ok: true, text: 'Multi-factor authentication is on' });
      load();
    });
  };
  const remove = (event: Event) => {
    const f = formFields(event);
    attempt(async () => {
      await api.del('/api/users/me/mfa', { password: f.password, code: f.code });
      setCodes(null);
      setNote({ ok: true, text: 'Multi-factor authentication removed' });
      load();
    });
  };
  return (
    <section class="panel" aria-labelledby="mfa-heading" data-testid="mfa">
      <h2 id="mfa-heading">Multi-factor authentication</h2>
      <Message note={note} />
      {status && !status.enabled && !enrollment && (
        <>
          <p>Off{status.required_by_policy ? ': your role must use it' : ''}. With it on, signing in asks for a code of an authenticator app after the password.</p>
          <button type="button" class="primary" onClick={begin}>Set up an authenticator app</button>
        </>
      )}
      {enrollment && (
        <div class="enroll">
          <p>Scan the code with the authenticator app, or type the key, then enter the code the app shows.</p>
          <img class="qr" data-testid="mfa-qr" alt="QR code of the authenticator key"
            src={`data:image/svg+xml;base64,${btoa(enrollment.qr_svg)}`} width="200" height="200" />
          <p>Key: <code data-testid="mfa-secret">{enrollment.secret}</code></p>
          <form class="grid-form" aria-label="Confirm the authenticator app" onSubmit={confirm}>
            <label>Code <input name="code" required inputMode="numeric" autocomplete="one-time-code" /></label>
            <button class="primary" type="submit">Confirm</button>
          </form>
        </div>
      )}
      {codes && (
        <div data-testid="recovery-codes">
          <p>Recovery codes: each works once in place of a code. Keep them somewhere safe; they are not shown again.</p>
          <ul class="codes">{codes.map((c) => <li key={c}><code>{c}</code></li>)}</ul>
        </div>
      )}
      {status?.enabled && (
        <>
          <p>On since {status.enabled_on}; {status.recovery_codes_left} recovery codes left.</p>
          <details>
            <summary>Remove it</summary>
            <form class="grid-form" aria-label="Remove multi-factor authentication" onSubmit={remove}>
              <label>Password <input name="password" type="password" required autocomplete="current-password" /></label>
              <label>Code <input name="code" required autocomplete="one-time-code" /></label>
              <button type="submit" class="danger">Remove</button>
            </form>
          </details>
        </>
      )}
    </section>
  );
}

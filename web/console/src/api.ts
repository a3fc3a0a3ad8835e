// Every call of the console goes through here: the session cookie is the only credential
// (credentials: 'same-origin'; no key is ever stored), and a browser's fetch sends Origin on
// writes, which is what the front door's cross-site check asks of a same-site page.

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly errorType?: string) {
    super(message);
  }
}

// Where a browser without a usable session goes: the front door's login page, which comes
// back here once signed in.
export const kLoginUrl = '/login?rd=/console/';

function toLogin(): never {
  window.location.assign(kLoginUrl);
  throw new ApiError(401, 'Signed out');
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  // The page's Referrer-Policy is no-referrer, under which a write would carry `Origin: null`
  // and fail the cross-site check; same-origin names the console's origin to itself only.
  const init: RequestInit = {
    method, credentials: 'same-origin', referrerPolicy: 'same-origin', headers: { Accept: 'application/json' },
  };
  if (body !== undefined) {
    init.headers = { ...init.headers, 'Content-Type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const type = response.headers.get('Content-Type') ?? '';
  const payload = type.includes('application/json') ? await response.json().catch(() => null) : await response.text();
  if (response.status === 401) toLogin();
  if (!response.ok) {
    const message = payload && typeof payload === 'object' && 'message' in payload
      ? String((payload as { message: unknown }).message)
      : `${response.status} ${response.statusText}`;
    const errorType = payload && typeof payload === 'object' && 'error_type' in payload
      ? String((payload as { error_type: unknown }).error_type) : undefined;
    // A session that owes a password change or an MFA set-up: the login page asks for it.
    if (errorType === 'password_change_required' || errorType === 'mfa_enrollment_required') toLogin();
    throw new ApiError(response.status, message, errorType);
  }
  return payload as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body?: unknown) => call<T>('POST', path, body ?? {}),
  put: <T>(path: string, body: unknown) => call<T>('PUT', path, body),
  del: <T>(path: string, body?: unknown) => call<T>('DELETE', path, body),
};

export interface User {
  identifier?: string;
  username: string;
  email?: string;
  name?: string | null;
  lastname?: string | null;
  role: { name: string; level: number };
}

export interface ActorActions {
  list_users: boolean;
  create_users: boolean;
  manage_roles: boolean;
  add_roles: boolean;
  read_audit: boolean;
  read_overview: boolean;
  manage_tpts: boolean;
  own_account: boolean;
}

// GET /api/overview (admin, sudo, auditor).
export interface ServiceOverview {
  time: string;
  live_sessions: number | null;
  logins: { since: string; failed: number; throttled: number };
  locked_accounts: number;
  audit: {
    head_seq: number;
    anchor_seq: number;
    last_verification: { time: string; timestamp: number; intact: boolean; seq: number; by: string } | null;
    events_stored: number | null;
    capacity_percent: number | null;
    write_failures: number | null;
  };
}

export interface TargetActions {
  edit: boolean;
  delete: boolean;
  change_password: boolean;
  reset_password: boolean;
  change_role: boolean;
  unlock: boolean;
  manage_sessions: boolean;
  reset_mfa: boolean;
}

export interface AuditEvent {
  time: string;
  timestamp: number;
  event: string;
  actor: string;
  target: string;
  address: string;
  outcome: 'success' | 'failure' | 'denied' | string;
  reason?: string;
}

// POST /api/users/audit/verify.
export interface ChainReport {
  intact: boolean;
  events_checked: number;
  first_seq: number;
  last_seq: number;
  head_mac: string;
  problem: { kind: string; id: number; seq: number; detail: string } | null;
}

export interface UserPage {
  data: User[];
  pagination: { page: number; limit: number; total_records: number; total_pages: number };
}

export interface SessionSummary {
  id: string;
  username: string;
  created_on: string;
  expires_on: string | null;
  last_used_on: string | null;
  client_address: string | null;
}

export interface OwnSession extends SessionSummary {
  current: boolean;
}

export interface PasswordRules {
  min_length: number;
  max_bytes: number;
  min_character_classes: number;
  dictionary_check: boolean;
  history: number;
  min_age_hours: number;
  max_age_days: number;
}

export interface MfaStatus {
  enabled: boolean;
  pending_enrollment: boolean;
  enabled_on: string | null;
  recovery_codes_left: number;
  required_by_policy: boolean;
}

export interface TptRecord {
  jti: string;
  role: string;
  created_on: string;
  expires_on: string | null;
  description: string;
  created_by: string;
  revoked: boolean;
}

export interface Role {
  identifier?: string;
  name: string;
  level: number;
}

// The API's message of a failed call, for showing next to what failed.
export function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.message : String(error);
}

// Ends the session (the front door's POST /logout) and goes to the login page. By fetch, not a
// form: a form posted under no-referrer says `Origin: null`, which the cross-site check refuses.
export async function signOut(): Promise<void> {
  await fetch('/logout', {
    method: 'POST', credentials: 'same-origin', referrerPolicy: 'same-origin', redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'rd=%2Fconsole%2F',
  });
  window.location.assign(kLoginUrl);
}

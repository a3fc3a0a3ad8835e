// The console's pages and who may see each: by the caller's actions (GET /api/users/me/actions),
// never by role names here.
import type { ActorActions } from './api';

export interface PageInfo {
  id: string;
  title: string;
  visible: (actions: ActorActions) => boolean;
}

export const kPages: PageInfo[] = [
  { id: 'overview', title: 'Overview', visible: () => true },
  { id: 'users', title: 'Users', visible: (a) => a.list_users },
  { id: 'audit', title: 'Audit', visible: (a) => a.read_audit },
  { id: 'signatures', title: 'Signatures', visible: (a) => a.own_account },
  { id: 'roles', title: 'Roles', visible: (a) => a.manage_roles || a.add_roles },
  { id: 'tokens', title: 'Tokens', visible: (a) => a.manage_tpts },
  { id: 'account', title: 'My account', visible: (a) => a.own_account },
];

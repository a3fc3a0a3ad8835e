// Who is signed in and what the policy lets them do: asked once, when the console opens.
import { api, type ActorActions, type User } from './api';

export interface Session {
  me: User;
  actions: ActorActions;
}

export async function loadSession(): Promise<Session> {
  const [me, actions] = await Promise.all([
    api.get<User>('/api/users/me'),
    api.get<{ actions: ActorActions }>('/api/users/me/actions'),
  ]);
  return { me, actions: actions.actions };
}

/** The console's only way to the server: the admin API, with the session's CSRF token on every change. */

export interface Session {
  user: { email: string; name?: string | null; roles: string[] };
  permissions: string[];
  csrfToken: string;
}

export const PERMISSION = {
  trackingRead: 'Gateway | Tracking | Read',
  heldRead: 'Account | Monitoring | Held | Read',
  heldEdit: 'Account | Monitoring | Held | Edit',
  admin: 'Account | Administration | Edit',
} as const;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken = '';

export function useCsrf(token: string): void {
  csrfToken = token;
}

const BASE = '/admin/api';

async function failure(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  return new ApiError(res.status, body?.error?.message ?? `${res.status} ${res.statusText}`);
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  const res = await fetch(BASE + path, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (!res.ok) throw await failure(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export async function apiText(path: string): Promise<string> {
  const res = await fetch(BASE + path, { credentials: 'same-origin' });
  if (!res.ok) throw await failure(res);
  return res.text();
}

export const may = (session: Session, permission: string): boolean => session.permissions.includes(permission);

export function when(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '—' : new Date(ms).toLocaleString();
}

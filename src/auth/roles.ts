/** Permissions in Mimecast's own wording, and the roles that grant them (shared by all dialects). */
export const PERMISSION = {
  send: 'Email | Send',
  trackingRead: 'Gateway | Tracking | Read',
  heldRead: 'Account | Monitoring | Held | Read',
  heldEdit: 'Account | Monitoring | Held | Edit',
  heldSummaryRead: 'Account | Monitoring | Held Summary | Read',
  // Mimecast's own wording for get-account and get-internal-users (docs/vendor-apis.md).
  accountRead: 'Accounts | Dashboard | Read',
  directoryRead: 'Directories | Internal | Read',
  admin: 'Account | Administration | Edit',
} as const;
export type Permission = (typeof PERMISSION)[keyof typeof PERMISSION];

export const ROLES: Record<string, readonly Permission[]> = {
  user: [PERMISSION.send],
  tracking: [PERMISSION.send, PERMISSION.trackingRead],
  'held-reviewer': [PERMISSION.send, PERMISSION.heldRead, PERMISSION.heldEdit, PERMISSION.heldSummaryRead],
  admin: Object.values(PERMISSION),
};

export function isRole(name: string): boolean {
  return Object.hasOwn(ROLES, name);
}

export function hasPermission(roles: readonly string[], permission: Permission): boolean {
  return roles.some((role) => ROLES[role]?.includes(permission) ?? false);
}

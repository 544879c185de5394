/** Schemas of the console's own admin routes: the session (session.ts) and the overview (overview.ts). */
import { bool, epochMs, int, list, nullable, obj, responses, str, strings, type RouteSchema } from '../schemas.js';

const tags = ['console'];

const session = obj(
  {
    signedIn: bool,
    user: obj({ email: str(), name: nullable(str()), roles: strings }, ['email', 'roles']),
    permissions: strings,
    csrfToken: str('send as x-csrf-token on every call that changes something; empty for signed requests'),
  },
  ['signedIn', 'permissions', 'csrfToken'],
);

export const sessionSchemas: Record<'signIn' | 'show' | 'signOut', RouteSchema> = {
  signIn: {
    summary: 'Console sign-in (HTTPS only): sets the HttpOnly session cookie',
    tags,
    security: [],
    body: {
      ...obj({ email: { type: 'string', minLength: 1, maxLength: 320 }, password: { type: 'string', minLength: 1, maxLength: 1024 } }),
      additionalProperties: false,
    },
    response: responses({ 200: session }),
  },
  show: { summary: 'Who is signed in, their permissions and the CSRF token (signedIn false when no one)', tags, security: [], response: responses({ 200: session }) },
  signOut: { summary: 'Console sign-out', tags, response: responses({ 204: null }) },
};

const activity = obj({
  bucketMs: int('bucket width'),
  points: list(obj({ at: epochMs('bucket start'), accepted: int(), delivered: int(), deferred: int(), bounced: int(), held: int() })),
});

export const overviewSchema: RouteSchema = {
  summary: 'Traffic per minute (last hour) and per hour (last week), queue depth, held count, split by way in',
  tags,
  response: responses({
    200: obj({
      at: epochMs(),
      lastHour: activity,
      lastWeek: activity,
      queue: obj({ waiting: int('recipients queued or deferred'), oldestReceivedAt: nullable(epochMs()) }),
      held: int('messages held now'),
      dialects: list(obj({ source: str(), count: int() })),
    }),
  }),
};

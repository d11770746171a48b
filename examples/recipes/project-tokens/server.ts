// OnetSolutions (seed 002): account API keys and project tokens limited to one project.
//
//   Settings > API Keys           /v1/account/keys…                 organization admins
//   Settings > Project > Tokens   /v1/projects/:projectId/keys…     confined to that project
//   the API itself                GET /v1/instances, GET /v1/projects/:projectId/instances  (Bearer key)
//
// Management routes are keysmith's admin API (create 201 with the token once, list with name,
// createdAt, lastUsedAt, expiresAt, DELETE 204 = immediate, permanent revoke).
import express, { type Request } from 'express';
import { canAccess, createKeyring, type KeyStore } from 'keysmith';
import { adminRouter, apiKeyAuth } from 'keysmith/express';
import { authorizeByRole } from 'keysmith/http';
import { memoryStore } from 'keysmith/memory';
import { type BaseRecipeOptions, listen, type RunningRecipe } from '../shared.js';

/** The signed-in user, from your own login (here: whatever `identify` says). */
export interface RecipeOptions extends BaseRecipeOptions {
  /** @default memoryStore() — pass postgresStore/mongoStore in production */
  store?: KeyStore;
}

export const SCOPES = ['instances:read', 'instances:write', 'projects:read', 'billing:read'] as const;
/** Demo data: every organization has two projects with one instance each. */
const INSTANCES = [
  { id: 'vps-1', name: 'web-1', projectId: 'p1' },
  { id: 'vps-2', name: 'db-1', projectId: 'p2' },
];

export async function start({ port = 0, identify, store = memoryStore() }: RecipeOptions): Promise<RunningRecipe> {
  const keyring = createKeyring({ store, prefix: 'onet', scopes: SCOPES });
  const app = express();

  // Organization admins manage account keys; `admin` or `project-admin:<id>` manage a project's tokens; others get 403.
  const session = (req: Request) => identify(req.headers);
  const accountAdmin = authorizeByRole(session, { admin: ['admin'] });

  // The API: routes first, so the admin mounts below never see them.
  app.get('/v1/instances', apiKeyAuth(keyring, { scopes: ['instances:read'] }), (req, res) => {
    res.json({ data: INSTANCES.filter((i) => canAccess(req.apiKey!, 'project', i.projectId)) });
  });
  app.get(
    '/v1/projects/:projectId/instances',
    apiKeyAuth(keyring, { scopes: ['instances:read'], resource: (req) => ({ kind: 'project', id: String(req.params.projectId) }) }),
    (req, res) => void res.json({ data: INSTANCES.filter((i) => i.projectId === req.params.projectId) }),
  );

  app.use('/v1/account', adminRouter(keyring, { authorize: accountAdmin }));
  // A project token is a key whose resources.project is [projectId]: the confined actor lists only
  // those, sees every other key as unknown, and mints keys limited to that project.
  app.use(
    '/v1/projects/:projectId',
    adminRouter(keyring, {
      authorize: async (req) => {
        const project = String(req.params.projectId);
        const actor = await authorizeByRole(session, { admin: ['admin', `project-admin:${project}`] })(req);
        return actor && { ...actor, resource: `project:${project}` };
      },
    }),
  );

  return listen(app, port);
}

// Runs one recipe on a fixed port, with a header sign-in in place of the system's real login:
//
//   npx tsx examples/recipes/run.ts project-tokens          # PORT=3000 by default
//   curl -H 'x-user: u1' -H 'x-tenant: org1' -H 'x-roles: admin' -H 'content-type: application/json' \
//        -d '{"name":"CI/CD Pipeline","scopes":["instances:read"]}' http://127.0.0.1:3000/v1/account/keys
//
// x-user, x-tenant and x-roles (comma-separated) name the caller. Never deploy this sign-in.
import type { IncomingHttpHeaders } from 'node:http';

const RECIPES = ['service-keys-mcp', 'tenant-keys-mcp', 'project-mcp-keys-mongo', 'project-tokens'];
const name = process.argv[2] ?? '';
if (!RECIPES.includes(name)) {
  console.error(`usage: tsx examples/recipes/run.ts <${RECIPES.join('|')}>`);
  process.exit(2);
}

function identify(headers: IncomingHttpHeaders) {
  const [userId, tenantId, roles] = [headers['x-user'], headers['x-tenant'], headers['x-roles']];
  if (typeof userId !== 'string' || typeof tenantId !== 'string') return null;
  return { userId, tenantId, roles: typeof roles === 'string' ? roles.split(',').filter(Boolean) : [] };
}

const recipe = (await import(`./${name}/server.ts`)) as {
  start(options: { port?: number; identify: typeof identify }): Promise<{ url: string; close(): Promise<void> }>;
};
const server = await recipe.start({ port: Number(process.env.PORT ?? 3000), identify });
console.log(`${name} on ${server.url} (sign in with x-user, x-tenant, x-roles headers)`);
process.on('SIGINT', () => void server.close().then(() => process.exit(0)));

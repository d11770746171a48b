export { keysmithPlugin, authorizeWithKey, type KeysmithPluginOptions, type FastifyAuthOptions, type ApiKeyPreHandler } from './plugin.js';
export { keysmithAdmin, type KeysmithAdminOptions } from './admin.js';
export type { AdminActor, AdminMapping, AdminOptions, AuthenticatedKey, ResourceRef } from 'keysmith/http';

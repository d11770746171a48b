export { apiKeyAuth, withApiKey, authorizeWithKey, type HonoAuthOptions, type KeysmithEnv, type KeysmithVariables } from './auth.js';
export { adminApp } from './admin.js';
export type { AdminActor, AdminMapping, AdminOptions, AuthenticatedKey, ResourceRef } from 'keysmith/http';

export { apiKeyAuth, authorizeWithKey, type ExpressAuthOptions } from './auth.js';
export { adminRouter } from './admin.js';
export type { AdminActor, AdminMapping, AdminOptions, AuthenticatedKey, ResourceRef } from 'keysmith/http';

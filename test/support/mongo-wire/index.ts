/** A small MongoDB wire-protocol server for tests (mingo + bson); see server.ts. */
export { startMongoWireServer, type MongoWireServer } from './server.js';
export { MAX_WIRE_VERSION } from './commands.js';

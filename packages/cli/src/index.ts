export { createStore } from './create-store.js';
export { loadConfig, parseConfig, applyOverrides, overridesFromEnv, configSchema, ConfigError, DEV_CREDENTIALS, BACKEND_TYPES } from './config.js';
export type { MpuConfig, BackendConfig, BackendType, ConfigOverrides } from './config.js';
export { startServer } from './serve.js';
export type { RunningServer } from './serve.js';
export { parseDuration } from './duration.js';
export { allUploads, abortUploadById } from './uploads-command.js';

import { defineBackendSuite } from './suite/backend-suite.js';

defineBackendSuite('gcs', { libStorageMiB: 64 });

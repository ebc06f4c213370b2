import { defineBackendSuite } from './suite/backend-suite.js';

defineBackendSuite('level', { libStorageMiB: 256 });

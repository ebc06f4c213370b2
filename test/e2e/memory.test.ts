import { defineBackendSuite } from './suite/backend-suite.js';

defineBackendSuite('memory', { libStorageMiB: 64 });

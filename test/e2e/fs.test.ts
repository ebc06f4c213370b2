import { defineBackendSuite } from './suite/backend-suite.js';

defineBackendSuite('fs', { libStorageMiB: 256 });

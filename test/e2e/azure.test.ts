import { defineBackendSuite } from './suite/backend-suite.js';

defineBackendSuite('azure', { libStorageMiB: 64 });

import { type RunningAzurite, startAzurite } from '@mpu/azurite-runner';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of the account the azure tests run against (Azurite or real). */
    azureConnectionString: string;
    /** True when the tests run against Azurite, false for a real account. */
    azureIsEmulator: boolean;
  }
}

/**
 * Vitest global setup for the `azure` project. With `MPU_AZURE_CONNECTION_STRING` set, the
 * tests run against that account; otherwise an in-memory Azurite (blob service only) starts on
 * a free loopback port, with telemetry off because it would try to reach the internet.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env['MPU_AZURE_CONNECTION_STRING'];
  if (external) {
    project.provide('azureConnectionString', external);
    project.provide('azureIsEmulator', false);
    return async () => {};
  }
  const azurite: RunningAzurite = await startAzurite();
  project.provide('azureConnectionString', azurite.connectionString);
  project.provide('azureIsEmulator', true);
  return () => azurite.stop();
}

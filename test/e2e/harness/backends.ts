import { startGcsTestServer } from '../../emulators/gcs/src/index.js';
import { startAzurite } from '@mpu/azurite-runner';
import { type MpuServerProcess, startMpuServer } from './mpu-server.js';

export type BackendName = 'fs' | 'level' | 'memory' | 'azure' | 'gcs';

export interface BackendServer {
  readonly backend: BackendName;
  readonly server: MpuServerProcess;
  /** Stops the mpu process, then whatever emulator the backend needed. */
  stop(): Promise<void>;
}

const GCS_BUCKET = 'mpu-e2e';

/**
 * `mpu serve` on one backend, configured the way an operator would: fs and level through the
 * `--backend` / `--data-dir` flags, azure and gcs through
 * `mpu.config.json` (only the config file can carry their settings), memory through MPU_BACKEND.
 */
export async function startBackendServer(backend: BackendName): Promise<BackendServer> {
  switch (backend) {
    case 'fs':
    case 'level': {
      // The data directory lives in the server's own temp work dir (relative to its cwd).
      const server = await startMpuServer({ args: ['--backend', backend, '--data-dir', 'data'] });
      return { backend, server, stop: async () => void (await server.stop()) };
    }
    case 'memory': {
      // Through the environment, the third way to configure (after flags and the file).
      const server = await startMpuServer({ env: { MPU_BACKEND: 'memory' } });
      return { backend, server, stop: async () => void (await server.stop()) };
    }
    case 'azure': {
      const azurite = await startAzurite();
      try {
        const server = await startMpuServer({
          config: { backend: { type: 'azure', connectionString: azurite.connectionString, container: 'mpu-e2e', createContainer: true } },
        });
        return { backend, server, stop: async () => { await server.stop(); await azurite.stop(); } };
      } catch (error) {
        await azurite.stop();
        throw error;
      }
    }
    case 'gcs': {
      // In-process: the test server has no auth and listens on loopback only.
      const gcs = await startGcsTestServer({ host: '127.0.0.1', port: 0, buckets: [GCS_BUCKET] });
      try {
        const server = await startMpuServer({
          config: { backend: { type: 'gcs', bucket: GCS_BUCKET, apiEndpoint: gcs.url, projectId: 'test' } },
        });
        return { backend, server, stop: async () => { await server.stop(); await gcs.close(); } };
      } catch (error) {
        await gcs.close();
        throw error;
      }
    }
  }
}

/**
 * OpenStack Swift with its s3api middleware, as a peer of the end-to-end suite: a one-replica,
 * one-device cluster in a temp dir on 127.0.0.1 (proxy, account, container and object servers,
 * memcached), configured the way an operator would run it on this machine — `workers` = core
 * count for the proxy and object servers. Installed by `scripts/setup-swift.sh` (Debian's
 * packages); where they are missing, `swiftAvailability()` says why and the suite skips Swift.
 *
 * s3api: https://docs.openstack.org/swift/latest/middleware.html#module-swift.common.middleware.s3api.s3api
 * (multipart uploads are SLO manifests, so `slo` must follow the auth middleware in the pipeline;
 * tempauth S3 keys are `account:user` / the user's key).
 * Deployment guide (rings, `mount_check`, workers): https://docs.openstack.org/swift/latest/deployment_guide.html
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';
import { ownChild, stopChild } from './services.js';

const run = promisify(execFile);
const BIN = '/usr/bin';
const SERVERS = ['account', 'container', 'object', 'proxy'] as const;
type SwiftServer = (typeof SERVERS)[number];

/** tempauth user `bench:tester` (an S3 access key is `account:user`, its secret the user's key). */
export const SWIFT_CREDENTIALS = { accessKeyId: 'bench:tester', secretAccessKey: 'bench-secret' };

/** undefined when Swift can run here, else why not (shown in the report). */
export function swiftAvailability(): string | undefined {
  const missing = [...SERVERS.map((s) => `swift-${s}-server`), 'swift-ring-builder', 'memcached'].filter((bin) => !existsSync(join(BIN, bin)));
  if (missing.length > 0) return `OpenStack Swift is not installed (missing ${missing.join(', ')}); run scripts/setup-swift.sh as root`;
  if (!existsSync('/etc/swift/swift.conf')) return 'OpenStack Swift has no /etc/swift/swift.conf (its hash path settings); run scripts/setup-swift.sh as root';
  if (process.getuid?.() !== 0) return 'the Swift peer runs its servers as root (`user = root`); run the benchmark as root';
  return undefined;
}

export interface RunningSwift {
  readonly url: string;
  /** Root pids of every Swift process (servers with their workers, memcached), for CPU and RSS. */
  readonly pids: readonly number[];
  /** The proxy server's primary pid. */
  readonly proxyPid: number;
  stop(): Promise<void>;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

async function waitListening(port: number, what: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}: ${stderr()}`);
    if (Date.now() > deadline) throw new Error(`${what} did not listen on 127.0.0.1:${port} in 60 s: ${stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function serverConf(server: SwiftServer, port: number, dir: string, workers: number, memcachePort: number): string {
  // Logs go to syslog over UDP (no /dev/log here) and are discarded; WARNING keeps per-request
  // access lines out, as mpu's benchmark server logs nothing per request either.
  const common = [
    '[DEFAULT]', 'bind_ip = 127.0.0.1', `bind_port = ${port}`, `swift_dir = ${join(dir, 'etc')}`, `devices = ${join(dir, 'srv')}`,
    'mount_check = false', 'user = root', `workers = ${workers}`, 'log_level = WARNING', '',
  ];
  if (server === 'proxy') {
    return [
      ...common,
      '[pipeline:main]',
      'pipeline = catch_errors gatekeeper healthcheck cache listing_formats s3api tempauth copy slo dlo proxy-server', '',
      '[app:proxy-server]', 'use = egg:swift#proxy', 'account_autocreate = true', '',
      '[filter:catch_errors]', 'use = egg:swift#catch_errors', '',
      '[filter:gatekeeper]', 'use = egg:swift#gatekeeper', '',
      '[filter:healthcheck]', 'use = egg:swift#healthcheck', '',
      '[filter:cache]', 'use = egg:swift#memcache', `memcache_servers = 127.0.0.1:${memcachePort}`, '',
      '[filter:listing_formats]', 'use = egg:swift#listing_formats', '',
      '[filter:s3api]', 'use = egg:swift#s3api', 'location = us-east-1', '',
      '[filter:tempauth]', 'use = egg:swift#tempauth', `user_bench_tester = ${SWIFT_CREDENTIALS.secretAccessKey} .admin`, '',
      '[filter:copy]', 'use = egg:swift#copy', '',
      // s3api allows 10,000 parts; SLO must accept as many segments.
      '[filter:slo]', 'use = egg:swift#slo', 'max_manifest_segments = 10000', '',
      '[filter:dlo]', 'use = egg:swift#dlo', '',
    ].join('\n');
  }
  return [...common, '[pipeline:main]', `pipeline = ${server}-server`, '', `[app:${server}-server]`, `use = egg:swift#${server}`, ''].join('\n');
}

/** Builds the one-replica rings and starts memcached and the four servers; resolves when all listen. */
export async function startSwift(dir: string, workers = cpus().length): Promise<RunningSwift> {
  const etc = join(dir, 'etc');
  await mkdir(etc, { recursive: true });
  await mkdir(join(dir, 'srv', 'd1'), { recursive: true });
  const ports = { account: await freePort(), container: await freePort(), object: await freePort(), proxy: await freePort(), memcached: await freePort() };
  for (const ring of ['account', 'container', 'object'] as const) {
    const builder = join(etc, `${ring}.builder`);
    // part power 8: a one-device cluster needs no more partitions, and small rings build fast.
    await run(join(BIN, 'swift-ring-builder'), [builder, 'create', '8', '1', '1']);
    await run(join(BIN, 'swift-ring-builder'), [builder, 'add', `r1z1-127.0.0.1:${ports[ring]}/d1`, '100']);
    await run(join(BIN, 'swift-ring-builder'), [builder, 'rebalance']).catch((error: { code?: number }) => {
      if (error.code !== 1) throw error; // 1 = warnings (e.g. one device); 2 = failure
    });
  }
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const child of children.reverse()) await stopChild(child);
  };
  try {
    const start = async (what: string, bin: string, args: string[], port: number): Promise<ChildProcess> => {
      const child = ownChild(spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] }));
      children.push(child);
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
      await waitListening(port, what, child, () => stderr);
      return child;
    };
    const memcached = await start('memcached', join(BIN, 'memcached'), ['-l', '127.0.0.1', '-p', String(ports.memcached), '-U', '0', '-u', 'root', '-m', '64'], ports.memcached);
    const pids = [memcached.pid ?? -1];
    let proxyPid = -1;
    for (const server of SERVERS) {
      const conf = join(etc, `${server}-server.conf`);
      const serverWorkers = server === 'proxy' || server === 'object' ? workers : 1;
      await writeFile(conf, serverConf(server, ports[server], dir, serverWorkers, ports.memcached));
      const child = await start(`swift-${server}-server`, join(BIN, `swift-${server}-server`), [conf], ports[server]);
      pids.push(child.pid ?? -1);
      if (server === 'proxy') proxyPid = child.pid ?? -1;
    }
    return { url: `http://127.0.0.1:${ports.proxy}`, pids, proxyPid, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

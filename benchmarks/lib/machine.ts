import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly kernel: string;
  readonly node: string;
  readonly openssl: string;
  readonly gitCommit: string;
  /** True when the working tree had uncommitted changes at the start of the run. */
  readonly gitDirty: boolean;
  readonly packages: Readonly<Record<string, string>>;
  /** 1-minute load average when the run started (other work on a shared machine skews figures). */
  readonly loadAverageAtStart: number;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function tryRun(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** Installed version, read from node_modules (exports maps hide `<name>/package.json` from resolve). */
function versionOf(name: string): string {
  try {
    const path = fileURLToPath(new URL(`../node_modules/${name}/package.json`, import.meta.url));
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

const WORKSPACE = ['core', 'fs', 'level', 'azure', 'gcs', 's3'];
const THIRD_PARTY = ['tinybench', 's3rver', '@aws-sdk/client-s3', '@aws-sdk/lib-storage', 'vega', 'vega-lite'];

export function machineInfo(): MachineInfo {
  const packages: Record<string, string> = {};
  for (const name of WORKSPACE) {
    const path = fileURLToPath(new URL(`../../packages/${name}/package.json`, import.meta.url));
    try {
      packages[`@mpu/${name}`] = (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
    } catch {
      packages[`@mpu/${name}`] = 'unknown';
    }
  }
  for (const name of THIRD_PARTY) packages[name] = versionOf(name);
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryBytes: totalmem(),
    kernel: release(),
    node: process.version,
    openssl: tryRun('openssl', ['version']),
    gitCommit: tryRun('git', ['rev-parse', 'HEAD']),
    gitDirty: tryRun('git', ['status', '--porcelain', '--', 'packages', 'benchmarks', ':(exclude)benchmarks/results']) !== '',
    packages,
    loadAverageAtStart: loadavg()[0] ?? Number.NaN,
  };
}

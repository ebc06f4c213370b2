/**
 * SVG charts of one run, rendered headless with Vega-Lite → Vega (no browser, no canvas):
 * throughput by backend and part size, Complete latency, ratios to the same-run baselines, and
 * ingest against openssl.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { type Figure, sizeLabel } from './lib/figures.js';

async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

interface Row {
  backend: string;
  object: string;
  objectBytes: number;
  parts: string;
  value: number;
  min: number;
  max: number;
}

function caseRows(figures: readonly Figure[], suffix: string): Row[] {
  return figures.filter((f) => f.id.endsWith(suffix) && (f.suite === 'assembly' || f.suite === 'baseline') && (f.id.split('.').length === 5 || f.id.includes('.tiny.')))
    .map((f) => ({
      backend: String(f.params['backend']),
      object: f.id.includes('.tiny.') ? `${f.params['parts']} tiny parts` : sizeLabel(Number(f.params['objectBytes'])),
      objectBytes: Number(f.params['objectBytes']),
      parts: `${f.params['parts']} × ${sizeLabel(Number(f.params['partBytes']))}`,
      value: f.median, min: f.min, max: f.max,
    }));
}

function barsWithRange(title: string, rows: Row[], yTitle: string, log: boolean): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: rows },
    facet: { column: { field: 'object', title: 'object size', sort: { field: 'objectBytes', op: 'max' } } },
    spec: {
      width: 260,
      height: 220,
      layer: [
        {
          mark: 'bar',
          encoding: {
            x: { field: 'parts', title: 'parts', type: 'nominal', axis: { labelLimit: 200 } },
            xOffset: { field: 'backend' },
            y: { field: 'value', type: 'quantitative', title: yTitle, scale: log ? { type: 'log' } : {} },
            color: { field: 'backend', type: 'nominal' },
            tooltip: [{ field: 'backend' }, { field: 'value', format: '.1f' }],
          },
        },
        {
          mark: { type: 'rule', color: 'black' },
          encoding: {
            x: { field: 'parts', type: 'nominal' },
            xOffset: { field: 'backend' },
            y: { field: 'min', type: 'quantitative' },
            y2: { field: 'max' },
          },
        },
      ],
    },
    resolve: { scale: { x: 'independent' } },
  };
}

interface RatioRow {
  what: string;
  backend: string;
  ratio: number;
}

function ratioRows(figures: readonly Figure[]): RatioRow[] {
  const rows: RatioRow[] = [];
  const byId = new Map(figures.map((f) => [f.id, f]));
  for (const f of figures) {
    const match = /^assembly\.([^.]+)\.([^.]+\.[^.]+|tiny)\.(readMBps|assemblyMBps)$/.exec(f.id);
    if (!match) continue;
    const [, backend, caseId, metric] = match as unknown as [string, string, string, string];
    const base = byId.get(`baseline.cat.${caseId}.${metric === 'readMBps' ? 'readMBps' : 'assembleMBps'}`);
    // Compare like with like: a backend that ran fewer tiny parts than the baseline is left out.
    if (!base || base.params['parts'] !== f.params['parts']) continue;
    rows.push({
      what: `${caseId.replace('.', ' in ')} ${metric === 'readMBps' ? 'read-back ÷ cat > /dev/null' : 'assembly ÷ cat > file'}`,
      backend: backend!,
      ratio: f.median / base.median,
    });
  }
  for (const f of figures) {
    const match = /^assembly\.([^.]+)\.([^.]+\.[^.]+)\.hotReadMBps$/.exec(f.id);
    const cat = match ? byId.get(f.id.replace(/hotReadMBps$/, 'catHotReadMBps')) : undefined;
    if (!match || !cat) continue;
    rows.push({ what: `${match[2]!.replace('.', ' in ')} hot read-back ÷ cat of the same files (hot)`, backend: match[1]!, ratio: f.median / cat.median });
  }
  const ingestBase = byId.get('baseline.openssl.md5.MBps');
  for (const f of figures) {
    if (f.suite !== 'ingest' || !ingestBase) continue;
    rows.push({ what: `ingest ${f.id.replace(/^ingest\.fs\./, '').replace(/\.MBps$/, '')} ÷ openssl md5`, backend: 'fs', ratio: f.median / ingestBase.median });
  }
  return rows;
}

function ratioChart(rows: RatioRow[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Ratio to the same-run baseline (medians; log scale; 1 = baseline)',
    data: { values: rows },
    width: 520,
    height: { step: 12 },
    layer: [
      {
        mark: 'bar',
        encoding: {
          y: { field: 'what', type: 'nominal', title: null, axis: { labelLimit: 400 } },
          yOffset: { field: 'backend' },
          x: { field: 'ratio', type: 'quantitative', scale: { type: 'log' }, title: 'ratio to baseline' },
          color: { field: 'backend', type: 'nominal' },
        },
      },
      { mark: { type: 'rule', color: 'black' }, encoding: { x: { datum: 1 } } },
    ],
  };
}

function ingestChart(figures: readonly Figure[]): TopLevelSpec | undefined {
  const rows = figures.filter((f) => f.suite === 'ingest').map((f) => ({
    what: `${f.params['inFlight']} in flight, ${f.params['checksum'] === 'none' ? 'MD5' : `MD5+${f.params['checksum']}`}, fsync ${f.params['fsync'] ? 'on' : 'off'}`,
    value: f.median, min: f.min, max: f.max,
  }));
  const openssl = figures.find((f) => f.id === 'baseline.openssl.md5.MBps');
  if (rows.length === 0 || !openssl) return undefined;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `UploadPart ingest on fs (MB/s; lines: openssl md5 ${openssl.median.toFixed(0)} and 0.7× of it)`,
    data: { values: rows },
    width: 480,
    height: { step: 18 },
    layer: [
      { mark: 'bar', encoding: { y: { field: 'what', type: 'nominal', title: null, sort: null, axis: { labelLimit: 400 } }, x: { field: 'value', type: 'quantitative', title: 'MB/s (median)' } } },
      { mark: { type: 'rule', color: 'black' }, encoding: { y: { field: 'what', type: 'nominal', sort: null }, x: { field: 'min', type: 'quantitative' }, x2: { field: 'max' } } },
      { mark: { type: 'rule', color: 'red' }, encoding: { x: { datum: openssl.median } } },
      { mark: { type: 'rule', color: 'red', strokeDash: [4, 4] }, encoding: { x: { datum: 0.7 * openssl.median } } },
    ],
  };
}

/** Writes the charts into `dir`; returns the file names written. */
export async function writeCharts(dir: string, figures: readonly Figure[]): Promise<string[]> {
  const charts: [string, TopLevelSpec | undefined][] = [
    ['assembly-throughput.svg', barsWithRange('Effective assembly throughput: object bytes ÷ Complete time (MB/s, log; cat = copy baseline)',
      [...caseRows(figures, '.assemblyMBps'), ...caseRows(figures, '.assembleMBps')], 'MB/s (median, min–max)', true)],
    ['complete-latency.svg', barsWithRange('Complete latency by backend and part size (ms, log)', caseRows(figures, '.completeMs'), 'ms (median, min–max)', true)],
    ['read-back.svg', barsWithRange('Read-back of the assembled object (MB/s; cat = part files to /dev/null)', caseRows(figures, '.readMBps'), 'MB/s (median, min–max, log)', true)],
    ['ratio-to-baseline.svg', ratioChart(ratioRows(figures))],
    ['ingest.svg', ingestChart(figures)],
  ];
  const written: string[] = [];
  for (const [name, spec] of charts) {
    if (!spec) continue;
    await writeFile(join(dir, name), await renderSvg(spec));
    written.push(name);
  }
  return written;
}

/**
 * Rounds that decide: the two sides of a comparison run interleaved for several rounds after a
 * warm-up, and each measure is reported as the median of the per-round ratios with its min–max.
 * A ratio taken inside one round compares the sides under the same machine load; its spread over
 * the rounds says whether a difference is the code or the noise (the machine is shared).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a side's run returns: named figures (rates, latencies, seconds …). */
export type Figures = Record<string, number>;

export interface Measure<F extends Figures> {
  key: keyof F & string;
  label: string;
  unit: string;
  /** Digits shown for the sides' medians. Default 0. */
  digits?: number;
}

export interface RoundsOptions<F extends Figures> {
  rounds: number;
  /** Runs of each side before the measured rounds (JIT, caches, Redis memory). Default 1. */
  warmups?: number;
  ours: () => Promise<F>;
  theirs: () => Promise<F>;
  /** Called after each measured round, e.g. to print it. */
  onRound?: (round: number, ours: F, theirs: F) => void;
}

export interface RoundsResult<F extends Figures> {
  ours: F[];
  theirs: F[];
}

/**
 * Runs `ours` and `theirs` alternately: after the warm-up, round r runs theirs first when r is
 * even and ours first when it is odd (ABBA), so a drift in load favours neither side.
 */
export async function interleave<F extends Figures>(options: RoundsOptions<F>): Promise<RoundsResult<F>> {
  for (let i = 0; i < (options.warmups ?? 1); i += 1) {
    await options.theirs();
    await options.ours();
  }
  const result: RoundsResult<F> = { ours: [], theirs: [] };
  for (let round = 0; round < options.rounds; round += 1) {
    let ours: F;
    let theirs: F;
    if (round % 2 === 0) {
      theirs = await options.theirs();
      ours = await options.ours();
    } else {
      ours = await options.ours();
      theirs = await options.theirs();
    }
    result.ours.push(ours);
    result.theirs.push(theirs);
    options.onRound?.(round + 1, ours, theirs);
  }
  return result;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export interface RatioSummary {
  oursMedian: number;
  theirsMedian: number;
  /** Median of the per-round ratios ours/theirs. */
  ratio: number;
  min: number;
  max: number;
}

/** Per-round ratios ours/theirs of one measure, summarised. */
export function summarise<F extends Figures>(result: RoundsResult<F>, key: keyof F & string): RatioSummary {
  const ratios = result.ours.map((ours, index) => (ours[key] ?? Number.NaN) / (result.theirs[index]?.[key] ?? Number.NaN));
  return {
    oursMedian: median(result.ours.map((figures) => figures[key] ?? Number.NaN)),
    theirsMedian: median(result.theirs.map((figures) => figures[key] ?? Number.NaN)),
    ratio: median(ratios),
    min: Math.min(...ratios),
    max: Math.max(...ratios),
  };
}

/** A table of the measures: the sides' medians, the median ratio and its min–max over the rounds. */
export function ratioTable<F extends Figures>(
  result: RoundsResult<F>,
  measures: readonly Measure<F>[],
  names: { ours: string; theirs: string },
): string {
  const rows = measures.map((measure) => {
    const summary = summarise(result, measure.key);
    const digits = measure.digits ?? 0;
    return [
      `${measure.label} (${measure.unit})`,
      summary.oursMedian.toFixed(digits),
      summary.theirsMedian.toFixed(digits),
      summary.ratio.toFixed(2),
      `${summary.min.toFixed(2)}–${summary.max.toFixed(2)}`,
    ];
  });
  const header = ['measure', `${names.ours} (median)`, `${names.theirs} (median)`, 'ratio (median)', 'ratio min–max'];
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/** The machine's load average (1, 5, 15 min) and core count, for the record next to the figures. */
export function machineLoad(): string {
  return `load average ${os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')} on ${os.cpus().length} CPUs`;
}

const PROFILE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../data/profiles');

/** Where a bench writes a CPU profile named `<name>-<time>.cpuprofile` (under data/, not committed). */
export function profilePath(name: string): string {
  mkdirSync(PROFILE_DIR, { recursive: true });
  return path.join(PROFILE_DIR, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
}

/**
 * Runs `work` under V8's CPU profiler in this process and writes the profile (open it in Chrome
 * DevTools or speedscope); returns the path. Run it outside the measured rounds: sampling slows
 * the side it watches.
 */
export async function withCpuProfile<T>(name: string, work: () => Promise<T>): Promise<{ value: T; file: string }> {
  const file = profilePath(name);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return { value: await work(), file };
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** The functions with the most self time in a .cpuprofile, as "share  name  file:line" lines. */
export function topSelfTime(profile: { nodes: ProfileNode[]; samples?: number[] }, count = 15): string[] {
  const byNode = new Map<number, number>();
  for (const sample of profile.samples ?? []) byNode.set(sample, (byNode.get(sample) ?? 0) + 1);
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'}  ${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + (byNode.get(node.id) ?? 0));
  }
  const total = profile.samples?.length ?? 1;
  return [...byFunction.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, samples]) => `${((samples / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
}

/**
 * Node arguments that make a child process write its CPU profiles into the directory `dir` when
 * it exits: one file per thread (tsx's module loader runs on a thread of its own); the main
 * thread's is the largest.
 */
export function childProfileArgs(dir: string): string[] {
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

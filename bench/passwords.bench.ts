/**
 * What the password strength estimator (zxcvbn-ts with its common dictionaries) costs: loading it
 * once per process (time and heap), and one check, against the scrypt hash every signup and reset
 * pays anyway, in the same run as a ratio. Run with --expose-gc for a steadier heap figure.
 *
 * Usage: npm run bench:passwords [-- --checks 2000 --hashes 10]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
// White-box, as a benchmark may be: the two costs of a password, side by side.
// eslint-disable-next-line boundaries/dependencies
import { hashPassword, passwordWeakness } from '../src/modules/accounts/passwords.ts';

const { values } = parseArgs({ options: { checks: { type: 'string', default: '2000' }, hashes: { type: 'string', default: '10' } } });
const CHECKS = Number(values.checks);
const HASHES = Number(values.hashes);
const gc = (globalThis as { gc?: () => void }).gc;

const PASSWORDS = ['blue ocean 7 waves', 'Passw0rd!', 'qwerty12', '서울숲 산책길 2026', 'Seoul-river-2026!', 'minji2024!!', 'correct horse battery', 'aaaaaaaaaa'];
const person = { email: 'minji2024@example.com', name: '김민지' };

gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const loadStarted = performance.now();
await passwordWeakness('first check loads the estimator', person);
const loadMs = performance.now() - loadStarted;
gc?.();
const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;

const checkStarted = performance.now();
for (let i = 0; i < CHECKS; i += 1) await passwordWeakness(PASSWORDS[i % PASSWORDS.length] ?? '', person);
const checkMs = (performance.now() - checkStarted) / CHECKS;

const hashStarted = performance.now();
for (let i = 0; i < HASHES; i += 1) await hashPassword(PASSWORDS[i % PASSWORDS.length] ?? '');
const hashMs = (performance.now() - hashStarted) / HASHES;

console.log(`estimator load (import + dictionaries, once per process): ${loadMs.toFixed(0)} ms, heap +${heapMb.toFixed(1)} MB${gc ? '' : ' (without --expose-gc: rough)'}`);
console.log(`one strength check: ${checkMs.toFixed(2)} ms (mean of ${CHECKS}, ${PASSWORDS.length} passwords)`);
console.log(`one scrypt hash (N=2^15, r=8, p=1): ${hashMs.toFixed(0)} ms (mean of ${HASHES})`);
console.log(`check / hash: ${(checkMs / hashMs).toFixed(4)} (the check adds ${((100 * checkMs) / hashMs).toFixed(1)} % to a signup's password work)`);

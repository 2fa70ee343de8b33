import type { Linter } from 'eslint';

/** The module boundary rule (see eslint.boundaries.js). */
export declare const boundariesConfig: Linter.Config;

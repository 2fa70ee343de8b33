import type { Embedder } from './embedder.ts';

/** Default vector length: large enough that hashed n-grams of one document rarely collide. */
export const LEXICAL_DIMENSION = 1024;

const TOKEN_SPLIT = /[^\p{L}\p{N}]+/u;

/** FNV-1a, 32 bit: fast, stable across processes and versions (unlike a seeded runtime hash). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The features of a text with their raw counts: every whole token, and the character bigrams and
 * trigrams inside each token. Korean glues particles to stems (정책을, 정책이), so whole tokens rarely
 * match across sentences, while the bigram 정책 is shared by all of them.
 */
export function lexicalFeatures(text: string): Map<string, number> {
  const features = new Map<string, number>();
  const add = (feature: string): void => {
    features.set(feature, (features.get(feature) ?? 0) + 1);
  };
  for (const token of text.normalize('NFKC').toLowerCase().split(TOKEN_SPLIT)) {
    if (token.length === 0) continue;
    const chars = Array.from(token);
    add(`w:${token}`);
    if (chars.length === 1) {
      add(`1:${token}`);
      continue;
    }
    for (let i = 0; i + 1 < chars.length; i += 1) add(`2:${chars[i] ?? ''}${chars[i + 1] ?? ''}`);
    for (let i = 0; i + 2 < chars.length; i += 1) add(`3:${chars[i] ?? ''}${chars[i + 1] ?? ''}${chars[i + 2] ?? ''}`);
  }
  return features;
}

/**
 * The built-in offline embedder: character n-grams hashed into a fixed-size vector (the "hashing
 * trick"), sublinear term frequency, a hash-derived sign to cancel collisions on average, and L2
 * normalisation so that cosine similarity is a dot product. No model, no network, no state.
 */
export class LexicalEmbedder implements Embedder {
  readonly dimension: number;
  readonly id: string;
  readonly label = 'built-in lexical embedder (character n-gram hashing, offline)';

  constructor(dimension = LEXICAL_DIMENSION) {
    if (!Number.isInteger(dimension) || dimension < 16) throw new Error('lexical embedder dimension must be an integer ≥ 16');
    this.dimension = dimension;
    this.id = `lexical-ngram-v1:${dimension}`;
  }

  embedOne(text: string): number[] {
    const vector = new Float64Array(this.dimension);
    for (const [feature, count] of lexicalFeatures(text)) {
      const hash = fnv1a(feature);
      const sign = (hash & 0x80000000) === 0 ? 1 : -1;
      // Trigrams weigh less: they sharpen exact phrases without drowning the bigram overlap.
      const weight = feature.startsWith('3:') ? 0.5 : 1;
      const slot = hash % this.dimension;
      vector[slot] = (vector[slot] ?? 0) + sign * weight * (1 + Math.log(count));
    }
    let norm = 0;
    for (const value of vector) norm += value * value;
    norm = Math.sqrt(norm);
    // An empty text has no direction; a zero vector would make cosine distance undefined.
    if (norm === 0) {
      const unit = new Array<number>(this.dimension).fill(0);
      unit[0] = 1;
      return unit;
    }
    return Array.from(vector, (value) => value / norm);
  }

  embed(texts: readonly string[]): Promise<number[][]> {
    return Promise.resolve(texts.map((text) => this.embedOne(text)));
  }
}

/** Cosine similarity of two L2-normalised vectors. */
export function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}

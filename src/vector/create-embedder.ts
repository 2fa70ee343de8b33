import type { Config } from '../config/config.ts';
import type { Embedder } from './embedder.ts';
import { LexicalEmbedder } from './lexical-embedder.ts';
import { OpenAiEmbedder } from './openai-embedder.ts';

/** The embedder the configuration asks for (EMBEDDINGS=lexical|openai|local:<dir>). */
export function createEmbedder(config: Config): Embedder {
  const kind = config.embeddings.kind;
  if (kind === 'openai') {
    const apiKey = config.embeddings.openaiApiKey;
    if (!apiKey) throw new Error('EMBEDDINGS=openai needs OPENAI_API_KEY (or unset EMBEDDINGS for the built-in lexical embedder)');
    return new OpenAiEmbedder({ apiKey, baseUrl: config.embeddings.baseUrl, model: config.embeddings.model });
  }
  if (kind.startsWith('local:')) {
    throw new Error(
      `EMBEDDINGS=${kind}: local model embeddings are not available in this build; ` +
        'use EMBEDDINGS=openai with EMBEDDINGS_BASE_URL pointing at a local OpenAI-compatible server, or unset it',
    );
  }
  return new LexicalEmbedder();
}

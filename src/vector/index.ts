export { type Embedder, CountingEmbedder } from './embedder.ts';
export { LexicalEmbedder, LEXICAL_DIMENSION, lexicalFeatures, dot } from './lexical-embedder.ts';
export { OpenAiEmbedder, type OpenAiEmbedderOptions } from './openai-embedder.ts';
export { createEmbedder } from './create-embedder.ts';
export { startChromaServer, findFreePort, type ChromaServer } from './chroma-server.ts';
export {
  VectorStore,
  VectorStoreUnavailableError,
  type VectorRecord,
  type VectorHit,
  type VectorFilter,
  type VectorRange,
  type NearestOptions,
  type CollectionInfo,
  type VectorMetadata,
  type StoredVector,
  type EmbedderStamp,
} from './vector-store.ts';

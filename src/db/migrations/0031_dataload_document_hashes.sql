-- The content hash of every document stored in the Chroma collection, so that an unchanged weekly
-- run compares hashes with one indexed read instead of scanning Chroma's metadata. Chroma stays the
-- truth for what is searchable: a run only trusts a hash whose id Chroma also holds.
create table dataload_documents (
  id text primary key,
  source text not null check (source in ('gov24', 'youth', 'work24')),
  content_hash text not null,
  stored_at timestamptz not null default now()
);

create index dataload_documents_source_idx on dataload_documents (source);

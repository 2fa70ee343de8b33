-- One row per load run of a public data source (정부24, 온통청년, 고용24).
create table dataload_runs (
  id bigint generated always as identity primary key,
  source text not null check (source in ('gov24', 'youth', 'work24')),
  -- 'sample' when the source had no API key and the built-in local peer was used.
  mode text not null check (mode in ('live', 'sample')),
  state text not null check (state in ('RUNNING', 'SUCCESS', 'FAILED')),
  task_id text,
  embedder text not null,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  fetched integer not null default 0,
  added integer not null default 0,
  updated integer not null default 0,
  unchanged integer not null default 0,
  deleted integer not null default 0,
  failed integer not null default 0,
  error text
);

-- "Recent runs" and "last run of a source" read newest first.
create index dataload_runs_source_started_idx on dataload_runs (source, started_at desc);
create index dataload_runs_started_idx on dataload_runs (started_at desc);

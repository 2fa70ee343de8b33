-- One row per logical account mail (one per task id): a retried task reads it and never sends a
-- mail again once the server's acceptance is recorded here.
create table mail_outbox (
  id bigint generated always as identity primary key,
  dedupe_key text not null,
  kind text not null,
  user_id bigint references users (id) on delete set null,
  to_address text not null,
  message_id text not null,
  status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
  attempts integer not null default 0,
  last_error text,
  response text,
  created_at timestamptz not null default now(),
  sent_at timestamptz
);

create unique index mail_outbox_dedupe_key on mail_outbox (dedupe_key);
create index mail_outbox_user_idx on mail_outbox (user_id);

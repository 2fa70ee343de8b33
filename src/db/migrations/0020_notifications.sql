create table notices (
  id bigint generated always as identity primary key,
  title text not null,
  -- Plain text or a small Markdown subset; always rendered escaped.
  content text not null,
  created_by bigint references users(id) on delete set null,
  created_at timestamptz not null default now(),
  -- The admin's name as the original stored it, kept even if that account is deleted later.
  sent_by text,
  sent_by_user_id bigint references users(id) on delete set null,
  sent_at timestamptz,
  -- Set by the one statement that snapshots the recipients, so a re-run never adds late joiners.
  recipients_snapshot_at timestamptz,
  -- Bumped by each resume; part of the delivery task ids so that a resume is not swallowed by
  -- the dedupe of the tasks that ran before it.
  dispatch_round integer not null default 0
);

create index notices_created_at_idx on notices (created_at desc, id desc);

create table notice_deliveries (
  id bigint generated always as identity primary key,
  notice_id bigint not null references notices(id) on delete cascade,
  user_id bigint not null references users(id) on delete cascade,
  -- The address and name at the moment of sending: the record says where the mail went.
  email text not null,
  name text not null,
  status text not null default 'pending' check (status in ('pending', 'sent', 'failed', 'skipped')),
  -- Transient failures so far and the last one; a pending row with an error is one to resume.
  transient_failures integer not null default 0,
  last_error text,
  -- The SMTP server's final reply: "250 …" when sent, "550 …" when failed.
  smtp_reply text,
  message_id text,
  -- Random per delivery; it only authorises turning this user's notice consent off.
  unsubscribe_token uuid not null default gen_random_uuid(),
  unsubscribed_at timestamptz,
  -- A lease, so that two runs of the same delivery (a resume racing a retry) never send at once.
  claimed_by text,
  claimed_until timestamptz,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  failed_at timestamptz,
  constraint notice_deliveries_notice_user_key unique (notice_id, user_id)
);

create unique index notice_deliveries_unsubscribe_token_key on notice_deliveries (unsubscribe_token);
-- The fan-out and resume page through a notice's pending rows by id.
create index notice_deliveries_pending_idx on notice_deliveries (notice_id, id) where status = 'pending';
create index notice_deliveries_user_idx on notice_deliveries (user_id);

-- What every admin did, and when (the admin's audit list page). Admin sessions live in Redis.
create table admin_audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  -- Null for a refused login by someone who is not a known admin.
  admin_user_id bigint references users (id) on delete set null,
  -- Kept as written at the time, so the row still says who after the account is renamed or deleted.
  admin_email text,
  action text not null,
  target text,
  detail jsonb not null default '{}'::jsonb,
  ip text
);

create index admin_audit_log_at_idx on admin_audit_log (at desc, id desc);

-- Bumped to revoke every access and refresh token of a user at once (password reset, stolen refresh token).
alter table users add column session_version integer not null default 0;
-- Reset tokens created before this moment are refused even if a race left one unused.
alter table users add column password_changed_at timestamptz;

-- Single-use e-mail tokens (verification, password reset). The token handed out is
-- "<selector>.<secret>": the selector finds the row, sha256(secret) is compared in constant time.
create table account_tokens (
  id bigint generated always as identity primary key,
  user_id bigint not null references users (id) on delete cascade,
  purpose text not null check (purpose in ('verify-email', 'reset-password')),
  selector text not null,
  verifier_hash text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);

create unique index account_tokens_selector_key on account_tokens (selector);
create index account_tokens_user_live_idx on account_tokens (user_id, purpose) where used_at is null;

-- Refresh tokens, rotated on every use; presenting a rotated one again revokes the user's sessions.
create table refresh_tokens (
  id bigint generated always as identity primary key,
  user_id bigint not null references users (id) on delete cascade,
  selector text not null,
  verifier_hash text not null,
  session_version integer not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);

create unique index refresh_tokens_selector_key on refresh_tokens (selector);
create index refresh_tokens_user_idx on refresh_tokens (user_id);

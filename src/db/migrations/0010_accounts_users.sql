create table users (
  id bigint generated always as identity primary key,
  -- Stored as given; uniqueness and look-ups are case-insensitive through lower(email).
  email text not null,
  name text not null,
  password_hash text not null,
  notice_consent boolean not null default false,
  email_verified_at timestamptz,
  is_admin boolean not null default false,
  created_at timestamptz not null default now()
);

create unique index users_email_lower_key on users (lower(email));

-- The notice fan-out selects consenting, verified users; keep that scan narrow.
create index users_notice_recipients_idx on users (id) where notice_consent and email_verified_at is not null;

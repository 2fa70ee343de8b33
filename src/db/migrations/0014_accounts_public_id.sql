-- The id the API shows (issue 10): random, so it says nothing about how many users there are or
-- who signed up when. The sequential id stays the key of every table; only accounts maps one to
-- the other. A volatile default fills every existing row with its own value as the column is added.
alter table users add column public_id uuid not null default gen_random_uuid();

create unique index users_public_id_key on users (public_id);

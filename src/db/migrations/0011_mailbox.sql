-- The dev mailbox: with SMTP_URL unset, mail is stored here and read at /admin/mailbox.
create table mailbox_messages (
  id bigint generated always as identity primary key,
  -- A retried send of the same logical mail carries the same Message-ID: store it once.
  message_id text not null,
  kind text not null,
  from_address text not null,
  to_address text not null,
  subject text not null,
  text_body text not null,
  html_body text not null,
  headers jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);

create unique index mailbox_messages_message_id_key on mailbox_messages (message_id);
create index mailbox_messages_created_idx on mailbox_messages (created_at desc, id desc);

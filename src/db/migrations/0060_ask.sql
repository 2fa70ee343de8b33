-- Ask AInfo (issue 12): conversations and their turns. A conversation's id is an opaque random
-- uuid, which is all an anonymous asker holds; a signed-in asker's conversations carry their user
-- and go with the account. Everything here is pruned after ASK_RETENTION_DAYS by a scheduled task.
create table ask_conversations (
  id uuid primary key default gen_random_uuid(),
  -- Null for an anonymous asker: knowing the id is then what lets one continue it.
  user_id bigint references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  -- The last turn's time: retention counts from here, so a live conversation is not cut mid-way.
  updated_at timestamptz not null default now()
);

create index ask_conversations_user_idx on ask_conversations (user_id) where user_id is not null;
create index ask_conversations_updated_at_idx on ask_conversations (updated_at);

create table ask_messages (
  -- Random too: feedback is given by this id, and ids must not be guessable.
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references ask_conversations (id) on delete cascade,
  -- 1, 2, … within the conversation; the previous turn is the one with the highest number.
  turn integer not null,
  question text not null,
  answer text not null,
  -- [{ id, title, url, status }] as shown, in citation order.
  citations jsonb not null default '[]'::jsonb,
  -- { age, region, status } the search used.
  filters jsonb not null default '{}'::jsonb,
  -- Which answerer produced the answer ('extractive', 'openai', or 'openai-fallback').
  answerer text not null,
  -- False when retrieval found nothing relevant: what the data lacks, for the operator.
  matched boolean not null,
  feedback text check (feedback in ('up', 'down')),
  feedback_at timestamptz,
  created_at timestamptz not null default now(),
  unique (conversation_id, turn)
);

-- The admin's list of what found nothing or got a thumbs down, newest first.
create index ask_messages_attention_idx on ask_messages (created_at desc) where matched = false or feedback = 'down';

-- Tasks recorded in the same transaction as the change they follow (a signup's verification
-- mail, a notice's broadcast): the relay in the worker processes enqueues them to Redis after the
-- commit, and a row is done only when its task has finished, so a Redis that was down, or came
-- back empty, loses none of them.
create table task_outbox (
  id bigint generated always as identity primary key,
  -- The BullMQ job id: the same on every relay, so enqueueing twice runs the task once.
  task_id text not null,
  task_name text not null,
  queue text not null,
  payload jsonb not null,
  -- EnqueueOptions that survive the wait, as absolute times: runAt, expiresAt (epoch ms), priority.
  options jsonb not null default '{}',
  created_at timestamptz not null default now(),
  -- A relay's claim on the row while it enqueues; another relay skips it until then.
  claimed_until timestamptz,
  enqueued_at timestamptz,
  -- The Redis (INFO run_id) the task was enqueued to: a different one now means it was lost.
  redis_run_id text,
  enqueue_count integer not null default 0,
  last_error text,
  done_at timestamptz
);

create unique index task_outbox_task_id on task_outbox (task_id);
create index task_outbox_unfinished_idx on task_outbox (id) where done_at is null;
create index task_outbox_done_idx on task_outbox (done_at) where done_at is not null;

-- The Redis every relay last saw (one row): the relay that first sees another run_id runs the
-- modules' recovery (re-enqueueing what lived only in Redis) once, not once per worker.
create table task_relay_state (
  id integer primary key check (id = 1),
  redis_run_id text,
  updated_at timestamptz not null default now()
);

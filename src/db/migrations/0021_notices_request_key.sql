-- The task that created a notice (a Celery send_mail_to_all message's id), so that a redelivered
-- message finds its notice instead of creating a second one. Null for notices written in the admin
-- (a unique index lets any number of nulls through).
alter table notices add column request_key text;

create unique index notices_request_key_key on notices (request_key);

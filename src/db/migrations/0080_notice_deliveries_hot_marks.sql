-- The mark of a sent mail (status 'pending' → 'sent') was the one update per mail that PostgreSQL
-- could not make HOT: `status` was in the predicate of the partial index of pending deliveries, so
-- every mark wrote a new entry into each of the table's other indexes. Indexed by (notice_id, id)
-- without a predicate, no column the lease or the mark changes is indexed. The pending look-ups
-- (the fan-out's pages, a resume's, the recovery after Redis came back empty) now read a notice's
-- rows in id order and skip the finished ones; the fan-out's, made right after the snapshot, need
-- fresh planner statistics (snapshotRecipients analyzes after a large one).
drop index if exists notice_deliveries_pending_idx;
create index if not exists notice_deliveries_notice_idx on notice_deliveries (notice_id, id);
-- A HOT update needs room on the row's own page for the new version. Each row gets two (lease,
-- mark); at fillfactor 70 a quarter of them still found the page full and touched every index, at
-- 50 one in twenty-five: 20 % less PostgreSQL CPU per row for pages half empty at first
-- (docs/benchmarks.md, "Notices"). Pages written from now on keep it.
alter table notice_deliveries set (fillfactor = 50);

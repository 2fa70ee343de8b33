-- The mark of a sent mail (status 'pending' → 'sent') was the one update per mail that PostgreSQL
-- could not make HOT: `status` was in the predicate of the partial index of pending deliveries, so
-- every mark wrote a new entry into each of the table's five indexes. Indexed by (notice_id, id)
-- without a predicate, no column an update changes is indexed, and with the room 0022 leaves on
-- each page the lease and the mark both stay on their page. The pending look-ups (a resume's pages,
-- the recovery after Redis came back empty) read a notice's rows in id order and skip the finished
-- ones: rare operations, against two writes per mail sent (docs/benchmarks.md, "Notices").
drop index if exists notice_deliveries_pending_idx;
create index if not exists notice_deliveries_notice_idx on notice_deliveries (notice_id, id);

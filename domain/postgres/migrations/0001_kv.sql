-- The ordered key-value model of domain/kv (bbolt's buckets, cursors and
-- sequences) as two tables.
--
-- A bucket is named by its path: the escaped names from the top down (see
-- path.go), so a bucket and everything nested in it are one range of paths.
-- kv_buckets holds every bucket (but the root, path '') and its sequence.
CREATE TABLE kv_buckets (
	path bytea PRIMARY KEY,
	seq  bigint NOT NULL DEFAULT 0 -- the uint64 sequence, as its two's-complement bits
);

-- kv holds every key of every bucket; a nested bucket is a key with a NULL
-- value in its parent (the top-level buckets in the root, bucket '').
-- The primary key orders each bucket's keys as bytes: cursors are index
-- range scans.
CREATE TABLE kv (
	bucket bytea NOT NULL,
	key    bytea NOT NULL,
	value  bytea,
	PRIMARY KEY (bucket, key)
);

-- One post as one call of post() (post-schema.sql): the thread locked and checked, the
-- message with its full-text vector (the GIN index), idempotency key, sort keys, audit, outbox.
\set t random(1, 10000)
SELECT post(:t, 'customer', 'Hello, my order ' || :t || ' arrived damaged and the box was open, I would like a refund or a replacement please', md5(random()::text || clock_timestamp()::text));

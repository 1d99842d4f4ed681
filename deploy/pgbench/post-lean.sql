-- One post as one statement: the thread's sort keys (and its rule: not closed), the message
-- (no text index entry), a unique idempotency key, the audit entry, the outbox event.
\set t random(1, 10000)
WITH th AS (UPDATE threads SET last_message_at = now(), messages = messages + 1, version = version + 1 WHERE id = :t AND status <> 'closed' RETURNING id),
 m AS (INSERT INTO messages (thread_id, author, body, created_at, tsv) SELECT id, 'customer', 'Hello, my order arrived damaged and the box was open, I would like a refund or a replacement please', now(), ''::tsvector FROM th RETURNING id, thread_id),
 i AS (INSERT INTO idem SELECT md5(random()::text || clock_timestamp()::text), id, now() FROM m),
 a AS (INSERT INTO audit (thread_id, actor, action, at) SELECT thread_id, 'customer', 'message.posted', now() FROM m)
INSERT INTO outbox (topic, payload, created_at) SELECT 'message.posted', jsonb_build_object('thread', thread_id, 'message', id), now() FROM m;

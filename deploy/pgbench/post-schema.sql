-- The least a durable post can write on PostgreSQL, as a hand-written relational schema
-- (not the service's: it stores the after-sales domain through domain/postgres's key-value
-- table). Used to measure what PostgreSQL alone commits on a machine, with no service in
-- front of it, so the service's own figure (helpcentre bench --domain --store postgres://…)
-- can be read against the ceiling of any schema. README → Scaling out → "What PostgreSQL
-- alone commits here". Load it into a throwaway database:
--   psql -h DIR -p PORT -U postgres -d ceiling -f deploy/pgbench/post-schema.sql
-- then: pgbench -h DIR -p PORT -U postgres -n -M prepared -c 64 -j 2 -T 15 -f deploy/pgbench/post-lean.sql ceiling
CREATE TABLE threads (id bigint PRIMARY KEY, shop_id int NOT NULL, customer_id int NOT NULL, status text NOT NULL,
  last_message_at timestamptz NOT NULL, messages int NOT NULL, version int NOT NULL);
CREATE INDEX ON threads (shop_id, last_message_at DESC);
CREATE INDEX ON threads (customer_id, last_message_at DESC);
CREATE INDEX ON threads (status, last_message_at DESC);
CREATE TABLE messages (id bigserial PRIMARY KEY, thread_id bigint NOT NULL, author text NOT NULL, body text NOT NULL,
  created_at timestamptz NOT NULL, tsv tsvector NOT NULL);
CREATE INDEX ON messages (thread_id, id);
-- the text index, as PostgreSQL's own full-text search would have it (post-function.sql fills it)
CREATE INDEX ON messages USING gin (tsv);
CREATE TABLE audit (id bigserial PRIMARY KEY, thread_id bigint NOT NULL, actor text NOT NULL, action text NOT NULL, at timestamptz NOT NULL);
CREATE TABLE outbox (id bigserial PRIMARY KEY, topic text NOT NULL, payload jsonb NOT NULL, created_at timestamptz NOT NULL, delivered_at timestamptz);
CREATE INDEX ON outbox (id) WHERE delivered_at IS NULL;
CREATE TABLE idem (key text PRIMARY KEY, message_id bigint NOT NULL, at timestamptz NOT NULL);
INSERT INTO threads SELECT i, i % 200, i % 5000, 'open', now(), 1, 1 FROM generate_series(1,10000) i;
-- one call a post: the rule (thread open, row locked), the message, the thread's sort keys, audit, outbox, idempotency key
CREATE FUNCTION post(t bigint, who text, txt text, k text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE st text; mid bigint;
BEGIN
  SELECT status INTO st FROM threads WHERE id = t FOR UPDATE;
  IF st IS NULL OR st = 'closed' THEN RAISE EXCEPTION 'thread closed'; END IF;
  INSERT INTO messages (thread_id, author, body, created_at, tsv) VALUES (t, who, txt, now(), to_tsvector('english', txt)) RETURNING id INTO mid;
  INSERT INTO idem VALUES (k, mid, now());
  UPDATE threads SET last_message_at = now(), messages = messages + 1, version = version + 1 WHERE id = t;
  INSERT INTO audit (thread_id, actor, action, at) VALUES (t, who, 'message.posted', now());
  INSERT INTO outbox (topic, payload, created_at) VALUES ('message.posted', jsonb_build_object('thread', t, 'message', mid), now());
  RETURN mid;
END $$;
VACUUM ANALYZE;

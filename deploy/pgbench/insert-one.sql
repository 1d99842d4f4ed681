-- The cheapest durable commit: one single-row insert (a reference for the machine's speed).
INSERT INTO audit (thread_id, actor, action, at) VALUES (1, 'x', 'y', now());

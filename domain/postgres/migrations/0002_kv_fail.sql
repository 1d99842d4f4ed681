-- kv_fail raises an error with SQLSTATE state: a write the engine sends
-- without waiting for its result (pipelined before COMMIT) fails the
-- transaction this way when it could not be made, so that the COMMIT after
-- it cannot commit the rest.
--   KV001  the bucket does not exist (deleted by another transaction)
--   KV002  the key is a nested bucket (a value was expected)
CREATE FUNCTION kv_fail(state text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	RAISE EXCEPTION 'kv: %', CASE state WHEN 'KV001' THEN 'bucket not found' ELSE 'incompatible value' END
		USING ERRCODE = state;
END
$$;

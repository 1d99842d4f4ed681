package postgres

// TraceCommitted sets the hook given the statements of every committed write
// transaction (nil: off). Not safe while transactions run.
func TraceCommitted(fn func(trace []string)) { traceCommitted = fn }

// TraceViewed sets the hook given the statements of every read-only
// transaction that ended well (nil: off). Not safe while transactions run.
func TraceViewed(fn func(trace []string)) { traceViewed = fn }

package domain

import "errors"

// ErrStorageFault marks a failure of the storage underneath a service (disk
// full, an I/O error, a read-only file system): nothing was written, and the
// same request may work later. Stores wrap it around the cause; the HTTP
// edge answers 503 storage_unavailable with Retry-After and logs the cause.
var ErrStorageFault = errors.New("storage fault")

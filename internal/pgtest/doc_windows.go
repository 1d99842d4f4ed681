// Package pgtest starts throwaway PostgreSQL clusters for tests; on Windows
// it has nothing: the tests that need PostgreSQL run on Linux and macOS.
package pgtest

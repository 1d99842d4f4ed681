package search_test

import (
	"os"
	"testing"

	"github.com/marketplace/helpcentre/search"
)

// TestMain sets Bleve's process-wide settings as the program does at start,
// and removes the index the tests share.
func TestMain(m *testing.M) {
	search.ConfigureBleve()
	code := m.Run()
	if bundled != nil {
		bundled.Close()
	}
	if bundledDir != "" {
		os.RemoveAll(bundledDir)
	}
	os.Exit(code)
}

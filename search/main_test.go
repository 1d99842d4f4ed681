package search

import (
	"os"
	"testing"
)

// TestMain sets Bleve's process-wide settings as the program does at start.
func TestMain(m *testing.M) {
	ConfigureBleve()
	os.Exit(m.Run())
}

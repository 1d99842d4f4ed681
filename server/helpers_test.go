package server_test

import (
	"log/slog"
	"os"
	"testing"

	"github.com/marketplace/helpcentre/search"
)

// TestMain sets Bleve up as the command's main does.
func TestMain(m *testing.M) {
	search.ConfigureBleve()
	os.Exit(m.Run())
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

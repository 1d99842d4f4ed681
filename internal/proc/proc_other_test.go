//go:build !linux

package proc

import (
	"errors"
	"testing"
)

func TestNotAvailable(t *testing.T) {
	if _, err := TakeCPUWindow(nil); !errors.Is(err, ErrNotAvailable) {
		t.Errorf("got %v, want ErrNotAvailable", err)
	}
}

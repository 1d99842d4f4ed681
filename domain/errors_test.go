package domain_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/marketplace/helpcentre/domain"
)

func TestErrorAccessors(t *testing.T) {
	de := domain.Errorf(domain.CodeInvalidReason, "Reason must be one of %s.", "outdated")
	tests := []struct {
		name     string
		err      error
		kind     domain.Kind
		code     domain.Code
		message  string
		contains string
	}{
		{"nil", nil, "", "", "", ""},
		{"domain error", de, domain.Invalid, "invalid_reason", "Reason must be one of outdated.", "invalid_reason"},
		{"wrapped", fmt.Errorf("record vote: %w", de), domain.Invalid, "invalid_reason", "Reason must be one of outdated.", "invalid_reason"},
		{"conflict", domain.Errorf(domain.CodeVoteExists, "Exists."), domain.Conflict, "vote_exists", "Exists.", ""},
		{"unknown", errors.New("open /var/secret/db: permission denied"), domain.Internal, "internal", "Internal error.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.ErrorKind(tt.err); got != tt.kind {
				t.Errorf("ErrorKind = %q, want %q", got, tt.kind)
			}
			if got := domain.ErrorCode(tt.err); got != tt.code {
				t.Errorf("ErrorCode = %q, want %q", got, tt.code)
			}
			if got := domain.ErrorMessage(tt.err); got != tt.message {
				t.Errorf("ErrorMessage = %q, want %q", got, tt.message)
			}
		})
	}
	if got, want := de.Error(), "domain: invalid_reason: Reason must be one of outdated."; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

package server_test

// HTTP tests of the customer journeys: what the pages offer and where their
// links lead (the browser tests in browser_journeys_test.go drive them).

import (
	"regexp"
	"testing"
)

// The "Yes" button skips the form's validation: the reason that the
// closed "No" answer requires would otherwise block every positive vote.
func TestVoteYesSkipsValidation(t *testing.T) {
	s := newServer(t)
	for _, path := range []string{"/en/articles/invoice-download/how-do-i-download-my-invoice", "/es/articles/invoice-download"} {
		r := get(t, s, path)
		if r.status == 301 {
			r = get(t, s, r.header.Get("Location"))
		}
		if r.status != 200 {
			t.Fatalf("GET %s: %d", path, r.status)
		}
		yes := regexp.MustCompile(`<button[^>]*value="yes"[^>]*>`).Find(r.body)
		if yes == nil || !regexp.MustCompile(`\bformnovalidate\b`).Match(yes) {
			t.Errorf("%s: the Yes button %s lacks formnovalidate", path, yes)
		}
	}
}

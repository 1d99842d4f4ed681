package search

import (
	"strings"
	"testing"
)

// TestJoinedEqual: joinedEqual is comparing the strings joined by spaces.
func TestJoinedEqual(t *testing.T) {
	lists := [][]string{nil, {}, {""}, {"", ""}, {" "}, {"a"}, {"a", ""}, {"", "a"}, {"a b"}, {"a", "b"}, {"a", "", "b"},
		{"a ", "b"}, {"a", " b"}, {"ab"}, {"a", "bc"}, {"ab", "c"}, {"abc"}, {"cash", "on", "delivery"}, {"cash on", "delivery"}}
	for _, a := range lists {
		for _, b := range lists {
			if got, want := joinedEqual(a, b), strings.Join(a, " ") == strings.Join(b, " "); got != want {
				t.Errorf("joinedEqual(%q, %q) = %v, want %v", a, b, got, want)
			}
		}
	}
}

package index

import (
	"strings"
	"testing"
)

// HasPrefix answers from the vocabulary FST, and the same again from its
// cache; a rebuilt vocabulary starts a new cache.
func TestStatsHasPrefix(t *testing.T) {
	s := newStats()
	for _, w := range []string{"refund", "return", "invoice", strings.Repeat("x", 50)} {
		s.words[w] = 1
	}
	if err := s.rebuildFST(); err != nil {
		t.Fatal(err)
	}
	cases := map[string]bool{"re": true, "refu": true, "refund": true, "refunds": false, "inv": true, "zz": false,
		"": false, strings.Repeat("x", 45): true, strings.Repeat("x", 51): false}
	for round := range 2 { // the second from the cache
		for p, want := range cases {
			if got := s.HasPrefix(p); got != want {
				t.Errorf("round %d: HasPrefix(%q) = %v, want %v", round, p, got, want)
			}
		}
	}
	if _, ok := s.prefixC.get("refu"); !ok {
		t.Error("HasPrefix(\"refu\") was not remembered")
	}
	s.words["zzz"] = 1
	if err := s.rebuildFST(); err != nil {
		t.Fatal(err)
	}
	if !s.HasPrefix("zz") {
		t.Error("after the rebuild, HasPrefix(\"zz\") is still the old vocabulary's answer")
	}
}

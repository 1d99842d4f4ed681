package main

import "testing"

func TestParseSizes(t *testing.T) {
	got, err := parseSizes("1000, 10k,100_000")
	if err != nil || len(got) != 3 || got[0] != 1000 || got[1] != 10000 || got[2] != 100000 {
		t.Errorf("got %v, %v", got, err)
	}
	for _, bad := range []string{"", "ten", "-5", "1000,,2000"} {
		if _, err := parseSizes(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestBenchMode(t *testing.T) {
	for want, args := range map[string][]string{
		"":          {"--articles", "1000"},
		"domain":    {"--domain", "--threads", "300"},
		"translate": {"-json", "-translate"},
	} {
		if got := benchMode(args); got != want {
			t.Errorf("benchMode(%q) = %q, want %q", args, got, want)
		}
	}
}

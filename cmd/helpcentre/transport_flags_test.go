package main

import (
	"io"
	"testing"
)

// TestTransportFlags: the connection and rate limits have working
// defaults, and a bad proxy list or public URL stops the start.
func TestTransportFlags(t *testing.T) {
	cfg, err := parseServe(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxConns < 64 || cfg.MaxConnsPerIP != 128 || cfg.SearchRate != 300 || cfg.PublicURL != "" || len(cfg.TrustedProxies) != 0 {
		t.Errorf("defaults: %+v", cfg)
	}
	t.Setenv("HELPCENTRE_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7")
	t.Setenv("HELPCENTRE_SEARCH_RATE", "60")
	cfg, err = parseServe([]string{"--public-url", "https://help.example/", "--max-conns-per-ip", "0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.TrustedProxies) != 2 || cfg.PublicURL != "https://help.example" || cfg.SearchRate != 60 || cfg.MaxConnsPerIP != 0 {
		t.Errorf("from flags and environment: %+v", cfg)
	}
	for _, args := range [][]string{{"--trusted-proxies", "10.0.0.0/33"}, {"--trusted-proxies", "proxy.local"},
		{"--public-url", "ftp://help.example"}, {"--public-url", "https://help.example/help"}, {"--max-conns", "0"}, {"--search-rate", "-1"}} {
		if _, err := parseServe(args, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

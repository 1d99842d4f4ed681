package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
)

// buildInfo is what the binary knows of its own build.
type buildInfo struct {
	Version, Commit, Go, Bleve string
}

func readBuildInfo() buildInfo {
	b := buildInfo{Version: "(devel)", Commit: "unknown", Go: runtime.Version(), Bleve: "unknown"}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if v := info.Main.Version; v != "" {
		b.Version = v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && s.Value != "" {
			b.Commit = s.Value
		}
	}
	for _, d := range info.Deps {
		if d.Path == "github.com/blevesearch/bleve/v2" {
			b.Bleve = d.Version
		}
	}
	return b
}

// buildInfoCollector is helpcentre_build_info: always 1, labelled with the build.
func buildInfoCollector() prometheus.Collector {
	b := readBuildInfo()
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "helpcentre_build_info",
		Help:        "The running binary's version, commit, Go and Bleve versions; always 1.",
		ConstLabels: prometheus.Labels{"version": b.Version, "commit": b.Commit, "goversion": b.Go, "bleve": b.Bleve},
	})
	g.Set(1)
	return g
}

func runVersion(stdout io.Writer) error {
	b := readBuildInfo()
	fmt.Fprintf(stdout, "helpcentre %s\ncommit %s\n%s\nbleve %s\n", b.Version, b.Commit, b.Go, b.Bleve)
	return nil
}

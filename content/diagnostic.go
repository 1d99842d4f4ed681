package content

import (
	"fmt"
	"sort"
	"strings"
)

// Severity says whether a diagnostic stops a file from going live.
type Severity int

const (
	// Warning is reported but the file is published.
	Warning Severity = iota
	// Error is reported and `helpcentre check` fails on it.
	Error
)

func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// MarshalText makes severities readable in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Diagnostic is one problem found in a content file, reported like a compiler
// does: path:line: severity: message.
type Diagnostic struct {
	Path     string   `json:"path"`
	Line     int      `json:"line,omitempty"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
}

func (d Diagnostic) String() string {
	if d.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %s", d.Path, d.Line, d.Severity, d.Message)
	}
	return fmt.Sprintf("%s: %s: %s", d.Path, d.Severity, d.Message)
}

// Diagnostics is a list of problems, sortable by file and line.
type Diagnostics []Diagnostic

// Errors counts the diagnostics of severity Error.
func (ds Diagnostics) Errors() int {
	n := 0
	for _, d := range ds {
		if d.Severity == Error {
			n++
		}
	}
	return n
}

// Sort orders diagnostics by path, then line.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		if ds[i].Path != ds[j].Path {
			return ds[i].Path < ds[j].Path
		}
		return ds[i].Line < ds[j].Line
	})
}

func (ds Diagnostics) String() string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func errorf(path string, line int, format string, args ...any) Diagnostic {
	return Diagnostic{Path: path, Line: line, Severity: Error, Message: fmt.Sprintf(format, args...)}
}

func warnf(path string, line int, format string, args ...any) Diagnostic {
	return Diagnostic{Path: path, Line: line, Severity: Warning, Message: fmt.Sprintf(format, args...)}
}

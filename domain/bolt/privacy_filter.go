package bolt

import (
	"bytes"

	"github.com/marketplace/helpcentre/domain"
)

// termFilter says, fast, which records of the whole file may hold an
// erasure's terms, so that the case-insensitive pattern (slow: about
// 50 MB/s) runs on those only. Names and addresses are few and short: each
// is looked for in the lowered bytes. A customer's words may be many: a
// rolling hash of every 16-byte window of the lowered bytes is looked up in
// a bit set of their first 16 bytes (false positives only cost a pattern
// run). Both look at the terms' JSON forms too.
type termFilter struct {
	short [][]byte // lowered terms under window bytes
	bits  []uint64 // window hashes of the lowered longer terms
}

const (
	filterWindow = 16
	filterBits   = 1 << 22
	filterBase   = 1099511628211 // FNV prime: any odd multiplier does
)

func newTermFilter(e *domain.Erasure) *termFilter {
	f := &termFilter{bits: make([]uint64, filterBits/64)}
	for _, t := range withJSONTerms(e.Terms()) {
		lt := bytes.ToLower([]byte(t))
		if len(lt) < filterWindow {
			f.short = append(f.short, lt)
			continue
		}
		h := windowHash(lt[:filterWindow])
		f.bits[(h>>40)%filterBits/64] |= 1 << (h % 64)
	}
	return f
}

func withJSONTerms(terms []string) []string {
	out := make([]string, 0, 2*len(terms))
	for _, t := range terms {
		out = append(out, t)
		if j := domain.JSONForm(t); j != t {
			out = append(out, j)
		}
	}
	return out
}

func windowHash(w []byte) uint64 {
	var h uint64
	for _, c := range w {
		h = h*filterBase + uint64(c)
	}
	return h
}

// mayHold reports whether b may hold a term.
func (f *termFilter) mayHold(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	lb := bytes.ToLower(b)
	for _, t := range f.short {
		if bytes.Contains(lb, t) {
			return true
		}
	}
	if len(lb) < filterWindow {
		return false
	}
	// filterBase^filterWindow, to take the byte leaving the window out.
	var out uint64 = 1
	for range filterWindow {
		out *= filterBase
	}
	h := windowHash(lb[:filterWindow])
	for i := filterWindow; ; i++ {
		if f.bits[(h>>40)%filterBits/64]&(1<<(h%64)) != 0 {
			return true
		}
		if i == len(lb) {
			return false
		}
		h = h*filterBase + uint64(lb[i]) - out*uint64(lb[i-filterWindow])
	}
}

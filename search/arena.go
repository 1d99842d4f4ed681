package search

import (
	"sync"
	"unsafe"
)

// resultArena holds what a page of results is made of, in arrays kept from
// one search to the next: the hits, their snippets' and reasons' text, and
// the reasons' matches. A page of ten made ~6 KB of garbage in those (an
// array of hits, two strings and an array of matches a hit: 60 % of a
// search's through the API, BenchmarkAPI/search), and garbage is what the
// collector runs on, whose marks are most of the tail at half saturation
// (README Benchmarks). A Result made in an arena gives it back with
// Release; one never released is garbage as any other.
//
// What is written in an arena is read through strings that alias it
// (str): once released, the next search overwrites them. So only a caller
// that is done with every string of the result may release it; anything
// kept (a reason stored with a deflection session, say) is copied or not
// made in an arena.
type resultArena struct {
	hits      []Hit
	hitsTaken bool // a result was made in hits
	text      []byte
	matches   []Match
	// deflect is a deflection's suggestions array (Deflection.Release
	// gives it back): at most MaxDeflect of ~190 bytes, ~600 bytes a
	// deflection made new each time.
	deflect []DeflectSuggestion
}

// maxArenaText bounds the text array an arena keeps: a page of 50 long
// snippets is ~15 KB; an odd larger one is not kept.
const maxArenaText = 64 << 10

var arenas = sync.Pool{New: func() any {
	return &resultArena{hits: make([]Hit, 0, 10), text: make([]byte, 0, 4<<10), matches: make([]Match, 0, 64),
		deflect: make([]DeflectSuggestion, 0, MaxDeflect)}
}}

func getArena() *resultArena { return arenas.Get().(*resultArena) }

// str is text[from:] as a string, without a copy: the string is only good
// until the arena is released (see Result.Release).
func (ar *resultArena) str(from int) string {
	if from == len(ar.text) {
		return ""
	}
	return unsafe.String(&ar.text[from], len(ar.text)-from)
}

// release empties ar and keeps it for another search; hits is the hits
// array the result grew (made from ar.hits), or nil.
func (ar *resultArena) release(hits []Hit) {
	if hits != nil {
		clear(hits[:cap(hits)]) // the pool keeps no articles alive
		ar.hits = hits[:0]
	}
	ar.hitsTaken = false
	clear(ar.matches[:cap(ar.matches)])
	ar.matches = ar.matches[:0]
	ar.text = ar.text[:0]
	if cap(ar.text) > maxArenaText {
		ar.text = make([]byte, 0, 4<<10)
	}
	arenas.Put(ar)
}

// Release gives back the arrays res's hits, their snippets and their
// reasons were made in, for another search to reuse: res, and every hit,
// snippet and reason read from it, must not be used after. Calling it is
// optional (Suggest, the API's handler and the help centre's search page
// do, once the suggestions are copied out, the answer encoded or the page
// rendered).
func (res *Result) Release() {
	if res == nil || res.arena == nil {
		return
	}
	ar, hits := res.arena, res.Hits
	if !res.hitsInArena {
		hits = nil
	}
	*res = Result{}
	ar.release(hits)
}

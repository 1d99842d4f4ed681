package index

import (
	"slices"
	"sync"
	"unicode/utf8"
)

// levAutomaton finds the vocabulary's words within d edits of a word, an
// edit being a character inserted, deleted or replaced, or two adjacent
// ones swapped (the optimal string alignment distance, in characters): the
// distance vellum's Levenshtein automata compute with transpositions on,
// which the typo look-ups used before. It is a vellum.FuzzyAutomaton
// evaluated lazily over the FST's bytes, one row of the edit distance
// table a character, in arrays kept from one look-up to the next.
//
// Why not vellum's: its automaton for a word is built whole before the
// search, in tables sized for every state the word could need (256
// transitions of 4 bytes each), most of them never used: a look-up of a
// word of eight or nine letters at distance 2 in the 10,000-article
// vocabulary was ~330 µs and ~660 KB of garbage, this one ~70 µs and ~3 KB
// (the candidates). On questions that do not repeat, typo look-ups of new
// words were ~80 % of a search's garbage (BenchmarkSearch10kDistinct: ~35
// KB a search), and garbage is what the collector runs on.
// TestLevAutomatonAsVellum checks that the two find the same words at the
// same distances.
type levAutomaton struct {
	q      []rune
	d      uint8
	w      int        // a row's length: len(q)+1
	rows   []uint8    // the rows of the states, w each, saturated at d+1
	states []levState // 0 is the dead state, 1 the start
}

// levState is the edit distance table's last row after a prefix of a key
// (row, an offset in rows), the row before it (prev, -1 at the start) and
// the last character (for swaps); or, in the middle of a character's
// UTF-8 bytes, those of the state before it and the bytes so far.
type levState struct {
	row, prev int32
	last      rune
	pend      [utf8.UTFMax]byte
	npend     uint8 // bytes of a character read so far
	need      uint8 // bytes of it still to come
}

const levDead = 0

var levPool = sync.Pool{New: func() any { return new(levAutomaton) }}

// newLevAutomaton returns the automaton of the words within d edits of
// word; release gives it back once the search is done.
func newLevAutomaton(word string, d int) *levAutomaton {
	a := levPool.Get().(*levAutomaton)
	a.q = append(a.q[:0], []rune(word)...)
	a.d = uint8(d)
	a.w = len(a.q) + 1
	a.rows = a.rows[:0]
	a.states = append(a.states[:0], levState{row: -1, prev: -1}, levState{row: 0, prev: -1, last: -1})
	for i := range a.w {
		a.rows = append(a.rows, uint8(min(i, d+1)))
	}
	return a
}

func (a *levAutomaton) release() {
	if cap(a.rows) <= 1<<20 {
		levPool.Put(a)
	}
}

func (a *levAutomaton) Start() int { return 1 }

func (a *levAutomaton) IsMatch(s int) bool {
	st := &a.states[s]
	return s != levDead && st.need == 0 && a.rows[int(st.row)+a.w-1] <= a.d
}

// CanMatch: a state is made only while some cell of its row is within d
// (a key going on from it may still match), else it is the dead state.
func (a *levAutomaton) CanMatch(s int) bool { return s != levDead }

func (a *levAutomaton) WillAlwaysMatch(int) bool { return false }

// EditDistance is a matching state's distance from the word.
func (a *levAutomaton) EditDistance(s int) uint8 {
	return a.rows[int(a.states[s].row)+a.w-1]
}

// MatchAndDistance runs the automaton over input.
func (a *levAutomaton) MatchAndDistance(input string) (bool, uint8) {
	s := a.Start()
	for i := 0; i < len(input) && s != levDead; i++ {
		s = a.Accept(s, input[i])
	}
	if s != levDead && a.IsMatch(s) {
		return true, a.EditDistance(s)
	}
	return false, 0
}

// Accept is the state after byte b of a key.
func (a *levAutomaton) Accept(s int, b byte) int {
	if s == levDead {
		return levDead
	}
	st := a.states[s]
	if st.need == 0 {
		switch {
		case b < utf8.RuneSelf:
			return a.step(st, rune(b))
		case b&0xe0 == 0xc0:
			st.need = 1
		case b&0xf0 == 0xe0:
			st.need = 2
		case b&0xf8 == 0xf0:
			st.need = 3
		default:
			return levDead // not the first byte of a character
		}
		st.pend[0], st.npend = b, 1
		a.states = append(a.states, st)
		return len(a.states) - 1
	}
	if b&0xc0 != 0x80 {
		return levDead
	}
	st.pend[st.npend] = b
	st.npend++
	if st.need--; st.need > 0 {
		a.states = append(a.states, st)
		return len(a.states) - 1
	}
	r, n := utf8.DecodeRune(st.pend[:st.npend])
	if r == utf8.RuneError && n <= 1 {
		return levDead // an overlong form or a surrogate: no character
	}
	return a.step(st, r)
}

// step is the state after character c from st: the table's next row.
func (a *levAutomaton) step(st levState, c rune) int {
	w, over := a.w, a.d+1
	at := len(a.rows)
	a.rows = slices.Grow(a.rows, w)[:at+w] // every cell is written below
	row, cur := a.rows[int(st.row):int(st.row)+w], a.rows[at:at+w]
	var prev []uint8
	if st.prev >= 0 {
		prev = a.rows[int(st.prev) : int(st.prev)+w]
	}
	cur[0] = min(row[0]+1, over)
	best := cur[0]
	for i := 1; i < w; i++ {
		cost := uint8(1)
		if a.q[i-1] == c {
			cost = 0
		}
		v := min(row[i-1]+cost, row[i]+1, cur[i-1]+1)
		if prev != nil && i > 1 && a.q[i-1] == st.last && a.q[i-2] == c {
			v = min(v, prev[i-2]+1)
		}
		cur[i] = min(v, over)
		best = min(best, cur[i])
	}
	if best > a.d {
		a.rows = a.rows[:at]
		return levDead
	}
	a.states = append(a.states, levState{row: int32(at), prev: st.row, last: c})
	return len(a.states) - 1
}

package search

// slab hands out pointers to values of T made in blocks it keeps: a block
// is never grown (what was handed out stays where it is), and reset clears
// the blocks for reuse, so that a pooled owner makes its values without
// garbage.
type slab[T any] struct {
	cur        []T // the block being filled
	full, free [][]T
}

// alloc returns a pointer to a copy of v in the slab.
func (s *slab[T]) alloc(v T) *T {
	if len(s.cur) == cap(s.cur) {
		if s.cur != nil {
			s.full = append(s.full, s.cur)
		}
		if n := len(s.free); n > 0 {
			s.cur, s.free = s.free[n-1], s.free[:n-1]
		} else {
			s.cur = make([]T, 0, max(8, 2*cap(s.cur)))
		}
	}
	s.cur = append(s.cur, v)
	return &s.cur[len(s.cur)-1]
}

// reset clears every value handed out and keeps the blocks for reuse:
// no pointer alloc returned may be used after.
func (s *slab[T]) reset() {
	if s.cur != nil {
		s.full = append(s.full, s.cur)
	}
	for _, b := range s.full {
		clear(b)
		s.free = append(s.free, b[:0])
	}
	s.cur, s.full = nil, s.full[:0]
}

// blocks is the number of blocks the slab holds.
func (s *slab[T]) blocks() int { return len(s.full) + len(s.free) + min(1, cap(s.cur)) }

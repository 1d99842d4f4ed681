package search

import "sync"

// generations is a cache bounded in two generations: values go into the
// current one until its weight reaches the limit, which makes it the old one
// and starts a new one; a value found in the old generation moves to the
// current. So a value not used for a whole generation is dropped, and at
// most two generations' weight is held. It is safe for concurrent use.
type generations[K comparable, V any] struct {
	mu       sync.Mutex
	cur, old map[K]V
	weight   int // of cur
	limit    int
	weigh    func(V) int
}

func newGenerations[K comparable, V any](limit int, weigh func(V) int) *generations[K, V] {
	return &generations[K, V]{cur: map[K]V{}, limit: limit, weigh: weigh}
}

// get returns the value of k, making it with make (outside the lock: two
// callers may both make it; either is kept) when neither generation has it.
func (g *generations[K, V]) get(k K, make func() (V, error)) (V, error) {
	return g.getKeyed(k, func() (K, V, error) {
		v, err := make()
		return k, v, err
	})
}

// getKeyed is get where make also returns the key to keep the value under
// (equal to k: a copy that does not hold on to the memory k points into).
func (g *generations[K, V]) getKeyed(k K, make func() (K, V, error)) (V, error) {
	if v, ok := g.lookup(k); ok {
		return v, nil
	}
	k, v, err := make()
	if err != nil {
		return v, err
	}
	g.add(k, v)
	return v, nil
}

// lookup returns the value of k, if either generation has it (moving it to
// the current one).
func (g *generations[K, V]) lookup(k K) (V, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	v, ok := g.cur[k]
	if !ok {
		if v, ok = g.old[k]; ok {
			g.put(k, v)
		}
	}
	return v, ok
}

// add keeps v as k's value.
func (g *generations[K, V]) add(k K, v V) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.put(k, v)
}

func (g *generations[K, V]) put(k K, v V) {
	w := g.weigh(v)
	if g.weight+w > g.limit && g.weight > 0 {
		g.old, g.cur, g.weight = g.cur, map[K]V{}, 0
	}
	g.cur[k] = v
	g.weight += w
}

// len is the number of values held.
func (g *generations[K, V]) len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.cur) + len(g.old)
}

package bolt

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

// The word index of threads: what the inbox's text filter (`?text=`) reads
// instead of every message of every thread it lists.
//
// bucketThreadWords holds, for each inbox scope a thread is listed in
// ("*", "s:"+shop, "c:"+customer, as bucketThreadIndex), every word the
// scope's party may read in it: the subject, the customer's name, the order
// number, the hand-off reference (HC-1001), the topic, and the body of each message domain.PartyCanSee lets
// that party see. So a seller's search never matches a note customer care
// kept to itself, and the filtering by shop and by role happens in the key
// range read, not on the records found.
//
// Key: scope, 0x00, word, 0x00, thread id → empty. A query word matches every
// indexed word it begins ("fact" finds "factura"), read as one key range.
//
// Entries are added when a thread or a message is written (putThread,
// indexMessageWords), in the command's own transaction: the index is never
// behind the data, a kill -9 included. Words are not removed when a thread
// changes (a subject is never edited; a party, once in a thread, stays);
// unindexThreadWords removes a thread's entries for a rewrite (an erasure)
// before indexThreadWords adds the new ones.
var bucketThreadWords = []byte("thread_words.v1")

// maxIndexedWord bounds an indexed word's bytes: longer tokens (a pasted
// link, base64) are cut, and a query word is cut the same way.
const maxIndexedWord = 40

// textWords are the distinct words of s as the index keeps them: folded as
// the help centre's search folds (lower case, no accents), split at every
// character that is not a letter or a digit.
func textWords(s string) []string {
	words := strings.FieldsFunc(foldText(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range words {
		if len(w) > maxIndexedWord {
			w = w[:maxIndexedWord]
			for len(w) > 0 && !utf8Boundary(w) {
				w = w[:len(w)-1]
			}
			words[i] = w
		}
	}
	slices.Sort(words)
	return slices.Compact(words)
}

// utf8Boundary reports whether w does not end in the middle of a character.
func utf8Boundary(w string) bool {
	return !strings.HasSuffix(w, "\ufffd") && strings.ToValidUTF8(w, "\ufffd") == w
}

// threadFieldWords are the words of a thread's own fields, seen by every
// party of it.
func threadFieldWords(th *domain.Thread) []string {
	return textWords(th.Subject + " " + th.Customer + " " + th.OrderNumber + " " + th.Reference + " " + strings.ReplaceAll(th.Topic, "_", " "))
}

func threadWordKey(scope, word, threadID string) []byte {
	return compositeKey([]byte(scope), []byte(word), []byte(threadID))
}

func putThreadWords(b kv.Bucket, scope, threadID string, words []string) error {
	for _, w := range words {
		if err := b.Put(threadWordKey(scope, w, threadID), nil); err != nil {
			return err
		}
	}
	return nil
}

// indexMessageWords adds m's words to every scope of rec whose party may see m.
func indexMessageWords(t *txn, rec *threadRecord, m *domain.Message) error {
	words := textWords(m.Body)
	b := t.tx.Bucket(bucketThreadWords)
	for _, sc := range threadScopes(&rec.Thread) {
		if domain.PartyCanSee(sc.party, m) {
			if err := putThreadWords(b, sc.key, rec.ID, words); err != nil {
				return err
			}
		}
	}
	return nil
}

// indexThreadWords adds the entries of rec's scopes that prev (nil: a new
// thread) did not have: its fields' words, and for a scope new to the thread
// (a party joining), the words of every message that party may see.
func indexThreadWords(t *txn, prev, rec *threadRecord) error {
	b := t.tx.Bucket(bucketThreadWords)
	var had []inboxScope
	if prev != nil {
		had = threadScopes(&prev.Thread)
	}
	fields := threadFieldWords(&rec.Thread)
	fieldsChanged := prev == nil || !slices.Equal(fields, threadFieldWords(&prev.Thread))
	var joined []inboxScope
	for _, sc := range threadScopes(&rec.Thread) {
		isNew := !slices.Contains(had, sc)
		if isNew || fieldsChanged {
			if err := putThreadWords(b, sc.key, rec.ID, fields); err != nil {
				return err
			}
		}
		if isNew && prev != nil {
			joined = append(joined, sc)
		}
	}
	if len(joined) == 0 {
		return nil
	}
	return eachThreadMessage(t, rec.ID, func(m *domain.Message) error {
		for _, sc := range joined {
			if domain.PartyCanSee(sc.party, m) {
				if err := putThreadWords(b, sc.key, rec.ID, textWords(m.Body)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// unindexThreadWords removes every entry of rec, as its fields and messages
// stand now: call it before rewriting them, and indexThreadWords(t, nil, rec)
// with reindexMessages after.
func unindexThreadWords(t *txn, rec *threadRecord) error {
	b := t.tx.Bucket(bucketThreadWords)
	words := threadFieldWords(&rec.Thread)
	if err := eachThreadMessage(t, rec.ID, func(m *domain.Message) error {
		words = append(words, textWords(m.Body)...)
		return nil
	}); err != nil {
		return err
	}
	slices.Sort(words)
	words = slices.Compact(words)
	for _, sc := range threadScopes(&rec.Thread) {
		for _, w := range words {
			if err := b.Delete(threadWordKey(sc.key, w, rec.ID)); err != nil {
				return err
			}
		}
	}
	return nil
}

// reindexThreadWords indexes rec whole: its fields and every message.
func reindexThreadWords(t *txn, rec *threadRecord) error {
	if err := indexThreadWords(t, nil, rec); err != nil {
		return err
	}
	return eachThreadMessage(t, rec.ID, func(m *domain.Message) error { return indexMessageWords(t, rec, m) })
}

// eachThreadMessage calls fn with each stored message of a thread, oldest first.
func eachThreadMessage(t *txn, threadID string, fn func(m *domain.Message) error) error {
	prefix := compositeKey([]byte(threadID), nil)
	c := t.tx.Bucket(bucketMessages).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var m domain.Message
		if err := decodeJSON(v, &m); err != nil {
			return fmt.Errorf("bolt: decode message %q: %w", k, err)
		}
		if err := fn(&m); err != nil {
			return err
		}
	}
	return nil
}

// maxPrefixWords bounds the distinct indexed words one query word may
// begin ("a" begins thousands): a query word beginning more is checked on
// the records the list reads instead, as every word was before the index.
var maxPrefixWords = 200 // a variable so that tests can take the other path

// textMatcher answers, for one inbox scope, whether a thread has every query
// word, by point reads of the word index: each query word stands for the
// indexed words it begins.
type textMatcher struct {
	b     kv.Bucket
	scope string
	words [][]string // per query word, the indexed words it begins
	// unchecked are query words that begin too many indexed words to list:
	// the caller checks them on the records.
	unchecked []string
	// listed is the query word whose threads fewest listed: filter need
	// not check it on them; -1 when no word listed them (filter checks
	// every word).
	listed int
	// all holds, per query word that fewest listed whole, its threads:
	// filter checks those words in memory, not by reading the index again.
	all map[int]map[string]bool
	// newest holds, per query word that readNewest read, the newest
	// postings of each indexed word it begins: filter checks a thread id
	// they cover in memory, and reads the word index for the others only.
	newest map[int][]newestPostings
}

// newestPostings are the postings of one indexed word from the newest
// thread id down: ids holds every posting with an id >= low, or all of
// them when done.
type newestPostings struct {
	ids  map[string]bool
	low  string
	done bool
}

// covers reports whether p knows if the thread id has the word.
func (p *newestPostings) covers(id string) bool { return p.done || id >= p.low }

// newTextMatcher lists the indexed words each query word begins. none is
// true when a query word begins no indexed word: nothing can match. When a
// query word begins one indexed word, the read that finds it out also
// reads its newest postings (n of them, as readNewest would: the index's
// last keys of the query word's range are that word's newest postings).
func newTextMatcher(t *txn, scope string, query []string, n int) (m *textMatcher, none bool) {
	m = &textMatcher{b: t.tx.Bucket(bucketThreadWords), scope: scope, newest: map[int][]newestPostings{}}
	c := kv.KeysOnly(m.b.Cursor()) // entries → empty
	for _, w := range query {
		if len(w) > maxIndexedWord {
			w = w[:maxIndexedWord]
		}
		prefix := compositeKey([]byte(scope), []byte(w)) // scope, 0x00, w: the words it begins
		if wholeWordOnly(w) {
			prefix = append(prefix, 0) // … 0x00: w itself only
		}
		var begun []string
		kv.ReadAhead(c, 1, prefix) // each seek needs the first key only
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); {
			rest := k[len(scope)+1:]
			i := bytes.IndexByte(rest, 0)
			if i < 0 {
				k, _ = c.Next()
				continue
			}
			begun = append(begun, string(rest[:i]))
			if len(begun) > maxPrefixWords {
				break
			}
			if len(begun) == 1 && n > 0 {
				// The range's last keys: when they are this word's
				// too, it is the only word begun, and they are its
				// newest postings.
				if p, only := newestOf(c, compositeKey([]byte(scope), rest[:i], nil), prefix, n); only {
					m.newest[len(m.words)] = []newestPostings{p}
					break
				}
			}
			// Skip this word's postings: seek past scope, 0x00, word, 0x00.
			kv.ReadAhead(c, 1, prefix)
			k, _ = c.Seek(append(compositeKey([]byte(scope), rest[:i]), 0x01))
		}
		switch {
		case len(begun) > maxPrefixWords:
			m.unchecked = append(m.unchecked, w)
		case len(begun) == 0:
			return m, true
		default:
			m.words = append(m.words, begun)
		}
	}
	return m, false
}

// wholeWordOnly reports whether query word w matches only itself, not the
// words it begins: one character ("x" of "%<x>", "a") would begin a good
// part of every inbox.
func wholeWordOnly(w string) bool { return utf8.RuneCountInString(w) < 2 }

// filter keeps the ids listed by fewest that have every query word but the
// unchecked, in order: matches for many ids, reading the word index's
// entries of a chunk of ids for one indexed word at a time (kv.GetMany: one
// round trip on PostgreSQL instead of one per id). The word fewest listed
// them by is not read again: they all have it.
func (m *textMatcher) filter(ids []string) []string {
	const chunk = maxTextChunk
	out := ids[:0:0]
	for start := 0; start < len(ids); start += chunk {
		left := slices.Clone(ids[start:min(start+chunk, len(ids))])
		for i, begun := range m.words {
			if i == m.listed {
				continue
			}
			if all := m.all[i]; all != nil {
				left = slices.DeleteFunc(left, func(id string) bool { return !all[id] })
				continue
			}
			has := make([]bool, len(left))
			newest := m.newest[i]
			for x, w := range begun {
				var keys [][]byte
				var at []int
				for j, id := range left {
					if has[j] {
						continue
					}
					if newest != nil && newest[x].covers(id) {
						has[j] = newest[x].ids[id]
						continue
					}
					keys = append(keys, threadWordKey(m.scope, w, id))
					at = append(at, j)
				}
				if len(keys) == 0 {
					continue // every id had a word before, or the newest postings said
				}
				for x, v := range kv.GetMany(m.b, keys) {
					if v != nil {
						has[at[x]] = true
					}
				}
			}
			n := 0
			for j, id := range left {
				if has[j] {
					left[n] = id
					n++
				}
			}
			left = left[:n]
		}
		out = append(out, left...)
	}
	return out
}

// maxNewestWords is the most indexed words a query word may begin for
// readNewest to read each one's newest postings (a read each).
const maxNewestWords = 4

// readNewest reads the newest n postings (from the newest thread id down)
// of each indexed word every query word begins (not of a query word that
// begins over maxNewestWords: filter and fewest read its postings as
// before), so that filter knows, for the thread ids at least as new as
// those read, which have the word without reading the index again, and
// fewest need not read them again.
//
// An inbox lists threads by their last message, newest first, and a
// thread's id (a ULID) is the time it began: the threads a page of the
// inbox walks past are mostly among the newest, and so are the postings
// that say which of them have the words, whatever share of the inbox has
// them (a page of 50 of a word in 2 % of the threads walks ~2,500 entries
// and ~50 of its postings). Listing every posting first (fewest) read all
// of a rare word's (2,000 at 100,000 threads) and 2,001 of a common one's
// before giving up. A thread older than the postings read (an old thread
// with a new message) is checked in the index by a point read, as before.
//
// It returns the query's matches when every posting was read (whole), and
// else the matches among the threads every word's newest postings cover (a
// sample of the newest), enough+1 at most.
func (m *textMatcher) readNewest(n, enough int) (ids []string, whole bool) {
	if len(m.unchecked) != 0 {
		return nil, false
	}
	c := kv.KeysOnly(m.b.Cursor())
	for i, begun := range m.words {
		if _, read := m.newest[i]; read || len(begun) > maxNewestWords {
			continue // read by newTextMatcher, or too many
		}
		var got []newestPostings
		for _, w := range begun {
			prefix := compositeKey([]byte(m.scope), []byte(w), nil)
			p, _ := newestOf(c, prefix, prefix, n)
			got = append(got, p)
		}
		m.newest[i] = got
	}
	if len(m.newest) < len(m.words) {
		return nil, false // a word not read: no sample
	}
	// The threads every word's newest postings cover, and have.
	whole, low := true, ""
	for _, got := range m.newest {
		for _, p := range got {
			if !p.done {
				whole = false
				low = max(low, p.low)
			}
		}
	}
	seen := map[string]bool{}
	for _, p := range m.newest[0] {
		for id := range p.ids {
			if !whole && len(ids) > enough {
				return ids, false
			}
			if seen[id] || id < low {
				continue
			}
			seen[id] = true
			if m.hasAll(id) {
				ids = append(ids, id)
			}
		}
	}
	if whole && ids == nil {
		ids = []string{} // no match
	}
	return ids, whole
}

// newestOf reads the newest n postings of the indexed word whose postings
// begin with prefix, from the last key of the query word's range (within)
// down, in one read; only is false when that last key is another word's
// (p then has no posting).
func newestOf(c kv.Cursor, prefix, within []byte, n int) (p newestPostings, only bool) {
	kv.ReadAhead(c, n+1, within) // and the one past them: done or not, in one read
	k := seekLast(c, within)
	p.ids = make(map[string]bool, n)
	if k == nil || !bytes.HasPrefix(k, prefix) {
		p.done = true // (within == prefix: no posting)
		return p, false
	}
	for ; k != nil && bytes.HasPrefix(k, prefix) && len(p.ids) < n; k, _ = c.Prev() {
		p.low = string(k[len(prefix):])
		p.ids[p.low] = true
	}
	p.done = k == nil || !bytes.HasPrefix(k, prefix)
	return p, true
}

// hasAll reports whether every query word's newest postings have id (which
// they must cover).
func (m *textMatcher) hasAll(id string) bool {
	for _, got := range m.newest {
		if !slices.ContainsFunc(got, func(p newestPostings) bool { return p.ids[id] }) {
			return false
		}
	}
	return true
}

// newestOrder is the order in which fewest lists the query words: those
// readNewest read whole first, fewest postings first, then the others read
// by how far back their newest postings reach (the farthest: the rarest
// among the recent threads), then those not read, as the query has them.
func (m *textMatcher) newestOrder() []int {
	type key struct {
		i     int
		class int    // 0 whole, 1 partly read, 2 not read
		size  int    // whole: postings
		reach string // partly: the highest low (the least covered)
	}
	keys := make([]key, len(m.words))
	for i := range m.words {
		got, ok := m.newest[i]
		k := key{i: i, class: 2}
		if ok {
			k.class = 0
			for _, p := range got {
				k.size += len(p.ids)
				if !p.done {
					k.class = 1
					k.reach = max(k.reach, p.low)
				}
			}
		}
		keys[i] = k
	}
	slices.SortStableFunc(keys, func(a, b key) int {
		switch {
		case a.class != b.class:
			return a.class - b.class
		case a.class == 0:
			return a.size - b.size
		case a.class == 1:
			return strings.Compare(a.reach, b.reach)
		}
		return 0
	})
	out := make([]int, len(keys))
	for x, k := range keys {
		out[x] = k.i
	}
	return out
}

// fewest returns the threads having the query word with the fewest
// threads, when one has at most limit; nil when every word has more (or
// no word could be listed). It lists the words in newestOrder, the rarest
// first as readNewest saw them (a word in 12 % of the threads listed
// before one in 2 % read 10,000 postings, not 2,000), and does not read
// again the postings readNewest read.
func (m *textMatcher) fewest(limit int) []string {
	var best []string
	c := kv.KeysOnly(m.b.Cursor())
	for _, i := range m.newestOrder() {
		begun := m.words[i]
		seen := map[string]bool{}
		var ids []string
		add := func(id string) bool {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
				// Given up on past the limit, or past the fewest so
				// far (as many: listed whole all the same, so that
				// filter checks it in memory).
				if len(ids) > limit || best != nil && len(ids) > len(best) {
					ids = nil
					return false
				}
			}
			return true
		}
	words:
		for x, w := range begun {
			// The newest postings readNewest read are not read again:
			// the read stops where they begin.
			var stop string
			if got := m.newest[i]; got != nil {
				for id := range got[x].ids {
					if !add(id) {
						break words
					}
				}
				if got[x].done {
					continue
				}
				stop = got[x].low
			}
			prefix := compositeKey([]byte(m.scope), []byte(w), nil)
			// At most as many as could still be kept, in one read on
			// PostgreSQL.
			n := limit + 1
			if best != nil {
				n = min(n, len(best)+1)
			}
			kv.ReadAhead(c, max(n-len(ids), 1), prefix)
			var k []byte
			if stop != "" {
				// Down from the newest not read.
				k, _ = kv.SeekBefore(c, append(bytes.Clone(prefix), stop...))
			} else {
				k, _ = c.Seek(prefix)
			}
			for ; k != nil && bytes.HasPrefix(k, prefix); k = step(c, stop != "") {
				if !add(string(k[len(prefix):])) {
					break words
				}
			}
		}
		if ids != nil || len(seen) == 0 {
			// Listed whole: filter checks this word in memory. (A word
			// given up on is not: its list stopped short.)
			if m.all == nil {
				m.all = map[int]map[string]bool{}
			}
			m.all[i] = seen
			best = ids
			m.listed = i
			if len(best) == 0 {
				return []string{}
			}
		}
	}
	return best
}

// threadWordsMigration creates the word index and fills it from every
// stored thread.
func threadWordsMigration(tx kv.Tx) error {
	if _, err := tx.CreateBucketIfNotExists(bucketThreadWords); err != nil {
		return err
	}
	t := &txn{tx: tx}
	return tx.Bucket(bucketThreads).ForEach(func(k, v []byte) error {
		var r threadRecord
		if err := decodeJSON(v, &r); err != nil {
			return fmt.Errorf("decode thread %q: %w", k, err)
		}
		return reindexThreadWords(t, &r)
	})
}

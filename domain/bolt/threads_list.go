package bolt

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

// Listing and searching threads: the inbox indexes, the filters they cannot
// answer alone, and text search.

// SearchThreads implements domain.ThreadService with domain.SearchThreads
// over ListThreads.
// Errors: unauthorized, forbidden, invalid_filter, invalid_limit.
func (s *ThreadService) SearchThreads(ctx context.Context, q string, f domain.ThreadFilter) ([]domain.Thread, error) {
	return domain.SearchThreads(ctx, s, q, f)
}

// ListThreads implements domain.ThreadService: the caller's inbox (customers:
// their threads; sellers: their shop's; customer care: all, or one shop's),
// filtered and sorted by an index. Filters an index cannot answer alone are
// checked on the records of at most threadMaxScan entries a request.
// Errors: invalid_filter, invalid_limit, invalid_cursor.
func (s *ThreadService) ListThreads(ctx context.Context, f domain.ThreadFilter) (*domain.ThreadPage, error) {
	a := domain.ActorFrom(ctx)
	if err := f.Validate(); err != nil {
		return nil, err
	}
	sc, err := inboxOf(a, f.ShopID)
	if err != nil {
		return nil, err
	}
	if f.Limit == 0 {
		f.Limit = domain.DefaultPageLimit
	}
	page := &domain.ThreadPage{Threads: []domain.Thread{}}
	err = s.db.view(ctx, func(t *txn) error {
		var recs []*threadRecord
		var err error
		switch {
		case f.OrderNumber != "" || f.Customer != "":
			recs, page.Next, err = s.listSmall(t, sc, f)
		default:
			recs, page.Next, err = s.listIndexed(t, sc, f)
		}
		if err != nil {
			return err
		}
		for _, r := range recs {
			th, err := s.view(t, r, nil)
			if err != nil {
				return err
			}
			page.Threads = append(page.Threads, *th)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// threadInScope reports whether r is listed in sc.
func threadInScope(r *threadRecord, sc inboxScope) bool {
	return slices.ContainsFunc(threadScopes(&r.Thread), func(s inboxScope) bool { return s.key == sc.key })
}

// matches checks the filters on a record (dims says which the index answered).
func (s *ThreadService) matches(r *threadRecord, sc inboxScope, f domain.ThreadFilter, now time.Time) bool {
	th := &r.Thread
	if f.Topic != "" && domain.NormalTopic(th.Topic) != domain.NormalTopic(f.Topic) {
		return false
	}
	if f.Since != nil && th.LastMessage.Before(*f.Since) {
		return false
	}
	if f.Until != nil && !th.LastMessage.Before(*f.Until) {
		return false
	}
	switch f.Status {
	case "open", "closed":
		if string(th.Status) != f.Status {
			return false
		}
	case "unread":
		if !r.Marks.Unread(sc.party) {
			return false
		}
	case "overdue":
		if !domain.SellerReplyOverdue(s.policy, th, now) {
			return false
		}
	}
	return true
}

// listIndexed reads one page from the index that answers most of f.
func (s *ThreadService) listIndexed(t *txn, sc inboxScope, f domain.ThreadFilter) ([]*threadRecord, string, error) {
	sortBy := "l"
	if f.Sort == "due" || f.Status == "overdue" {
		sortBy = "d" // overdue lists read the due index: soonest (most late) first
	}
	dim, value := "a", ""
	answered := domain.ThreadFilter{Since: f.Since, Until: f.Until, Status: f.Status, Topic: f.Topic}
	switch {
	case f.Topic != "":
		dim, value = "t", domain.NormalTopic(f.Topic)
		answered.Topic = ""
	case f.Status == "unread":
		dim = "u"
		answered.Status = ""
	case f.Status == "open" || f.Status == "closed":
		dim, value = "s", f.Status
		answered.Status = ""
	}
	prefix := indexPrefix(sc.key, sortBy, dim, value)
	reverse := sortBy == "l"
	if sortBy == "l" {
		answered.Since, answered.Until = nil, nil // the key range answers them
	}
	needRecordCheck := answered.Topic != "" || answered.Status != "" || answered.Since != nil || answered.Until != nil
	words := searchWords(f.Text)
	var text *textMatcher
	var inSet map[string]bool // the text matches, when the word index listed them
	if len(words) > 0 {
		scope := sc.key
		if t.actor.Role.Operator() {
			scope = "*" // customer care narrowed to a shop's inbox reads what care may see
		}
		// The newest postings of each word (textMatcher.readNewest; for
		// a query of one word, one more than the threads sorted here at
		// most).
		n := newestProbe
		if len(words) == 1 {
			n = maxSortedCandidates + 1
		}
		var none bool
		if text, none = newTextMatcher(t, scope, words, n); none {
			return nil, "", nil
		}
		words = text.unchecked
		// When the newest postings are all the postings, ids are the
		// matches. When a page's worth of the newest threads they cover
		// have every word, the walk of the inbox index below finds the
		// page among the first entries it reads, checking the words on
		// those postings. Else the threads of the query's rarest word
		// (fewest), narrowed by point reads to those with every word.
		// Matches found either way: few are sorted here; many are kept
		// as a set that the walk checks.
		ids, whole := text.readNewest(n, f.Limit)
		limit := maxCollectedCandidates
		if len(text.words) == 1 && len(text.unchecked) == 0 {
			limit = min(limit, maxCollectedOneWord)
		}
		switch {
		case whole:
			text.listed = -1 // filter checks every word, in memory
		case len(ids) > f.Limit:
			ids = nil // the walk, below
		default:
			ids = text.fewest(limit)
		}
		if ids != nil {
			ids = text.filter(ids)
			if len(ids) <= maxSortedCandidates {
				return s.listCandidates(t, sc, f, ids, text.unchecked, prefix, sortBy == "d")
			}
			inSet = make(map[string]bool, len(ids))
			for _, id := range ids {
				inSet[id] = true
			}
		} else {
			text.listed = -1 // no word listed them: the walk checks every word
		}
	}
	c := kv.KeysOnly(t.tx.Bucket(bucketThreadIndex).Cursor()) // entries → empty
	// The walk reads a page's entries at once (PostgreSQL: one statement,
	// not windows growing from 16), and for a set of text matches as many
	// as hold a page of them where one entry in 20 matches; more doubling
	// on from there.
	ahead := f.Limit + 1
	switch {
	case inSet != nil:
		ahead *= 20
	case text != nil:
		ahead = textChunk // textOK's first chunk
	}
	kv.ReadAhead(c, ahead, prefix)
	var k []byte
	if f.Cursor != "" {
		after, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		if err != nil || !bytes.HasPrefix(after, prefix) {
			return nil, "", domain.ErrInvalidCursor()
		}
		k = seekPast(c, after, reverse)
	} else {
		switch {
		case reverse && f.Until != nil:
			k = seekPast(c, append(bytes.Clone(prefix), timeKey(*f.Until)...), true)
		case reverse:
			k = seekLast(c, prefix)
		default:
			k, _ = c.Seek(prefix)
		}
	}
	// Without a set, the walk checks entries against the word index a
	// chunk at a time (textMatcher.filter, kv.GetMany: a round trip per word
	// and chunk on PostgreSQL, where one per entry made a common word's
	// page ~50 round trips at 100,000 threads): textOK reads the chunk
	// ahead of the walk on its cursor, queued for the walk to take (nil:
	// the end), and checked holds the chunk's answers. The first chunk is
	// textChunk entries; the next ones as many as should hold the rest of
	// the page at the share of matches seen so far, and a fourth more
	// (a word in 2.5 % of the inbox: 2 chunks, where doubling from 64
	// took 6).
	var checked map[string]bool
	var queued [][]byte
	chunk, walkedText, matchedText := textChunk, 0, 0
	textOK := func(k []byte, id string) bool {
		if ok, seen := checked[id]; seen {
			return ok
		}
		ids := make([]string, 1, chunk)
		ids[0] = id
		queued = slices.Grow(queued, chunk)
		for len(ids) < chunk {
			k2 := step(c, reverse)
			queued = append(queued, k2)
			if k2 == nil || !bytes.HasPrefix(k2, prefix) {
				break
			}
			ids = append(ids, string(k2[len(prefix)+8:]))
		}
		checked = make(map[string]bool, len(ids))
		for _, x := range ids {
			checked[x] = false
		}
		found := text.filter(ids)
		for _, x := range found {
			checked[x] = true
		}
		walkedText, matchedText = walkedText+len(ids), matchedText+len(found)
		chunk = nextReadSize(max(f.Limit+1-matchedText, 1), walkedText, matchedText, 4*chunk, maxTextChunk)
		kv.ReadAhead(c, chunk, prefix) // the next chunk, read when the walk gets there
		return checked[id]
	}
	next := func() []byte {
		if len(queued) > 0 {
			k := queued[0]
			queued = queued[1:]
			return k
		}
		return step(c, reverse)
	}
	var out []*threadRecord
	scanned, walked := 0, 0
	var last []byte
	// The records of the entries walked are read together, as many at a
	// time as could still fit the page (kv.GetMany: one round trip on
	// PostgreSQL), and checked in the index's order as if read one by one.
	var pend [][]byte
	take := func() error {
		if len(pend) == 0 {
			return nil
		}
		ids := make([]string, len(pend))
		for i, k := range pend {
			ids[i] = string(k[len(prefix)+8:])
		}
		recs, err := getThreads(t, ids)
		if err != nil {
			return err
		}
		for i, r := range recs {
			scanned++
			last = pend[i]
			if r == nil || (needRecordCheck && !s.matches(r, sc, answered, t.now)) {
				continue
			}
			if len(words) > 0 {
				ok, err := threadHasWords(t, r, words)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
			}
			out = append(out, r)
		}
		pend = pend[:0]
		return nil
	}
	// With a set, the walk's reads after the first are sized by the
	// matches seen so far, as textOK's chunks are: the next read is asked
	// for halfway through the one before, as many entries as should hold
	// the rest of the page, a fourth more (a two-word set of 0.75 % of the
	// inbox read 1,020 entries, then 2,040 and 4,080).
	visited, hits, hintAt, readEnd := 0, 0, ahead/2, ahead
	sizeNextRead := func(k []byte) {
		if inSet[string(k[len(prefix)+8:])] {
			hits++
		}
		if visited++; visited != hintAt {
			return
		}
		n := nextReadSize(f.Limit+1-hits, visited, hits, 4*ahead, maxAhead)
		kv.ReadAhead(c, n, prefix)
		hintAt, readEnd = readEnd+n/2, readEnd+n
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k = next() {
		if inSet != nil {
			sizeNextRead(k)
		}
		if id := string(k[len(prefix)+8:]); inSet != nil && !inSet[id] || inSet == nil && text != nil && !textOK(k, id) {
			// Not a text match, told by the word index without reading
			// the record. Over maxSortedCandidates threads match here (or
			// every word is in over maxCollectedCandidates), so matches
			// are seldom far apart; the walk is bounded all the same.
			if walked++; walked == maxTextWalk {
				if err := take(); err != nil {
					return nil, "", err
				}
				return out, base64.RawURLEncoding.EncodeToString(k), nil
			}
			continue
		}
		sk := k[len(prefix) : len(prefix)+8]
		if reverse && f.Since != nil && bytes.Compare(sk, timeKey(*f.Since)) < 0 {
			if err := take(); err != nil {
				return nil, "", err
			}
			return out, "", nil // older than since: the rest is too
		}
		if reverse && f.Until != nil && bytes.Compare(sk, timeKey(*f.Until)) >= 0 {
			continue // a cursor from before; skip to the range
		}
		if f.Status == "overdue" && bytes.Compare(sk, timeKey(t.now)) >= 0 {
			if err := take(); err != nil {
				return nil, "", err
			}
			return out, "", nil // due now or later: not late
		}
		// Entries pending stop at what could fill the page or the scan.
		if len(pend) > 0 && len(pend) >= min(f.Limit-len(out), threadMaxScan-scanned) {
			if err := take(); err != nil {
				return nil, "", err
			}
		}
		if len(out) == f.Limit {
			return out, base64.RawURLEncoding.EncodeToString(last), nil
		}
		if scanned == threadMaxScan {
			return out, base64.RawURLEncoding.EncodeToString(last), nil
		}
		pend = append(pend, bytes.Clone(k))
	}
	if err := take(); err != nil {
		return nil, "", err
	}
	return out, "", nil
}

// getThreads reads the threads ids in one read (kv.GetMany), nil for those
// that are gone.
func getThreads(t *txn, ids []string) ([]*threadRecord, error) {
	keys := make([][]byte, len(ids))
	for i, id := range ids {
		keys[i] = []byte(id)
	}
	vals := kv.GetMany(t.tx.Bucket(bucketThreads), keys)
	out := make([]*threadRecord, len(ids))
	for i, v := range vals {
		if v == nil {
			continue
		}
		var r threadRecord
		if err := decodeJSON(v, &r); err != nil {
			return nil, fmt.Errorf("bolt: decode %q: %w", keys[i], err)
		}
		out[i] = &r
	}
	return out, nil
}

// maxSortedCandidates is the most threads found by the word index that a
// list reads and sorts itself; more are read in the inbox index's order,
// kept when in the set.
var maxSortedCandidates = 500 // a variable so that tests can take the other path

// newestProbe is how many of each word's newest postings a query of
// several words reads first (textMatcher.readNewest): for two words in 2 %
// of 100,000 threads each, the newest ~12,800 threads, where ~100 have
// both when 1 % of the inbox does (a page's worth: the walk finds them
// there) and none when they meet nowhere (fewest lists them).
var newestProbe = 256 // a variable so that tests can take the other paths

// maxCollectedCandidates is the most threads of the query's rarest word the
// word index lists to narrow down: two words of ~2 % of an inbox each meet
// in a few threads, which walking the inbox index would look for through
// all of it (78 ms at 100,000 threads). Beyond it every word is common and
// matches are dense along the walk.
var maxCollectedCandidates = 20_000

// maxCollectedOneWord is maxCollectedCandidates for a query of one word:
// its matches are the list, so past this many the walk of the inbox index
// finds a page's worth within ~50·N/2,000 entries (N threads in the inbox:
// 2,500 at 100,000, three chunks of its checks), where collecting them all
// read every match first: for a word in all of 10,000 threads, 10,000
// entries of the word index (p50 10.9 ms on PostgreSQL, 3.1 on bbolt).
const maxCollectedOneWord = 2_000

// nextReadSize is how many inbox index entries to read next in a walk for
// text matches: when some matched, as many as should hold the need left
// (need) at the share seen so far (matched+1 of walked: one match in the
// first 64 entries of a word in 2 % of the inbox asked for 4,000 entries
// where ~2,500 held the page), a fourth more, at least textChunk; when none
// did, grown. Never over most.
func nextReadSize(need, walked, matched, grown, most int) int {
	if matched == 0 {
		return min(grown, most)
	}
	return min(max(need*walked/(matched+1)*5/4, textChunk), most)
}

// textChunk and maxTextChunk bound the inbox index entries the walk of a
// text filter checks against the word index at once (listIndexed's textOK).
var textChunk = 64 // a variable so that tests can walk many chunks

const maxTextChunk = 4096

// maxAhead bounds the entries one read of the inbox index is asked for
// (kv.ReadAhead) on a text filter's set of matches.
const maxAhead = 8192

// maxTextWalk bounds the inbox index entries a text filter walks past
// (without reading their records) for one page; the page's cursor then goes
// on from there.
const maxTextWalk = 100_000

// listCandidates reads one page of the threads in cand (found by the word
// index) that are listed in sc, match f and have the unchecked words. Its
// keys and cursors are the inbox index's own (prefix, as listIndexed chose
// it, then the sort key and the id), so a cursor from either path goes on
// in the other.
func (s *ThreadService) listCandidates(t *txn, sc inboxScope, f domain.ThreadFilter, cand, unchecked []string, prefix []byte, due bool) ([]*threadRecord, string, error) {
	var after []byte
	if f.Cursor != "" {
		var err error
		after, err = base64.RawURLEncoding.DecodeString(f.Cursor)
		if err != nil || !bytes.HasPrefix(after, prefix) {
			return nil, "", domain.ErrInvalidCursor()
		}
	}
	items := make([]keyedThread, 0, len(cand))
	recs, err := getThreads(t, cand)
	if err != nil {
		return nil, "", err
	}
	for _, r := range recs {
		if r == nil || !threadInScope(r, sc) || !s.matches(r, sc, f, t.now) {
			continue
		}
		if len(unchecked) > 0 {
			ok, err := threadHasWords(t, r, unchecked)
			if err != nil {
				return nil, "", err
			}
			if !ok {
				continue
			}
		}
		sk := timeKey(r.LastMessage)
		if due {
			sk = replyDueKey(&r.Thread)
		}
		items = append(items, keyedThread{append(append(bytes.Clone(prefix), sk...), r.ID...), r})
	}
	out, next := sortedPage(items, after, due, f.Limit)
	return out, next, nil
}

// keyedThread is a thread and its sort key, which is also its cursor.
type keyedThread struct {
	key []byte
	r   *threadRecord
}

// sortedPage sorts items in reading order (ascending by key when due, else
// descending), keeps those after the cursor after (nil: from the start) and
// returns the first limit with the cursor of the next page ("" when none).
func sortedPage(items []keyedThread, after []byte, due bool, limit int) ([]*threadRecord, string) {
	slices.SortFunc(items, func(x, y keyedThread) int {
		if due {
			return bytes.Compare(x.key, y.key)
		}
		return bytes.Compare(y.key, x.key)
	})
	if after != nil {
		i := slices.IndexFunc(items, func(it keyedThread) bool {
			if due {
				return bytes.Compare(it.key, after) > 0
			}
			return bytes.Compare(it.key, after) < 0
		})
		if i < 0 {
			i = len(items)
		}
		items = items[i:]
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = base64.RawURLEncoding.EncodeToString(items[len(items)-1].key)
	}
	out := make([]*threadRecord, len(items))
	for i, it := range items {
		out[i] = it.r
	}
	return out, next
}

// seekAfter positions c on the first key after `after` in the direction of
// reading (before it when reverse).
func seekPast(c kv.Cursor, after []byte, reverse bool) []byte {
	if reverse {
		k, _ := kv.SeekBefore(c, after)
		return k
	}
	k, _ := c.Seek(after)
	if k != nil && bytes.Equal(k, after) {
		k, _ = c.Next()
	}
	return k
}

// listSmall answers the order and customer filters, whose index entries are
// few (an order's threads, a customer's threads): it reads them, checks the
// scope and the other filters, and sorts in memory.
func (s *ThreadService) listSmall(t *txn, sc inboxScope, f domain.ThreadFilter) ([]*threadRecord, string, error) {
	var b []byte
	var prefix []byte
	if f.OrderNumber != "" {
		b, prefix = bucketThreadsByOrder, compositeKey([]byte(f.OrderNumber), nil)
	} else {
		// Any name, or any word of a name, that starts with what was typed:
		// "ana", "garc" and "ana garcía" all find Ana García's threads.
		b, prefix = bucketThreadsByCustomer, []byte(domain.NormalName(f.Customer))
	}
	seen := map[string]bool{} // a thread is listed under several names
	var after []byte
	if f.Cursor != "" {
		var err error
		if after, err = base64.RawURLEncoding.DecodeString(f.Cursor); err != nil || len(after) < 8 {
			return nil, "", domain.ErrInvalidCursor()
		}
	}
	var items []keyedThread // sort key, thread id: the cursor
	c := t.tx.Bucket(b).Cursor()
	kv.ReadAhead(c, threadMaxScan+1, prefix) // in one read on PostgreSQL
	scanned := 0
	var ids []string
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if scanned++; scanned > threadMaxScan {
			break
		}
		id := string(k[bytes.LastIndexByte(k, 0)+1:])
		if seen[id] {
			continue
		}
		seen[id] = true
		ids = append(ids, id)
	}
	recs, err := getThreads(t, ids) // in one read
	if err != nil {
		return nil, "", err
	}
	for _, r := range recs {
		if r == nil || !threadInScope(r, sc) || !s.matches(r, sc, f, t.now) {
			continue
		}
		if words := searchWords(f.Text); len(words) > 0 {
			ok, err := threadHasWords(t, r, words)
			if err != nil {
				return nil, "", err
			}
			if !ok {
				continue
			}
		}
		if f.OrderNumber != "" && f.Customer != "" && !slices.ContainsFunc(threadCustomerNames(t, &r.Thread), func(n string) bool {
			return strings.HasPrefix(n, domain.NormalName(f.Customer))
		}) {
			continue
		}
		sk := timeKey(r.LastMessage)
		if f.Sort == "due" || f.Status == "overdue" {
			sk = replyDueKey(&r.Thread)
		}
		items = append(items, keyedThread{append(bytes.Clone(sk), r.ID...), r})
	}
	out, next := sortedPage(items, after, f.Sort == "due" || f.Status == "overdue", f.Limit)
	return out, next, nil
}

// searchWords are the words of a text filter as the word index keeps them
// (textWords): each must begin a word of the thread.
func searchWords(text string) []string {
	return textWords(text)
}

// foldText lower-cases s and removes its accents as the help centre's search
// does (content.Fold), so that "factura" finds "Factura" and "envio" finds
// "envío".
func foldText(s string) string {
	return strings.ToLower(content.Fold(s))
}

// threadHasWords reports whether every word begins (one character: is) a
// word of the thread's subject, customer, order or topic, or of a message
// the reader may see.
func threadHasWords(t *txn, r *threadRecord, words []string) (bool, error) {
	var hay strings.Builder
	hay.WriteString(foldText(r.Subject + " " + r.Customer + " " + r.OrderNumber + " " + strings.ReplaceAll(r.Topic, "_", " ") + " " + r.Reference))
	prefix := compositeKey([]byte(r.ID), nil)
	c := t.tx.Bucket(bucketMessages).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var m domain.Message
		if err := decodeJSON(v, &m); err != nil {
			return false, fmt.Errorf("bolt: decode message %q: %w", k, err)
		}
		if domain.CanSeeMessage(t.actor, &m) {
			hay.WriteByte(' ')
			hay.WriteString(foldText(m.Body))
		}
	}
	have := textWords(hay.String())
	for _, w := range words {
		i, exact := slices.BinarySearch(have, w)
		if !exact && (wholeWordOnly(w) || i == len(have) || !strings.HasPrefix(have[i], w)) {
			return false, nil
		}
	}
	return true, nil
}

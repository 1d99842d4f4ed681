package domain

import (
	"strings"
	"testing"
	"time"
)

func lowerSplit(_, q string) []string { return strings.Fields(strings.ToLower(q)) }

var lt0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func search(id, visitor, client, q string, at time.Duration, hits ...string) SearchEvent {
	return SearchEvent{Type: SearchQuery, QueryID: id, Visitor: visitor, Client: client, Locale: "en", Query: q, At: lt0.Add(at), Hits: hits, Total: len(hits)}
}

func ev(typ SearchEventType, id, visitor, client, article string, at time.Duration) SearchEvent {
	return SearchEvent{Type: typ, QueryID: id, Visitor: visitor, Client: client, Article: article, At: lt0.Add(at)}
}

func TestFinalSearchesFoldsTypingBursts(t *testing.T) {
	log := []SearchEvent{
		search("a1", "v", "c", "ref", 0),
		search("a2", "v", "c", "refu", time.Second),
		search("a3", "v", "c", "refund", 2*time.Second),
		search("b1", "w", "c", "refu", 2*time.Second), // another visitor
		search("a4", "v", "c", "refund late", 60*time.Second),
		search("a5", "v", "c", "invoice", 61*time.Second), // not a prefix
	}
	got := FinalSearches(log, DefaultBurstGap)
	want := map[string]string{"a1": "a3", "a2": "a3", "a3": "a3", "b1": "b1", "a4": "a4", "a5": "a5"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("final of %s: got %s, want %s", k, got[k], v)
		}
	}
}

func TestLearnEvidenceRules(t *testing.T) {
	p := DefaultLearnParams()
	p.MinVoters, p.MinWeight = 3, 1.5
	var log []SearchEvent
	// Three visitors from three addresses click "refund-time" for "Refund
	// late" and stay: evidence enough.
	for i, v := range []string{"v1", "v2", "v3"} {
		id := "q" + v
		log = append(log, search(id, v, "c"+v, "refund late", time.Duration(i)*time.Minute, "refund-time"),
			ev(SearchClick, id, v, "c"+v, "refund-time", time.Duration(i)*time.Minute+time.Second))
	}
	// A flood: one visitor clicks ten times, and ten visitors of one
	// address click "spam": each counts once.
	for i := 0; i < 10; i++ {
		log = append(log, ev(SearchClick, "qv1", "v1", "cv1", "refund-time", 10*time.Minute))
		id := "f" + string(rune('a'+i))
		log = append(log, search(id, "flood"+id, "cx", "late refund", 20*time.Minute, "spam"),
			ev(SearchClick, id, "flood"+id, "cx", "spam", 20*time.Minute+time.Second))
	}
	// A click undone by a quick return, and a "not helpful".
	log = append(log, search("r1", "v9", "c9", "refund late", 30*time.Minute, "delivery-late"),
		ev(SearchClick, "r1", "v9", "c9", "delivery-late", 30*time.Minute+time.Second),
		search("r2", "v9", "c9", "where is my money", 30*time.Minute+10*time.Second),
		ev(SearchNotHelpful, "qv2", "v2", "cv2", "delivery-late", 31*time.Minute))
	sortLog(log)
	as := Learn(log, lowerSplit, p, lt0.Add(time.Hour))
	byID := map[string]Association{}
	for _, a := range as {
		byID[a.ID()] = a
	}
	rt := byID["en|late refund|refund-time"]
	if rt.Voters != 3 || rt.Positive != 3 || !rt.Applies || rt.Weight < 2.99 || rt.Example != "refund late" {
		t.Errorf("refund-time: %+v", rt)
	}
	if sp := byID["en|late refund|spam"]; sp.Voters != 1 || sp.Applies {
		t.Errorf("a flood from one address: %+v", sp)
	}
	if dl := byID["en|late refund|delivery-late"]; dl.Voters != 1 || dl.Negative != 1 || dl.Positive != 0 {
		t.Errorf("quick return and not helpful: %+v", dl)
	}
	// Decay: the same votes a half-life later weigh half.
	later := Learn(log, lowerSplit, p, lt0.Add(time.Hour+p.HalfLife))
	for _, a := range later {
		if a.ID() == rt.ID() && (a.Weight < 1.49 || a.Weight > 1.51) {
			t.Errorf("decayed weight %v, want 1.5", a.Weight)
		}
	}
	// Reviews survive a new run: rejected stays rejected and stops applying.
	rt.Review = ReviewRejected
	merged := MergeReviews(as, []Association{rt})
	tbl := LearnedTable(merged)
	if _, ok := tbl["en"]["late refund"]["refund-time"]; ok {
		t.Error("a rejected association applies")
	}
	change := DiffLearned(as, merged, lt0)
	if len(change.Removed) != 1 || change.Removed[0].Article != "refund-time" {
		t.Errorf("diff %+v", change)
	}
}

func sortLog(log []SearchEvent) {
	for i := 1; i < len(log); i++ {
		for j := i; j > 0 && log[j].At.Before(log[j-1].At); j-- {
			log[j], log[j-1] = log[j-1], log[j]
		}
	}
}

func TestTallySearches(t *testing.T) {
	one, three := 1, 3
	log := []SearchEvent{
		search("a1", "v", "c", "refu", 0, "x"),
		search("a2", "v", "c", "refund", time.Second, "refund-time", "x"),
		search("b", "w", "c", "pizza", time.Minute),
		search("c", "u", "c", "refund", 2*time.Minute, "refund-time"),
	}
	click := ev(SearchClick, "a1", "v", "c", "refund-time", 3*time.Minute) // on the intermediate: counts for a2
	click.Position = &one
	click2 := ev(SearchClick, "c", "u", "c", "refund-time", 3*time.Minute)
	click2.Position = &three
	log = append(log, click, click2, ev(SearchNotHelpful, "c", "u", "c", "refund-time", 4*time.Minute),
		ev(SearchHandoff, "c", "u", "c", "refund-time", 5*time.Minute))
	a := TallySearches(log, lt0, lt0.Add(24*time.Hour), "en", DefaultBurstGap)
	c := a.Totals
	if c.Searches != 3 || c.ZeroResults != 1 || c.WithClick != 2 || c.ZeroRate != 0.3333 || c.ClickThrough != 1 || c.MeanPosition != 2 || a.Intermediate != 1 {
		t.Errorf("totals %+v (intermediate %d)", c, a.Intermediate)
	}
	if len(a.TopQueries) != 2 || a.TopQueries[0].Query != "refund" || a.TopQueries[0].Searches != 2 {
		t.Errorf("top queries %+v", a.TopQueries)
	}
	if len(a.TopZero) != 1 || a.TopZero[0].Query != "pizza" {
		t.Errorf("zero-result queries %+v", a.TopZero)
	}
	if len(a.NotHelpful) != 1 || len(a.Handoffs) != 1 || a.Handoffs[0].Article != "refund-time" {
		t.Errorf("articles %+v %+v", a.NotHelpful, a.Handoffs)
	}
	if len(a.ByDay) != 1 || a.ByDay[0].Searches != 3 {
		t.Errorf("days %+v", a.ByDay)
	}
}

func TestSearchEventValidate(t *testing.T) {
	bad := []SearchEvent{
		{Type: SearchClick, At: lt0, Article: "x"},
		{Type: "view", QueryID: "q", At: lt0, Article: "x"},
		{Type: SearchClick, QueryID: "q", At: lt0},
		{Type: SearchQuery, QueryID: "q", At: lt0},
	}
	for _, e := range bad {
		if err := e.Validate(); ErrorKind(err) != Invalid {
			t.Errorf("%+v: got %v, want invalid", e, err)
		}
	}
	if err := CheckQueryAge(lt0, lt0.Add(25*time.Hour)); ErrorCode(err) != CodeQueryNotFound {
		t.Errorf("a two-day-old query id: %v", err)
	}
	if AssociationKey([]string{"refund", "late", "refund"}) != "late refund" {
		t.Error("AssociationKey")
	}
}

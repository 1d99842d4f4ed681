package search

import (
	"testing"
	"testing/fstest"

	"github.com/marketplace/helpcentre/index"
)

// A word no article contains, which a synonym rule maps onto words they do,
// counts as a known word in the confidence, not as an unknown one: "can I
// order from Tasmania" is about delivering abroad, not off topic.
func TestSynonymMappedWordIsKnown(t *testing.T) {
	fsys := fstest.MapFS{
		"en/d/abroad.md":   article("delivery-abroad", "Do you deliver abroad?", `"countries we deliver to"`, "We deliver to most countries."),
		"en/d/payments.md": article("payment-methods", "Which payment methods can I use?", "", "Cards and bank transfer."),
		"en/synonyms.txt":  {Data: []byte("tasmania => countries we deliver to\n")},
	}
	e := testEngine(t, fsys)
	_, err := e.withLocale("en", func(v *index.View) error {
		p := e.analyse(v, "can I order from tasmania", false, Staff)
		var found bool
		m := deflectMems.Get().(*deflectMem)
		defer m.release()
		for _, w := range e.queryWords(v, p, m) {
			if w.g.word != nil && w.g.word.typed == "tasmania" {
				found = true
				if !w.known {
					t.Error(`"tasmania" counted as a word no article knows`)
				}
			}
		}
		if !found {
			t.Error(`"tasmania" is not among the informative words`)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

package content_test

import (
	"reflect"
	"runtime"
	"testing"
	"testing/fstest"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/content/synth"
)

// A load parses many files on every core: the set is the one a load on one
// core gives, article for article, with the same problems.
func TestLoadInParallelIsLoadInSeries(t *testing.T) {
	fsys, err := synth.Corpus(400, 3)
	if err != nil {
		t.Fatal(err)
	}
	// and files with problems, which must be reported alike
	fsys["en/billing/zz-broken.md"] = &fstest.MapFile{Data: []byte("---\ntitle: [unclosed\n---\nBody.\n")}
	fsys["en/billing/zz-dangling.md"] = &fstest.MapFile{Data: []byte("---\nid: zz-dangling\ntitle: Dangling link\n---\nSee [this](/en/articles/no-such-article).\n")}
	prev := runtime.GOMAXPROCS(1)
	serial, _, err := content.NewLoader(fsys).Load()
	runtime.GOMAXPROCS(max(prev, 2))
	defer runtime.GOMAXPROCS(prev)
	if err != nil {
		t.Fatal(err)
	}
	parallel, _, err := content.NewLoader(fsys).Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(parallel.Articles) != len(serial.Articles) || len(serial.Articles) < 400 {
		t.Fatalf("%d articles in parallel, %d in series", len(parallel.Articles), len(serial.Articles))
	}
	for k, a := range serial.Articles {
		b := parallel.Articles[k]
		if b == nil {
			t.Errorf("%v: missing from the parallel load", k)
			continue
		}
		if a.Title != b.Title || a.Text != b.Text || a.HTML() != b.HTML() || a.Digest != b.Digest || !reflect.DeepEqual(a.Headings, b.Headings) || !reflect.DeepEqual(a.Links, b.Links) {
			t.Errorf("%v: differs between the loads", k)
		}
	}
	if len(serial.Diagnostics) == 0 {
		t.Error("the broken files gave no problems")
	}
	if !reflect.DeepEqual(serial.Diagnostics, parallel.Diagnostics) {
		t.Errorf("problems differ: %v against %v", serial.Diagnostics, parallel.Diagnostics)
	}
}

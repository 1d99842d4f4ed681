package bolt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

// recordingBucket keeps what Put is given, as the engines do until the
// transaction ends.
type recordingBucket struct {
	anyBucket  // nil: only Put is called
	keys, vals [][]byte
}

type anyBucket = kv.Bucket

func (b *recordingBucket) Put(k, v []byte) error {
	b.keys, b.vals = append(b.keys, bytes.Clone(k)), append(b.vals, v)
	return nil
}

// jsonBatch writes json.Marshal's bytes, and a value it gave stays as it
// was while the batch grows its array, until reset.
func TestJSONBatch(t *testing.T) {
	var j jsonBatch
	var b recordingBucket
	var want [][]byte
	for i := range 500 { // enough to grow the array several times
		ev := domain.SearchEvent{At: time.Date(2026, 12, 7, 10, 0, i, 0, time.UTC), Source: "search", Locale: "en",
			Query: fmt.Sprintf("<b>refund</b> & return #%d \u2028 \xff", i), Hits: []string{"a", "b"}, Total: i}
		w, err := json.Marshal(&ev)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, w)
		if err := j.put(&b, []byte("k"), &ev); err != nil {
			t.Fatal(err)
		}
	}
	for i := range want {
		if !bytes.Equal(b.vals[i], want[i]) {
			t.Fatalf("value %d = %s, want json.Marshal's %s", i, b.vals[i], want[i])
		}
	}
	if err := j.put(&b, []byte("k"), func() {}); err == nil {
		t.Error("a value JSON cannot encode: no error")
	}
	j.reset()
	if len(j.buf) != 0 {
		t.Errorf("after reset %d bytes are kept", len(j.buf))
	}
}

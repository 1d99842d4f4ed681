package segment

import (
	"math"
	"strings"
	"testing"

	bindex "github.com/blevesearch/bleve_index_api"
)

// TestDocNumberFitsOrFails: a document number that does not fit in 32 bits
// is an error, never truncated.
func TestDocNumberFitsOrFails(t *testing.T) {
	for _, n := range []uint64{0, 1, math.MaxUint32 - 1} {
		got, err := docNumber(bindex.NewIndexInternalID(nil, n))
		if err != nil || uint64(got) != n {
			t.Errorf("docNumber(%d) = %d, %v; want %d", n, got, err, n)
		}
	}
	for _, n := range []uint64{math.MaxUint32, math.MaxUint32 + 1, 1 << 40} {
		got, err := docNumber(bindex.NewIndexInternalID(nil, n))
		if err == nil || !strings.Contains(err.Error(), "out of range") {
			t.Errorf("docNumber(%d) = %d, %v; want an out of range error", n, got, err)
		}
	}
}

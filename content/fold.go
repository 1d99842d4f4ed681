package content

import "github.com/blevesearch/bleve/v2/analysis/char/asciifolding"

// folding is Bleve's ASCII folding, the char filter the index's suggest
// analyzer names (asciifolding.Name): one implementation for queries, slugs
// and the index's word statistics.
var folding = asciifolding.New()

// Fold removes accents the way the index's suggest analyzer does ("envío" →
// "envio", "ß" → "ss"), so that what a customer types without accents can be
// compared with text. Case is kept.
func Fold(s string) string {
	if IsASCII(s) {
		return s
	}
	return string(folding.Filter([]byte(s)))
}

// IsASCII reports whether s has no byte outside ASCII (nothing to fold).
func IsASCII[S ~string | ~[]byte](s S) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

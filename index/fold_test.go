package index

import (
	"strings"
	"testing"

	"github.com/marketplace/helpcentre/content"
)

// accented are English and Spanish words with the accents customers and
// editors type, upper and lower case.
var accented = []string{
	"envío", "contraseña", "devolución", "añadir", "pequeño", "árbol", "último", "también",
	"dirección", "información", "teléfono", "número", "móvil", "España", "CÓDIGO", "Ñandú",
	"señal", "reembolsó", "electrónico", "está", "aquí", "cómo", "qué", "dónde", "cuándo",
	"más", "sí", "tú", "él", "vergüenza", "cigüeña", "pingüino", "ÁLVARO", "Íñigo", "Úrsula",
	"café", "résumé", "naïve", "crème", "façade", "jalapeño", "entrée", "déjà", "coöperate",
	"fiancée", "über", "São", "Zürich", "Ångström", "señor", "piñata", "rôle", "hôtel",
}

// TestFoldingAgrees: the three places that fold accents (URL slugs, Fold,
// the suggest analyzer that queries go through) give the same word for
// every accented English and Spanish word.
func TestFoldingAgrees(t *testing.T) {
	for _, locale := range []string{"en", "es"} {
		an := localeAnalyzers(t, locale)
		for _, w := range accented {
			want := content.Fold(strings.ToLower(w))
			if strings.ContainsFunc(want, func(r rune) bool { return r > 'z' || r < 'a' }) {
				t.Errorf("Fold(%q) = %q, not folded to a-z", w, want)
			}
			if got := content.Slugify(w); got != want {
				t.Errorf("Slugify(%q) = %q, Fold gives %q", w, got, want)
			}
			toks := an.Suggest.Analyze([]byte(w))
			if len(toks) != 1 || string(toks[0].Term) != want {
				var got []string
				for _, tk := range toks {
					got = append(got, string(tk.Term))
				}
				t.Errorf("%s suggest analyzer: %q → %q, Fold gives %q", locale, w, got, want)
			}
		}
	}
}

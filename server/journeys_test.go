package server_test

// HTTP tests of the customer journeys: what the pages offer and where their
// links lead (the browser tests in browser_journeys_test.go drive them).

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/search"
	"github.com/marketplace/helpcentre/server"
)

// The "Yes" button skips the form's validation: the reason that the
// closed "No" answer requires would otherwise block every positive vote.
func TestVoteYesSkipsValidation(t *testing.T) {
	s := newServer(t)
	for _, path := range []string{"/en/articles/invoice-download/how-do-i-download-my-invoice", "/es/articles/invoice-download"} {
		r := get(t, s, path)
		if r.status == 301 {
			r = get(t, s, r.header.Get("Location"))
		}
		if r.status != 200 {
			t.Fatalf("GET %s: %d", path, r.status)
		}
		yes := regexp.MustCompile(`<button[^>]*value="yes"[^>]*>`).Find(r.body)
		if yes == nil || !regexp.MustCompile(`\bformnovalidate\b`).Match(yes) {
			t.Errorf("%s: the Yes button %s lacks formnovalidate", path, yes)
		}
	}
}

// /seller is the seller's home (the inbox), as /operator and /account are
// their roles' homes; signing in with next=/seller lands there too.
func TestSellerHome(t *testing.T) {
	w := newSellerWorld(t)
	anon := w.forms()
	if status, h, _ := anon.do(t, "GET", "/seller", nil); status != http.StatusSeeOther && status != http.StatusFound ||
		!strings.HasPrefix(h.Get("Location"), "/login") {
		t.Errorf("GET /seller signed out: %d to %q, want the sign-in page", status, h.Get("Location"))
	}
	sam := w.forms()
	status, h, body := sam.post(t, "/login?next=/seller", "/login", url.Values{"name": {"sam"}, "password": {"demo"}, "next": {"/seller"}})
	if status != http.StatusSeeOther || h.Get("Location") != "/seller" {
		t.Fatalf("sign in with next=/seller: %d to %q %s", status, h.Get("Location"), body)
	}
	status, h, _ = sam.do(t, "GET", "/seller", nil)
	if status != http.StatusFound || h.Get("Location") != "/seller/messages" {
		t.Errorf("GET /seller as sam: %d to %q, want 302 to /seller/messages", status, h.Get("Location"))
	}
	if status, _, _ := sam.get(t, "/seller/messages"); status != http.StatusOK {
		t.Errorf("GET /seller/messages as sam: %d", status)
	}
	// Other roles are still kept out.
	ana := w.forms()
	ana.login(t, "ana")
	if status, _, _ := ana.do(t, "GET", "/seller", nil); status == http.StatusFound || status == http.StatusOK {
		t.Errorf("GET /seller as a customer: %d", status)
	}
}

// A deflection suggestion carries its topic (the category's title in the
// asker's language) for customers, beside the engine's why for editors.
func TestDeflectSuggestionTopic(t *testing.T) {
	w := newDeflectWorld(t, deflectOpts{})
	for _, tc := range []struct{ locale, q, topic string }{
		{"en", "where is my invoce", "Invoices"},
		{"es", "dónde está mi factura", "Facturas"},
	} {
		r := w.call(t, "", "POST", "/api/v1/deflect", map[string]any{"subject": tc.q, "locale": tc.locale})
		if r.status != http.StatusOK {
			t.Fatalf("deflect %s: %d %s", tc.q, r.status, r.body)
		}
		var a struct {
			Suggestions []struct{ ID, Why, Topic string }
		}
		r.decode(t, &a)
		if len(a.Suggestions) == 0 || !strings.HasPrefix(a.Suggestions[0].ID, "invoice-") {
			t.Fatalf("%s: suggestions %+v", tc.q, a.Suggestions)
		}
		if s := a.Suggestions[0]; s.Topic != tc.topic || !strings.Contains(s.Why, "Matched") {
			t.Errorf("%s: topic %q why %q, want topic %q and the engine's why", tc.q, s.Topic, s.Why, tc.topic)
		}
	}
}

// productWords is the text of the product's own pages and scripts: what a
// button or link an article names must be found in.
func productWords(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, pattern := range []string{"site/templates/*.html", "site/i18n.go", "backoffice/templates/*.html", "backoffice/backoffice.go", "web/static/widget.js"} {
		files, err := filepath.Glob(pattern)
		if err != nil || len(files) == 0 {
			t.Fatalf("no files match %s (%v)", pattern, err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(data)
		}
	}
	return b.String()
}

// The article on contacting customer care names only buttons, links and
// fields the product has: each bold label (and each English label it gives
// in parentheses) is found in the pages' own text.
func TestContactArticleNamesRealControls(t *testing.T) {
	words := productWords(t)
	bold := regexp.MustCompile(`\*\*([^*]+)\*\*`)
	for _, path := range []string{"en/contact/contact-customer-service.md", "es/contact/contactar-atencion-cliente.md"} {
		data, err := os.ReadFile(filepath.Join("..", "content", "articles", path))
		if err != nil {
			t.Fatal(err)
		}
		_, body, _ := strings.Cut(strings.TrimPrefix(string(data), "---"), "\n---\n") // the front matter's aliases may ask anything
		for _, m := range bold.FindAllStringSubmatch(body, -1) {
			if !strings.Contains(words, m[1]) {
				t.Errorf("%s names **%s**, which no page of the product shows", path, m[1])
			}
		}
		for _, gone := range []string{"live chat opening", "Talk to a person", "Hablar con una persona", "Choose the topic", "Elige el tema que mejor", "call back", "llamemos"} {
			if strings.Contains(body, gone) {
				t.Errorf("%s still describes %q, which the product lacks", path, gone)
			}
		}
	}
}

// dictionary translates fixed questions (es>en), else fails, as a dead
// translation engine would.
type dictionary map[string]string

func (d dictionary) Translate(_ context.Context, text, from, to string) (string, error) {
	if out, ok := d[from+">"+to+":"+text]; ok {
		return out, nil
	}
	return "", errors.New("dictionary: no entry")
}

// serverTranslating is a server over the bundled articles whose search
// translates questions with d.
func serverTranslating(t *testing.T, d dictionary) *server.Server {
	t.Helper()
	ix, err := index.Open(context.Background(), t.TempDir(), content.Bundled(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	db, err := bolt.Open(filepath.Join(t.TempDir(), "hc.db"), bolt.Options{NoSync: true, PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	engine := search.New(ix, search.DefaultOptions())
	engine.SetTranslator(d)
	s, err := server.New(server.Config{AdminToken: adminToken}, ix, engine, bolt.NewFeedbackService(db), discard(), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The search page says what it searched: the corrected words in the
// heading (not the typo), and when a Spanish question was answered by
// English articles through its translation, that translation.
func TestSearchPageSaysWhatItSearched(t *testing.T) {
	const q = "zqxv plorbt" // nothing in Spanish; the dictionary makes it an English question
	s := serverTranslating(t, dictionary{"es>en:" + q: "my parcel arrived damaged"})
	tags := regexp.MustCompile(`<[^>]+>`)
	text := func(path string) string {
		t.Helper()
		r := get(t, s, path)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, r.status)
		}
		return strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(string(r.body), " "))), " ")
	}
	got := text("/search?locale=en&q=" + url.QueryEscape("where is my invoce"))
	if !strings.Contains(got, "Showing results for where is my invoice") || !regexp.MustCompile(`\d+ results for “where is my invoice”`).MatchString(got) {
		t.Errorf("corrected search page says: %.600s", got[strings.Index(got, "Search the help centre"):])
	}
	if strings.Contains(got, "results for “where is my invoce”") {
		t.Errorf("the heading repeats the typo")
	}
	got = text("/search?locale=es&q=" + url.QueryEscape(q))
	if !strings.Contains(got, "traducida automáticamente: my parcel arrived damaged") || !strings.Contains(got, "resultados para “"+q+"”") {
		t.Errorf("translated search page says: %.800s", got[strings.Index(got, "Buscar en el centro"):])
	}
}

//go:build linux

package apertium

import (
	"github.com/marketplace/helpcentre/domain/apertium/apytest"

	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestTranslateEnglishToSpanishAndBack(t *testing.T) {
	c := realClient(t)
	ctx := ctxT(t)
	seller := "I would like a refund for my order. The package arrived damaged."
	got, err := c.Translate(ctx, seller, "en", "es")
	if err != nil {
		t.Fatal(err)
	}
	// Apertium 0.8.1 says "Me gustaría un reembolso para mi orden. El envase llegó averiado."
	for _, want := range []string{"reembolso", "llegó", "mi"} {
		if !strings.Contains(got, want) {
			t.Errorf("en→es %q: got %q, want it to contain %q", seller, got, want)
		}
	}
	same, err := c.Translate(ctx, seller, "eng", "spa")
	if err != nil || same != got {
		t.Errorf("eng→spa: got %q, %v; want %q as for en→es", same, err, got)
	}

	buyer := "Quisiera un reembolso de mi pedido. El paquete llegó dañado."
	back, err := c.Translate(ctx, buyer, "es", "en")
	if err != nil {
		t.Fatal(err)
	}
	// "It wanted a repayment of my request. The package arrived damaged."
	for _, want := range []string{"package", "arrived", "damaged"} {
		if !strings.Contains(back, want) {
			t.Errorf("es→en %q: got %q, want it to contain %q", buyer, back, want)
		}
	}
}

func TestTranslateKeepsMarkupAsText(t *testing.T) {
	c := realClient(t)
	ctx := ctxT(t)
	for _, tc := range []struct {
		in         string
		wantPrefix string
		wantAll    []string
	}{
		// Sent whole, APY returns "<Alerta>de guión(\"hola\")</guión>".
		{`<script>alert("hi")</script> Where is my invoice?`, `<script>alert("hi")</script> `, []string{"factura"}},
		{`Hello <b>friend</b>, thanks!`, "Hola <b>", []string{"</b>", "amigo"}},
		{`<img src=x onerror="alert(1)">Where is my refund?`, `<img src=x onerror="alert(1)">`, []string{"reembolso"}},
		{`This is *important*: my refund`, "", []string{"*importante*", "reembolso"}},
		{`Unclosed <script>steal the cookie`, "", []string{"<script>steal the cookie"}},
		{"Where is\x00 my invoice?", "", []string{"factura"}},
	} {
		got, err := c.Translate(ctx, tc.in, "en", "es")
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if !strings.HasPrefix(got, tc.wantPrefix) {
			t.Errorf("%q: got %q, want prefix %q", tc.in, got, tc.wantPrefix)
		}
		for _, want := range tc.wantAll {
			if !strings.Contains(got, want) {
				t.Errorf("%q: got %q, want it to contain %q", tc.in, got, want)
			}
		}
	}
}

// longText is about n bytes of English customer-service paragraphs.
func longText(n int, seed uint64) string {
	sentences := []string{
		"I would like a refund for my order.", "The package arrived damaged and the box was open.",
		"Where is my invoice?", "The seller will ship the item tomorrow.",
		"Please send me the tracking number as soon as possible.", "Thank you for your patience!",
		"Can I return the shoes if they do not fit?", "My payment was declined twice, but the money left my account.",
	}
	r := rand.New(rand.NewPCG(seed, 1))
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		for i := range 5 {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(sentences[r.IntN(len(sentences))])
		}
	}
	return b.String()
}

func TestTranslateLongMessage(t *testing.T) {
	c := realClient(t)
	ctx := ctxT(t)
	text := longText(100<<10, 1)
	t0 := time.Now()
	got, err := c.Translate(ctx, text, "en", "es")
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(t0)
	paragraphs := strings.Count(text, "\n\n") + 1
	if n := strings.Count(got, "\n\n") + 1; n != paragraphs {
		t.Errorf("100 KB: got %d paragraphs back, want %d (truncated?)", n, paragraphs)
	}
	if len(got) < len(text)*9/10 {
		t.Errorf("100 KB: got %d bytes back for %d", len(got), len(text))
	}
	if !strings.HasSuffix(strings.TrimSpace(got), ".") && !strings.HasSuffix(strings.TrimSpace(got), "!") && !strings.HasSuffix(strings.TrimSpace(got), "?") {
		t.Errorf("100 KB: translation ends with %q", got[len(got)-40:])
	}
	t.Logf("100 KB (%d paragraphs) en→es in %d requests: %v, %d bytes out",
		paragraphs, len(chunks(text, maxChunkRunes)), elapsed.Round(time.Millisecond), len(got))

	// What APY does with the whole text in one request (kept as a log, not
	// an assertion, in case a later APY fixes it).
	var whole struct {
		ResponseData struct {
			TranslatedText *string `json:"translatedText"`
		} `json:"responseData"`
	}
	form := map[string][]string{"q": {text}, "langpair": {"eng|spa"}, "format": {"txt"}, "markUnknown": {"no"}}
	if err := c.call(ctx, "translate", "/translate", form, &whole); err == nil && whole.ResponseData.TranslatedText != nil {
		t.Logf("the same text in one APY request: %d bytes back, %d paragraphs",
			len(*whole.ResponseData.TranslatedText), strings.Count(*whole.ResponseData.TranslatedText, "\n\n")+1)
	}

	_, err = c.Translate(ctx, longText(200<<10, 2), "en", "es")
	if !errors.Is(err, ErrTooLong) || Retryable(err) {
		t.Errorf("200 KB: got %v, want ErrTooLong", err)
	}
	_, err = c.Translate(ctx, strings.Repeat("<b>x</b> ", 100), "en", "es")
	if !errors.Is(err, ErrTooLong) {
		t.Errorf("200 tags: got %v, want ErrTooLong", err)
	}
}

// Under load APY cuts requests into 1,000-character pieces and keeps ten:
// concurrent mid-size messages must still come back whole.
func TestTranslateConcurrentNotTruncated(t *testing.T) {
	c := realClient(t)
	ctx := ctxT(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			text := longText(8<<10, uint64(10+i))
			got, err := c.Translate(ctx, text, "en", "es")
			if err != nil {
				errs <- err
				return
			}
			if want, n := strings.Count(text, "\n\n"), strings.Count(got, "\n\n"); n != want {
				errs <- fmt.Errorf("caller %d: %d paragraph breaks back, want %d", i, n, want)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestUnsupportedPair(t *testing.T) {
	c := realClient(t)
	ctx := ctxT(t)
	for _, p := range [][2]string{{"en", "fr"}, {"es", "pt"}, {"xx", "es"}, {"e!", "es"}, {"", "es"}} {
		_, err := c.Translate(ctx, "Where is my refund?", p[0], p[1])
		if !errors.Is(err, ErrUnsupportedPair) || Retryable(err) {
			t.Errorf("%s→%s: got %v, want ErrUnsupportedPair", p[0], p[1], err)
		}
	}
	// APY's own refusal, bypassing the pairs cache.
	err := c.call(ctx, "translate", "/translate", map[string][]string{"q": {"hello"}, "langpair": {"eng|fra"}}, new(any))
	if !errors.Is(err, ErrUnsupportedPair) {
		t.Errorf("APY with eng|fra: got %v, want ErrUnsupportedPair", err)
	}
}

func TestPairsAndSupports(t *testing.T) {
	c := realClient(t)
	ctx := ctxT(t)
	pairs, err := c.Pairs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	have := map[Pair]bool{}
	for _, p := range pairs {
		have[p] = true
	}
	for _, want := range []Pair{{"en", "es"}, {"es", "en"}} {
		if !have[want] {
			t.Errorf("Pairs: got %v, want %v among them", pairs, want)
		}
	}
	for _, tc := range []struct {
		from, to string
		want     bool
	}{
		{"en", "es", true}, {"eng", "spa", true}, {"es", "en", true}, {"es", "en_US", true},
		{"es", "es", true}, {"en-GB", "es", false}, {"en", "fr", false}, {"fr", "es", false},
	} {
		got, err := c.Supports(ctx, tc.from, tc.to)
		if err != nil || got != tc.want {
			t.Errorf("Supports(%q, %q): got %v, %v; want %v", tc.from, tc.to, got, err, tc.want)
		}
	}
}

func TestDetect(t *testing.T) {
	c := realClient(t)
	ctx := ctxT(t)
	for text, want := range map[string]string{
		"Where is my refund? The package arrived damaged.":   "en",
		"¿Dónde está mi reembolso? El paquete llegó dañado.": "es",
		"hola, gracias": "es",
	} {
		got, err := c.Detect(ctx, text)
		if err != nil || got != want {
			t.Errorf("Detect(%q): got %q, %v; want %q", text, got, err, want)
		}
	}
	if got, err := c.Detect(ctx, "12345 !!!"); !errors.Is(err, ErrUndetermined) {
		t.Errorf("Detect(digits): got %q, %v; want ErrUndetermined", got, err)
	}
}

func TestDeadEngine(t *testing.T) {
	if apyURL == "" {
		t.Skip(apySkip)
	}
	ctx := ctxT(t)

	// Nothing listening.
	port, err := apytest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(fmt.Sprintf("http://127.0.0.1:%d", port), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	_, err = c.Translate(ctx, "Where is my refund?", "en", "es")
	if !errors.Is(err, ErrUnavailable) || !Retryable(err) {
		t.Errorf("wrong port: got %v, want ErrUnavailable", err)
	}
	if d := time.Since(t0); d > time.Second {
		t.Errorf("wrong port: took %v, want under 1s", d)
	}

	// An engine that answered, then stopped.
	bin, modes, err := apytest.Find()
	if err != nil {
		t.Fatal(err)
	}
	e, err := apytest.Start(bin, modes)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := New(e.URL, Options{})
	if err != nil {
		e.Stop()
		t.Fatal(err)
	}
	if _, err := c2.Translate(ctx, "Where is my refund?", "en", "es"); err != nil {
		e.Stop()
		t.Fatalf("before stopping: %v", err)
	}
	e.Stop()
	t0 = time.Now()
	_, err = c2.Translate(ctx, "Where is my invoice?", "en", "es")
	if !errors.Is(err, ErrUnavailable) {
		t.Errorf("stopped engine: got %v, want ErrUnavailable", err)
	}
	if d := time.Since(t0); d > time.Second {
		t.Errorf("stopped engine: took %v, want under 1s", d)
	}
	// Detect still answers for English and Spanish without the engine.
	if got, err := c2.Detect(ctx, "¿Dónde está mi factura?"); err != nil || got != "es" {
		t.Errorf("Detect with the engine down: got %q, %v; want es", got, err)
	}

	// The caller's deadline counts as unavailable too (retry later).
	short, cancel := context.WithTimeout(ctx, time.Nanosecond)
	defer cancel()
	time.Sleep(time.Millisecond)
	_, err = realClient(t).Translate(short, "Where is my refund?", "en", "es")
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("expired context: got %v, want ErrUnavailable wrapping context.DeadlineExceeded", err)
	}
}

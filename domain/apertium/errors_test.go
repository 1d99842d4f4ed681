package apertium

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const pairsJSON = `{"responseData": [{"sourceLanguage": "eng", "targetLanguage": "spa"}, {"sourceLanguage": "spa", "targetLanguage": "eng"}], "responseDetails": null, "responseStatus": 200}`

// fakeAPY answers /listPairs with eng↔spa and /translate with translate.
func fakeAPY(t *testing.T, translate http.HandlerFunc) *Client {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/listPairs", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(pairsJSON))
	})
	mux.HandleFunc("/translate", translate)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL, Options{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		sleep  time.Duration
		want   error
	}{
		{"503 stuck pipeline", 503, `{"status": "error", "code": 503, "message": "Service Unavailable", "explanation": "internal error"}`, 0, ErrUnavailable},
		{"500", 500, `oops`, 0, ErrUnavailable},
		{"502 from a proxy", 502, `<html>bad gateway</html>`, 0, ErrUnavailable},
		{"429", 429, ``, 0, ErrUnavailable},
		{"timeout", 200, `{}`, time.Second, ErrUnavailable},
		{"pair not installed", 400, `{"status": "error", "code": 400, "message": "Bad Request", "explanation": "That pair is not installed"}`, 0, ErrUnsupportedPair},
		{"pair invalid", 400, `{"status": "error", "code": 400, "message": "Bad Request", "explanation": "That pair is invalid, use e.g. eng|spa"}`, 0, ErrUnsupportedPair},
		{"413", 413, ``, 0, ErrTooLong},
		{"other 400", 400, `{"status": "error", "code": 400, "message": "Bad Request", "explanation": "Missing argument q"}`, 0, ErrBadResponse},
		{"404 not APY", 404, `not found`, 0, ErrBadResponse},
		{"200 HTML", 200, `<html>hello</html>`, 0, ErrBadResponse},
		{"200 error status", 200, `{"responseData": {"translatedText": "x"}, "responseStatus": 500}`, 0, ErrBadResponse},
		{"200 no text", 200, `{"responseData": {}, "responseStatus": 200}`, 0, ErrBadResponse},
		{"200 too big", 200, `{"responseData": {"translatedText": "` + strings.Repeat("x", maxResponseBytes) + `"}, "responseStatus": 200}`, 0, ErrBadResponse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := fakeAPY(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.sleep > 0 {
					select {
					case <-time.After(tc.sleep):
					case <-r.Context().Done():
					}
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			})
			t0 := time.Now()
			_, err := c.Translate(context.Background(), "Where is my refund?", "en", "es")
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if Retryable(err) != (tc.want == ErrUnavailable) {
				t.Errorf("Retryable(%v) = %v", err, Retryable(err))
			}
			var e *Error
			if !errors.As(err, &e) || !strings.HasPrefix(err.Error(), "apertium: ") {
				t.Errorf("got %T %q, want *Error prefixed apertium:", err, err)
			}
			if d := time.Since(t0); d > 600*time.Millisecond {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestTranslateRequest(t *testing.T) {
	var calls int
	c := fakeAPY(t, func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Errorf("got %s %s, want a form POST", r.Method, r.Header.Get("Content-Type"))
		}
		if ua := r.Header.Get("User-Agent"); ua != "helpcentre-apertium/1" {
			t.Errorf("User-Agent %q", ua)
		}
		for k, want := range map[string]string{"langpair": "eng|spa", "format": "txt", "markUnknown": "no"} {
			if got := r.PostFormValue(k); got != want {
				t.Errorf("%s=%q, want %q", k, got, want)
			}
		}
		q := r.PostFormValue("q")
		if strings.ContainsAny(q, "<>*\x00") || q != strings.TrimSpace(q) {
			t.Errorf("q=%q: markup, NUL or outer space sent to the engine", q)
		}
		w.Write([]byte(`{"responseData": {"translatedText": "#dar [` + strings.ToUpper(q) + `]"}, "responseStatus": 200}`))
	})
	got, err := c.Translate(context.Background(), "  hello <i>big</i>\x00 world ** ok  ", "en", "es")
	if err != nil {
		t.Fatal(err)
	}
	want := "  dar [HELLO] <i>dar [BIG]</i>  dar [WORLD] ** dar [OK]  "
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if calls != 4 {
		t.Errorf("%d requests, want 4", calls)
	}
	calls = 0
	for _, text := range []string{"", "   ", "12 345 !", "<b></b>"} {
		if got, err := c.Translate(context.Background(), text, "en", "es"); err != nil || got != text {
			t.Errorf("%q: got %q, %v; want it back unchanged", text, got, err)
		}
	}
	if got, err := c.Translate(context.Background(), "hello", "es", "spa"); err != nil || got != "hello" {
		t.Errorf("es→spa: got %q, %v; want it back unchanged", got, err)
	}
	if calls != 0 {
		t.Errorf("%d requests for texts with nothing to translate", calls)
	}
}

func TestNew(t *testing.T) {
	for _, u := range []string{"", "localhost:2737", "ftp://x", "http://"} {
		if _, err := New(u, Options{}); err == nil {
			t.Errorf("New(%q): no error", u)
		}
	}
	c, err := New("http://127.0.0.1:2737/", Options{ChunkRunes: 1 << 20})
	if err != nil || c.opts.ChunkRunes != maxChunkRunes {
		t.Errorf("New: %v, ChunkRunes %d, want capped at %d", err, c.opts.ChunkRunes, maxChunkRunes)
	}
}

func TestPairsCache(t *testing.T) {
	var lists int
	now := time.Unix(0, 0)
	mux := http.NewServeMux()
	mux.HandleFunc("/listPairs", func(w http.ResponseWriter, r *http.Request) {
		lists++
		w.Write([]byte(pairsJSON))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, _ := New(srv.URL, Options{PairsTTL: time.Minute, Now: func() time.Time { return now }})
	ctx := context.Background()
	for range 3 {
		if ok, err := c.Supports(ctx, "en", "es"); !ok || err != nil {
			t.Fatalf("Supports: %v, %v", ok, err)
		}
	}
	if lists != 1 {
		t.Errorf("%d listPairs calls within the TTL, want 1", lists)
	}
	now = now.Add(2 * time.Minute)
	c.Pairs(ctx)
	if lists != 2 {
		t.Errorf("%d listPairs calls after the TTL, want 2", lists)
	}
}

package deflect

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

func fuzzHandler(t testing.TB) *Handler {
	signer, err := web.NewSigner([]byte("fuzz-secret-fuzz-secret-fuzz-sec"))
	if err != nil {
		t.Fatal(err)
	}
	return New(Deps{Signer: signer})
}

// FuzzDeflectRequest: whatever body a client posts to /api/v1/deflect,
// decoding and validation never panic, and what they accept is a known
// locale, a valid entry, a session this help centre handed out (or none),
// and text of valid UTF-8 within domain.MaxDeflectBytes.
func FuzzDeflectRequest(f *testing.F) {
	h := fuzzHandler(f)
	for _, seed := range []string{
		`{"subject":"where is my invoce","body":"I need it","locale":"en"}`,
		`{"subject":"x","locale":"en-GB","entry":"order","order":"1001"}`,
		`{"subject":"x","locale":"xx"}`,
		`{"subject":"x","entry":"<script>"}`,
		`{"subject":"x","session":"01JUNKJUNKJUNKJUNKJUNKJUNK-forged"}`,
		`{"session":"` + h.newSessionID() + `","subject":"\ud800 broken \xff"}`,
		`{"subject":"` + strings.Repeat("é", 5000) + `","body":"` + strings.Repeat("b", 9000) + `"}`,
		`{"subject":1}`, `[]`, `null`, ``, `{`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var req deflectRequest
		if err := json.Unmarshal(data, &req); err != nil {
			return // answered invalid_json before validation
		}
		subject, body, err := h.checkRequest(&req)
		if err != nil {
			if k := domain.ErrorKind(err); k != domain.Invalid && domain.ErrorCode(err) != domain.CodeSessionNotFound {
				t.Fatalf("refusal of kind %s: %v", k, err)
			}
			return
		}
		if !content.KnownLocale(req.Locale) || !domain.ValidEntry(req.Entry) {
			t.Fatalf("accepted locale %q entry %q", req.Locale, req.Entry)
		}
		if req.Session != "" && !h.validSession(req.Session) {
			t.Fatalf("accepted a forged session %q", req.Session)
		}
		if !utf8.ValidString(subject) || !utf8.ValidString(body) || len(subject)+len(body) > domain.MaxDeflectBytes {
			t.Fatalf("text: %d+%d bytes, valid %v %v", len(subject), len(body), utf8.ValidString(subject), utf8.ValidString(body))
		}
	})
}

// FuzzDeflectEvent: an event body is decoded and validated without a
// panic, and an accepted event has a known type and bounded fields.
func FuzzDeflectEvent(f *testing.F) {
	for _, seed := range []string{
		`{"type":"shown"}`, `{"type":"opened","article":"invoice-find"}`,
		`{"type":"not_helpful","article":"a","reason":"didnt_apply"}`,
		`{"type":"handoff","subject":"help","email":"a@b.example"}`,
		`{"type":"pizza"}`, `{"type":"opened"}`, `{"type":"opened","article":"` + strings.Repeat("a", 300) + `"}`,
	} {
		f.Add([]byte(seed))
	}
	known := func(id string) bool { return id == "invoice-find" }
	f.Fuzz(func(t *testing.T, data []byte) {
		var req deflectEventRequest
		if err := json.Unmarshal(data, &req); err != nil {
			return
		}
		ev := domain.Event{Session: "s", Type: domain.EventType(req.Type), At: time.Now(), Article: req.Article, Reason: req.Reason}
		if err := domain.ValidateEvent(&ev); err != nil {
			return
		}
		if err := domain.CheckEventArticle(&ev, known); err != nil {
			if domain.ErrorCode(err) != domain.CodeUnknownArticle {
				t.Fatalf("code %s", domain.ErrorCode(err))
			}
			return
		}
		if ev.Article != "" && !known(ev.Article) || utf8.RuneCountInString(ev.Reason) > 200 {
			t.Fatalf("accepted %+v", ev)
		}
	})
}

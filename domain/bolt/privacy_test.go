package bolt

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/demo"
)

// anaWorld is the demo world in which Ana (demo customer) has written
// everywhere the product stores what people write.
type anaWorld struct {
	dir     string
	db      *DB
	svc     *Services
	privacy *PrivacyService
	users   map[string]*domain.User
	as      func(name string) context.Context
	// Her words, one per place they are stored.
	texts      map[string]string
	sellerWord string // in the seller's reply, kept after her erasure
	attachment string // sha256 of her upload
	threadID   string
}

func newAnaWorld(t testing.TB) *anaWorld {
	t.Helper()
	dir := t.TempDir()
	now := time.Now().UTC()
	db, err := Open(filepath.Join(dir, "helpcentre.db"), fastOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p := domain.DefaultPolicy()
	p.MessagesPerMinute = 0
	svc := NewServices(db, p)
	w, err := demo.Seed(context.Background(), demo.Services{Access: svc.Access, Orders: svc.Orders}, now)
	if err != nil {
		t.Fatal(err)
	}
	x := &anaWorld{dir: dir, db: db, svc: svc, privacy: NewPrivacyService(db), users: w.Users,
		texts: map[string]string{
			"message":    "Mi lámpara llegó con el cristal roto en tres pedazos",
			"incident":   "La caja estaba aplastada y mojada por un lado",
			"claim":      "El color del sofá no se parece nada a la foto",
			"reply":      "Sigo esperando una respuesta sobre el cristal",
			"handoff":    "No encuentro cómo cambiar la dirección de entrega",
			"typed":      "cambiar dirección de entrega del pedido urgente",
			"anonymous":  "Escribo sin cuenta porque olvidé mi contraseña",
			"attachment": "FOTO-DEL-CRISTAL-ROTO-de-ana-garcia-0001",
		},
		sellerWord: "Lo sentimos mucho, enviamos otra lámpara hoy",
	}
	x.as = func(name string) context.Context {
		u := w.Users[name]
		return domain.WithActor(context.Background(), domain.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, ShopID: u.ShopID, Locale: u.Locale})
	}
	ana := x.as("ana")
	att, err := svc.Attachments.PutAttachment(ana, "cristal.txt", strings.NewReader(x.texts["attachment"]+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	x.attachment = att.SHA256
	th, err := svc.Threads.CreateThread(ana, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicProduct,
		Body: x.texts["message"], Attachments: []domain.AttachmentRef{{SHA256: att.SHA256, Name: "cristal.txt"}}})
	if err != nil {
		t.Fatal(err)
	}
	x.threadID = th.ID
	if _, err := svc.Threads.PostMessage(x.as("sam"), th.ID, domain.NewMessage{To: []domain.Party{domain.PartyCustomer},
		Body: "Hola Ana García: " + x.sellerWord}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Threads.PostMessage(ana, th.ID, domain.NewMessage{To: []domain.Party{domain.PartySeller}, Body: x.texts["reply"]}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Incidents.OpenIncident(ana, "1001", 1, domain.IncidentReasons()[0], x.texts["incident"]); err != nil {
		t.Fatal(err)
	}
	// 1002 shipped long ago: her claim was opened while it could be.
	o1002, err := svc.Orders.FindOrder(x.as("adam"), "1002")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewClaimService(db.At(o1002.DeliveredAt.Add(24*time.Hour)), p).OpenClaim(ana, "1002", domain.ClaimDefect, x.texts["claim"]); err != nil {
		t.Fatal(err)
	}
	// The contact flow: a session while signed in, handed off with its
	// transcript; and an anonymous hand-off with her address.
	defl := NewDeflectionService(db, p, nil)
	sess := "sess-ana-1"
	if err := defl.RecordEvents(context.Background(), domain.Event{Session: sess, Type: domain.EventQuery, At: now,
		Start: &domain.SessionStart{Locale: "es", Entry: "contact", CustomerID: w.Users["ana"].ID, Mode: domain.ModeSelfService},
		Typed: &domain.TypedText{Subject: x.texts["typed"], At: now}},
		domain.Event{Session: sess, Type: domain.EventNotHelpful, At: now, Article: "delivery-address", Reason: domain.ReasonDidntApply}); err != nil {
		t.Fatal(err)
	}
	if err := defl.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	ho, err := svc.Threads.Handoff(ana, domain.Handoff{Subject: "Dirección", Body: x.texts["handoff"], Locale: "es",
		Transcript: domain.Transcript{Session: sess, Locale: "es", Typed: []domain.TypedText{{Subject: x.texts["typed"], At: now}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := defl.Handoff(ana, sess, domain.HandoffMark{Thread: ho.ID, At: now, Subject: "Dirección", Body: x.texts["handoff"]}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Threads.Handoff(context.Background(), domain.Handoff{Subject: "Sin cuenta", Body: x.texts["anonymous"], Locale: "es",
		Email: "ana@demo.example", Transcript: domain.Transcript{Session: "sess-anon", Locale: "es"}}); err != nil {
		t.Fatal(err)
	}
	// A feedback comment naming her (votes carry no account).
	if err := NewFeedbackService(db).RecordVote(context.Background(), &domain.Vote{ArticleID: "delivery-address", Locale: "es",
		Helpful: false, Reason: domain.ReasonOther, Comment: "Soy Ana García, escribidme a ana@demo.example"}); err != nil {
		t.Fatal(err)
	}
	return x
}

// dataFiles returns every file under dir with its bytes.
func dataFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		out[path] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// found lists the strings (any case) present in some file under dir.
func found(t *testing.T, dir string, needles []string) []string {
	t.Helper()
	var hits []string
	for path, b := range dataFiles(t, dir) {
		lb := bytes.ToLower(b)
		for _, n := range needles {
			if bytes.Contains(lb, bytes.ToLower([]byte(n))) {
				hits = append(hits, n+" in "+filepath.Base(path))
			}
		}
	}
	return hits
}

func TestEraseLeavesNoTraceOfAnaInTheDataFolder(t *testing.T) {
	x := newAnaWorld(t)
	needles := []string{"Ana García", "ana@demo.example", "ana garcía"}
	for _, s := range x.texts {
		needles = append(needles, s)
	}
	// Before: the data folder holds her (else the test proves nothing).
	before := found(t, x.dir, needles)
	if len(before) < len(needles) {
		t.Fatalf("before the erasure only %d of %d strings are in the data folder: %v", len(before), len(needles), before)
	}
	admin := x.as("adam")
	ana := x.users["ana"]
	// The inbox's word index finds her thread by her words and her name
	// before, by the seller's words only after.
	findBy := func(text string) int {
		t.Helper()
		page, err := x.svc.Threads.ListThreads(x.as("olga"), domain.ThreadFilter{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Threads)
	}
	for _, q := range []string{"pedazos", "garcia", "cristal roto", "lampara"} {
		if findBy(q) == 0 {
			t.Fatalf("before the erasure, the text filter %q finds nothing", q)
		}
	}
	if _, err := x.privacy.EraseCustomer(admin, ana.ID, "not-her"); domain.ErrorCode(err) != domain.CodeErasureConfirm {
		t.Fatalf("erase with a wrong confirmation: %v, want erasure_confirmation", err)
	}
	if _, err := x.privacy.EraseCustomer(x.as("olga"), ana.ID, "ana"); domain.ErrorKind(err) != domain.Forbidden {
		t.Fatalf("an agent erasing: %v, want forbidden", err)
	}
	rep, err := x.privacy.EraseCustomer(admin, ana.ID, "ana")
	if err != nil {
		t.Fatal(err)
	}
	if rep.FilesDeleted != 1 || rep.PagesScrubbed == 0 || rep.Messages < 4 {
		t.Errorf("report %+v: want 1 file deleted, free pages scrubbed, her 4+ messages", rep)
	}
	if hits := found(t, x.dir, needles); len(hits) > 0 {
		t.Errorf("after the erasure, with the server running: %v", hits)
	}
	if _, err := os.Stat(filepath.Join(x.dir, "attachments", x.attachment[:2], x.attachment)); !os.IsNotExist(err) {
		t.Errorf("her attachment is still on disk: %v", err)
	}

	for _, q := range []string{"pedazos", "garcia", "cristal roto", "esperando"} {
		if n := findBy(q); n != 0 {
			t.Errorf("after the erasure, the text filter %q finds %d threads", q, n)
		}
	}
	if findBy("sentimos lampara") == 0 {
		t.Error("after the erasure, the seller's words no longer find the thread")
	}

	// The others keep their words; she is a pseudonym; the audit log says
	// that she was erased.
	th, err := x.svc.Threads.FindThread(x.as("sam"), x.threadID, domain.MessagePage{})
	if err != nil {
		t.Fatal(err)
	}
	var kept, erased int
	for _, m := range th.Messages {
		switch {
		case m.AuthorID == ana.ID && m.Erased && m.Body == "" && m.AuthorName == domain.ErasedDisplayName:
			erased++
		case strings.Contains(m.Body, x.sellerWord) && !strings.Contains(m.Body, "García"):
			kept++
		}
	}
	if kept != 1 || erased != 2 || th.Customer != domain.ErasedDisplayName {
		t.Errorf("thread after erasure: customer %q, %d seller messages kept, %d of hers erased: %+v", th.Customer, kept, erased, th.Messages)
	}
	u, err := x.svc.Access.FindUser(admin, ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "" || u.Display != domain.ErasedDisplayName || !u.Disabled || u.Name == "ana" {
		t.Errorf("account after erasure: %+v", u)
	}
	if _, err := x.svc.Access.Login(context.Background(), "ana", demo.Password); err == nil {
		t.Error("she can still sign in")
	}
	if _, err := x.svc.Access.Authenticate(context.Background(), demo.Token("ana")); err == nil {
		t.Error("her token still works")
	}
	log, err := x.svc.Audit.AuditLog(admin, "user:"+ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(log); n == 0 || log[n-1].Action != "customer.erased" || log[n-1].Actor != x.users["adam"].ID {
		t.Errorf("audit log of her account: %+v", log)
	}
	// Closed, the file still holds none of it.
	if err := x.db.Close(); err != nil {
		t.Fatal(err)
	}
	if hits := found(t, x.dir, needles); len(hits) > 0 {
		t.Errorf("after the erasure, closed: %v", hits)
	}
}

// Every read transaction of the package is counted by the gate: a read
// that bypassed it could be reading a free page while ScrubFreePages
// zeroes it.
func TestReadsGoThroughTheGate(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if (strings.Contains(line, "db.db.View(") && f != "scrub.go") || strings.Contains(line, "Begin(false)") {
				t.Errorf("%s:%d: a read transaction outside db.read: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}

// Scrubbing while others read and write leaves every reader's data intact
// and the file consistent.
func TestScrubWhileReadingAndWriting(t *testing.T) {
	x := newAnaWorld(t)
	ctx, stop := context.WithTimeout(context.Background(), 2*time.Second)
	defer stop()
	sam, ana := x.as("sam"), x.as("ana")
	done := make(chan struct{})
	errs := make(chan error, 8)
	for range 3 {
		go func() {
			for ctx.Err() == nil {
				th, err := x.svc.Threads.FindThread(sam, x.threadID, domain.MessagePage{})
				if err != nil || len(th.Messages) < 3 {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	go func() {
		defer close(done)
		for i := 0; ctx.Err() == nil && i < 200; i++ {
			if _, err := x.svc.Threads.PostMessage(ana, x.threadID, domain.NewMessage{To: []domain.Party{domain.PartySeller}, Body: strings.Repeat("x", 500+i)}); err != nil {
				errs <- err
				return
			}
		}
	}()
	scrubs := 0
	for ctx.Err() == nil {
		if _, err := x.db.ScrubFreePages(ctx); err != nil && ctx.Err() == nil {
			t.Fatal(err)
		}
		scrubs++
	}
	<-done
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatalf("a reader failed: %v", err)
		}
	}
	if err := x.db.Check(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d scrubs", scrubs)
}

// Retention: what was typed is kept for its period, then forgotten, from
// the records and from the file. Time advances through views of the DB at
// later instants (db.At).
func TestRetentionForgetsTranscriptsContactEmailsAndComments(t *testing.T) {
	x := newAnaWorld(t)
	now := time.Now().UTC()
	r := domain.Retention{Transcripts: 30 * 24 * time.Hour, ContactEmails: 90 * 24 * time.Hour, FeedbackComments: 60 * 24 * time.Hour}
	typed, anonymous := x.texts["typed"], x.texts["anonymous"]
	comment := "Soy Ana García, escribidme a ana@demo.example"
	has := func(s string) bool { return len(found(t, x.dir, []string{s})) > 0 }
	purge := func(at time.Time) *domain.PurgeReport {
		t.Helper()
		rep, err := NewPrivacyService(x.db.At(at)).PurgeExpired(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}

	// A day later: everything is kept.
	if rep := purge(now.Add(24 * time.Hour)); *rep != (domain.PurgeReport{}) {
		t.Errorf("a day later: %+v, want nothing purged", rep)
	}
	if !has(typed) || !has(anonymous) || !has(comment) {
		t.Fatal("a day later the typed text, the anonymous address's message or the comment is gone")
	}
	// 31 days later: the hand-off transcript's typed text goes (the
	// message sent stays: it is the conversation).
	if rep := purge(now.Add(31 * 24 * time.Hour)); rep.Transcripts != 1 || rep.ContactEmails != 0 || rep.FeedbackComments != 0 || rep.PagesScrubbed == 0 {
		t.Errorf("31 days later: %+v, want 1 transcript", rep)
	}
	olga := x.as("olga")
	page, err := x.svc.Threads.SearchThreads(olga, "", domain.ThreadFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) < 3 {
		t.Fatalf("customer care sees %d threads, want Ana's 3", len(page))
	}
	for _, th := range page {
		if th.Transcript != nil && len(th.Transcript.Typed) > 0 {
			t.Errorf("thread %s still has its transcript's typed text", th.ID)
		}
	}
	// Session text has its own retention (-deflect-retention): purge it, so
	// that the file may be checked for the transcript's text alone.
	if _, err := NewDeflectionService(x.db, domain.DefaultPolicy(), nil).PurgeText(context.Background(), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := x.db.ScrubFreePages(context.Background()); err != nil {
		t.Fatal(err)
	}
	if has(typed) {
		t.Errorf("31 days later the typed text is still in the data folder: %v", found(t, x.dir, []string{typed}))
	}
	// 61 days later: the comment goes, the vote stays.
	if rep := purge(now.Add(61 * 24 * time.Hour)); rep.FeedbackComments != 1 || rep.ContactEmails != 0 {
		t.Errorf("61 days later: %+v, want 1 comment", rep)
	}
	if has(comment) {
		t.Error("61 days later the comment is still in the data folder")
	}
	sum, err := NewFeedbackService(x.db).FeedbackSummary(olga, "delivery-address")
	if err != nil {
		t.Fatal(err)
	}
	if sum.NotHelpful != 1 {
		t.Errorf("the vote went with its comment: %+v", sum)
	}
	// 91 days later: the anonymous visitor's address goes from the thread
	// and its messages.
	if rep := purge(now.Add(91 * 24 * time.Hour)); rep.ContactEmails != 1 {
		t.Errorf("91 days later: %+v, want 1 contact email", rep)
	}
	page, err = x.svc.Threads.SearchThreads(olga, "", domain.ThreadFilter{})
	if err != nil {
		t.Fatal(err)
	}
	anon := 0
	for _, th := range page {
		if th.UnverifiedEmail != "" {
			t.Errorf("thread %s keeps the address %q", th.ID, th.UnverifiedEmail)
		}
		if th.CustomerID != "" {
			continue
		}
		anon++
		full, err := x.svc.Threads.FindThread(olga, th.ID, domain.MessagePage{})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range full.Messages {
			if m.Unverified && m.AuthorName != domain.AnonymousAuthor {
				t.Errorf("the anonymous message keeps its author %q", m.AuthorName)
			}
		}
	}
	if anon != 1 {
		t.Errorf("%d anonymous threads, want 1", anon)
	}
	if _, err := x.db.ScrubFreePages(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Her account still has her address (she is a customer, not an
	// anonymous visitor): only the anonymous thread's copies must be gone.
	if rep := purge(now.Add(92 * 24 * time.Hour)); *rep != (domain.PurgeReport{}) {
		t.Errorf("a second purge found more: %+v", rep)
	}
}

// The scrub waits for every read transaction begun before it, also one an
// earlier scrub gave up waiting for; readers begun after it never wait.
func TestScrubWaitsForOlderReaders(t *testing.T) {
	g := newReadGate()
	short := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		return g.drain(ctx)
	}
	old := g.enter()
	if err := short(); err == nil {
		t.Fatal("drained with a reader of the epoch before open")
	}
	newer := g.enter() // begun after the first drain: no scrub waits for it once a later one starts
	if err := short(); err == nil {
		t.Fatal("the second drain forgot the reader the first one gave up on")
	}
	g.leave(old)
	if err := short(); err == nil {
		t.Fatal("drained with the newer reader open, which began before this drain")
	}
	g.leave(newer)
	if err := short(); err != nil {
		t.Fatalf("no reader left: %v", err)
	}
	after := g.enter()
	defer g.leave(after)
	if g.epoch != 4 || len(g.count) != 1 {
		t.Errorf("epoch %d, counts %v", g.epoch, g.count)
	}
}

package bench

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/apertium"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/demo"
	"github.com/marketplace/helpcentre/domain/translate"
)

// helpcentre bench --translate measures machine translation of messages:
//
//   - the engine: per-message latency and messages/s, English → Spanish and
//     back, with 1 and 4 callers (apertium.Measure);
//   - the pipeline: messages posted through the thread service with
//     translation on and the worker running, and the delay from the post's
//     commit to the translation stored on the message (what a reader waits).
//
// It starts Debian's APY itself unless --translator names a running one.

type translateBench struct {
	Engine   string            `json:"engine"`
	Runs     []translateRun    `json:"runs"`
	Pipeline translatePipeline `json:"pipeline"`
}

type translateRun struct {
	Pair        string  `json:"pair"`
	Concurrency int     `json:"concurrency"`
	Messages    int     `json:"messages"`
	P50MS       float64 `json:"p50_ms"`
	P99MS       float64 `json:"p99_ms"`
	PerSecond   float64 `json:"messages_per_second"`
}

type translatePipeline struct {
	Messages int     `json:"messages"`
	P50MS    float64 `json:"post_to_translation_p50_ms"`
	P99MS    float64 `json:"post_to_translation_p99_ms"`
}

// benchMessages are realistic after-sales messages of 40 to 300 characters.
var benchMessages = []string{
	"Hello, my order has not arrived yet. Can you tell me when it will be delivered?",
	"The lamp arrived with a broken shade. I attach a photo of the box and the damage.",
	"Thank you for your message. We shipped your parcel yesterday; the tracking number will follow by email.",
	"I would like to return the towel because the colour is different from the photo on the website.",
	"Where can I download the invoice for my last order? I need it for my company.",
	"We are sorry about the delay. The carrier has confirmed the delivery for tomorrow morning.",
	"Your refund has been issued and should reach your card within five working days.",
	"Can I change the delivery address? I will not be at home next week.",
	"The product works but the instructions are missing. Could you send them as a PDF?",
	"Please send the item back with the label attached to this message; we will refund you when it arrives.",
}

// TranslateOptions configure the machine-translation bench (RunTranslate).
type TranslateOptions struct {
	Translator string // APY URL; "": start Debian's apertium-apy for the run (Linux only)
	Messages   int    // per engine run
	Pipeline   int    // messages through the store's translation queue; 0: 200
	JSON       bool   // print one JSON object
}

// RunTranslate measures machine translation of messages, engine and
// pipeline, and prints the report on stdout, its progress on stderr.
func RunTranslate(ctx context.Context, opts TranslateOptions, stdout, stderr io.Writer) error {
	if opts.Translator == "" {
		engine, stop, err := startEngine(stderr)
		if err != nil {
			return err
		}
		defer stop()
		opts.Translator = engine
	}
	c, err := apertium.New(opts.Translator, apertium.Options{})
	if err != nil {
		return err
	}
	defer c.Close()
	// The first translation of a pair starts its pipeline: not a message's cost.
	for _, p := range [][2]string{{"en", "es"}, {"es", "en"}} {
		if _, err := c.Translate(ctx, "Hello", p[0], p[1]); err != nil {
			return fmt.Errorf("bench --translate: the engine does not translate %s → %s: %w", p[0], p[1], err)
		}
	}
	rep := translateBench{Engine: opts.Translator}
	texts := make([]string, opts.Messages)
	for i := range texts {
		texts[i] = benchMessages[i%len(benchMessages)]
	}
	spanish := make([]string, len(benchMessages))
	for i, m := range benchMessages {
		if spanish[i], err = c.Translate(ctx, m, "en", "es"); err != nil {
			return err
		}
	}
	esTexts := make([]string, opts.Messages)
	for i := range esTexts {
		esTexts[i] = spanish[i%len(spanish)]
	}
	for _, run := range []struct {
		from, to string
		texts    []string
		conc     int
	}{{"en", "es", texts, 1}, {"en", "es", texts, 4}, {"es", "en", esTexts, 1}} {
		st, err := apertium.Measure(ctx, c, run.from, run.to, run.texts, run.conc)
		if err != nil {
			return err
		}
		rep.Runs = append(rep.Runs, translateRun{Pair: run.from + "→" + run.to, Concurrency: run.conc, Messages: st.Messages,
			P50MS: ms(st.P50), P99MS: ms(st.P99), PerSecond: st.PerSecond})
	}
	if rep.Pipeline, err = benchTranslatePipeline(ctx, c, cmp.Or(opts.Pipeline, 200)); err != nil {
		return err
	}
	if opts.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdout, "Machine translation (Apertium at %s)\n\n", rep.Engine)
	fmt.Fprintf(stdout, "%-8s %8s %9s %9s %9s %10s\n", "pair", "callers", "messages", "p50 ms", "p99 ms", "msgs/s")
	for _, r := range rep.Runs {
		fmt.Fprintf(stdout, "%-8s %8d %9d %9.1f %9.1f %10.1f\n", r.Pair, r.Concurrency, r.Messages, r.P50MS, r.P99MS, r.PerSecond)
	}
	fmt.Fprintf(stdout, "\nPipeline: %d messages posted (durably) with the worker running; post → translation stored: p50 %.0f ms, p99 %.0f ms\n",
		rep.Pipeline.Messages, rep.Pipeline.P50MS, rep.Pipeline.P99MS)
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// benchTranslatePipeline posts messages from Sam (English) to Ana (Spanish)
// one every 20 ms with the worker running, then reads when each translation
// was stored.
func benchTranslatePipeline(ctx context.Context, c *apertium.Client, n int) (translatePipeline, error) {
	dir, err := os.MkdirTemp("", "helpcentre-bench-translate-")
	if err != nil {
		return translatePipeline{}, err
	}
	defer os.RemoveAll(dir)
	db, err := bolt.Open(filepath.Join(dir, "hc.db"), bolt.Options{})
	if err != nil {
		return translatePipeline{}, err
	}
	defer db.Close()
	db.EnableTranslation()
	p := domain.DefaultPolicy()
	p.MessagesPerMinute = 0 // the bench posts faster than a person
	svc := bolt.NewServices(db, p)
	if _, err := demo.Seed(ctx, demo.Services{Access: svc.Access, Orders: svc.Orders}, time.Now()); err != nil {
		return translatePipeline{}, err
	}
	w := &translate.Worker{Queue: bolt.NewTranslationQueue(db), Translator: c, Engine: "apertium", Poll: 50 * time.Millisecond,
		Retryable: apertium.Retryable, Unsupported: func(err error) bool { return errors.Is(err, apertium.ErrUnsupportedPair) }}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); w.Run(wctx) }()
	defer func() { stop(); <-done }()

	sam, err := svc.Access.Authenticate(ctx, demo.Token("sam"))
	if err != nil {
		return translatePipeline{}, err
	}
	ana, err := svc.Access.Authenticate(ctx, demo.Token("ana"))
	if err != nil {
		return translatePipeline{}, err
	}
	samCtx, anaCtx := domain.WithActor(ctx, sam), domain.WithActor(ctx, ana)
	th, err := svc.Threads.CreateThread(samCtx, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartyCustomer, Topic: domain.TopicDelivery, Body: "Hello"})
	if err != nil {
		return translatePipeline{}, err
	}
	posted := map[string]time.Time{}
	for i := range n {
		m, err := svc.Threads.PostMessage(samCtx, th.ID, domain.NewMessage{To: []domain.Party{domain.PartyCustomer}, Body: benchMessages[i%len(benchMessages)]})
		if err != nil {
			return translatePipeline{}, err
		}
		posted[m.ID] = m.CreatedAt
		w.Kick()
		time.Sleep(20 * time.Millisecond)
	}
	var delays []time.Duration
	deadline := time.Now().Add(2 * time.Minute)
	for {
		full, err := svc.Threads.FindThread(anaCtx, th.ID, domain.MessagePage{Limit: domain.MaxMessagePage})
		if err != nil {
			return translatePipeline{}, err
		}
		delays = delays[:0]
		for _, m := range full.Messages {
			at, ok := posted[m.ID]
			if tr := m.Translations["es"]; ok && tr.Status == domain.TranslationDone {
				delays = append(delays, tr.UpdatedAt.Sub(at))
			}
		}
		if len(delays) == n || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(delays) < n {
		return translatePipeline{}, fmt.Errorf("bench --translate: %d of %d messages translated within 2 minutes", len(delays), n)
	}
	slices.Sort(delays)
	return translatePipeline{Messages: n, P50MS: ms(delays[len(delays)/2]), P99MS: ms(delays[len(delays)*99/100])}, nil
}

package searcheval

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/search"
)

// replayEngine is an engine over the bundled articles.
func replayEngine(t testing.TB, o search.Options) *search.Engine {
	t.Helper()
	ix, err := index.Open(context.Background(), t.TempDir(), content.Bundled(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return search.New(ix, o)
}

// TestReplayLearning replays simulated traffic from the whole bitext train
// split (visitors clicking the intent's article), learns from its earlier
// 80 % and scores, with and without what was learned, the later train
// searches and the bitext dev questions, which were never replayed. The
// README's figures are this test's log. HC_TUNE=1 sweeps the learned
// weights on the later train searches only (dev is not looked at).
func TestReplayLearning(t *testing.T) {
	if testing.Short() {
		t.Skip("replays 6,480 searches")
	}
	path := simulatedEvents(t, 1<<30)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	log, err := ReadEvents(f, path)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if os.Getenv("HC_TUNE") != "" {
		for _, lw := range []float64{0.5, 1, 2, 3, 4, 6, 8} {
			for _, ws := range []float64{0, 0.5, 1, 2} {
				for _, low := range []float64{0, 0.5, 1} {
					o := search.DefaultOptions()
					o.LearnedWeight, o.LearnedWordShare, o.LowInfoWeight = lw, ws, low
					rep, err := ReplayLog(ctx, replayEngine(t, o), log, ReplayOptions{Events: path})
					if err != nil {
						t.Fatal(err)
					}
					t.Logf("weight %.1f word share %.1f low-info %.1f: train later hit@3 %.4f → %.4f, MRR@10 %.4f → %.4f",
						lw, ws, low, rep.Without.Hit3, rep.With.Hit3, rep.Without.MRR10, rep.With.MRR10)
				}
			}
		}
		return
	}
	dev, intents := bitext(t, "queries_dev.jsonl")
	rep, err := ReplayLog(ctx, replayEngine(t, search.DefaultOptions()), log, ReplayOptions{Events: path, Held: dev, Intents: intents})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d events, %d associations learned; later train searches (%d): hit@3 %.4f → %.4f, MRR@10 %.4f → %.4f; dev (%d, never replayed): hit@3 %.4f → %.4f, MRR@10 %.4f → %.4f",
		rep.Events, rep.Learned, rep.Scored, rep.Without.Hit3, rep.With.Hit3, rep.Without.MRR10, rep.With.MRR10,
		rep.Held, rep.HeldWithout.Hit3, rep.HeldWith.Hit3, rep.HeldWithout.MRR10, rep.HeldWith.MRR10)
	if rep.With.Hit3 <= rep.Without.Hit3 || rep.HeldWith.Hit3 < rep.HeldWithout.Hit3 {
		t.Errorf("learning does not help: %s", fmt.Sprint(*rep.With, *rep.HeldWith))
	}
}

// TestReplayOneVisitorPerQuestion replays questions that are each asked
// once, by a visitor of their own (as real shoppers' questions rarely
// repeat word for word): 1,500 bitext train questions, the right article
// clicked. Their own keys seldom reach the minimum evidence; their words
// do (domain.WordKeyPrefix), and the bitext dev questions, never replayed,
// must gain. With HC_COVIDFAQ set to the CovidFAQ folder (articles/ and
// queries.jsonl), it also replays 60 % of its real questions once each
// and scores the other 40 %: the README's figures are this test's log.
func TestReplayOneVisitorPerQuestion(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	replay := func(t *testing.T, e *search.Engine, asked, held []search.EvalQuery, intents map[string][]string) *ReplayReport {
		t.Helper()
		var buf bytes.Buffer
		if err := SimulateTraffic(&buf, asked, intents, start, 30, 1<<30, 2); err != nil {
			t.Fatal(err)
		}
		log, err := ReadEvents(&buf, "simulated")
		if err != nil {
			t.Fatal(err)
		}
		rep, err := ReplayLog(ctx, e, log, ReplayOptions{Events: "simulated", Split: 0.999, Held: held, Intents: intents})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	shuffled := func(qs []search.EvalQuery) []search.EvalQuery {
		qs = slices.Clone(qs)
		rng := rand.New(rand.NewPCG(7, 7))
		rng.Shuffle(len(qs), func(i, j int) { qs[i], qs[j] = qs[j], qs[i] })
		return qs
	}

	train, intents := bitext(t, "queries_train.jsonl")
	dev, _ := bitext(t, "queries_dev.jsonl")
	rep := replay(t, replayEngine(t, search.DefaultOptions()), shuffled(train)[:1500], dev, intents)
	t.Logf("bitext: 1,500 train questions once each, %d associations apply; dev (%d) hit@3 %.4f → %.4f, MRR@10 %.4f → %.4f",
		rep.Learned, rep.Held, rep.HeldWithout.Hit3, rep.HeldWith.Hit3, rep.HeldWithout.MRR10, rep.HeldWith.MRR10)
	if rep.HeldWith.Hit3 <= rep.HeldWithout.Hit3 || rep.HeldWith.MRR10 <= rep.HeldWithout.MRR10 {
		t.Errorf("questions asked once teach nothing: %+v → %+v", *rep.HeldWithout, *rep.HeldWith)
	}

	dir := os.Getenv("HC_COVIDFAQ")
	if dir == "" {
		return
	}
	qs, err := ReadQueriesFile(filepath.Join(dir, "queries.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := index.Open(ctx, t.TempDir(), os.DirFS(filepath.Join(dir, "articles")), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	qs = shuffled(qs)
	cut := len(qs) * 6 / 10
	rep = replay(t, search.New(ix, search.DefaultOptions()), qs[:cut], qs[cut:], nil)
	t.Logf("CovidFAQ: %d questions once each, %d associations apply; the other %d hit@3 %.4f → %.4f, MRR@10 %.4f → %.4f",
		cut, rep.Learned, rep.Held, rep.HeldWithout.Hit3, rep.HeldWith.Hit3, rep.HeldWithout.MRR10, rep.HeldWith.MRR10)
}

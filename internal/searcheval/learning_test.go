package searcheval

import (
	"context"
	"fmt"
	"os"
	"testing"

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

package search

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/index"
)

// TestFitDeflectModel refits deflectModel: a logistic regression of "the
// right article is in the top 3" on the best candidate's features, over every
// bitext train query and the out-of-scope train queries (never right). Only the training sets are used:
// the dev sets stay for measuring. Run with HC_FIT=1 and paste the printed
// model into deflect.go.
func TestFitDeflectModel(t *testing.T) {
	if os.Getenv("HC_FIT") == "" {
		t.Skip("set HC_FIT=1 to refit the deflection model")
	}
	ctx := context.Background()
	ix, err := index.Open(ctx, t.TempDir(), content.Bundled(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	e := New(ix, DefaultOptions())
	var intents map[string][]string
	data, err := os.ReadFile("testdata/bitext/intents.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &intents); err != nil {
		t.Fatal(err)
	}
	var xs [][numDeflectFeatures]float64
	var ys, ws []float64
	// Out-of-scope queries are few beside bitext's: they weigh more, so
	// that the two kinds of mistake count about alike per query.
	for _, set := range []struct {
		file   string
		weight float64
	}{{"testdata/bitext/queries_train.jsonl", 1}, {"testdata/outofscope/queries_train.jsonl", 20}} {
		f, err := os.Open(set.file)
		if err != nil {
			t.Fatal(err)
		}
		qs, err := ReadQueries(f, set.file)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			rel := map[string]bool{}
			for _, id := range intents[q.RelevantIntent] {
				rel[id] = true
			}
			for _, id := range q.Relevant {
				rel[id] = true
			}
			loc := q.Locale
			if loc == "" {
				loc = "en"
			}
			_, cands, err := e.deflectCandidates(ctx, DeflectRequest{Subject: q.Query, Locale: loc})
			if err != nil {
				t.Fatal(err)
			}
			if len(cands) == 0 {
				continue // nothing to show anyway
			}
			y := 0.0
			for _, c := range cands[:min(len(cands), MaxDeflect)] {
				if rel[c.article.ID] {
					y = 1
				}
			}
			xs, ys, ws = append(xs, cands[0].features), append(ys, y), append(ws, set.weight)
		}
	}
	m := fitLogistic(xs, ys, ws, 1e-3, 30)
	var b strings.Builder
	fmt.Fprintf(&b, "var deflectModel = logistic{\n\tbias: %.4f,\n\tweights: [numDeflectFeatures]float64{", m.bias)
	for _, w := range m.weights {
		fmt.Fprintf(&b, "%.4f, ", w)
	}
	b.WriteString("},\n}\n")
	t.Logf("%d examples\n%s", len(xs), b.String())
}

// fitLogistic fits a weighted, L2-regularised logistic regression by
// Newton's method.
func fitLogistic(xs [][numDeflectFeatures]float64, ys, ws []float64, l2 float64, iters int) logistic {
	const k = numDeflectFeatures + 1
	beta := make([]float64, k)
	row := func(x [numDeflectFeatures]float64) []float64 {
		r := make([]float64, k)
		r[0] = 1
		copy(r[1:], x[:])
		return r
	}
	var wsum float64
	for _, w := range ws {
		wsum += w
	}
	for range iters {
		grad := make([]float64, k)
		hess := make([][]float64, k)
		for i := range hess {
			hess[i] = make([]float64, k)
		}
		for n, x := range xs {
			r := row(x)
			var z float64
			for i := range r {
				z += beta[i] * r[i]
			}
			p := 1 / (1 + math.Exp(-z))
			for i := range r {
				grad[i] += ws[n] * (p - ys[n]) * r[i] / wsum
				for j := range r {
					hess[i][j] += ws[n] * p * (1 - p) * r[i] * r[j] / wsum
				}
			}
		}
		for i := 1; i < k; i++ {
			grad[i] += l2 * beta[i]
			hess[i][i] += l2
		}
		step := solve(hess, grad)
		for i := range beta {
			beta[i] -= step[i]
		}
	}
	var m logistic
	m.bias = beta[0]
	copy(m.weights[:], beta[1:])
	return m
}

// solve solves a·x = b by Gaussian elimination with partial pivoting.
func solve(a [][]float64, b []float64) []float64 {
	n := len(b)
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		b[c], b[p] = b[p], b[c]
		if a[c][c] == 0 {
			continue
		}
		for r := c + 1; r < n; r++ {
			f := a[r][c] / a[c][c]
			for j := c; j < n; j++ {
				a[r][j] -= f * a[c][j]
			}
			b[r] -= f * b[c]
		}
	}
	x := make([]float64, n)
	for i := n - 1; i >= 0; i-- {
		s := b[i]
		for j := i + 1; j < n; j++ {
			s -= a[i][j] * x[j]
		}
		if a[i][i] != 0 {
			x[i] = s / a[i][i]
		}
	}
	return x
}

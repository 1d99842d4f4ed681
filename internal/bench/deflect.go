package bench

import (
	"encoding/json"

	"github.com/marketplace/helpcentre/internal/loadgen"
)

// The deflect phase of helpcentre bench: POST /api/v1/deflect with the
// questions of the search stream as contact-form subjects, at saturation and
// at half of it, beside search's figures. Each request also queues its
// session for the background writer, as in production.

const deflectRoute = "/api/v1/deflect"

// benchDeflectRate lifts the per-client limit for the run: the bench is one
// client sending thousands of questions a second.
const benchDeflectRate = "1000000000"

// deflectTargets turns a stream into POST targets.
func deflectTargets(qs []benchQuery) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		body, _ := json.Marshal(map[string]string{"subject": q.q, "locale": q.locale, "entry": "bench"})
		out[i] = loadgen.PostTarget(deflectRoute, body)
	}
	return out
}

package main

import (
	"encoding/json"
	"strings"
)

// The deflect phase of helpcentre bench: POST /api/v1/deflect with the
// questions of the search stream as contact-form subjects, at saturation and
// at half of it, beside search's figures. Each request also queues its
// session for the background writer, as in production.

const deflectRoute = "/api/v1/deflect"

// benchDeflectRate lifts the per-client limit for the run: the bench is one
// client sending thousands of questions a second.
const benchDeflectRate = "1000000000"

// deflectTargets turns a stream into POST targets: "POST <path>\n<JSON body>".
func deflectTargets(qs []benchQuery) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		body, _ := json.Marshal(map[string]string{"subject": q.q, "locale": q.locale, "entry": "bench"})
		out[i] = "POST " + deflectRoute + "\n" + string(body)
	}
	return out
}

// postTarget splits a target made by deflectTargets.
func postTarget(target string) (path string, body []byte, ok bool) {
	rest, ok := strings.CutPrefix(target, "POST ")
	if !ok {
		return "", nil, false
	}
	path, b, ok := strings.Cut(rest, "\n")
	return path, []byte(b), ok
}

package search

import (
	"embed"
	"strings"
	"sync"
)

//go:embed chatspeak/*.txt
var chatFiles embed.FS

// chatSpeak is a locale's list of chat and SMS abbreviations ("u", "pls",
// "dont"; "q", "xq") and the words they stand for: a general normalisation,
// the kind every chat system has, applied to a query's words before typo
// correction (which would otherwise "correct" "u" into nothing and "pls"
// into "pl").
type chatSpeak struct {
	once sync.Once
	file string
	m    map[string][]string
}

// chatSpeaks returns one lazily loaded list per locale that has one
// (chatspeak/<locale>.txt).
func chatSpeaks() map[string]*chatSpeak {
	out := map[string]*chatSpeak{}
	entries, _ := chatFiles.ReadDir("chatspeak")
	for _, e := range entries {
		if locale, ok := strings.CutSuffix(e.Name(), ".txt"); ok {
			out[locale] = &chatSpeak{file: "chatspeak/" + e.Name()}
		}
	}
	return out
}

// expand returns the words w (lower-cased, folded) stands for, or nil.
func (c *chatSpeak) expand(w string) []string {
	if c == nil {
		return nil
	}
	c.once.Do(func() {
		data, _ := chatFiles.ReadFile(c.file)
		c.m = map[string][]string{}
		for line := range strings.Lines(string(data)) {
			f := strings.Fields(line)
			if len(f) < 2 || strings.HasPrefix(f[0], "#") {
				continue
			}
			c.m[f[0]] = f[1:]
		}
	})
	return c.m[w]
}

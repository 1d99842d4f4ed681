package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// walkThroughSection is the README section whose shell blocks
// TestReadmeWalkThrough runs: every ```sh block under this heading, up to the
// next "## " heading, in order, as one script.
const walkThroughSection = "## After-sales: a walk-through with curl"

// TestReadmeWalkThrough runs the README's walk-through as written against a
// server started as `make run` starts it (`serve --demo`, with the payment
// secret the walk-through names), in an empty folder: every command must run,
// and every HTTP answer must be the one the README gives in the command's
// comment ("# 404 not_found…", "# 201, 6.50 EUR…") or, when it gives none, a
// 2xx. Whatever blocks the section holds are run, so a journey added to it is
// tested by adding it. The same server first shows the demo out of the box
// (checkDemoOutOfTheBox).
func TestReadmeWalkThrough(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq", "openssl", "base64"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("the walk-through needs %s: CI must install it with .ci/deps", tool)
			}
			t.Skipf("the walk-through needs %s (.ci/deps installs it)", tool)
		}
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	cmds := walkThroughCommands(t, string(readme))

	// As the README says: HELPCENTRE_PAYMENT_SECRET=paysecret make run.
	t.Setenv("HELPCENTRE_PAYMENT_SECRET", "paysecret")
	cfg, err := parseServe([]string{"--demo", "--data", t.TempDir()}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Shutdown = 5 * time.Second
	r := start(t, cfg)
	defer func() {
		if err := r.stop(); err != nil {
			t.Error(err)
		}
	}()
	t.Run("out of the box", func(t *testing.T) { checkDemoOutOfTheBox(t, r.base) })
	t.Run("as written", func(t *testing.T) { runWalkThrough(t, r.base, cmds) })
}

// runWalkThrough runs the walk-through's commands against the server at base.
func runWalkThrough(t *testing.T, base string, cmds []walkCommand) {
	host := strings.TrimPrefix(base, "http://")

	// One script: every command announced on both outputs, curl reporting
	// each answer's status on stderr (its output stays as the README's
	// pipes and files expect).
	var script strings.Builder
	script.WriteString("set -eu -o pipefail\n")
	script.WriteString("curl() { command curl -sS -w '%{stderr}HTTP %{http_code}\\n' \"$@\"; }\n")
	for i, c := range cmds {
		fmt.Fprintf(&script, "printf '\\nCMD %d\\n'; printf '\\nCMD %d\\n' >&2\n", i, i)
		script.WriteString(strings.ReplaceAll(c.text, "localhost:8080", host) + "\n")
	}
	script.WriteString("printf '\\nCMD end\\n' >&2\n")
	sh := exec.Command("bash", "-c", script.String())
	sh.Dir = t.TempDir()
	sh.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	var stdout, stderr strings.Builder
	sh.Stdout, sh.Stderr = &stdout, &stderr
	runErr := sh.Run()

	outputs := splitByCommand(stdout.String())
	logs := splitByCommand(stderr.String())
	for i, c := range cmds {
		lines, ran := logs[strconv.Itoa(i)]
		if !ran {
			t.Errorf("README line %d never ran (the script stopped before it: %v):\n%s\nits last output:\n%s", c.line, runErr, c.text, tail(stderr.String(), 2000))
			break
		}
		var statuses []int
		var other []string
		for _, l := range lines {
			if s, ok := strings.CutPrefix(l, "HTTP "); ok {
				n, _ := strconv.Atoi(s)
				statuses = append(statuses, n)
			} else if strings.TrimSpace(l) != "" {
				other = append(other, l)
			}
		}
		fail := func(format string, args ...any) {
			t.Errorf("README line %d: %s\n  %s\nanswer:\n%s", c.line, fmt.Sprintf(format, args...), c.text, tail(strings.Join(outputs[strconv.Itoa(i)], "\n"), 1500))
		}
		if len(other) > 0 {
			fail("said on stderr: %s", strings.Join(other, "\n"))
		}
		for k, s := range statuses {
			want := "2xx"
			ok := s >= 200 && s < 300
			if k == len(statuses)-1 && c.status != 0 {
				want, ok = strconv.Itoa(c.status), s == c.status
			}
			if !ok {
				fail("HTTP %d, the README says %s", s, want)
			}
		}
		if c.status != 0 && len(statuses) == 0 {
			fail("the README gives status %d but the command made no request", c.status)
		}
	}
	if _, ok := logs["end"]; !ok || runErr != nil {
		t.Errorf("the walk-through did not run to its end: %v\n%s", runErr, tail(stderr.String(), 2000))
	}
}

// walkCommand is one command of the walk-through: its text (continuation
// lines included), where it starts in the README, and the HTTP status its
// comment gives (0: none, any 2xx will do).
type walkCommand struct {
	text   string
	line   int
	status int
}

// statusComment is a comment that starts with an HTTP status.
var statusComment = regexp.MustCompile(`^#\s*([1-5]\d\d)\b`)

// walkThroughCommands reads the commands of the walk-through's shell blocks.
// A command goes on over lines that end in a backslash; a line holding only
// an indented comment is said about the command before it; a comment at the
// start of a line stands alone.
func walkThroughCommands(t *testing.T, readme string) []walkCommand {
	t.Helper()
	start := strings.Index(readme, "\n"+walkThroughSection+"\n")
	if start < 0 {
		t.Fatalf("the README has no section %q", walkThroughSection)
	}
	section := readme[start+1:]
	if end := strings.Index(section[len(walkThroughSection):], "\n## "); end >= 0 {
		section = section[:len(walkThroughSection)+end]
	}
	firstLine := strings.Count(readme[:start+1], "\n") + 1
	var cmds []walkCommand
	var cur *walkCommand
	inBlock, continued := false, false
	sc := bufio.NewScanner(strings.NewReader(section))
	for n := firstLine; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case !inBlock:
			inBlock = line == "```sh"
			continue
		case line == "```":
			inBlock, continued, cur = false, false, nil
			continue
		}
		trimmed := strings.TrimSpace(line)
		switch {
		case continued:
			cur.text += "\n" + line
		case trimmed == "":
			cur = nil
			continue
		case strings.HasPrefix(line, "#"):
			cur = nil
			continue
		case strings.HasPrefix(trimmed, "#"):
			if cur != nil {
				cur.text += "\n" + line
				if cur.status == 0 {
					cur.status = commentStatus(trimmed)
				}
			}
			continue
		default:
			cmds = append(cmds, walkCommand{text: line, line: n})
			cur = &cmds[len(cmds)-1]
		}
		code, comment := splitComment(line)
		continued = strings.HasSuffix(strings.TrimSpace(code), `\`)
		if cur.status == 0 && comment != "" {
			cur.status = commentStatus(comment)
		}
	}
	if len(cmds) < 10 {
		t.Fatalf("the walk-through has %d commands; is its section still called %q with ```sh blocks?", len(cmds), walkThroughSection)
	}
	return cmds
}

// commentStatus is the status a comment starts with, or 0.
func commentStatus(comment string) int {
	m := statusComment.FindStringSubmatch(comment)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// splitComment splits a shell line at its comment: a # outside quotes that
// starts a word.
func splitComment(line string) (code, comment string) {
	var quote rune
	prev := ' '
	for i, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (prev == ' ' || prev == '\t'):
			return line[:i], line[i:]
		}
		prev = r
	}
	return line, ""
}

// splitByCommand groups a script's output lines by the "CMD <n>" line
// before them.
func splitByCommand(out string) map[string][]string {
	m := map[string][]string{}
	key := ""
	for _, l := range strings.Split(out, "\n") {
		if k, ok := strings.CutPrefix(l, "CMD "); ok {
			key = k
			m[key] = nil
			continue
		}
		if key != "" {
			m[key] = append(m[key], l)
		}
	}
	return m
}

// tail is the end of s, at most n bytes.
func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

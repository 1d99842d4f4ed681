package main

import (
	"bytes"
	"context"
	"os/exec"
	"runtime/debug"
	"time"

	"github.com/marketplace/helpcentre/server/api"
)

// contentCommit says which commit of the content is served, for
// /api/v1/admin/content/status, so that an operator can see that every
// replica serves the same one: for a content folder, its git checkout's HEAD
// (asked at each call: the folder is updated by git pull while serving);
// for the bundled articles, the commit the binary was built from.
func contentCommit(dir string) func(context.Context) *api.ContentCommit {
	if dir == "" {
		c := buildCommit()
		return func(context.Context) *api.ContentCommit { return c }
	}
	return func(ctx context.Context) *api.ContentCommit { return gitCommit(ctx, dir) }
}

// buildCommit is the binary's VCS stamp (go build in a checkout), nil when
// it has none.
func buildCommit() *api.ContentCommit {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	c := &api.ContentCommit{Source: "build"}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			c.ID = s.Value
		case "vcs.modified":
			c.Modified = s.Value == "true"
		}
	}
	if c.ID == "" {
		return nil
	}
	return c
}

// gitCommit asks git for the HEAD of the checkout holding dir, and whether
// the files under dir differ from it; nil when dir is not in a checkout or
// git is not installed.
func gitCommit(ctx context.Context, dir string) *api.ContentCommit {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	git := func(args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(cmd.Environ(), "GIT_OPTIONAL_LOCKS=0") // status must not take the index lock from a git pull
		return cmd.Output()
	}
	head, err := git("rev-parse", "--verify", "HEAD")
	if err != nil {
		return nil
	}
	c := &api.ContentCommit{ID: string(bytes.TrimSpace(head)), Source: "git"}
	if st, err := git("status", "--porcelain", "--untracked-files=normal", "--", "."); err == nil {
		c.Modified = len(bytes.TrimSpace(st)) > 0
	}
	return c
}

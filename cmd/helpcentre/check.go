package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/marketplace/helpcentre/content"
)

// runCheck loads a content folder and prints every problem as
// path:line: severity: message. It exits 1 when there are errors.
func runCheck(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	strict := fs.Bool("strict", false, "treat warnings as errors")
	db := fs.String("db", "", "verify this database file instead (offline: every page), e.g. data/helpcentre.db")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: helpcentre check [-strict] DIR\n       helpcentre check --db FILE")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *db != "" {
		return runCheckDB(*db, stdout)
	}
	dir := "content/articles"
	if fs.NArg() > 0 {
		dir = fs.Arg(0)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return exitError{2, fmt.Sprintf("helpcentre check: %s is not a folder", dir)}
	}
	set, _, err := content.NewLoader(os.DirFS(dir)).Load()
	if err != nil {
		return err
	}
	for _, d := range set.Diagnostics {
		d.Path = dir + "/" + d.Path
		fmt.Fprintln(stdout, d.String())
	}
	errs := set.Diagnostics.Errors()
	warns := len(set.Diagnostics) - errs
	fmt.Fprintf(stderr, "%d articles in %d files: %d errors, %d warnings\n", len(set.Articles), set.Files, errs, warns)
	if errs > 0 || (*strict && warns > 0) {
		return exitError{1, ""}
	}
	return nil
}

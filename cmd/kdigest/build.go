package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/kdigest/kdigest/feed/web"
)

func buildCommand() *command {
	var out string
	return &command{
		name:    "build",
		args:    "--out DIR [settings]",
		summary: "write the feeds and pages as static files, then exit",
		help: `Build writes the same feeds and pages that serve serves into DIR, for static
hosting: index.html, articles/ID/index.html, themes/ID/index.html, the Atom,
RSS and JSON feeds, one Atom feed per theme and feeds.opml. Set --base-url to
the address the files will be served from.`,
		settings: groupService,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&out, "out", "", "output `DIR` (created if needed)")
		},
		run: func(ctx context.Context, e env, c *config, args []string) int {
			if out == "" {
				fmt.Fprintln(e.stderr, "kdigest build: --out DIR is required")
				return exitUsage
			}
			if len(args) > 0 {
				fmt.Fprintf(e.stderr, "kdigest build: unexpected argument %q\n", args[0])
				return exitUsage
			}
			if sameDir(out, c.Seeds) {
				fmt.Fprintf(e.stderr, "kdigest build: --out %s is the seeds folder, where its index.html would be read as an article: choose another folder\n", out)
				return exitUsage
			}
			if c.sources["base-url"] == "default" {
				fmt.Fprintf(e.stderr, "kdigest build: warning: --base-url is not set, so every link points to %s\n", c.BaseURL)
			}
			svc, err := openService(ctx, e, c, nil, nil)
			if err != nil {
				fmt.Fprintf(e.stderr, "kdigest build: %v\n", err)
				return exitFailure
			}
			defer svc.Close()
			if err := svc.scan(ctx); err != nil {
				fmt.Fprintf(e.stderr, "kdigest build: %v\n", err)
				return exitFailure
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				fmt.Fprintf(e.stderr, "kdigest build: %v\n", err)
				return exitFailure
			}
			n, err := web.Build(ctx, web.Options{Snapshot: svc.corpus.Snapshot, Log: svc.log}, out)
			if err != nil {
				fmt.Fprintf(e.stderr, "kdigest build: %v\n", err)
				return exitFailure
			}
			fmt.Fprintf(e.stdout, "wrote %d files to %s\n", n, out)
			return exitOK
		},
	}
}

// sameDir reports whether a and b are one existing folder, however named.
func sameDir(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}

// Command kdigest turns a folder of scraped news articles into Atom, RSS and
// JSON feeds served over HTTP and a themed weekly email digest.
//
// Run "kdigest help" for the subcommands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // --tz must work in a minimal container image.
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first signal asks for a graceful stop; a second one is not
	// caught, and stops the process at once (a digest waiting on a slow
	// relay may take its time; the ledger finishes it on the next run).
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args[1:], env{getenv: os.Getenv, environ: os.Environ, stdout: os.Stdout, stderr: os.Stderr})
	stop()
	os.Exit(code)
}

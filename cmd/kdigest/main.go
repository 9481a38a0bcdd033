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
	code := run(ctx, os.Args[1:], env{getenv: os.Getenv, environ: os.Environ, stdout: os.Stdout, stderr: os.Stderr})
	stop()
	os.Exit(code)
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/kdigest/kdigest/digest"
)

func subscribersCommand() *command {
	var asJSON bool
	return &command{
		name:    "subscribers",
		args:    "add ADDRESS... | remove ADDRESS... | list [--json]",
		summary: "add, remove or list digest subscribers",
		help: `Subscribers manages the digest's list. Addresses are checked and stored in
lower case; adding one already on the list, or removing one that is not, is an
error naming it (the others are still processed) and exits 1.`,
		settings: groupService,
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&asJSON, "json", false, "list as JSON")
		},
		run: func(ctx context.Context, e env, c *config, args []string) int {
			if len(args) == 0 {
				fmt.Fprintln(e.stderr, "kdigest subscribers: want add, remove or list")
				return exitUsage
			}
			verb, addrs := args[0], args[1:]
			switch verb {
			case "add", "remove":
				if len(addrs) == 0 {
					fmt.Fprintf(e.stderr, "kdigest subscribers %s: no address given\n", verb)
					return exitUsage
				}
			case "list":
				if len(addrs) > 0 {
					fmt.Fprintf(e.stderr, "kdigest subscribers list: unexpected argument %q\n", addrs[0])
					return exitUsage
				}
			default:
				fmt.Fprintf(e.stderr, "kdigest subscribers: unknown action %q (want add, remove or list)\n", verb)
				return exitUsage
			}
			d, closeDB, err := openLedger(ctx, c)
			if err != nil {
				fmt.Fprintf(e.stderr, "kdigest subscribers: %v\n", err)
				return exitFailure
			}
			defer closeDB()
			code := exitOK
			switch verb {
			case "add":
				for _, a := range addrs {
					addr, err := d.Subscribe(ctx, a)
					if err != nil {
						fmt.Fprintf(e.stderr, "kdigest subscribers add: %v\n", err)
						code = exitFailure
						continue
					}
					fmt.Fprintf(e.stdout, "added %s\n", addr)
				}
			case "remove":
				for _, a := range addrs {
					if err := d.Unsubscribe(ctx, a); err != nil {
						fmt.Fprintf(e.stderr, "kdigest subscribers remove: %v\n", err)
						code = exitFailure
						continue
					}
					fmt.Fprintf(e.stdout, "removed %s\n", a)
				}
			case "list":
				subs, err := d.Subscribers(ctx)
				if err != nil {
					fmt.Fprintf(e.stderr, "kdigest subscribers list: %v\n", err)
					return exitFailure
				}
				if asJSON {
					enc := json.NewEncoder(e.stdout)
					enc.SetIndent("", "  ")
					if err := enc.Encode(subs); err != nil {
						return exitFailure
					}
					return exitOK
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				for _, s := range subs {
					fmt.Fprintf(tw, "%s\t%s\n", s.Email, s.Created.Format(time.DateOnly))
				}
				tw.Flush()
				if len(subs) == 0 {
					fmt.Fprintln(e.stderr, "no subscribers")
				}
			}
			return code
		},
	}
}

// openLedger opens the digest's tables without scanning the corpus: the
// subscriber commands need only the database.
func openLedger(ctx context.Context, c *config) (*digest.Digest, func(), error) {
	db, err := openDB(ctx, c.Data)
	if err != nil {
		return nil, nil, err
	}
	secret, err := digest.LoadSecret(filepath.Join(c.Data, "secret"))
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	d, err := digest.New(ctx, db, nil, func() (digest.Sender, error) {
		return nil, errors.New("sending is not available here")
	}, digest.Options{From: c.From, BaseURL: c.BaseURL, Secret: secret})
	if err != nil {
		db.Close()
		return nil, nil, dbError(filepath.Join(c.Data, dbFile), err)
	}
	return d, func() { db.Close() }, nil
}

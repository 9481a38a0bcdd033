package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kdigest/kdigest/digest"
)

func subscribersCommand() *command {
	var (
		asJSON, asCSV, daily, confirm bool
		themes                        string
	)
	return &command{
		name:    "subscribers",
		args:    "add ADDRESS... [--themes ID,...] [--daily] | remove ADDRESS... | list [--json] | export --csv|--json | import FILE.csv [--confirm]",
		summary: "add, remove, list, export or import digest subscribers",
		help: `Subscribers manages the digest's list. Addresses are checked and stored in
lower case; adding one already on the list, or removing one that is not, is an
error naming it (the others are still processed) and exits 1.

  add ADDRESS...     add addresses, with every theme unless --themes names some
                     ("kdigest themes" lists the ids; an unknown one exits 2),
                     weekly unless --daily. Adding a suspended address makes it
                     active again. Consent is recorded as given to the operator.
  remove ADDRESS...  remove addresses, exactly as list prints them
  list               one address a line: status (active, paused until DATE, or
                     suspended and why), frequency, themes, when and how consent
                     was given
  export             the whole list as CSV (--csv) or JSON (--json) on stdout:
                     email, themes, frequency, status, reason, paused_until,
                     consent_at, consent
  import FILE.csv    add or update every address of a list as export writes it
                     (only email is required). All or nothing: a bad row is an
                     error naming the line and field, and nothing is imported.
                     Nothing is sent, unless --confirm: then each address gets a
                     confirmation link instead, and joins when it confirms.

An address whose deliveries are refused for good (5xx to RCPT TO, not
5.7.x nor the sender's 5.1.7 or 5.1.8) in 3 digests in a row is
suspended: it gets no digest until it is added (or subscribes) again.

Here --themes names theme ids; the taxonomy file comes from KDIGEST_THEMES or
the config file.`,
		settings: groupService,
		ownFlags: []string{"themes"},
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&asJSON, "json", false, "list or export as JSON")
			fs.BoolVar(&asCSV, "csv", false, "export as CSV")
			fs.StringVar(&themes, "themes", "", "add: comma-separated theme ids (default every theme)")
			fs.BoolVar(&daily, "daily", false, "add: a daily digest instead of the weekly one")
			fs.BoolVar(&confirm, "confirm", false, "import: mail each address a confirmation link instead of adding it")
		},
		run: func(ctx context.Context, e env, c *config, args []string) int {
			if len(args) == 0 {
				fmt.Fprintln(e.stderr, "kdigest subscribers: want add, remove, list, export or import")
				return exitUsage
			}
			verb, rest := args[0], args[1:]
			usage := func(format string, a ...any) int {
				fmt.Fprintf(e.stderr, "kdigest subscribers %s: %s\n", verb, fmt.Sprintf(format, a...))
				return exitUsage
			}
			if (themes != "" || daily) && verb != "add" {
				return usage("--themes and --daily go with add")
			}
			if confirm && verb != "import" {
				return usage("--confirm goes with import")
			}
			switch verb {
			case "add", "remove":
				if len(rest) == 0 {
					return usage("no address given")
				}
			case "list":
				if len(rest) > 0 {
					return usage("unexpected argument %q", rest[0])
				}
			case "export":
				if len(rest) > 0 {
					return usage("unexpected argument %q", rest[0])
				}
				if asCSV == asJSON {
					return usage("want --csv or --json")
				}
			case "import":
				if len(rest) != 1 {
					return usage("want one FILE.csv")
				}
			default:
				fmt.Fprintf(e.stderr, "kdigest subscribers: unknown action %q (want add, remove, list, export or import)\n", verb)
				return exitUsage
			}
			d, closeDB, err := openLedger(ctx, e, c)
			if err != nil {
				fmt.Fprintf(e.stderr, "kdigest subscribers: %v\n", err)
				return exitFailure
			}
			defer closeDB()
			switch verb {
			case "add":
				sub := digest.Subscription{Frequency: digest.Weekly}
				if daily {
					sub.Frequency = digest.Daily
				}
				if themes != "" {
					if sub.Themes, err = d.CheckThemes(strings.Split(themes, ",")); err != nil {
						return usage("--themes: %v", err)
					}
				}
				return addSubscribers(ctx, e, d, rest, sub)
			case "remove":
				code := exitOK
				for _, a := range rest {
					if err := d.Unsubscribe(ctx, a); err != nil {
						fmt.Fprintf(e.stderr, "kdigest subscribers remove: %v\n", err)
						code = exitFailure
						continue
					}
					fmt.Fprintf(e.stdout, "removed %s\n", a)
				}
				return code
			case "list":
				return listSubscribers(ctx, e, d, asJSON, c.TZ)
			case "export":
				if asJSON {
					return listSubscribers(ctx, e, d, true, c.TZ)
				}
				if err := d.ExportCSV(ctx, e.stdout); err != nil {
					fmt.Fprintf(e.stderr, "kdigest subscribers export: %v\n", err)
					return exitFailure
				}
				return exitOK
			}
			return importSubscribers(ctx, e, d, rest[0], confirm)
		},
	}
}

func addSubscribers(ctx context.Context, e env, d *digest.Digest, addrs []string, sub digest.Subscription) int {
	code := exitOK
	for _, a := range addrs {
		addr, err := d.SubscribeWith(ctx, a, sub)
		if err != nil {
			fmt.Fprintf(e.stderr, "kdigest subscribers add: %v\n", err)
			code = exitFailure
			continue
		}
		fmt.Fprintf(e.stdout, "added %s (%s, %s)\n", addr, themesLabel(sub.Themes), sub.Frequency)
	}
	return code
}

func themesLabel(ids []string) string {
	if len(ids) == 0 {
		return "every theme"
	}
	return strings.Join(ids, ",")
}

func listSubscribers(ctx context.Context, e env, d *digest.Digest, asJSON bool, loc *time.Location) int {
	subs, err := d.Subscribers(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "kdigest subscribers list: %v\n", err)
		return exitFailure
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(subs); err != nil {
			fmt.Fprintf(e.stderr, "kdigest subscribers: %v\n", err)
			return exitFailure
		}
		return exitOK
	}
	if len(subs) == 0 {
		fmt.Fprintln(e.stderr, "no subscribers")
		return exitOK
	}
	now := time.Now()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ADDRESS\tSTATUS\tFREQUENCY\tTHEMES\tSINCE\tCONSENT")
	for _, s := range subs {
		status := s.Status
		switch {
		case s.Status == digest.Suspended:
			status = "suspended: " + s.Reason
		case s.Paused(now):
			status = "paused until " + s.PausedUntil.In(loc).Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Email, status, s.Frequency, themesLabel(s.Themes), s.Created.In(loc).Format(time.DateOnly), s.Consent)
	}
	tw.Flush()
	return exitOK
}

func importSubscribers(ctx context.Context, e env, d *digest.Digest, path string, confirm bool) int {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(e.stderr, "kdigest subscribers import: %v\n", err)
		return exitFailure
	}
	defer f.Close()
	rep, err := d.ImportCSV(ctx, f, digest.ImportOptions{Name: path, Confirm: confirm})
	if rep != nil && len(rep.Confirming) > 0 {
		fmt.Fprintf(e.stdout, "sent a confirmation link to %d address(es); each joins when it confirms\n", len(rep.Confirming))
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "kdigest subscribers import: %v\n", err)
		if errors.Is(err, digest.ErrBadCSV) || errors.Is(err, digest.ErrBadAddress) || errors.Is(err, digest.ErrUnknownTheme) || errors.Is(err, digest.ErrBadFrequency) {
			fmt.Fprintln(e.stderr, "Nothing was imported.")
		}
		return exitFailure
	}
	if !confirm {
		fmt.Fprintf(e.stdout, "imported %s: %d added, %d updated; no email sent\n", path, rep.Added, rep.Updated)
	}
	return exitOK
}

// openLedger opens the digest's tables without scanning the corpus: the
// subscriber commands need only the database, the taxonomy (to check
// themes) and, for import --confirm, the sender.
func openLedger(ctx context.Context, e env, c *config) (*digest.Digest, func(), error) {
	tax, err := loadTaxonomy(c.Themes)
	if err != nil {
		return nil, nil, err
	}
	db, err := openDB(ctx, c.Data)
	if err != nil {
		return nil, nil, err
	}
	secret, err := digest.LoadSecret(filepath.Join(c.Data, "secret"))
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	d, err := digest.New(ctx, db, nil, dialer(c, newLogger(e, c)), digest.Options{From: c.from, BaseURL: c.BaseURL, Secret: secret, Taxonomy: tax,
		Location: c.TZ, UnsubscribeMailto: c.UnsubscribeMailto})
	if err != nil {
		db.Close()
		return nil, nil, dbError(filepath.Join(c.Data, dbFile), err)
	}
	return d, func() { db.Close() }, nil
}

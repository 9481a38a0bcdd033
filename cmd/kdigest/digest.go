package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kdigest/kdigest/digest"
	gomail "github.com/wneessen/go-mail"
)

func digestCommand() *command {
	var (
		dryRun, sendEmpty bool
		preview, to       string
		since, resend     string
	)
	return &command{
		name:    "digest",
		args:    "[--dry-run] [--preview FILE.html] [--to ADDR,...] [--since RFC3339] [--send-empty] [--resend ID --to ADDR]",
		summary: "build and send the digest of what is new since the last one",
		help: `Digest builds the digest of the articles first seen since the last digest
(on the first run: the last --window) and sends it to every subscriber, one
message each. An unfinished digest (interrupted run) is resumed first, and no
one gets the same digest twice.

  --dry-run        print the subject, recipients and items; send and record nothing
  --preview F.html write the HTML to F.html and the text to F.txt; send nothing
  --to A,B         send to these addresses instead of the subscribers (recorded, but
                   does not move the subscribers' cutoff)
  --since T        start the window at T (RFC 3339) instead of the last cutoff
  --send-empty     send a short "quiet week" note when nothing is new
  --resend ID      send recorded digest ID again, to the --to address

Exit status: 0 when everything due was sent or there was nothing to send, 1 when
some deliveries failed (each is listed with its reason), 2 on usage errors.`,
		settings: groupService,
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&dryRun, "dry-run", false, "print what would be sent; change nothing")
			fs.StringVar(&preview, "preview", "", "write the HTML (and .txt beside it) to this file; send nothing")
			fs.StringVar(&to, "to", "", "comma-separated addresses to send to instead of the subscribers")
			fs.StringVar(&since, "since", "", "start of the window (RFC 3339)")
			fs.BoolVar(&sendEmpty, "send-empty", false, "send a quiet-week note when nothing is new")
			fs.StringVar(&resend, "resend", "", "digest id to send again (with --to)")
		},
		run: func(ctx context.Context, e env, c *config, args []string) int {
			if len(args) > 0 {
				fmt.Fprintf(e.stderr, "kdigest digest: unexpected argument %q\n", args[0])
				return exitUsage
			}
			o := digest.RunOptions{DryRun: dryRun, SendEmpty: sendEmpty, Kind: "manual", Out: e.stdout, Progress: e.stderr}
			if to != "" {
				for _, a := range strings.Split(to, ",") {
					if a = strings.TrimSpace(a); a != "" {
						if _, err := digest.NormalizeAddress(a); err != nil {
							fmt.Fprintf(e.stderr, "kdigest digest: --to: %v\n", err)
							return exitUsage
						}
						o.To = append(o.To, a)
					}
				}
			}
			if since != "" {
				t, err := time.Parse(time.RFC3339, since)
				if err != nil {
					fmt.Fprintf(e.stderr, "kdigest digest: --since %q: want RFC 3339 such as 2026-11-16T00:00:00Z\n", since)
					return exitUsage
				}
				o.Since = t
			}
			if resend != "" && len(o.To) != 1 {
				fmt.Fprintln(e.stderr, "kdigest digest: --resend needs exactly one --to address")
				return exitUsage
			}
			if dryRun && preview != "" {
				fmt.Fprintln(e.stderr, "kdigest digest: choose --dry-run or --preview, not both")
				return exitUsage
			}
			svc, err := openService(ctx, e, c, nil)
			if err != nil {
				fmt.Fprintf(e.stderr, "kdigest digest: %v\n", err)
				return exitFailure
			}
			defer svc.Close()
			if err := svc.scan(ctx); err != nil {
				fmt.Fprintf(e.stderr, "kdigest digest: %v\n", err)
				return exitFailure
			}
			dig, err := openDigest(ctx, e, c, svc)
			if err != nil {
				fmt.Fprintf(e.stderr, "kdigest digest: %v\n", err)
				return exitFailure
			}
			o.Signer = dig.signer
			switch {
			case preview != "":
				is, err := dig.d.Preview(ctx, preview, o)
				if err != nil {
					fmt.Fprintf(e.stderr, "kdigest digest: %v\n", err)
					return exitFailure
				}
				fmt.Fprintf(e.stdout, "Preview of %q (%d articles) written to %s and %s\n", is.Subject, is.Articles, preview, strings.TrimSuffix(preview, ".html")+".txt")
				return exitOK
			case resend != "":
				rep, err := dig.d.Resend(ctx, resend, o.To[0], dig.signer)
				return reportRun(e, rep, err)
			}
			rep, err := dig.d.Run(ctx, o)
			if dryRun && err == nil {
				return exitOK // the plan is printed; there is nothing to report
			}
			return reportRun(e, rep, err)
		},
	}
}

// reportRun prints a run's outcome and picks the exit status.
func reportRun(e env, rep *digest.Report, err error) int {
	if errors.Is(err, digest.ErrBusy) {
		fmt.Fprintln(e.stderr, "kdigest digest: another digest run is sending right now; nothing was done")
		return exitFailure
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "kdigest digest: %v\n", err)
		return exitFailure
	}
	switch {
	case rep.Empty:
		fmt.Fprintln(e.stdout, "Nothing new since the last digest: no email sent.")
		return exitOK
	case rep.NoRecipients:
		fmt.Fprintln(e.stdout, "No subscribers: no email sent. Add some with `kdigest subscribers add ADDRESS`.")
		return exitOK
	}
	verb := "Sent"
	if rep.Resumed {
		verb = "Resumed and sent"
	}
	fmt.Fprintf(e.stdout, "%s digest %s (%q) to %d of %d recipient(s).\n", verb, rep.DigestID, rep.Subject, rep.Sent, rep.Recipients)
	for _, f := range rep.Failed {
		kind := "refused"
		if f.Temporary {
			kind = "will retry on the next run"
		}
		fmt.Fprintf(e.stderr, "  failed: %s after %d attempt(s) (%s): %s\n", f.Recipient, f.Attempts, kind, f.Error)
	}
	if rep.Interrupted {
		fmt.Fprintln(e.stderr, "Interrupted: the rest stays pending and is sent by the next run.")
	}
	if !rep.OK() {
		return exitFailure
	}
	return exitOK
}

// digester is the digest as the commands use it.
type digester struct {
	d      *digest.Digest
	signer *gomail.DKIMSigner
	log    interface{ Error(string, ...any) }
}

// openDigest builds the digest with the configured sender: the SMTP relay
// of --smtp, or .eml files in DATA/outbox when none is set.
func openDigest(ctx context.Context, e env, c *config, svc *service) (*digester, error) {
	secret, err := digest.LoadSecret(filepath.Join(c.Data, "secret"))
	if err != nil {
		return nil, err
	}
	var dial func() (digest.Sender, error)
	if c.SMTP == "" {
		outbox := filepath.Join(c.Data, "outbox")
		dial = func() (digest.Sender, error) { return digest.NewOutboxSender(outbox, svc.log) }
	} else {
		cfg, err := digest.ParseSMTPURL(c.SMTP)
		if err != nil {
			return nil, err
		}
		dial = func() (digest.Sender, error) { return digest.NewSMTPSender(cfg) }
	}
	opts := digest.Options{
		BaseURL: c.BaseURL, From: c.From, Location: c.TZ, Window: c.Window, PerTheme: c.PerTheme,
		Secret: secret, Log: svc.log, OnSent: svc.metrics.DigestsSent.Inc,
	}
	if c.Templates != "" {
		if st, err := os.Stat(c.Templates); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("templates folder %s: not a folder", c.Templates)
		}
		opts.Templates = os.DirFS(c.Templates)
	}
	d, err := digest.New(ctx, svc.db, svc.corpus.Snapshot, dial, opts)
	if err != nil {
		return nil, err
	}
	dg := &digester{d: d, log: svc.log}
	if c.DKIMKey != "" {
		pem, err := os.ReadFile(c.DKIMKey)
		if err != nil {
			return nil, fmt.Errorf("dkim key: %w", err)
		}
		_, domain, _ := strings.Cut(fromAddress(c.From), "@")
		if dg.signer, err = digest.NewDKIMSigner(pem, domain, c.DKIMSelector); err != nil {
			return nil, err
		}
	}
	return dg, nil
}

func fromAddress(from string) string {
	if i := strings.LastIndex(from, "<"); i >= 0 {
		return strings.TrimSuffix(from[i+1:], ">")
	}
	return from
}

// scheduled is the cron job: a run to the subscribers. Another run in
// progress (a manual one) is not an error: the ledger keeps them apart.
func (g *digester) scheduled(ctx context.Context) error {
	rep, err := g.d.Run(ctx, digest.RunOptions{Kind: "scheduled", Signer: g.signer})
	if errors.Is(err, digest.ErrBusy) {
		return nil
	}
	if err != nil {
		return err
	}
	if !rep.OK() {
		return fmt.Errorf("digest %s: %d delivery failure(s)", rep.DigestID, len(rep.Failed))
	}
	return nil
}

func (g *digester) lastSent(ctx context.Context) (time.Time, error) { return g.d.LastSent(ctx) }

func (g *digester) routes() map[string]http.Handler { return g.d.Routes() }

// lastOutcome is the last digest's summary for /healthz.
func (g *digester) lastOutcome(ctx context.Context) any {
	s, err := g.d.LastOutcome(ctx)
	if err != nil {
		return map[string]string{"error": err.Error()}
	}
	if s == nil {
		return nil
	}
	return s
}

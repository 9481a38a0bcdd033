package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kdigest/kdigest/digest"
	"github.com/kdigest/kdigest/schedule"
	gomail "github.com/wneessen/go-mail"
)

func digestCommand() *command {
	var (
		dryRun, sendEmpty bool
		daily             bool
		preview           string
		since, resend     string
		to                givenString
	)
	return &command{
		name:    "digest",
		args:    "[--dry-run] [--preview FILE.html] [--to ADDR,...] [--since DATE|RFC3339] [--send-empty] [--daily] [--resend ID --to ADDR]",
		summary: "build and send the digest of what is new since the last one",
		help: `Digest builds the digest of the articles new since the last digest (on the
first run: the last --window) and sends it to every weekly subscriber (with
--daily: every daily one), one message each, holding only the themes each
chose; a subscriber whose themes have nothing new gets nothing (unless
--send-empty), a paused or suspended one gets nothing. An article is new in the
first digest whose window holds its publication date (the time it was first
seen when it states none): one published before the window, even if just
found, is never new. Unfinished digests (an interrupted run, deliveries that failed
temporarily, one-offs included) are finished first, and no one gets the same
digest twice, except a message "in doubt": the relay had all of it and never
answered, so it may have been delivered; the next run tries it once more, and
never again after that ("kdigest digests ID" lists them).

Only one run sends at a time, across processes (a file lock in the data
folder, freed by the kernel when its process dies): another run beside it
exits 1 at once, naming the process that holds the lock.

--to sends to the given addresses instead of the subscribers: recorded, but
the subscribers' cutoff does not move. --since takes a date (2026-11-16,
midnight in --tz) or an RFC 3339 time, not in the future. --resend sends a
recorded digest again to one --to address ("kdigest digests" lists the ids).
--daily sends the daily digest, for the subscribers who chose daily: its window
starts at the last daily digest (the first: a day). A subscriber who switched
between weekly and daily gets what is new since their own last digest, of
either kind: the window reaches back to it (weekly to daily), or their message
leaves out what their last daily ones held (daily to weekly).

Exit status: 0 when everything due was sent or there was nothing to send, 1 when
some deliveries failed (each is listed with its reason) or another run holds
the lock, 2 on usage errors.`,
		settings: groupService,
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&dryRun, "dry-run", false, "print what would be sent; change nothing")
			fs.StringVar(&preview, "preview", "", "write the HTML to `FILE.html` and the text beside it (.txt); send nothing")
			fs.Var(&to, "to", "comma-separated `ADDRESSES` to send to instead of the subscribers")
			fs.StringVar(&since, "since", "", "start of the window: a `DATE` (YYYY-MM-DD, midnight in --tz) or RFC 3339 time; not in the future")
			fs.BoolVar(&sendEmpty, "send-empty", false, "send a quiet-week note when nothing is new")
			fs.BoolVar(&daily, "daily", false, "the daily digest, for the subscribers who chose daily")
			fs.StringVar(&resend, "resend", "", "digest `ID` to send again, to the one --to address")
		},
		run: func(ctx context.Context, e env, c *config, args []string) int {
			if len(args) > 0 {
				fmt.Fprintf(e.stderr, "kdigest digest: unexpected argument %q\n", args[0])
				return exitUsage
			}
			o := digest.RunOptions{DryRun: dryRun, SendEmpty: sendEmpty, Daily: daily, Kind: "manual", Out: e.stdout, Progress: e.stderr}
			if to.given {
				for _, a := range strings.Split(to.value, ",") {
					if a = strings.TrimSpace(a); a != "" {
						if _, err := digest.NormalizeAddress(a); err != nil {
							fmt.Fprintf(e.stderr, "kdigest digest: --to: %v\n", err)
							return exitUsage
						}
						o.To = append(o.To, a)
					}
				}
				if len(o.To) == 0 {
					// An empty variable ("--to $ADDR") is not "no --to":
					// that would send to every subscriber.
					fmt.Fprintln(e.stderr, "kdigest digest: --to names no address")
					return exitUsage
				}
			}
			if since != "" {
				t, err := parseSince(since, c.TZ, time.Now())
				if err != nil {
					fmt.Fprintf(e.stderr, "kdigest digest: --since: %v\n", err)
					return exitUsage
				}
				o.Since = t
			}
			if daily && (len(o.To) > 0 || resend != "") {
				fmt.Fprintln(e.stderr, "kdigest digest: --daily goes to the daily subscribers: not with --to or --resend")
				return exitUsage
			}
			if resend != "" && len(o.To) != 1 {
				fmt.Fprintln(e.stderr, "kdigest digest: --resend needs exactly one --to address")
				return exitUsage
			}
			if dryRun && preview != "" {
				fmt.Fprintln(e.stderr, "kdigest digest: choose --dry-run or --preview, not both")
				return exitUsage
			}
			if resend != "" && (dryRun || preview != "") {
				fmt.Fprintln(e.stderr, "kdigest digest: --resend sends the recorded digest at once: not with --dry-run or --preview (see it with `kdigest digests ID`)")
				return exitUsage
			}
			svc, err := openService(ctx, e, c, nil, nil)
			if err != nil {
				fmt.Fprintf(e.stderr, "kdigest digest: %v\n", err)
				return exitFailure
			}
			defer svc.Close()
			if err := svc.scan(ctx); err != nil {
				fmt.Fprintf(e.stderr, "kdigest digest: %v\n", err)
				return exitFailure
			}
			dig, err := openDigest(ctx, e, c, svc, nil)
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

// parseSince reads --since: a date alone (midnight in loc) or an RFC 3339
// time, not after now.
func parseSince(s string, loc *time.Location, now time.Time) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t, err = time.ParseInLocation(time.DateOnly, s, loc)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want a date such as 2026-11-16 or an RFC 3339 time such as 2026-11-16T08:00:00Z", s)
	}
	if t.After(now) {
		return time.Time{}, fmt.Errorf("%q is in the future", s)
	}
	return t, nil
}

// reportRun prints a run's outcome and picks the exit status.
func reportRun(e env, rep *digest.Report, err error) int {
	if err != nil {
		if rep != nil {
			for _, r := range rep.Resumed {
				reportDigest(e, "Resumed", r)
			}
		}
		fmt.Fprintf(e.stderr, "kdigest digest: %v\n", err)
		if errors.Is(err, digest.ErrBusy) {
			fmt.Fprintln(e.stderr, "Nothing was done; run again once it has finished.")
		}
		return exitFailure
	}
	for _, r := range rep.Resumed {
		reportDigest(e, "Resumed", r)
	}
	switch {
	case rep.Interrupted && rep.DigestID == "":
		fmt.Fprintln(e.stderr, "Interrupted: the rest stays pending and is sent by the next run.")
	case rep.Empty && rep.Skipped > 0:
		fmt.Fprintf(e.stdout, "Nothing new in the themes of any of the %d subscriber(s): no new digest made.\n", rep.Skipped)
	case rep.Empty:
		fmt.Fprintln(e.stdout, "Nothing new since the last digest: no new digest made.")
	case rep.NoRecipients:
		fmt.Fprintln(e.stdout, "No one to send to (no active subscriber of this frequency who is not paused): no email sent. Add some with `kdigest subscribers add ADDRESS`.")
	default:
		reportDigest(e, "Sent", *rep)
	}
	if !rep.OK() {
		return exitFailure
	}
	return exitOK
}

// reportDigest prints one digest's outcome in a run.
func reportDigest(e env, verb string, rep digest.Report) {
	fmt.Fprintf(e.stdout, "%s digest %s (%q) to %d of %d recipient(s).\n", verb, rep.DigestID, rep.Subject, rep.Sent, rep.Recipients)
	if rep.Skipped > 0 {
		fmt.Fprintf(e.stdout, "  %d subscriber(s) left out: nothing new in their themes.\n", rep.Skipped)
	}
	for _, f := range rep.Failed {
		kind := "refused"
		switch {
		case f.InDoubt && f.Temporary:
			kind = "in doubt: the relay may have delivered it; the next run tries once more"
		case f.InDoubt:
			kind = "in doubt again: the relay may have delivered it; not sent again"
		case f.Temporary:
			kind = "will retry on the next run"
		}
		fmt.Fprintf(e.stderr, "  failed: %s after %d attempt(s) (%s): %s\n", f.Recipient, f.Attempts, kind, f.Error)
	}
	if rep.Interrupted {
		fmt.Fprintln(e.stderr, "Interrupted: the rest stays pending and is sent by the next run.")
	}
}

// digester is the digest as the commands use it.
type digester struct {
	d      *digest.Digest
	signer *gomail.DKIMSigner
	log    interface{ Error(string, ...any) }
}

// openDigest builds the digest with the configured sender: the SMTP relay
// of --smtp, or .eml files in DATA/outbox when none is set.
// next, when set, says when the service's next digest of a frequency is
// due (the welcome message says it).
func openDigest(ctx context.Context, e env, c *config, svc *service, next func(frequency string) time.Time) (*digester, error) {
	secret, err := digest.LoadSecret(filepath.Join(c.Data, "secret"))
	if err != nil {
		return nil, err
	}
	opts := digest.Options{
		BaseURL: c.BaseURL, From: c.from, Location: c.TZ, Window: c.Window, PerTheme: c.PerTheme,
		Secret: secret, Log: svc.log, OnSent: svc.metrics.DigestsSent.Inc,
		LockFile: filepath.Join(c.Data, lockFile), UnsubscribeMailto: c.UnsubscribeMailto, Next: next,
		Horizon: svc.corpus.Horizon,
	}
	if c.Templates != "" {
		opts.Templates = os.DirFS(c.Templates)
	}
	d, err := digest.New(ctx, svc.db, svc.corpus.Snapshot, dialer(c, svc.log), opts)
	if err != nil {
		return nil, dbError(filepath.Join(c.Data, dbFile), err)
	}
	return &digester{d: d, signer: c.signer, log: svc.log}, nil
}

// dialer makes the digest's sender: the SMTP relay of --smtp, or .eml
// files in DATA/outbox when none is set.
func dialer(c *config, log *slog.Logger) func() (digest.Sender, error) {
	if c.smtp == nil {
		outbox := outboxDir(c)
		return func() (digest.Sender, error) { return digest.NewOutboxSender(outbox, log) }
	}
	cfg := *c.smtp
	return func() (digest.Sender, error) { return digest.NewSMTPSender(cfg) }
}

// outboxDir is where the digest writes its messages when no --smtp is set.
func outboxDir(c *config) string { return filepath.Join(c.Data, "outbox") }

// lockFile is the send lock's name inside the data folder.
const lockFile = "digest.lock"

// scheduled is the cron job: a run to the subscribers. It waits for a
// manual run that holds the send lock, then runs.
func (g *digester) scheduled(ctx context.Context) error {
	rep, err := g.d.Run(ctx, digest.RunOptions{Kind: "scheduled", Signer: g.signer, Wait: true})
	return runFailed(ctx, rep, err)
}

// scheduledDaily is the daily cron job: the daily digest, to the
// subscribers who chose it.
func (g *digester) scheduledDaily(ctx context.Context) error {
	rep, err := g.d.Run(ctx, digest.RunOptions{Kind: "scheduled", Daily: true, Signer: g.signer, Wait: true})
	return runFailed(ctx, rep, err)
}

// dailySpec is the cron spec of the daily digest: every day at the hour
// and minute of the weekly schedule's runs, in the same zone (--tz): of
// its next three, the time two share, so that a next run moved by a
// spring-forward gap (02:30 run at 03:30 that week) does not set the daily
// hour until a restart. A weekly schedule that is off turns the daily one
// off too.
func dailySpec(weekly *schedule.Scheduler, loc *time.Location) string {
	next := weekly.Next()
	if next.IsZero() {
		return schedule.Off
	}
	var times []string
	for t := next; len(times) < 3 && !t.IsZero(); t = weekly.NextAfter(t) {
		t = t.In(loc)
		times = append(times, fmt.Sprintf("%d %d * * *", t.Minute(), t.Hour()))
	}
	for i, a := range times {
		for _, b := range times[i+1:] {
			if a == b {
				return a
			}
		}
	}
	return times[0]
}

// newDailyScheduler schedules the daily digest beside the weekly one.
// Resuming unfinished digests is the weekly scheduler's: any run resumes
// them all.
func newDailyScheduler(weekly *schedule.Scheduler, c *config, log *slog.Logger, g *digester) (*schedule.Scheduler, error) {
	return schedule.NewScheduler(schedule.SchedulerOptions{
		Spec: dailySpec(weekly, c.TZ), Location: c.TZ, Log: log.With("digest", "daily"),
		Run:  g.scheduledDaily,
		Last: func(ctx context.Context) (time.Time, error) { return g.d.LastSentOf(ctx, digest.Daily) },
	})
}

// resume finishes interrupted digests at start, without making a new one.
func (g *digester) resume(ctx context.Context) error {
	rep, err := g.d.Run(ctx, digest.RunOptions{Kind: "scheduled", Signer: g.signer, Wait: true, ResumeOnly: true})
	return runFailed(ctx, rep, err)
}

// runFailed turns a run's failed deliveries into the scheduler's error.
// A shutdown that ended a run (or its wait for the lock) is no failure:
// the next start resumes.
func runFailed(ctx context.Context, rep *digest.Report, err error) error {
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return nil
	}
	if err != nil {
		return err
	}
	if rep.OK() {
		return nil
	}
	n := len(rep.Failed)
	for _, r := range rep.Resumed {
		n += len(r.Failed)
	}
	if n == 0 {
		return nil // interrupted by shutdown: the next start resumes it
	}
	return fmt.Errorf("%d delivery failure(s); \"kdigest digests ID\" lists them", n)
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
	// /healthz is public on the site's port: no recipient's address (a
	// relay's refusal names it) and no one-off's id, which opens its page
	// to whoever has it. "kdigest digests" shows both to the operator.
	pub := *s
	pub.LastError = ""
	if pub.Kind == "to" {
		pub.ID, pub.Subject = "", ""
	}
	return pub
}

func digestsCommand() *command {
	var (
		asJSON bool
		limit  int
	)
	return &command{
		name:    "digests",
		args:    "[--json] [--limit N] [ID]",
		summary: "list the recorded digests (ids, windows, outcomes), or one digest's deliveries",
		help: `Digests lists the recorded digests, newest first: id (what --resend takes),
kind (scheduled, manual, or to: a one-off), when it was made, its window, the
number of articles, its status (sending while deliveries are left, else done)
and its deliveries: sent, failed (refused for good), pending (tried again by
the next run) and in doubt (the relay had the whole message and never
answered: it may have been delivered).

With an ID it lists that digest's deliveries, one recipient a line, with the
attempts, the themes (sections) the message held, the last error and the
Message-ID to look for in the relay's log.`,
		settings: groupService,
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&asJSON, "json", false, "print JSON")
			fs.IntVar(&limit, "limit", 20, "list at most `N` digests (default 20)")
		},
		run: func(ctx context.Context, e env, c *config, args []string) int {
			if len(args) > 1 {
				fmt.Fprintf(e.stderr, "kdigest digests: unexpected argument %q\n", args[1])
				return exitUsage
			}
			if limit < 1 {
				fmt.Fprintf(e.stderr, "kdigest digests: --limit %d: want at least 1\n", limit)
				return exitUsage
			}
			d, closeDB, err := openLedger(ctx, e, c)
			if err != nil {
				fmt.Fprintf(e.stderr, "kdigest digests: %v\n", err)
				return exitFailure
			}
			defer closeDB()
			if len(args) == 1 {
				return listDeliveries(ctx, e, d, args[0], asJSON, c.TZ)
			}
			list, err := d.Digests(ctx, limit)
			if err != nil {
				fmt.Fprintf(e.stderr, "kdigest digests: %v\n", err)
				return exitFailure
			}
			if asJSON {
				if list == nil {
					list = []digest.Summary{}
				}
				return writeJSON(e, list)
			}
			if len(list) == 0 {
				fmt.Fprintln(e.stderr, "no digests recorded yet")
				return exitOK
			}
			const when = "2006-01-02 15:04"
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tKIND\tMADE\tWINDOW\tARTICLES\tSTATUS\tSENT\tFAILED\tPENDING\tIN DOUBT\tSUBJECT")
			for _, s := range list {
				kind := s.Kind
				if s.Cadence == digest.Daily {
					kind += " (daily)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s – %s\t%d\t%s\t%d\t%d\t%d\t%d\t%s\n", s.ID, kind, s.Created.In(c.TZ).Format(when),
					s.Since.In(c.TZ).Format(when), s.Cutoff.In(c.TZ).Format(when), s.Articles, s.Status, s.Sent, s.Failed, s.Pending, s.InDoubt, s.Subject)
			}
			tw.Flush()
			return exitOK
		},
	}
}

// listDeliveries prints one digest's deliveries.
func listDeliveries(ctx context.Context, e env, d *digest.Digest, id string, asJSON bool, loc *time.Location) int {
	list, err := d.Deliveries(ctx, id)
	if err != nil {
		fmt.Fprintf(e.stderr, "kdigest digests: %v\n", err)
		if errors.Is(err, digest.ErrNotFound) {
			fmt.Fprintln(e.stderr, "Run 'kdigest digests' for the ids.")
		}
		return exitFailure
	}
	if asJSON {
		return writeJSON(e, list)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RECIPIENT\tSTATUS\tATTEMPTS\tUPDATED\tTHEMES\tMESSAGE-ID\tLAST ERROR")
	for _, x := range list {
		themes := strings.Join(x.Themes, ",")
		if themes == "" {
			themes = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", x.Recipient, x.Status, x.Attempts, x.Updated.In(loc).Format("2006-01-02 15:04:05"), themes, x.MessageID, x.LastError)
	}
	tw.Flush()
	return exitOK
}

func writeJSON(e env, v any) int {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(e.stderr, "kdigest digests: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// givenString is a string flag that also records that it was given, even
// empty: --to "" is not the same as no --to.
type givenString struct {
	value string
	given bool
}

func (g *givenString) String() string { return g.value }

func (g *givenString) Set(v string) error {
	g.value, g.given = v, true
	return nil
}

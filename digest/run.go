package digest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// RunOptions says what one digest run does.
type RunOptions struct {
	// DryRun prints the plan to Out and changes nothing.
	DryRun bool
	// To sends a one-off to these addresses instead of the subscribers; it
	// is recorded but does not move the subscribers' cutoff.
	To []string
	// Since overrides the start of the window.
	Since time.Time
	// SendEmpty sends a "quiet week" note when nothing is new (to a
	// subscriber: nothing new in their themes).
	SendEmpty bool
	// Daily makes the daily digest, for the subscribers who chose it; the
	// default is the weekly one. A one-off (To) is weekly.
	Daily bool
	// Kind is recorded with the digest: "scheduled" or "manual".
	Kind string
	// Wait makes the run wait for another run's send lock (until ctx
	// ends) instead of failing with ErrBusy: the scheduled run waits for
	// a manual one.
	Wait bool
	// ResumeOnly finishes unfinished digests and makes no new one: the
	// service does this at start.
	ResumeOnly bool
	// Signer, if set, DKIM-signs every message.
	Signer *gomail.DKIMSigner
	// Out receives the dry-run plan; Progress receives progress lines.
	Out, Progress io.Writer
}

// Failure is one delivery that did not go through.
type Failure struct {
	Recipient string `json:"recipient"`
	Attempts  int    `json:"attempts"`
	Error     string `json:"error"`
	// Temporary failures are tried again by the next run.
	Temporary bool `json:"temporary"`
	// InDoubt means the relay had the whole message and never answered:
	// it may have been delivered. This run does not send it again; the
	// next run tries it once more (Temporary) unless it was that try.
	InDoubt bool `json:"in_doubt,omitempty"`
}

// Report is what a run did.
type Report struct {
	DigestID   string    `json:"digest_id,omitempty"`
	Subject    string    `json:"subject,omitempty"`
	Articles   int       `json:"articles"`
	Recipients int       `json:"recipients"`
	Sent       int       `json:"sent"`
	Failed     []Failure `json:"failed,omitempty"`
	// Resumed lists the unfinished digests this run finished (or tried
	// to) before making a new one.
	Resumed []Report `json:"resumed,omitempty"`
	// Empty is true when nothing was new (and SendEmpty was not set), or
	// nothing in any subscriber's themes.
	Empty bool `json:"empty,omitempty"`
	// Skipped counts the subscribers left out because nothing was new in
	// their themes (since their last digest).
	Skipped int `json:"skipped,omitempty"`
	// NoRecipients is true when there was no one to send to.
	NoRecipients bool `json:"no_recipients,omitempty"`
	// Interrupted is true when the run stopped early (ctx ended).
	Interrupted bool      `json:"interrupted,omitempty"`
	Finished    time.Time `json:"finished"`
}

// OK reports whether everything due was sent, resumed digests included.
func (r *Report) OK() bool {
	for i := range r.Resumed {
		if !r.Resumed[i].OK() {
			return false
		}
	}
	return len(r.Failed) == 0 && !r.Interrupted
}

// cadence is the frequency of the digest a run makes.
func (o RunOptions) cadence() string {
	if o.Daily && len(o.To) == 0 {
		return Daily
	}
	return Weekly
}

// window returns where the cadence's next digest starts and where it
// ends: from the last cutoff of the same cadence (the very first weekly
// digest looks back Window, the first daily one a day), or from --since.
// A subscriber who switched cadence may start earlier (see draft).
func (d *Digest) window(ctx context.Context, o RunOptions) (time.Time, time.Time, error) {
	now := d.opts.Now()
	if d.opts.Horizon != nil {
		// Read before the snapshot (Plan): a change in progress has
		// parsed articles first seen before now that the snapshot lacks.
		if h := d.opts.Horizon(); h.Before(now) {
			now = h
		}
	}
	if !o.Since.IsZero() {
		return o.Since, now, nil
	}
	last, err := d.lastCutoff(ctx, o.cadence())
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	if last.IsZero() {
		if o.cadence() == Daily {
			return now.Add(-24 * time.Hour), now, nil
		}
		return now.Add(-d.opts.Window), now, nil
	}
	return last, now, nil
}

// newID names a digest. Digests to subscribers are numbered in order,
// "1", "2", ...: the archive lists them all anyway, and a preview knows
// the page its issue will have (/digests/N), which a creation time could
// not tell in advance. A one-off (--to) gets a random id instead: its
// archive page is for its recipients only.
func (d *Digest) newID(ctx context.Context, oneOff bool) (string, error) {
	if oneOff {
		return "to-" + secretID(), nil
	}
	var n int
	if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM digests WHERE kind != 'to'`).Scan(&n); err != nil {
		return "", fmt.Errorf("new digest id: %w", err)
	}
	for n++; ; n++ { // ledgers from before numbering hold other ids: skip any taken
		id := strconv.Itoa(n)
		var taken bool
		if err := d.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM digests WHERE id = ?)`, id).Scan(&taken); err != nil {
			return "", fmt.Errorf("new digest id: %w", err)
		}
		if !taken {
			return id, nil
		}
	}
}

// Plan builds the issue a run would send now, without recording anything:
// every theme, over the run's window (the archive's copy).
func (d *Digest) Plan(ctx context.Context, o RunOptions) (*Issue, error) {
	is, _, err := d.draft(ctx, o)
	return is, err
}

// draft builds the issue a run would send now and finds who it is for.
// Its window ends now and starts where the cadence's last digest ended,
// or earlier, where the last digest of a recipient who switched cadence
// ended (weekly to daily: the days since their last weekly one); each
// recipient's message then starts at their own start (recipient.Since).
func (d *Digest) draft(ctx context.Context, o RunOptions) (*Issue, *audience, error) {
	start, cutoff, err := d.window(ctx, o)
	if err != nil {
		return nil, nil, err
	}
	aud, err := d.audience(ctx, o, start)
	if err != nil {
		return nil, nil, err
	}
	since := start
	for _, r := range aud.candidates {
		if r.Since.Before(since) {
			since = r.Since
		}
	}
	id, err := d.newID(ctx, len(o.To) > 0)
	if err != nil {
		return nil, nil, err
	}
	is, err := d.buildIssue(ctx, d.snapshot(), id, o.cadence(), since, cutoff)
	if err != nil {
		return nil, nil, err
	}
	return is, aud, nil
}

// Preview writes the HTML of the digest a run would send now to path, and
// the text part beside it (path with .txt). It records and sends nothing.
func (d *Digest) Preview(ctx context.Context, path string, o RunOptions) (*Issue, error) {
	is, err := d.Plan(ctx, o)
	if err != nil {
		return nil, err
	}
	is.Unsubscribe = d.opts.BaseURL + "/unsubscribe?t=PREVIEW"
	is.Preferences = d.opts.BaseURL + "/preferences?t=PREVIEW"
	html, text, err := d.tmpl.render(is)
	if err != nil {
		return nil, err
	}
	txtPath := strings.TrimSuffix(path, ".html") + ".txt"
	if err := os.WriteFile(path, []byte(html), 0o644); err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	if err := os.WriteFile(txtPath, []byte(text), 0o644); err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	return is, nil
}

// Run finishes the unfinished digests (one-offs included; not for a
// one-off run), then builds the digest of what is new and sends it.
// Recipients already sent never get a digest again. The whole run holds
// the send lock.
func (d *Digest) Run(ctx context.Context, o RunOptions) (*Report, error) {
	if o.DryRun {
		return d.dryRun(ctx, o)
	}
	if o.Kind == "" {
		o.Kind = "manual"
	}
	unlock, err := d.lock(ctx, o.Wait)
	if err != nil {
		return nil, err
	}
	defer unlock()

	var resumed []Report
	if len(o.To) == 0 {
		recs, err := d.unfinished(ctx)
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			d.opts.Log.Info("digest: resuming an unfinished digest", "digest", rec.ID)
			rep, err := d.send(ctx, rec, o)
			if rep != nil {
				resumed = append(resumed, *rep)
			}
			if err != nil || rep.Interrupted {
				return &Report{Resumed: resumed, Interrupted: rep != nil && rep.Interrupted, Finished: d.opts.Now()}, err
			}
		}
	}
	if o.ResumeOnly {
		return &Report{Resumed: resumed, Finished: d.opts.Now()}, nil
	}
	rec, rep, err := d.create(ctx, o)
	if rep != nil {
		rep.Resumed = resumed
	}
	if err == nil && len(o.To) == 0 {
		err = d.ran(ctx, o.cadence(), d.opts.Now())
	}
	if err != nil || rec == nil {
		return rep, err
	}
	skipped := rep.Skipped
	rep, err = d.send(ctx, rec, o)
	if rep != nil {
		rep.Resumed, rep.Skipped = resumed, skipped
	}
	return rep, err
}

// create records a new digest and its pending deliveries, or returns a
// report saying why there is nothing to send.
func (d *Digest) create(ctx context.Context, o RunOptions) (*record, *Report, error) {
	p, err := d.plan(ctx, o)
	if err != nil {
		return nil, nil, err
	}
	rep := p.report()
	rep.Finished = d.opts.Now()
	if len(p.recipients) == 0 {
		if len(o.To) == 0 {
			// No digest: those who get nothing now on purpose are
			// covered all the same, so that a pause (or a suspension)
			// does not make the issue that ends it span its weeks.
			if err := d.coverHeldBack(ctx, p.issue.Cutoff, p.audience.heldBack); err != nil {
				return nil, nil, err
			}
		}
		return nil, rep, nil
	}
	is := p.issue
	web := *is
	html, text, err := d.tmpl.render(&web)
	if err != nil {
		return nil, nil, err
	}
	kind := o.Kind
	if len(o.To) > 0 {
		kind = "to"
	}
	rec := &record{ID: is.ID, Kind: kind, Cadence: is.Cadence, Subject: is.Subject, HTML: html, Text: text, Status: "sending",
		Created: d.opts.Now(), Since: is.Since, Cutoff: is.Cutoff, ArticleIDs: is.articleIDs, Issue: *is}
	var covered []string
	if len(o.To) == 0 {
		covered = p.audience.covered()
	}
	if err := d.insert(ctx, rec, p.recipients, covered); err != nil {
		return nil, nil, err
	}
	return rec, rep, nil
}

// runPlan is what a run would send now: the issue, and who gets it with
// the themes their message holds. The real run records it; the dry run
// prints it.
type runPlan struct {
	issue    *Issue
	audience *audience
	// candidates counts the recipients before those with nothing new in
	// their themes were left out.
	candidates int
	// recipients get a message; none when nothing would be sent.
	recipients []recipient
	skipped    int
	// empty: nothing new (and no SendEmpty), or nothing new in the themes
	// of any candidate.
	empty bool
}

// plan builds the issue a run would send now and plans its deliveries,
// recording nothing: the one plan of Run and of a dry run.
func (d *Digest) plan(ctx context.Context, o RunOptions) (*runPlan, error) {
	is, aud, err := d.draft(ctx, o)
	if err != nil {
		return nil, err
	}
	all := aud.candidates
	p := &runPlan{issue: is, audience: aud, candidates: len(all)}
	if is.Quiet && !o.SendEmpty {
		p.empty = true
		return p, nil
	}
	p.recipients, p.skipped = planDeliveries(is, all, o.SendEmpty)
	p.empty = len(all) > 0 && len(p.recipients) == 0
	return p, nil
}

// report is the plan's outcome before anything is sent.
func (p *runPlan) report() *Report {
	return &Report{Subject: p.issue.Subject, Articles: p.issue.Articles, Recipients: len(p.recipients), Skipped: p.skipped,
		Empty: p.empty, NoRecipients: p.candidates == 0}
}

// recipient is one address a digest goes to, with the themes they chose
// (nil: every theme), where their message starts and, once planned, the
// themes their message holds.
type recipient struct {
	Email  string
	Chosen []string
	// Since is where their last digest ended (covered-until): their
	// message holds what is new after it. A subscriber with none (new)
	// starts where the cadence's window does, and so does everyone for
	// --since and a one-off.
	Since time.Time
	Held  []string
}

// audience is who a run is for.
type audience struct {
	// candidates are the --to addresses (every theme), or the active
	// subscribers of the run's cadence who are not paused.
	candidates []recipient
	// heldBack are the other subscribers of the run's cadence, paused or
	// suspended: they get nothing now, on purpose.
	heldBack []string
}

// covered lists every subscriber the run is for: a digest it records
// covers them up to its cutoff, whether it holds anything in their themes
// or not.
func (a *audience) covered() []string {
	out := slices.Clone(a.heldBack)
	for _, r := range a.candidates {
		out = append(out, r.Email)
	}
	return out
}

// audience returns who a run whose cadence's window starts at start is
// for.
func (d *Digest) audience(ctx context.Context, o RunOptions, start time.Time) (*audience, error) {
	a := &audience{}
	if len(o.To) > 0 {
		seen := map[string]bool{}
		for _, addr := range o.To {
			addr, err := NormalizeAddress(addr)
			if err != nil {
				return nil, err
			}
			if seen[addr] { // one mailbox named twice gets one message
				continue
			}
			seen[addr] = true
			a.candidates = append(a.candidates, recipient{Email: addr, Since: start})
		}
		return a, nil
	}
	subs, err := d.Subscribers(ctx)
	if err != nil {
		return nil, err
	}
	until, err := d.coveredUntil(ctx)
	if err != nil {
		return nil, err
	}
	now := d.opts.Now()
	for _, s := range subs {
		if s.Frequency != o.cadence() {
			continue
		}
		if s.Status != Active || s.Paused(now) {
			a.heldBack = append(a.heldBack, s.Email)
			continue
		}
		r := recipient{Email: s.Email, Chosen: s.Themes, Since: start}
		if t, ok := until[s.Email]; ok && o.Since.IsZero() {
			r.Since = t
		}
		a.candidates = append(a.candidates, r)
	}
	return a, nil
}

// planDeliveries fills in the themes each recipient's message holds and
// leaves out those who have nothing new in their themes since their
// start, unless sendEmpty; it returns the rest and how many were left
// out.
func planDeliveries(is *Issue, rs []recipient, sendEmpty bool) ([]recipient, int) {
	var out []recipient
	for _, r := range rs {
		secs := is.viewSections(r.Chosen, r.Since)
		if quiet(secs) && !sendEmpty {
			continue
		}
		r.Held = sectionIDs(secs)
		out = append(out, r)
	}
	return out, len(rs) - len(out)
}

// insert records the digest and one pending delivery per recipient, and
// that it covers the covered subscribers up to its cutoff, in one
// transaction.
func (d *Digest) insert(ctx context.Context, r *record, recipients []recipient, covered []string) error {
	ids, _ := json.Marshal(r.ArticleIDs)
	if r.ArticleIDs == nil {
		ids = []byte("[]")
	}
	issue, err := json.Marshal(r.Issue)
	if err != nil {
		return fmt.Errorf("digest %s: %w", r.ID, err)
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("digest %s: %w", r.ID, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO digests (`+recordColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.Kind, r.Cadence, fmtTime(r.Created), fmtTime(r.Since), fmtTime(r.Cutoff), r.Subject, string(ids), r.HTML, r.Text, string(issue), r.Status); err != nil {
		return fmt.Errorf("digest %s: record: %w", r.ID, err)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO deliveries (digest_id, recipient, status, message_id, updated, chosen, themes, since)
		VALUES (?, ?, 'pending', ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("digest %s: %w", r.ID, err)
	}
	defer stmt.Close()
	now := fmtTime(d.opts.Now())
	for _, rcpt := range recipients {
		if _, err := stmt.ExecContext(ctx, r.ID, rcpt.Email, d.newMessageID(r.ID), now,
			strings.Join(rcpt.Chosen, ","), strings.Join(rcpt.Held, ","), fmtTime(rcpt.Since)); err != nil {
			return fmt.Errorf("digest %s: delivery to %s: %w", r.ID, rcpt.Email, err)
		}
	}
	if err := d.cover(ctx, tx, r.Cutoff, covered); err != nil {
		return fmt.Errorf("digest %s: %w", r.ID, err)
	}
	return tx.Commit()
}

// maxTempInARow is how many recipients in a row may fail temporarily
// (after their retries) before a run stops: the relay is down, and
// retrying each recipient with backoff would take hours.
const maxTempInARow = 3

// send delivers a recorded digest to every pending recipient over one
// connection, retrying temporary failures with backoff. It stops between
// messages when ctx ends; what is left stays pending for the next run.
func (d *Digest) send(ctx context.Context, rec *record, o RunOptions) (*Report, error) {
	rep := &Report{DigestID: rec.ID, Subject: rec.Subject, Articles: rec.Issue.Articles}
	pending, err := d.pending(ctx, rec.ID)
	if err != nil {
		return nil, err
	}
	rep.Recipients = len(pending)
	sender, err := d.dial()
	if err != nil {
		return nil, err
	}
	defer sender.Close()
	progress := newProgress(o.Progress, len(pending))
	tempInARow := 0
	for i, p := range pending {
		if ctx.Err() != nil {
			rep.Interrupted = true
			break
		}
		// The list was read when the run began: someone may have
		// unsubscribed since (a long run, a slow relay).
		if due, err := d.stillDue(ctx, rec.ID, p.Recipient); err != nil {
			return rep, err
		} else if !due {
			continue
		}
		if ctx.Err() != nil { // stopped meanwhile: no new message starts
			rep.Interrupted = true
			break
		}
		f, err := d.deliver(ctx, sender, rec, p, o.Signer)
		if err != nil {
			return rep, err // the ledger could not be written: stop
		}
		if f != nil {
			rep.Failed = append(rep.Failed, *f)
			if f.Temporary && ctx.Err() != nil {
				rep.Interrupted = true
				break
			}
			if f.Temporary || f.InDoubt {
				tempInARow++
			} else {
				tempInARow = 0
			}
			if tempInARow == maxTempInARow {
				d.opts.Log.Warn("digest: the relay keeps failing: stopping; the rest stays pending for the next run", "left", len(pending)-i-1)
				break
			}
		} else {
			rep.Sent++
			tempInARow = 0
		}
		progress.step(rep.Sent, len(rep.Failed))
	}
	progress.done(rep.Sent, len(rep.Failed))
	rep.Finished = d.opts.Now()
	left, err := d.settle(ctx, rec.ID)
	if err != nil {
		return rep, err
	}
	if rep.Interrupted {
		d.opts.Log.Warn("digest: interrupted; the rest stays pending and is sent by the next run", "digest", rec.ID, "left", left)
	}
	d.opts.Log.Info("digest: run ended", "digest", rec.ID, "sent", rep.Sent, "failed", len(rep.Failed), "left", left)
	return rep, nil
}

// deliver sends one message, retrying temporary failures, and records the
// outcome. It returns the failure, if any; an error means the ledger
// could not be written.
func (d *Digest) deliver(ctx context.Context, sender Sender, rec *record, p delivery, signer *gomail.DKIMSigner) (*Failure, error) {
	attempts := p.Attempts
	if err := CheckRecipient(p.Recipient); err != nil {
		// Stored before addresses were checked this way: nobody can send
		// to it, and it must not stop the others.
		if err := d.mark(ctx, rec.ID, p.Recipient, "failed", attempts, err.Error(), ""); err != nil {
			return nil, err
		}
		d.opts.Log.Warn("digest: cannot send to this address", "to", p.Recipient, "err", err)
		if err := d.refused(ctx, rec, p.Recipient, err.Error()); err != nil {
			return nil, err
		}
		return &Failure{Recipient: p.Recipient, Attempts: attempts, Error: err.Error()}, nil
	}
	var msgID string
	tries, err, buildErr := d.attempt(ctx, sender, p.Recipient, func() (*gomail.Msg, error) {
		m, id, err := d.message(rec.Issue.view(p.Chosen, p.Since, d.opts.Location), p.Recipient, signer)
		if err != nil {
			return nil, err
		}
		msgID = id
		if p.MessageID != "" {
			// Every try of one delivery carries the Message-ID fixed when
			// it was recorded: if an earlier copy arrived after all (in
			// doubt, or in flight when the process died), a mail system
			// that has it can tell this one is the same.
			msgID = p.MessageID
			m.SetMessageIDWithValue(strings.Trim(msgID, "<>"))
		}
		return m, nil
	})
	if buildErr != nil {
		return nil, buildErr
	}
	attempts += tries
	switch {
	case IsInDoubt(err):
		if err := d.markDoubt(ctx, rec.ID, p.Recipient, attempts, err.Error(), msgID); err != nil {
			return nil, err
		}
		retry := p.Doubts == 0
		again := "the next run tries it once more"
		if !retry {
			again = "it was already tried once more: it is not sent again"
		}
		d.opts.Log.Warn("digest: delivery in doubt: the relay had the whole message but never answered; it may have been delivered; "+again,
			"to", p.Recipient, "digest", rec.ID, "message_id", msgID, "err", err)
		return &Failure{Recipient: p.Recipient, Attempts: attempts, Error: err.Error(), InDoubt: true, Temporary: retry}, nil
	case err == nil:
		if err := d.mark(ctx, rec.ID, p.Recipient, "sent", attempts, "", msgID); err != nil {
			return nil, err
		}
		if d.opts.OnSent != nil {
			d.opts.OnSent()
		}
		return nil, nil
	case !IsTemporary(err):
		if err := d.mark(ctx, rec.ID, p.Recipient, "failed", attempts, err.Error(), msgID); err != nil {
			return nil, err
		}
		d.opts.Log.Warn("digest: delivery refused", "to", p.Recipient, "err", err)
		if err := d.refused(ctx, rec, p.Recipient, err.Error()); err != nil {
			return nil, err
		}
		return &Failure{Recipient: p.Recipient, Attempts: attempts, Error: err.Error()}, nil
	}
	// Still failing: leave it pending for the next run, with what happened.
	if err := d.mark(ctx, rec.ID, p.Recipient, "pending", attempts, err.Error(), p.MessageID); err != nil {
		return nil, err
	}
	return &Failure{Recipient: p.Recipient, Attempts: attempts, Error: err.Error(), Temporary: true}, nil
}

// refused notes a permanent failure of a digest to subscribers, and
// suspends the address when it is the suspendAfter-th in a row.
func (d *Digest) refused(ctx context.Context, rec *record, rcpt, lastErr string) error {
	if rec.Kind == "to" {
		return nil
	}
	suspended, err := d.noteRefusal(ctx, rcpt, lastErr)
	if suspended {
		d.opts.Log.Warn("digest: address suspended: its deliveries failed for good in 3 digests in a row", "to", rcpt, "err", lastErr)
	}
	return err
}

// Resend sends a recorded digest again to one address, on purpose.
func (d *Digest) Resend(ctx context.Context, id, to string, signer *gomail.DKIMSigner) (*Report, error) {
	addr, err := NormalizeAddress(to)
	if err != nil {
		return nil, err
	}
	rec, err := d.record(ctx, id)
	if err != nil {
		return nil, err
	}
	unlock, err := d.lock(ctx, false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// A resend is a new delivery, with a new Message-ID: a mail system
	// that has the first copy must not take it for the same.
	msgID := d.newMessageID(id)
	// The pending delivery and the digest's "sending" go together: a
	// resend stopped before it was sent is resumed by the next run.
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("resend %s to %s: %w", id, addr, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO deliveries (digest_id, recipient, status, message_id, updated) VALUES (?, ?, 'pending', ?, ?)
		ON CONFLICT(digest_id, recipient) DO UPDATE SET status = 'pending', last_error = '', doubts = 0, message_id = excluded.message_id`,
		id, addr, msgID, fmtTime(d.opts.Now())); err != nil {
		return nil, fmt.Errorf("resend %s to %s: %w", id, addr, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE digests SET status = 'sending' WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("resend %s to %s: %w", id, addr, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("resend %s to %s: %w", id, addr, err)
	}
	// The same view as the first time, if there was a first time.
	var chosen, since string
	if err := d.db.QueryRowContext(ctx, `SELECT chosen, since FROM deliveries WHERE digest_id = ? AND recipient = ?`, id, addr).Scan(&chosen, &since); err != nil {
		return nil, fmt.Errorf("resend %s to %s: %w", id, addr, err)
	}
	rep := &Report{DigestID: id, Subject: rec.Subject, Articles: rec.Issue.Articles, Recipients: 1}
	sender, err := d.dial()
	if err != nil {
		return nil, err
	}
	defer sender.Close()
	f, err := d.deliver(ctx, sender, rec, delivery{Recipient: addr, MessageID: msgID, Chosen: splitThemes(chosen), Since: parseTime(since)}, signer)
	if err != nil {
		return nil, err
	}
	if f != nil {
		rep.Failed = append(rep.Failed, *f)
	} else {
		rep.Sent = 1
	}
	// A resend left pending (or in doubt) is retried by the next run, as
	// the command says.
	if _, err := d.settle(ctx, id); err != nil {
		return rep, err
	}
	rep.Finished = d.opts.Now()
	return rep, nil
}

// dryRun prints the subject, the recipients and each theme with its items.
func (d *Digest) dryRun(ctx context.Context, o RunOptions) (*Report, error) {
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	if len(o.To) == 0 {
		recs, err := d.unfinished(ctx)
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			left, err := d.pending(ctx, rec.ID)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(out, "An unfinished digest would be resumed first: %s (%q), %d recipient(s) left.\n\n", rec.ID, rec.Subject, len(left))
		}
	}
	p, err := d.plan(ctx, o)
	if err != nil {
		return nil, err
	}
	is, rep := p.issue, p.report()
	var recipients []string
	for _, r := range p.recipients {
		var notes []string
		if len(r.Chosen) > 0 {
			notes = append(notes, strings.Join(r.Held, ","))
		}
		if is.later(r.Since) {
			n, noun := 0, "articles"
			for _, s := range is.viewSections(r.Chosen, r.Since) {
				n += s.Articles
			}
			if n == 1 {
				noun = "article"
			}
			notes = append(notes, fmt.Sprintf("new since %s: %d %s", r.Since.In(d.opts.Location).Format(time.RFC3339), n, noun))
		}
		label := r.Email
		if len(notes) > 0 {
			label += " (" + strings.Join(notes, "; ") + ")"
		}
		recipients = append(recipients, label)
	}
	stories := "stories"
	if is.Stories == 1 {
		stories = "story"
	}
	fmt.Fprintf(out, "Dry run: nothing is sent and nothing is recorded.\n\nSubject:    %s\nWindow:     %s to %s\nArticles:   %d in %d %s\n",
		is.Subject, is.Since.In(d.opts.Location).Format(time.RFC3339), is.Cutoff.In(d.opts.Location).Format(time.RFC3339), is.Articles, is.Stories, stories)
	switch {
	case rep.NoRecipients:
		fmt.Fprintln(out, "Recipients: none (add some with `kdigest subscribers add`)")
	case len(recipients) == 0:
		fmt.Fprintln(out, "Recipients: none: nothing new in their themes")
	case len(recipients) <= 20:
		fmt.Fprintf(out, "Recipients: %s\n", strings.Join(recipients, ", "))
	default:
		fmt.Fprintf(out, "Recipients: %d (%s, ...)\n", len(recipients), strings.Join(recipients[:5], ", "))
	}
	if rep.Skipped > 0 {
		fmt.Fprintf(out, "Left out:   %d subscriber(s) with nothing new in their themes\n", rep.Skipped)
	}
	if rep.Empty {
		fmt.Fprintln(out, "\nNothing new: no email would be sent (--send-empty sends a quiet-week note).")
		return rep, nil
	}
	for _, s := range is.Sections {
		fmt.Fprintf(out, "\n%s\n", s.Heading())
		for _, it := range s.Items {
			fmt.Fprintf(out, "  - %s (%s, %s)\n", it.Title, it.Outlet, it.Date)
			for _, a := range it.Also {
				fmt.Fprintf(out, "      also: %s\n", a.Outlet)
			}
		}
		if s.More > 0 {
			fmt.Fprintf(out, "  ... and %d more\n", s.More)
		}
	}
	return rep, nil
}

// LastOutcome describes the newest digest for /healthz, or nil.
func (d *Digest) LastOutcome(ctx context.Context) (*Summary, error) {
	list, err := d.Digests(ctx, 1)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return &list[0], nil
}

// progress prints "sent N/M" lines while sending to many recipients.
type progress struct {
	w     io.Writer
	total int
	every int
	n     int
}

func newProgress(w io.Writer, total int) *progress {
	every := max(total/20, 1)
	return &progress{w: w, total: total, every: every}
}

func (p *progress) step(sent, failed int) {
	p.n++
	if p.w == nil || p.total < 20 || p.n%p.every != 0 {
		return
	}
	fmt.Fprintf(p.w, "sending: %d/%d (%d sent, %d failed)\n", p.n, p.total, sent, failed)
}

func (p *progress) done(sent, failed int) {
	if p.w != nil && p.total > 0 {
		fmt.Fprintf(p.w, "done: %d sent, %d failed, of %d\n", sent, failed, p.total)
	}
}

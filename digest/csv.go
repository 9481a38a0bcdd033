package digest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// csvColumns are the columns of an exported list, in order. An import
// needs email; the others may be missing, in any order.
var csvColumns = []string{"email", "themes", "frequency", "status", "reason", "paused_until", "consent_at", "consent"}

// ErrBadCSV reports an import file that cannot be read as a list.
var ErrBadCSV = errors.New("invalid subscriber list")

// ExportCSV writes every subscriber as CSV with a header row: address,
// themes (ids, comma-separated; empty: every theme), frequency, status and
// its reason, the end of a pause, and when and how consent was given.
func (d *Digest) ExportCSV(ctx context.Context, w io.Writer) error {
	subs, err := d.Subscribers(ctx)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write(csvColumns)
	for _, s := range subs {
		var paused string
		if !s.PausedUntil.IsZero() {
			paused = s.PausedUntil.UTC().Format(time.RFC3339)
		}
		cw.Write([]string{s.Email, strings.Join(s.Themes, ","), s.Frequency, s.Status, s.Reason, paused,
			s.Created.UTC().Format(time.RFC3339), s.Consent})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export subscribers: %w", err)
	}
	return nil
}

// ImportOptions says how ImportCSV treats the list.
type ImportOptions struct {
	// Name names the file in errors and in the consent of rows without one.
	Name string
	// Confirm sends each address a confirmation email instead of adding it,
	// all over one connection: it is added, with its themes, when it
	// confirms. A row whose email fails, fails alone (the error names its
	// line). Without it nothing is sent.
	Confirm bool
}

// ImportReport is what ImportCSV did.
type ImportReport struct {
	// Added and Updated count the addresses added and those already on the
	// list whose record the file replaced.
	Added, Updated int
	// Confirming lists the addresses sent a confirmation (Confirm).
	Confirming []string
}

// ImportCSV reads a list as ExportCSV writes it and adds or updates every
// address, in one transaction: a row that does not check out is an error
// naming the file, the line and the field, and nothing is imported. An
// address already on the list takes the file's record. Rows without
// consent columns record the import as their consent, now.
func (d *Digest) ImportCSV(ctx context.Context, r io.Reader, o ImportOptions) (*ImportReport, error) {
	rows, err := d.readCSV(r, o.Name)
	if err != nil {
		return nil, err
	}
	if o.Confirm {
		return d.confirmRows(ctx, o.Name, rows)
	}
	rep := &ImportReport{}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", o.Name, err)
	}
	defer tx.Rollback()
	for _, r := range rows {
		s := r.Subscriber
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM subscribers WHERE email = ?)`, s.Email).Scan(&exists); err != nil {
			return nil, fmt.Errorf("import %s: %w", o.Name, err)
		}
		var paused string
		if !s.PausedUntil.IsZero() {
			paused = fmtTime(s.PausedUntil)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO subscribers (`+subscriberColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(email) DO UPDATE SET created = excluded.created, themes = excluded.themes, frequency = excluded.frequency,
				paused_until = excluded.paused_until, status = excluded.status, reason = excluded.reason, consent = excluded.consent`,
			s.Email, fmtTime(s.Created), strings.Join(s.Themes, ","), s.Frequency, paused, s.Status, s.Reason, s.Consent); err != nil {
			return nil, fmt.Errorf("import %s: %s: %w", o.Name, s.Email, err)
		}
		if exists {
			rep.Updated++
		} else {
			rep.Added++
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("import %s: %w", o.Name, err)
	}
	return rep, nil
}

// confirmRows queues a confirmation email to the address of every row,
// then sends them over one connection ("subscribers import --confirm"). A
// row that fails, fails alone: its error names the file and the line, and
// the other rows still get theirs. Once the relay has failed
// maxTempInARow times in a row, the rest stay queued for the service, as
// an email the relay did not take does.
func (d *Digest) confirmRows(ctx context.Context, name string, rows []csvRow) (*ImportReport, error) {
	rep := &ImportReport{}
	var errs []error
	type queued struct {
		row csvRow
		p   pendingConfirmation
	}
	var list []queued
	notBefore := d.opts.Now().Add(confirmRetry) // not due for the service until this import has tried
	for _, r := range rows {
		p, _, err := d.queueConfirmation(ctx, r.Email, r.Themes, r.Frequency, notBefore)
		if errors.Is(err, ErrTooManyConfirmations) {
			errs = append(errs, fmt.Errorf("%s: line %d: %w", name, r.line, err))
			continue
		}
		if err != nil {
			return rep, errors.Join(append(errs, fmt.Errorf("%s: line %d: %w", name, r.line, err))...)
		}
		list = append(list, queued{r, p})
	}
	if len(list) == 0 {
		return rep, errors.Join(errs...)
	}
	sender, err := d.dial()
	if err != nil {
		return rep, errors.Join(append(errs, fmt.Errorf("%s: confirmation emails queued, not sent (the service sends them): %w", name, err))...)
	}
	defer sender.Close()
	tempInARow := 0
	for i, q := range list {
		if ctx.Err() != nil || tempInARow == maxTempInARow {
			why := "interrupted"
			if ctx.Err() == nil {
				why = "the relay keeps failing"
			}
			errs = append(errs, fmt.Errorf("%s: line %d on: %d confirmation email(s) not sent yet (queued: the service sends them): %s",
				name, q.row.line, len(list)-i, why))
			break
		}
		sendErr, err := d.sendConfirmation(ctx, sender, q.p)
		if err != nil {
			return rep, errors.Join(append(errs, fmt.Errorf("%s: line %d: %w", name, q.row.line, err))...)
		}
		if sendErr == nil {
			rep.Confirming = append(rep.Confirming, q.row.Email)
			tempInARow = 0
			continue
		}
		if IsTemporary(sendErr) || IsInDoubt(sendErr) {
			tempInARow++
		} else {
			tempInARow = 0
		}
		errs = append(errs, fmt.Errorf("%s: line %d: %w", name, q.row.line, confirmationOutcome(q.row.Email, sendErr)))
	}
	return rep, errors.Join(errs...)
}

// csvRow is one checked row of a list and its line in the file.
type csvRow struct {
	Subscriber
	line int
}

// readCSV reads and checks every row of a list.
func (d *Digest) readCSV(r io.Reader, name string) ([]csvRow, error) {
	// Excel saves "CSV" with semicolons where the decimal mark is a comma:
	// a header with a semicolon and no comma names the separator.
	br := bufio.NewReader(r)
	first, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	cr := csv.NewReader(br)
	if bytes.IndexByte(first, ';') >= 0 && bytes.IndexByte(first, ',') < 0 {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = 0 // every row as long as the header
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: %w: empty file (want a header row starting with email)", name, ErrBadCSV)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %v", name, ErrBadCSV, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if h == "" {
			continue // a spreadsheet's column of empty cells
		}
		if !slices.Contains(csvColumns, h) {
			return nil, fmt.Errorf("%s: line 1: %w: unknown column %q (known: %s)", name, ErrBadCSV, h, strings.Join(csvColumns, ", "))
		}
		if _, dup := col[h]; dup {
			return nil, fmt.Errorf("%s: line 1: %w: column %q twice", name, ErrBadCSV, h)
		}
		col[h] = i
	}
	if _, ok := col["email"]; !ok {
		return nil, fmt.Errorf("%s: line 1: %w: no email column", name, ErrBadCSV)
	}
	now := d.opts.Now()
	seen := map[string]int{}
	var out []csvRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil { // a *csv.ParseError names its line
			return nil, fmt.Errorf("%s: %w: %v", name, ErrBadCSV, err)
		}
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue // a spreadsheet's row of empty cells
		}
		line, _ := cr.FieldPos(0)
		field := func(c string) string {
			if i, ok := col[c]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		bad := func(c string, err error) error {
			return fmt.Errorf("%s: line %d: %s: %w", name, line, c, err)
		}
		// Excel's "CSV (Comma delimited)" is Windows-1252: its accents
		// would be stored as invalid UTF-8.
		for _, c := range csvColumns {
			if i, ok := col[c]; ok && !utf8.ValidString(rec[i]) {
				return nil, bad(c, fmt.Errorf("%w: not UTF-8 (save the list as \"CSV UTF-8\")", ErrBadCSV))
			}
		}
		s := Subscriber{Status: Active, Reason: field("reason"), Consent: field("consent")}
		if s.Email, err = NormalizeAddress(field("email")); err != nil {
			return nil, bad("email", err)
		}
		if first, dup := seen[s.Email]; dup {
			return nil, bad("email", fmt.Errorf("%w: %s is on line %d too", ErrBadCSV, s.Email, first))
		}
		seen[s.Email] = line
		if s.Themes, err = d.CheckThemes(strings.Split(field("themes"), ",")); err != nil {
			return nil, bad("themes", err)
		}
		if s.Frequency, err = checkFrequency(field("frequency")); err != nil {
			return nil, bad("frequency", err)
		}
		switch st := field("status"); st {
		case "", Active:
		case Suspended:
			s.Status = Suspended
		default:
			return nil, bad("status", fmt.Errorf("%w: %q (want active or suspended)", ErrBadCSV, st))
		}
		if v := field("paused_until"); v != "" {
			if s.PausedUntil, err = time.Parse(time.RFC3339, v); err != nil {
				return nil, bad("paused_until", fmt.Errorf("%w: %q is not an RFC 3339 time", ErrBadCSV, v))
			}
		}
		s.Created = now
		if v := field("consent_at"); v != "" {
			if s.Created, err = time.Parse(time.RFC3339, v); err != nil {
				return nil, bad("consent_at", fmt.Errorf("%w: %q is not an RFC 3339 time", ErrBadCSV, v))
			}
		}
		if s.Consent == "" {
			s.Consent = "imported from " + name + " without a record of consent"
		}
		out = append(out, csvRow{s, line})
	}
}

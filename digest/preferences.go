package digest

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/kdigest/kdigest/feed"
	"github.com/kdigest/kdigest/templates"
)

// The preferences page and the welcome message: what a subscriber sees of
// the list besides the digest itself. Every change is a POST carrying the
// preferences token, which names the address and that purpose alone: no
// account, no password.

// Template files of the preferences page and the welcome message.
const (
	preferencesTemplate = "preferences.html.tmpl"
	welcomeTemplate     = "welcome.txt.tmpl"
)

// pauseChoices are the pause lengths the page offers, in weeks.
var pauseChoices = []int{1, 2, 4, 8, 12}

// welcomeLatest is how many of the latest items the welcome message lists.
const welcomeLatest = 5

// pageTemplates are the preferences page and the welcome message, parsed
// once from the embedded templates.
type pageTemplates struct {
	prefs   *htmltemplate.Template
	welcome *texttemplate.Template
}

func loadPageTemplates() (*pageTemplates, error) {
	p, err := htmltemplate.ParseFS(templates.FS, preferencesTemplate)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", preferencesTemplate, err)
	}
	w, err := texttemplate.New(welcomeTemplate).Funcs(texttemplate.FuncMap{"wrap": wrap}).ParseFS(templates.FS, welcomeTemplate)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", welcomeTemplate, err)
	}
	return &pageTemplates{prefs: p, welcome: w}, nil
}

// prefTheme is one theme's checkbox.
type prefTheme struct {
	ID, Name, Description, Color string
	Checked                      bool
}

// prefsPage is the preferences page's data.
type prefsPage struct {
	Name, Base, Title, Message, Tone string
	Email, Token                     string
	Subscribed                       bool
	Themes                           []prefTheme
	Daily                            bool
	WeeklyWhen, DailyWhen            string
	PausedUntil, Suspended           string
	Weeks                            []int
}

// when says when the next digest of a frequency comes, for the page and
// the welcome message.
func (d *Digest) when(frequency string) string {
	var next time.Time
	if d.opts.Next != nil {
		next = d.opts.Next(frequency)
	}
	if next.IsZero() {
		return "On the service's next scheduled run."
	}
	return "Next: " + next.In(d.opts.Location).Format("Monday 2 January, 15:04 MST") + "."
}

// showPreferences renders the page for the token's address.
func (d *Digest) showPreferences(w http.ResponseWriter, r *http.Request, code int, addr, tok, msg, tone string) {
	p := prefsPage{Name: d.opts.Name, Base: d.opts.BaseURL, Title: "Your digest", Email: addr, Token: tok,
		Message: msg, Tone: tone, Weeks: pauseChoices, WeeklyWhen: d.when(Weekly), DailyWhen: d.when(Daily)}
	s, err := d.Subscriber(r.Context(), addr)
	switch {
	case errors.Is(err, ErrNoSubscriber):
		p.Title = "Not subscribed"
		if p.Message == "" {
			p.Message = "This address gets no digest. Subscribe again from the front page."
		}
	case err != nil:
		d.opts.Log.Error("digest: preferences", "addr", addr, "err", err)
		d.serverError(w)
		return
	default:
		p.Subscribed = true
		p.Daily = s.Frequency == Daily
		if s.Paused(d.opts.Now()) {
			p.PausedUntil = s.PausedUntil.In(d.opts.Location).Format("Monday 2 January 2006")
			// The next run is not theirs: say when theirs comes.
			p.WeeklyWhen = "The first after your pause, which ends " + p.PausedUntil + "."
			p.DailyWhen = p.WeeklyWhen
		}
		if s.Status == Suspended {
			p.Suspended = s.Reason
		}
		if tax := d.taxonomy(); tax != nil {
			for _, t := range tax.Themes {
				p.Themes = append(p.Themes, prefTheme{ID: t.ID, Name: t.Name, Description: t.Description, Color: t.Color,
					Checked: len(s.Themes) == 0 || slices.Contains(s.Themes, t.ID)})
			}
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the URL
	w.WriteHeader(code)
	if err := d.pages.prefs.Execute(w, p); err != nil {
		d.opts.Log.Error("digest: render preferences", "err", err)
	}
}

// handlePreferencesPage shows the preferences of the token's address.
func (d *Digest) handlePreferencesPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := r.URL.Query().Get("t")
		addr, err := d.verify(purposePreferences, tok)
		if err != nil {
			d.show(w, http.StatusBadRequest, pageData{Title: "This link is not valid", Message: "It may have been altered. Use the link in your latest digest."})
			return
		}
		d.showPreferences(w, r, http.StatusOK, addr, tok, "", "")
	})
}

// handlePreferences applies one change posted from the page: save (themes
// and frequency), pause, resume or unsubscribe.
func (d *Digest) handlePreferences() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := r.FormValue("t")
		addr, err := d.verify(purposePreferences, tok)
		if err != nil {
			d.show(w, http.StatusBadRequest, pageData{Title: "This link is not valid", Message: "Nothing was changed. Use the link in your latest digest."})
			return
		}
		ctx := r.Context()
		var msg string
		switch r.FormValue("action") {
		case "save":
			themes := r.Form["themes"]
			if len(themes) == 0 {
				d.showPreferences(w, r, http.StatusBadRequest, addr, tok, "Nothing was changed: tick at least one theme, or unsubscribe below.", "warn")
				return
			}
			err = d.SetPreferences(ctx, addr, Preferences{Themes: themes, Frequency: r.FormValue("frequency")})
			msg = "Saved. The next digest follows these choices."
		case "pause":
			weeks, convErr := strconv.Atoi(r.FormValue("weeks"))
			if convErr != nil {
				weeks = 0 // Pause refuses it with ErrBadPause
			}
			err = d.Pause(ctx, addr, weeks) // the page then says until when
		case "resume":
			err = d.Resume(ctx, addr)
			msg = "Resumed: the next digest comes as usual."
		case "unsubscribe":
			if err = d.Unsubscribe(ctx, addr); err == nil {
				d.show(w, http.StatusOK, pageData{Title: "Unsubscribed", Message: addr + " will get no more digests."})
				return
			}
		default:
			d.showPreferences(w, r, http.StatusBadRequest, addr, tok, "Nothing was changed: unknown action.", "warn")
			return
		}
		switch {
		case errors.Is(err, ErrUnknownTheme), errors.Is(err, ErrBadFrequency), errors.Is(err, ErrBadPause):
			d.showPreferences(w, r, http.StatusBadRequest, addr, tok, "Nothing was changed: "+err.Error()+".", "warn")
		case errors.Is(err, ErrNoSubscriber):
			d.showPreferences(w, r, http.StatusNotFound, addr, tok, "", "")
		case err != nil:
			d.opts.Log.Error("digest: change preferences", "addr", addr, "err", err)
			d.serverError(w)
		default:
			tone := "ok"
			if msg == "" {
				tone = ""
			}
			d.showPreferences(w, r, http.StatusOK, addr, tok, msg, tone)
		}
	})
}

// welcomeData is the welcome message's data.
type welcomeData struct {
	Name, Email, Themes, Frequency, When string
	Preferences, Unsubscribe, BaseURL    string
	Latest                               []Item
}

// welcome builds the message that greets a confirmed subscriber: their
// themes, when the next digest comes, their preferences link, and the
// latest items of their themes. messageID is the one it was queued with,
// so a retry is the same message.
func (d *Digest) welcome(s Subscriber, messageID string) (*gomail.Msg, error) {
	data := welcomeData{Name: d.opts.Name, Email: s.Email, Themes: "every theme", Frequency: s.Frequency,
		When: d.when(s.Frequency), Preferences: d.PreferencesURL(s.Email), Unsubscribe: d.UnsubscribeURL(s.Email), BaseURL: d.opts.BaseURL}
	if s.Frequency == Daily {
		data.Name = d.opts.DailyName
	}
	var snap *feed.Snapshot
	if d.snapshot != nil {
		snap = d.snapshot()
	}
	if tax := d.taxonomy(); tax != nil && len(s.Themes) > 0 {
		var names []string
		for _, id := range s.Themes {
			if t, ok := tax.Lookup(id); ok {
				names = append(names, t.Name)
			}
		}
		data.Themes = joinNames(names)
	}
	if snap != nil {
		data.Latest = d.latest(snap, s.Themes, welcomeLatest)
	}
	var body bytes.Buffer
	if err := d.pages.welcome.Execute(&body, data); err != nil {
		return nil, fmt.Errorf("render %s: %w", welcomeTemplate, err)
	}
	m, err := d.newMsg(s.Email, "Welcome to "+data.Name, messageID, data.Unsubscribe)
	if err != nil {
		return nil, err
	}
	m.SetBodyString(gomail.TypeTextPlain, body.String())
	return m, nil
}

// latest returns the newest stories of the themes (nil: every theme), one
// item per story as the digest groups them (a story is a theme's when one
// of its reports is, see storyThemes), newest first.
func (d *Digest) latest(snap *feed.Snapshot, themes []string, n int) []Item {
	chosen := func(id string) bool { return len(themes) == 0 || slices.Contains(themes, id) }
	var leads []*feed.Entry
	for _, sec := range snap.Sections(snap.Visible()) {
		for _, lead := range sec.Leads {
			if ids, _ := storyThemes(snap, sec.Reports[lead.ID]); slices.ContainsFunc(ids, chosen) {
				leads = append(leads, lead)
			}
		}
	}
	slices.SortStableFunc(leads, func(a, b *feed.Entry) int { return b.Date.Compare(a.Date) })
	var out []Item
	for _, e := range leads[:min(n, len(leads))] {
		out = append(out, Item{Title: e.Title, URL: e.URL(),
			Outlet: outletOf(e), Date: e.DateText(d.opts.Location)})
	}
	return out
}

// subscribeThemes reads the themes ticked on a subscribe form. None ticked
// (or a form without the boxes) means every theme.
func (d *Digest) subscribeThemes(r *http.Request) ([]string, error) {
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	var ids []string
	for _, v := range r.PostForm["themes"] {
		ids = append(ids, strings.Split(v, ",")...)
	}
	return d.CheckThemes(ids)
}

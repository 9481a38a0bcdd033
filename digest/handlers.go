package digest

import (
	"errors"
	"html/template"
	"net"
	"net/http"
	"sync"
	"time"
)

// Routes returns the digest's HTTP handlers by Go 1.22 pattern, for the web
// server to mount: subscribe (double opt-in) and unsubscribe (with RFC 8058
// one-click POST). The archive of sent digests is Archive's.
func (d *Digest) Routes() map[string]http.Handler {
	limit := newLimiter(5, time.Hour, d.opts.Now)
	return map[string]http.Handler{
		"POST /subscribe":        d.handleSubscribe(limit),
		"GET /subscribe/confirm": d.handleConfirm(),
		"GET /unsubscribe":       d.handleUnsubscribePage(),
		"POST /unsubscribe":      d.handleUnsubscribe(),
		"GET /preferences":       d.handlePreferencesPage(),
		"POST /preferences":      d.handlePreferences(),
	}
}

// page is a minimal self-contained HTML page for the digest's answers.
var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><title>{{.Title}}</title>
<style>body{font:17px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}
button{font:inherit;padding:.5rem 1rem;border-radius:6px;border:0;background:#7a2e1f;color:#fff;cursor:pointer}
li{margin:.3rem 0}.muted{opacity:.7;font-size:.9em}</style></head>
<body><h1>{{.Title}}</h1>{{if .Message}}<p>{{.Message}}</p>{{end}}
{{if .Form}}<form method="post" action="{{.Form}}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>{{end}}
<p><a href="{{.Base}}/">{{.Name}}</a></p></body></html>`))

type pageData struct {
	Title, Message, Form, Base, Name string
}

func (d *Digest) show(w http.ResponseWriter, code int, p pageData) {
	p.Base, p.Name = d.opts.BaseURL, d.opts.Name
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	page.Execute(w, p)
}

func (d *Digest) handleSubscribe(limit *limiter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !limit.allow(clientIP(r)) {
			w.Header().Set("Retry-After", "3600")
			d.show(w, http.StatusTooManyRequests, pageData{Title: "Too many requests", Message: "Please try again in an hour."})
			return
		}
		addr, err := NormalizeAddress(r.FormValue("email"))
		if err != nil {
			d.show(w, http.StatusBadRequest, pageData{Title: "That address does not look right", Message: "Please go back and check the email address."})
			return
		}
		themes, err := d.subscribeThemes(r)
		if err != nil {
			d.show(w, http.StatusBadRequest, pageData{Title: "Unknown theme", Message: "Please go back and tick the themes again."})
			return
		}
		err = d.sendConfirmation(r, addr, themes)
		if err != nil {
			d.opts.Log.Error("digest: confirmation email failed", "to", addr, "err", err)
			d.show(w, http.StatusServiceUnavailable, pageData{Title: "Could not send the confirmation", Message: "The mail server did not take the message. Please try again later."})
			return
		}
		d.show(w, http.StatusAccepted, pageData{Title: "Check your inbox", Message: "We sent a confirmation link to " + addr + ". The subscription starts when you open it."})
	})
}

func (d *Digest) handleConfirm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr, themes, err := d.verifyData(purposeConfirm, r.URL.Query().Get("t"))
		if err != nil {
			d.show(w, http.StatusBadRequest, pageData{Title: "This link is not valid", Message: "It may have expired or been altered. Subscribe again from the front page."})
			return
		}
		_, err = d.SubscribeWith(r.Context(), addr, Subscription{Themes: splitThemes(themes), Consent: ConsentDoubleOptIn})
		if err != nil && !errors.Is(err, ErrDuplicate) {
			d.opts.Log.Error("digest: confirm subscription", "to", addr, "err", err)
			http.Error(w, "internal server error", http.StatusInternalServerError)
			return
		}
		if err == nil {
			if err := d.SendWelcome(r.Context(), addr); err != nil {
				d.opts.Log.Warn("digest: welcome message not sent", "to", addr, "err", err)
			}
		}
		d.show(w, http.StatusOK, pageData{Title: "Subscribed", Message: addr + " will receive the weekly digest."})
	})
}

// handleUnsubscribePage shows a confirm button: mail scanners follow GET
// links, so GET alone never unsubscribes.
func (d *Digest) handleUnsubscribePage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := r.URL.Query().Get("t")
		addr, err := d.verify(purposeUnsubscribe, tok)
		if err != nil {
			d.show(w, http.StatusBadRequest, pageData{Title: "This link is not valid", Message: "It may have been altered. Use the link in your latest digest."})
			return
		}
		d.show(w, http.StatusOK, pageData{Title: "Unsubscribe " + addr + "?", Message: "You will get no more digests.", Form: d.opts.BaseURL + "/unsubscribe?t=" + tok})
	})
}

// handleUnsubscribe unsubscribes at once: the RFC 8058 one-click POST.
func (d *Digest) handleUnsubscribe() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr, err := d.verify(purposeUnsubscribe, r.URL.Query().Get("t"))
		if err != nil {
			d.show(w, http.StatusBadRequest, pageData{Title: "This link is not valid", Message: "Nothing was changed."})
			return
		}
		if err := d.Unsubscribe(r.Context(), addr); err != nil && !errors.Is(err, ErrNoSubscriber) {
			d.opts.Log.Error("digest: unsubscribe", "addr", addr, "err", err)
			http.Error(w, "internal server error", http.StatusInternalServerError)
			return
		}
		d.show(w, http.StatusOK, pageData{Title: "Unsubscribed", Message: addr + " will get no more digests."})
	})
}

// clientIP is the request's remote address without the port.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limiter allows n requests per client per window (a fixed window per
// client, enough to stop a form being used to mail-bomb someone).
type limiter struct {
	n      int
	window time.Duration
	now    func() time.Time
	mu     sync.Mutex
	seen   map[string][]time.Time
}

func newLimiter(n int, window time.Duration, now func() time.Time) *limiter {
	return &limiter{n: n, window: window, now: now, seen: map[string][]time.Time{}}
}

func (l *limiter) allow(client string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	recent := l.seen[client][:0]
	for _, t := range l.seen[client] {
		if now.Sub(t) < l.window {
			recent = append(recent, t)
		}
	}
	if len(recent) >= l.n {
		l.seen[client] = recent
		return false
	}
	l.seen[client] = append(recent, now)
	if len(l.seen) > 10000 { // forget idle clients
		for k, ts := range l.seen {
			if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= l.window {
				delete(l.seen, k)
			}
		}
	}
	return true
}

func (d *Digest) sendConfirmation(r *http.Request, addr string, themes []string) error {
	return d.SendConfirmation(r.Context(), addr, themes)
}

package digest

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/kdigest/kdigest/feed/web"
)

// OneClickUnsubscribe is the route of the RFC 8058 one-click unsubscribe:
// mail providers post to it from their own sites, so a check that refuses
// forms posted from another site must let it through.
const OneClickUnsubscribe = web.RouteUnsubscribe

// Routes returns the digest's HTTP handlers under the subscription routes
// feed/web names (web.RouteSubscribe, ...), for the web server to mount:
// subscribe (double opt-in, confirmed by POST), unsubscribe (with RFC 8058
// one-click POST) and preferences. The archive of sent digests is Archive's.
func (d *Digest) Routes() map[string]http.Handler {
	limit := newLimiter(5, time.Hour, limiterCapacity, d.opts.Now)
	return map[string]http.Handler{
		web.RouteSubscribe:       d.handleSubscribe(limit),
		web.RouteConfirmPage:     d.handleConfirmPage(),
		web.RouteConfirm:         d.handleConfirm(),
		web.RouteUnsubscribePage: d.handleUnsubscribePage(),
		web.RouteUnsubscribe:     d.handleUnsubscribe(),
		web.RoutePreferencesPage: d.handlePreferencesPage(),
		web.RoutePreferences:     d.handlePreferences(),
	}
}

// page is a minimal self-contained HTML page for the digest's answers.
var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><title>{{.Title}}</title>
<style>body{font:17px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;overflow-wrap:break-word}
button{font:inherit;padding:.5rem 1rem;border-radius:6px;border:0;background:#7a2e1f;color:#fff;cursor:pointer}
li{margin:.3rem 0}.muted{opacity:.7;font-size:.9em}</style></head>
<body><h1>{{.Title}}</h1>{{if .Message}}<p>{{.Message}}</p>{{end}}
{{if .Form}}<form method="post" action="{{.Form}}">{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}<button type="submit">{{.Button}}</button></form>{{end}}
<p><a href="{{.Base}}/">{{.Name}}</a></p></body></html>`))

type pageData struct {
	Title, Message, Base, Name string
	// Form, when set, is the action of a form of Hidden fields posted by
	// a Button.
	Form, Button string
	Hidden       map[string]string
}

func (d *Digest) show(w http.ResponseWriter, code int, p pageData) {
	p.Base, p.Name = d.opts.BaseURL, d.opts.Name
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	page.Execute(w, p)
}

// serverError answers a request the database could not serve (a full
// disk, a locked database): a page that says so and to try again, not a
// bare "internal server error".
func (d *Digest) serverError(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "60")
	d.show(w, http.StatusInternalServerError, pageData{Title: "Something went wrong on our side",
		Message: "Your request could not be completed just now. Please try again in a few minutes."})
}

// handleSubscribe queues a confirmation email and answers at once: a slow
// or hanging relay never holds the visitor. Each client gets 5 requests an
// hour, each address confirmPerAddress emails a day; a form refused for a
// mistyped address or theme costs nothing (it sends nothing). The form is
// read before the limit: the site caps what a request may post
// (web.MaxBody), and a form over it is refused (413).
func (d *Digest) handleSubscribe(limit *limiter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
				d.show(w, http.StatusRequestEntityTooLarge, pageData{Title: "That form is too large", Message: "Please go back and subscribe from the form."})
				return
			}
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
		if ok, wait := limit.allow(clientKey(r)); !ok {
			w.Header().Set("Retry-After", retryAfter(wait))
			d.show(w, http.StatusTooManyRequests, pageData{Title: "Too many requests", Message: "Please try again later."})
			return
		}
		_, wait, err := d.queueConfirmation(r.Context(), addr, themes, Weekly, d.opts.Now())
		if errors.Is(err, ErrTooManyConfirmations) {
			w.Header().Set("Retry-After", retryAfter(wait))
			d.show(w, http.StatusTooManyRequests, pageData{Title: "Confirmation already sent",
				Message: "Several confirmation links went to " + addr + " today. Please look for them in your inbox (and spam folder), or try again tomorrow."})
			return
		}
		if err != nil {
			d.opts.Log.Error("digest: queue confirmation email", "to", addr, "err", err)
			d.serverError(w)
			return
		}
		d.show(w, http.StatusAccepted, pageData{Title: "Check your inbox", Message: "A confirmation link is on its way to " + addr + ". The subscription starts when you open it and press Confirm."})
	})
}

// retryAfter is a Retry-After value: whole seconds, rounded up.
func retryAfter(wait time.Duration) string {
	return strconv.FormatInt(int64((wait+time.Second-1)/time.Second), 10)
}

// confirmFailure answers a confirmation token that cannot confirm.
func (d *Digest) confirmFailure(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, ErrLinkUsed):
		d.show(w, http.StatusGone, pageData{Title: "This link was already used", Message: "It confirms a subscription once, and not after an unsubscribe. To subscribe again, use the form on the front page."})
	case errors.Is(err, ErrBadToken):
		d.show(w, http.StatusBadRequest, pageData{Title: "This link is not valid", Message: "It may have expired or been altered. Subscribe again from the front page."})
	case errors.Is(err, ErrUnknownTheme), errors.Is(err, ErrBadAddress):
		// The link names a theme no longer offered (a --themes file
		// changed since) or an address now refused: no retry helps.
		d.show(w, http.StatusBadRequest, pageData{Title: "This link can no longer be used", Message: "What it subscribes to is no longer offered. Subscribe again from the front page."})
	default:
		d.opts.Log.Error("digest: confirm subscription", "err", err)
		d.serverError(w)
	}
}

// handleConfirmPage shows a Confirm button: mail scanners open links, so
// GET (and HEAD) alone never subscribes anyone.
func (d *Digest) handleConfirmPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := r.URL.Query().Get("t")
		addr, _, err := d.checkConfirmation(r.Context(), tok)
		if err != nil {
			d.confirmFailure(w, err)
			return
		}
		d.show(w, http.StatusOK, pageData{Title: "Subscribe " + addr + "?", Message: "Press Confirm to start receiving " + d.opts.Name + ".",
			Form: d.opts.BaseURL + "/subscribe/confirm", Hidden: map[string]string{"t": tok}, Button: "Confirm"})
	})
}

// handleConfirm subscribes the token's address: the Confirm button.
func (d *Digest) handleConfirm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr, err := d.Confirm(r.Context(), r.FormValue("t"))
		if err != nil {
			d.confirmFailure(w, err)
			return
		}
		d.show(w, http.StatusOK, pageData{Title: "Subscribed", Message: addr + " will receive " + d.opts.Name + "."})
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
		d.show(w, http.StatusOK, pageData{Title: "Unsubscribe " + addr + "?", Message: "You will get no more digests.", Form: d.opts.BaseURL + "/unsubscribe?t=" + tok, Hidden: map[string]string{"List-Unsubscribe": "One-Click"}, Button: "Unsubscribe"})
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
			d.serverError(w)
			return
		}
		d.show(w, http.StatusOK, pageData{Title: "Unsubscribed", Message: addr + " will get no more digests."})
	})
}

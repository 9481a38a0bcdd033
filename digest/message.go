package digest

import (
	"fmt"
	"strings"

	gomail "github.com/wneessen/go-mail"
	"golang.org/x/net/idna"
)

// message builds one recipient's email: multipart/alternative (text, then
// HTML), with the list and unsubscribe headers of RFC 2369 and RFC 8058.
func (d *Digest) message(is Issue, rcpt string, signer *gomail.DKIMSigner) (*gomail.Msg, string, error) {
	is.Unsubscribe = d.UnsubscribeURL(rcpt)
	is.Preferences = d.PreferencesURL(rcpt)
	html, text, err := d.tmpl.render(&is)
	if err != nil {
		return nil, "", err
	}
	opts := []gomail.MsgOption{gomail.WithNoDefaultUserAgent()}
	if signer != nil {
		opts = append(opts, gomail.WithDKIM(signer))
	}
	msgID := fmt.Sprintf("%s.%s@%s", is.ID, randomID(), d.domain())
	m, err := d.newMsg(rcpt, is.Subject, msgID, is.Unsubscribe, opts...)
	if err != nil {
		return nil, "", err
	}
	m.SetGenHeader(gomail.Header("Precedence"), "bulk")
	m.SetBodyString(gomail.TypeTextPlain, text)
	m.AddAlternativeString(gomail.TypeTextHTML, html)
	return m, "<" + msgID + ">", nil
}

// newMsg starts a message of the list to rcpt: From, To, Subject, Date,
// Message-ID (with or without its angle brackets) and Auto-Submitted, and,
// when unsubscribe (the recipient's one-click URL) is set, the list
// headers List-Id, List-Unsubscribe and List-Unsubscribe-Post.
func (d *Digest) newMsg(rcpt, subject, msgID, unsubscribe string, opts ...gomail.MsgOption) (*gomail.Msg, error) {
	m := gomail.NewMsg(append([]gomail.MsgOption{gomail.WithNoDefaultUserAgent()}, opts...)...)
	if err := m.From(d.from.String()); err != nil {
		return nil, fmt.Errorf("from %s: %w", d.from, err)
	}
	if err := m.To(wireAddress(rcpt)); err != nil {
		return nil, fmt.Errorf("to %s: %w", rcpt, err)
	}
	m.Subject(subject)
	m.SetDateWithValue(d.opts.Now())
	m.SetMessageIDWithValue(strings.Trim(msgID, "<>"))
	m.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	if unsubscribe != "" {
		m.SetGenHeader(gomail.Header("List-Id"), fmt.Sprintf("%s <digest.%s>", d.opts.Name, d.domain()))
		m.SetGenHeader(gomail.Header("List-Unsubscribe"), d.listUnsubscribe(unsubscribe))
		m.SetGenHeader(gomail.Header("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click")
	}
	return m, nil
}

// listUnsubscribe is the List-Unsubscribe header: the one-click URL, and
// a mailto: only when an address someone reads was given (the From
// address is read by nobody).
func (d *Digest) listUnsubscribe(oneClick string) string {
	if d.opts.UnsubscribeMailto == nil {
		return "<" + oneClick + ">"
	}
	return fmt.Sprintf("<%s>, <mailto:%s?subject=unsubscribe>", oneClick, d.opts.UnsubscribeMailto.Address)
}

// DKIMHeaders are the headers the digest signs: go-mail's defaults plus
// the list headers, which RFC 8058 asks to be signed.
var DKIMHeaders = []string{"From", "To", "Subject", "Date", "Message-ID", "Content-Type", "MIME-Version",
	"List-Id", "List-Unsubscribe", "List-Unsubscribe-Post"}

// NewDKIMSigner loads a PEM key (RSA or Ed25519) for domain and selector.
func NewDKIMSigner(keyPEM []byte, domain, selector string) (*gomail.DKIMSigner, error) {
	key, err := gomail.PrivKeyFromPEM(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("dkim key: %w", err)
	}
	// The d= tag and the DNS name of the key are in ASCII (RFC 6376).
	if a, err := idna.Lookup.ToASCII(domain); err == nil && a != "" {
		domain = a
	}
	s := gomail.NewDKIMSigner(strings.ToLower(domain), selector, key)
	s.SignHeaders(DKIMHeaders...)
	if err := s.ValidateConfig(); err != nil {
		return nil, fmt.Errorf("dkim: %w", err)
	}
	return s, nil
}

package digest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// LoadSecret reads the token-signing secret from path, creating it (0600)
// with 32 random bytes on first run.
func LoadSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if len(b) < 32 {
			return nil, fmt.Errorf("secret %s: too short (%d bytes): delete it to make a new one", path, len(b))
		}
		return b, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("secret: %w", err)
	}
	b = make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	// Written whole beside it, then linked in place: another process
	// never reads it half written, a failed write (a full disk) leaves no
	// short file that every later start refuses, and of two processes
	// making it at once the second takes the first's.
	f, err := os.CreateTemp(filepath.Dir(path), ".secret-*")
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	err = os.Link(f.Name(), path)
	switch {
	case errors.Is(err, os.ErrExist): // another process made it first
		return LoadSecret(path)
	case err != nil:
		// A file system without hard links: renamed, whole all the same.
		if err := os.Rename(f.Name(), path); err != nil {
			return nil, fmt.Errorf("secret: %w", err)
		}
	}
	return b, nil
}

// Token purposes: a token signs its purpose with the address, and works
// for that purpose alone. A preferences token cannot confirm a
// subscription, an unsubscribe token cannot change preferences.
const (
	purposeConfirm     = "confirm"
	purposeUnsubscribe = "unsubscribe"
	purposePreferences = "preferences"
)

// confirmTTL is how long a subscription confirmation link works.
const confirmTTL = 7 * 24 * time.Hour

// token signs purpose, address, expiry (zero: never expires) and data (the
// themes a subscriber chose, for a confirmation) with HMAC-SHA256.
func (d *Digest) token(purpose, email string, expires time.Time, data string) string {
	var exp int64
	if !expires.IsZero() {
		exp = expires.Unix()
	}
	payload := purpose + "\n" + email + "\n" + strconv.FormatInt(exp, 10)
	if data != "" {
		payload += "\n" + data
	}
	mac := hmac.New(sha256.New, d.opts.Secret)
	mac.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// verify checks a token's signature, purpose and expiry and returns its address.
func (d *Digest) verify(purpose, tok string) (string, error) {
	addr, _, err := d.verifyData(purpose, tok)
	return addr, err
}

// verifyData is verify that also returns the token's data.
func (d *Digest) verifyData(purpose, tok string) (email, data string, err error) {
	p64, s64, ok := strings.Cut(tok, ".")
	if !ok {
		return "", "", ErrBadToken
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p64)
	sig, err2 := base64.RawURLEncoding.DecodeString(s64)
	if err1 != nil || err2 != nil {
		return "", "", ErrBadToken
	}
	mac := hmac.New(sha256.New, d.opts.Secret)
	mac.Write(payload)
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return "", "", ErrBadToken
	}
	parts := strings.Split(string(payload), "\n")
	if len(parts) < 3 || len(parts) > 4 || parts[0] != purpose {
		return "", "", ErrBadToken
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || (exp != 0 && d.opts.Now().Unix() > exp) {
		return "", "", ErrBadToken
	}
	if len(parts) == 4 {
		data = parts[3]
	}
	return parts[1], data, nil
}

// UnsubscribeURL is the one-click unsubscribe link for an address.
func (d *Digest) UnsubscribeURL(email string) string {
	return d.opts.BaseURL + "/unsubscribe?t=" + d.token(purposeUnsubscribe, email, time.Time{}, "")
}

// PreferencesURL is the link to an address's preferences page. It does
// not expire: it is in every email.
func (d *Digest) PreferencesURL(email string) string {
	return d.opts.BaseURL + "/preferences?t=" + d.token(purposePreferences, email, time.Time{}, "")
}

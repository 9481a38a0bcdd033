package digest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kdigest/kdigest/digest"
)

func TestNormalizeAddress(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{"plain", "ann@example.org", "ann@example.org", false},
		{"upper case", "Ann@EXAMPLE.Org", "ann@example.org", false},
		{"display name", "Ann Smith <ann@example.org>", "ann@example.org", false},
		{"spaces around", "  ann@example.org\t", "ann@example.org", false},
		{"localhost", "root@localhost", "root@localhost", false},
		{"empty", "", "", true},
		{"no at", "ann.example.org", "", true},
		{"no domain dot", "ann@example", "", true},
		{"two addresses", "a@example.org, b@example.org", "", true},
		{"header injection", "ann@example.org\r\nBcc: x@example.org", "", true},
		// One mailbox, one row: an internationalised domain is the same
		// domain whether written in Unicode or in its ASCII (punycode)
		// form, composed or decomposed.
		{"idn domain", "ann@bücher.de", "ann@bücher.de", false},
		{"idn domain as punycode", "ann@xn--bcher-kva.de", "ann@bücher.de", false},
		{"idn domain decomposed", "ann@bu\u0308cher.de", "ann@bücher.de", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := digest.NormalizeAddress(tc.in)
			if tc.wantErr {
				if !errors.Is(err, digest.ErrBadAddress) {
					t.Errorf("NormalizeAddress(%q) = %q, %v, want ErrBadAddress", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("NormalizeAddress(%q) = %q, %v, want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestSubscribers(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	ctx := context.Background()
	if got, err := d.Subscribe(ctx, "Bob <Bob@Example.ORG>"); err != nil || got != "bob@example.org" {
		t.Fatalf("Subscribe = %q, %v", got, err)
	}
	if _, err := d.Subscribe(ctx, "ann@example.org"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Subscribe(ctx, "BOB@example.org"); !errors.Is(err, digest.ErrDuplicate) {
		t.Errorf("duplicate Subscribe = %v, want ErrDuplicate", err)
	}
	if _, err := d.Subscribe(ctx, "nope"); !errors.Is(err, digest.ErrBadAddress) {
		t.Errorf("bad Subscribe = %v, want ErrBadAddress", err)
	}
	subs, err := d.Subscribers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 2 || subs[0].Email != "ann@example.org" || subs[1].Email != "bob@example.org" || !subs[0].Created.Equal(t0) {
		t.Errorf("Subscribers = %+v, want ann then bob, created at t0", subs)
	}
	if err := d.Unsubscribe(ctx, "Bob@example.org"); err != nil {
		t.Errorf("Unsubscribe = %v", err)
	}
	if err := d.Unsubscribe(ctx, "bob@example.org"); !errors.Is(err, digest.ErrNoSubscriber) {
		t.Errorf("second Unsubscribe = %v, want ErrNoSubscriber", err)
	}
	if err := d.Unsubscribe(ctx, "zed@example.org"); !errors.Is(err, digest.ErrNoSubscriber) {
		t.Errorf("Unsubscribe of an unknown address = %v, want ErrNoSubscriber", err)
	}
	if err := d.Unsubscribe(ctx, "bad"); !errors.Is(err, digest.ErrBadAddress) {
		t.Errorf("Unsubscribe of a bad address = %v, want ErrBadAddress", err)
	}
	if got := subscriberList(t, d); got != "ann@example.org" {
		t.Errorf("subscribers = %q, want ann@example.org", got)
	}
}

func TestLoadSecret(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "secret")
	first, err := digest.LoadSecret(path)
	if err != nil || len(first) != 32 {
		t.Fatalf("LoadSecret = %d bytes, %v", len(first), err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode = %v, %v, want 0600", fi.Mode().Perm(), err)
	}
	again, err := digest.LoadSecret(path)
	if err != nil || string(again) != string(first) {
		t.Errorf("second LoadSecret differs or failed: %v", err)
	}
	short := filepath.Join(dir, "short")
	if err := os.WriteFile(short, []byte("tiny"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := digest.LoadSecret(short); err == nil {
		t.Errorf("LoadSecret of a short file succeeded")
	}
}

func TestTokensDependOnSecret(t *testing.T) {
	e := newEnv(t)
	d1 := e.digest(t)
	d2 := e.digest(t, func(o *digest.Options) { o.Secret = []byte("another secret of at least 32 bytes!") })
	if d1.UnsubscribeURL("ann@example.org") == d2.UnsubscribeURL("ann@example.org") {
		t.Errorf("two secrets made the same token")
	}
	if d1.UnsubscribeURL("ann@example.org") == d1.UnsubscribeURL("bob@example.org") {
		t.Errorf("two addresses got the same token")
	}
}

// TestSubscribeIDNOnce checks that a mailbox of an internationalised
// domain is subscribed once: "kdigest subscribers add ann@bücher.de
// ann@xn--bcher-kva.de" added both, and every digest went to it twice.
func TestSubscribeIDNOnce(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	ctx := context.Background()
	if _, err := d.Subscribe(ctx, "ann@bücher.de"); err != nil {
		t.Fatal(err)
	}
	if got, err := d.Subscribe(ctx, "ann@xn--bcher-kva.de"); !errors.Is(err, digest.ErrDuplicate) {
		t.Errorf("Subscribe of the punycode form = %q, %v, want ErrDuplicate", got, err)
	}
	if err := d.Unsubscribe(ctx, "ann@xn--bcher-kva.de"); err != nil {
		t.Errorf("Unsubscribe of the punycode form = %v", err)
	}
	if got := subscriberList(t, d); got != "" {
		t.Errorf("subscribers = %q, want none", got)
	}
}

// TestIDNAddressesMigrated checks that a ledger written before addresses
// had their domain in Unicode has its rows rewritten on open: the
// punycode row of a mailbox also subscribed in Unicode goes (it got every
// digest twice), and a punycode row alone becomes the Unicode one, so the
// links in mails already sent, which name it either way, still unsubscribe.
func TestIDNAddressesMigrated(t *testing.T) {
	e := newEnv(t)
	e.digest(t) // a ledger at the current version
	for _, a := range []string{"ann@bücher.de", "ann@xn--bcher-kva.de", "bob@xn--mnchen-3ya.de", "cid@example.org"} {
		if _, err := e.db.Exec(`INSERT INTO subscribers (email, created) VALUES (?, ?)`, a, t0.Format(time.RFC3339)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.db.Exec(`UPDATE schema_version SET version = 5 WHERE component = 'digest'`); err != nil {
		t.Fatal(err)
	}
	d := e.digest(t)
	if got, want := subscriberList(t, d), "ann@bücher.de bob@münchen.de cid@example.org"; got != want {
		t.Errorf("subscribers = %q, want %q", got, want)
	}
	if err := d.Unsubscribe(context.Background(), "bob@xn--mnchen-3ya.de"); err != nil {
		t.Errorf("Unsubscribe of the address as an old link names it = %v", err)
	}
}

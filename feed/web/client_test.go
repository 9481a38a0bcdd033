package web

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path"
	"strings"
	"testing"
)

func TestParseTrustedProxies(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"", "[]", ""},
		{"127.0.0.1/32", "[127.0.0.1/32]", ""},
		{" 10.1.2.3/8 , ::1 ,192.0.2.7", "[10.0.0.0/8 ::1/128 192.0.2.7/32]", ""},
		{"::ffff:10.0.0.1", "[10.0.0.1/32]", ""},
		{"fd00::/8,", "[fd00::/8]", ""},
		{"10.0.0.0/8,nginx", "", `"nginx"`},
		{"10.0.0.0/33", "", `"10.0.0.0/33"`},
		{"fe80::1%eth0", "", `"fe80::1%eth0"`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseTrustedProxies(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseTrustedProxies(%q) error = %v, want one naming %s", tc.in, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			s := make([]string, len(got))
			for i, p := range got {
				s[i] = p.String()
			}
			if g := "[" + strings.Join(s, " ") + "]"; g != tc.want {
				t.Errorf("ParseTrustedProxies(%q) = %s, want %s", tc.in, g, tc.want)
			}
		})
	}
}

func TestForwardedClient(t *testing.T) {
	trusted, err := ParseTrustedProxies("127.0.0.1, 10.0.0.0/8, fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		remote string
		xff    []string
		fwd    []string
		want   string // "" when the peer's address stands
	}{
		{"direct client, headers ignored", "203.0.113.5:4000", []string{"198.51.100.1"}, nil, ""},
		{"direct client, Forwarded ignored", "203.0.113.5:4000", nil, []string{"for=198.51.100.1"}, ""},
		{"proxy without headers", "127.0.0.1:5000", nil, nil, ""},
		{"one hop", "127.0.0.1:5000", []string{"198.51.100.1"}, nil, "198.51.100.1"},
		{"spoofed left-most entries", "127.0.0.1:5000", []string{"1.1.1.1, 8.8.8.8, 198.51.100.1"}, nil, "198.51.100.1"},
		{"spoofed garbage on the left", "127.0.0.1:5000", []string{"<script>, unknown, 198.51.100.1"}, nil, "198.51.100.1"},
		{"trusted hops skipped", "127.0.0.1:5000", []string{"9.9.9.9, 198.51.100.1, 10.0.0.2, 10.0.0.3"}, nil, "198.51.100.1"},
		{"header split over lines", "127.0.0.1:5000", []string{"9.9.9.9, 198.51.100.1", "10.0.0.2"}, nil, "198.51.100.1"},
		{"all hops trusted", "127.0.0.1:5000", []string{"10.0.0.9, 10.0.0.2"}, nil, "10.0.0.9"},
		{"hop with port", "127.0.0.1:5000", []string{"198.51.100.1:6000"}, nil, "198.51.100.1"},
		{"IPv6 hop", "127.0.0.1:5000", []string{"2001:db8::7"}, nil, "2001:db8::7"},
		{"bracketed IPv6 hop with port", "127.0.0.1:5000", []string{"[2001:db8::7]:443"}, nil, "2001:db8::7"},
		{"IPv4-mapped hop", "127.0.0.1:5000", []string{"::ffff:198.51.100.1"}, nil, "198.51.100.1"},
		{"IPv6 proxy", "[fd00::1]:5000", []string{"2001:db8::7"}, nil, "2001:db8::7"},
		{"malformed right-most hop", "127.0.0.1:5000", []string{"198.51.100.1, not-an-ip"}, nil, ""},
		{"empty header", "127.0.0.1:5000", []string{""}, nil, ""},
		{"Forwarded", "127.0.0.1:5000", nil, []string{"for=198.51.100.1;proto=https;by=127.0.0.1"}, "198.51.100.1"},
		{"Forwarded spoofed left-most", "127.0.0.1:5000", nil, []string{"for=1.1.1.1, for=198.51.100.1"}, "198.51.100.1"},
		{"Forwarded quoted IPv6 with port", "127.0.0.1:5000", nil, []string{`for="[2001:db8:cafe::17]:4711"`}, "2001:db8:cafe::17"},
		{"Forwarded case and spaces", "127.0.0.1:5000", nil, []string{`For = "198.51.100.1" ; proto=http`}, "198.51.100.1"},
		{"Forwarded quoted comma", "127.0.0.1:5000", nil, []string{`for=9.9.9.9;x="a,b", for=198.51.100.1`}, "198.51.100.1"},
		{"Forwarded trusted hop skipped", "127.0.0.1:5000", nil, []string{"for=198.51.100.1", "for=10.0.0.2"}, "198.51.100.1"},
		{"Forwarded obfuscated", "127.0.0.1:5000", nil, []string{"for=_hidden"}, ""},
		{"Forwarded unknown", "127.0.0.1:5000", nil, []string{"for=unknown"}, ""},
		{"Forwarded without for", "127.0.0.1:5000", nil, []string{"proto=https"}, ""},
		{"X-Forwarded-For wins over Forwarded", "127.0.0.1:5000", []string{"198.51.100.1"}, []string{"for=1.1.1.1"}, "198.51.100.1"},
		{"unreadable peer", "pipe", []string{"198.51.100.1"}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			for _, v := range tc.fwd {
				r.Header.Add("Forwarded", v)
			}
			got, ok := forwardedClient(r, trusted)
			if tc.want == "" {
				if ok {
					t.Errorf("client = %s, want the peer's address to stand", got)
				}
				return
			}
			if !ok || got != netip.MustParseAddr(tc.want) {
				t.Errorf("client = %s, %v; want %s", got, ok, tc.want)
			}
		})
	}
}

// TestClientAddressThroughTheServer: handlers behind NewServer see the
// visitor in RemoteAddr only when the request came from a trusted proxy,
// and ClientIP reads it back, whichever way RemoteAddr is written.
func TestClientAddressThroughTheServer(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, ok := ClientIP(r)
		fmt.Fprintf(w, "%s %s %v", r.RemoteAddr, ip, ok)
	})
	routes := map[string]http.Handler{"GET /whoami": echo}
	tests := []struct {
		name    string
		trusted string
		xff     string
		want    string // RemoteAddr, then ClientIP
	}{
		{"no trusted proxy", "", "6.6.6.6, 198.51.100.1", "127.0.0.1:* 127.0.0.1 true"},
		{"loopback trusted", "127.0.0.1/32", "6.6.6.6, 198.51.100.1", "198.51.100.1 198.51.100.1 true"},
		{"another proxy trusted", "10.0.0.0/8", "6.6.6.6, 198.51.100.1", "127.0.0.1:* 127.0.0.1 true"},
		{"IPv6 visitor", "127.0.0.1/32", "[2001:db8::7]:5000", "2001:db8::7 2001:db8::7 true"},
		{"IPv4-mapped visitor", "127.0.0.1/32", "::ffff:198.51.100.2", "198.51.100.2 198.51.100.2 true"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trusted, err := ParseTrustedProxies(tc.trusted)
			if err != nil {
				t.Fatal(err)
			}
			h, _ := newHandler(t, Options{Routes: routes, TrustedProxies: trusted})
			srv := httptest.NewServer(h)
			defer srv.Close()
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/whoami", nil)
			req.Header.Set("X-Forwarded-For", tc.xff)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if ok, _ := path.Match(tc.want, string(b)); !ok {
				t.Errorf("RemoteAddr, ClientIP = %q, want %q", b, tc.want)
			}
		})
	}
}

func TestCrossOriginProtection(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h, _ := newHandler(t, Options{BaseURL: "https://news.example.org", CrossSiteExempt: []string{"POST /open"},
		Routes: map[string]http.Handler{"POST /form": ok, "POST /open": ok, "GET /page": ok}})
	tests := []struct {
		name, method, path string
		header             map[string]string
		want               int
	}{
		{"cross-site form", http.MethodPost, "/form", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"other origin", http.MethodPost, "/form", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"null origin", http.MethodPost, "/form", map[string]string{"Origin": "null"}, http.StatusForbidden},
		{"same origin", http.MethodPost, "/form", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusNoContent},
		{"origin matches Host", http.MethodPost, "/form", map[string]string{"Origin": "http://example.com"}, http.StatusNoContent},
		{"the public origin behind a proxy", http.MethodPost, "/form", map[string]string{"Origin": "https://news.example.org"}, http.StatusNoContent},
		{"not a browser", http.MethodPost, "/form", nil, http.StatusNoContent},
		{"exempt route", http.MethodPost, "/open", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusNoContent},
		{"GET is safe", http.MethodGet, "/page", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusNoContent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, h, tc.method, tc.path, tc.header)
			if resp.StatusCode != tc.want {
				t.Errorf("status = %d %q, want %d", resp.StatusCode, body, tc.want)
			}
			if tc.want == http.StatusForbidden && !strings.Contains(string(body), "another site") {
				t.Errorf("body = %q, want it to say why", body)
			}
		})
	}
	if _, err := NewServer(Options{Snapshot: openCorpus(t).Snapshot, BaseURL: "news.example.org"}); err == nil || !strings.Contains(err.Error(), "news.example.org") {
		t.Errorf("NewServer with a relative base URL: error = %v, want one naming it", err)
	}
}

func TestMethodNotAllowedLists(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	h, _ := newHandler(t, Options{Routes: map[string]http.Handler{
		"POST /subscribe": ok, "GET /unsubscribe": ok, "POST /unsubscribe": ok,
	}})
	tests := []struct {
		method, path string
		want         int
		allow        string
	}{
		{http.MethodPut, "/unsubscribe", http.StatusMethodNotAllowed, "GET, HEAD, POST"},
		{http.MethodOptions, "/subscribe", http.StatusMethodNotAllowed, "POST"},
		{http.MethodPut, "/subscribe", http.StatusMethodNotAllowed, "POST"},
		{http.MethodGet, "/subscribe", http.StatusMethodNotAllowed, "POST"},
		{http.MethodPost, "/feed.atom", http.StatusMethodNotAllowed, "GET, HEAD"},
		{http.MethodDelete, "/themes/security.atom", http.StatusMethodNotAllowed, "GET, HEAD"},
		{http.MethodPut, "/nothing-here", http.StatusNotFound, ""},
		{http.MethodGet, "/nothing-here", http.StatusNotFound, ""},
	}
	for _, tc := range tests {
		resp, _ := do(t, h, tc.method, tc.path, nil)
		if resp.StatusCode != tc.want || resp.Header.Get("Allow") != tc.allow {
			t.Errorf("%s %s = %d, Allow %q; want %d, Allow %q", tc.method, tc.path, resp.StatusCode, resp.Header.Get("Allow"), tc.want, tc.allow)
		}
	}
}

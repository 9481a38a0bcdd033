package web

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// ParseTrustedProxies reads a comma-separated list of CIDR ranges or single
// addresses ("127.0.0.1/32, 10.0.0.0/8, ::1"). The error names the entry
// that is neither.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, field := range strings.Split(list, ",") {
		field = strings.TrimSpace(field)
		if field == "" {
			continue
		}
		if p, err := netip.ParsePrefix(field); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(field)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("%q is not a CIDR range or an IP address", field)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// clientAddress sets each request's RemoteAddr to its client's address when
// it came through one of the trusted proxies, so that everything after it
// (the subscribe rate limit, logs) sees the visitor, not the proxy. From
// any other peer the headers are ignored: anyone can send them.
func clientAddress(trusted []netip.Prefix, next http.Handler) http.Handler {
	if len(trusted) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if client, ok := forwardedClient(r, trusted); ok {
			r = r.WithContext(r.Context()) // a shallow copy: the caller's request stays as it was
			r.RemoteAddr = client.String()
		}
		next.ServeHTTP(w, r)
	})
}

// ClientIP returns the IP address of r's client, read from RemoteAddr as
// net/http sets it (192.0.2.1:50000) or as the server sets it behind a
// trusted proxy (the visitor's address alone): the one reading of
// RemoteAddr, for the server and for the handlers it is given (the
// subscribe rate limit). It reports false when RemoteAddr is neither.
func ClientIP(r *http.Request) (netip.Addr, bool) {
	return parseHop(r.RemoteAddr)
}

// forwardedClient returns the client a trusted proxy reports for r: the
// right-most hop of X-Forwarded-For that is not itself a trusted proxy, or,
// when there is no X-Forwarded-For, of Forwarded (RFC 7239). Entries to the
// left of that hop were written by the client and prove nothing. It reports
// false when r's peer is not trusted, when neither header is present, or
// when a hop that must be read is malformed: the peer's address stands then.
func forwardedClient(r *http.Request, trusted []netip.Prefix) (netip.Addr, bool) {
	peer, ok := ClientIP(r)
	if !ok || !isTrusted(peer, trusted) {
		return netip.Addr{}, false
	}
	var hops []string
	if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		for _, line := range xff {
			hops = append(hops, strings.Split(line, ",")...)
		}
	} else if fwd := r.Header.Values("Forwarded"); len(fwd) > 0 {
		for _, line := range fwd {
			hops = append(hops, forwardedFor(line)...)
		}
	}
	if len(hops) == 0 {
		return netip.Addr{}, false
	}
	var client netip.Addr
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(strings.TrimSpace(hops[i]))
		if !ok {
			return netip.Addr{}, false
		}
		client = a
		if !isTrusted(a, trusted) {
			break
		}
	}
	// Every hop trusted: the left-most is the client (a request from
	// inside the proxies' own network).
	return client, true
}

// isTrusted reports whether a is in one of the ranges.
func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHop reads one address as proxies write it: 192.0.2.1,
// 192.0.2.1:8080, 2001:db8::1 or [2001:db8::1]:8080. An IPv4-mapped IPv6
// address is its IPv4 address; a zone is dropped.
func parseHop(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, err2 := netip.ParseAddrPort(s)
		if err2 != nil {
			inner, found := strings.CutPrefix(s, "[")
			inner, found2 := strings.CutSuffix(inner, "]")
			if !found || !found2 {
				return netip.Addr{}, false
			}
			if a, err = netip.ParseAddr(inner); err != nil {
				return netip.Addr{}, false
			}
		} else {
			a = ap.Addr()
		}
	}
	return a.Unmap().WithZone(""), true
}

// forwardedFor returns the for= value of each element of one Forwarded
// header line (RFC 7239 §4), unquoted, in order. An element without for=,
// or with an obfuscated or "unknown" node, yields the raw value, which
// parseHop then refuses.
func forwardedFor(line string) []string {
	var out []string
	for _, elem := range splitQuoted(line, ',') {
		value := ""
		for _, pair := range splitQuoted(elem, ';') {
			k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "for") {
				value = strings.TrimSpace(v)
				if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
					value = strings.ReplaceAll(value[1:len(value)-1], `\`, "")
				}
			}
		}
		out = append(out, value)
	}
	return out
}

// splitQuoted splits s at sep outside double-quoted strings.
func splitQuoted(s string, sep byte) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && quoted:
			i++
		case s[i] == '"':
			quoted = !quoted
		case s[i] == sep && !quoted:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

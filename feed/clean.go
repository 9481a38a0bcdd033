package feed

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// xmlClean removes what must not reach a feed: invalid UTF-8, characters
// XML 1.0 forbids (C0 controls but tab, newline and carriage return), C1
// controls and DEL, which validators flag, and U+FFFD, U+FFFE, U+FFFF.
func xmlClean(s string) string {
	if xmlCleanAlready(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "")
	return strings.Map(func(r rune) rune {
		if badRune(r) {
			return -1
		}
		return r
	}, s)
}

func xmlCleanAlready(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' || b == 0x7f {
			return false
		}
		if b >= utf8.RuneSelf {
			return !strings.ContainsFunc(s[i:], badRune) && utf8.ValidString(s[i:])
		}
	}
	return true
}

func badRune(r rune) bool {
	switch {
	case r < 0x20:
		return r != '\t' && r != '\n' && r != '\r'
	case r >= 0x7f && r <= 0x9f:
		return true
	case r == utf8.RuneError || r == 0xfffe || r == 0xffff:
		return true
	}
	return false
}

// pathEscape escapes an article id for use as one URL path segment.
func pathEscape(id string) string { return url.PathEscape(id) }

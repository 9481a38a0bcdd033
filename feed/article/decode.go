package article

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	utf16 "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"
)

// decode turns raw bytes into clean UTF-8 text. It honours byte-order
// marks, detects legacy single-byte encodings, replaces invalid bytes, and
// reports what it did as warnings.
func decode(raw []byte) (string, []string, error) {
	if len(raw) > MaxSize {
		return "", nil, fmt.Errorf("%w (%d bytes, limit %d)", ErrTooLarge, len(raw), MaxSize)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return "", nil, ErrEmpty
	}
	var warnings []string
	switch {
	case bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}):
		raw = raw[3:]
	case bytes.HasPrefix(raw, []byte{0xFF, 0xFE}), bytes.HasPrefix(raw, []byte{0xFE, 0xFF}):
		dec := utf16.UTF16(utf16.LittleEndian, utf16.ExpectBOM).NewDecoder()
		lone := loneSurrogates(raw[2:], raw[0] == 0xFE)
		out, err := dec.Bytes(raw)
		if err != nil {
			return "", nil, fmt.Errorf("decode UTF-16: %w", err)
		}
		raw = out
		warnings = append(warnings, "decoded from UTF-16")
		if lone > 0 {
			warnings = append(warnings, fmt.Sprintf("replaced %d invalid UTF-16 code unit(s)", lone))
		}
	case looksUTF16(raw):
		out, name, err := decodeUTF16NoBOM(raw)
		if err != nil {
			return "", nil, err
		}
		raw = out
		warnings = append(warnings, "decoded from "+name+" without a byte-order mark")
	}
	if isBinary(raw) {
		return "", nil, ErrBinary
	}
	if !utf8.Valid(raw) {
		// More broken than whole, in high bytes forming words: Cyrillic
		// in one byte each, not UTF-8 (DOS 866's lower case is UTF-8
		// lead and continuation bytes: "ра", "те").
		if valid, invalid := utf8Stats(raw); valid > 0 && valid*4 >= invalid && (invalid <= valid || !highWords(raw)) {
			// Real multi-byte sequences are rare by chance in legacy
			// encodings: this is UTF-8 with some broken bytes.
			raw = bytes.ToValidUTF8(raw, []byte("\uFFFD"))
			warnings = append(warnings, fmt.Sprintf("replaced %d invalid UTF-8 byte sequence(s)", invalid))
		} else {
			enc, name := guessLegacy(raw)
			out, err := enc.NewDecoder().Bytes(raw)
			if err != nil {
				return "", nil, fmt.Errorf("decode %s: %w", name, err)
			}
			raw = out
			warnings = append(warnings, "decoded from "+name)
		}
	}
	text := normalize(raw)
	if strings.TrimSpace(text) == "" {
		return "", nil, ErrEmpty
	}
	return text, warnings, nil
}

// looksUTF16 reports text without a BOM whose every other byte is zero.
func looksUTF16(raw []byte) bool {
	if len(raw) < 8 {
		return false
	}
	n := min(len(raw), 4096) &^ 1
	var even, odd int
	for i := 0; i < n; i += 2 {
		if raw[i] == 0 {
			even++
		}
		if raw[i+1] == 0 {
			odd++
		}
	}
	half := n / 2
	return (odd > half*3/4 && even < half/10) || (even > half*3/4 && odd < half/10)
}

func decodeUTF16NoBOM(raw []byte) ([]byte, string, error) {
	order, name := utf16.LittleEndian, "UTF-16LE"
	if raw[0] == 0 {
		order, name = utf16.BigEndian, "UTF-16BE"
	}
	out, err := utf16.UTF16(order, utf16.IgnoreBOM).NewDecoder().Bytes(raw)
	if err != nil {
		return nil, "", fmt.Errorf("decode %s: %w", name, err)
	}
	return out, name, nil
}

// isBinary reports data that is not text: more than a stray NUL byte, or
// more than a few control bytes. Text in any encoding read here has next to
// none (its letters are printable or above 0x7F), while compressed or random
// bytes have one in nine: more than one in fifty is binary.
func isBinary(raw []byte) bool {
	n := min(len(raw), 8192)
	ctrl, nul := 0, 0
	for _, b := range raw[:n] {
		if b == 0 {
			nul++
			if nul > 2 && nul*100 > n {
				return true
			}
			continue
		}
		if b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != '\f' && b != '\v' {
			ctrl++
		}
	}
	return ctrl+nul > 8 && (ctrl+nul)*50 > n
}

// loneSurrogates counts the unpaired surrogates of UTF-16 text.
func loneSurrogates(raw []byte, bigEndian bool) int {
	n := 0
	unit := func(i int) uint16 {
		if bigEndian {
			return uint16(raw[i])<<8 | uint16(raw[i+1])
		}
		return uint16(raw[i+1])<<8 | uint16(raw[i])
	}
	for i := 0; i+1 < len(raw); i += 2 {
		u := unit(i)
		switch {
		case u >= 0xD800 && u <= 0xDBFF && i+3 < len(raw) && unit(i+2) >= 0xDC00 && unit(i+2) <= 0xDFFF:
			i += 2
		case u >= 0xD800 && u <= 0xDFFF:
			n++
		}
	}
	return n
}

// utf8Stats counts valid multi-byte sequences and invalid bytes. An
// invalid sequence shaped like UTF-8 (a lead byte and a continuation byte:
// a cut character, an encoded surrogate) counts as evidence of UTF-8 too.
func utf8Stats(raw []byte) (valid, invalid int) {
	for len(raw) > 0 {
		r, size := utf8.DecodeRune(raw)
		switch {
		case r == utf8.RuneError && size == 1:
			invalid++
			if raw[0] >= 0xC2 && raw[0] <= 0xF4 && len(raw) > 1 && raw[1] >= 0x80 && raw[1] <= 0xBF {
				valid++
			}
		case size > 1:
			valid++
		}
		raw = raw[size:]
	}
	return valid, invalid
}

// guessLegacy picks the single-byte encoding of text that is not UTF-8.
// Cyrillic text is mostly high bytes forming words of their own, read in
// the Cyrillic encoding that gives words (guessCyrillic); Western text has
// high bytes only as accents inside ASCII words: Windows-1252, or
// Windows-1254 when it has Turkish letters.
func guessLegacy(raw []byte) (encoding.Encoding, string) {
	if highWords(raw) {
		return guessCyrillic(raw)
	}
	// ğ, ı, ş and their capitals are where Turkish's windows-1254 differs
	// from windows-1252, whose letters there (ð, ý, þ) only Icelandic and
	// Faroese write.
	if containsByte(raw, "\xD0\xDD\xDE\xF0\xFD\xFE") {
		return charmap.Windows1254, "windows-1254"
	}
	// ISO-8859-1 too: the two differ only where ISO-8859-1 has control
	// characters (HTML reads the one as the other for that reason).
	return charmap.Windows1252, "windows-1252"
}

// highWords reports whether raw's high bytes form words of their own, as
// Cyrillic text's do in a single-byte encoding.
func highWords(raw []byte) bool {
	var high, highRuns, asciiLetters int
	inHigh := false
	for _, b := range raw {
		switch {
		case b >= 0x80:
			high++
			if !inHigh {
				highRuns++
			}
			inHigh = true
		case b >= 'A' && b <= 'Z', b >= 'a' && b <= 'z':
			asciiLetters++
			inHigh = false
		default:
			inHigh = false
		}
	}
	// Cyrillic words are runs of several high bytes; accents are single.
	return high > asciiLetters/3 && highRuns > 0 && high/highRuns >= 2
}

// containsByte reports whether raw holds one of the bytes of set.
// (bytes.ContainsAny takes runes: every invalid byte matches every other.)
func containsByte(raw []byte, set string) bool {
	return slices.ContainsFunc(raw, func(b byte) bool { return strings.IndexByte(set, b) >= 0 })
}

// cyrillic are the single-byte encodings of Cyrillic text a page may be
// saved in, the most common first.
var cyrillic = []struct {
	enc  encoding.Encoding
	name string
}{
	{charmap.Windows1251, "windows-1251"},
	{charmap.KOI8R, "koi8-r"},
	{charmap.KOI8U, "koi8-u"},
	{charmap.ISO8859_5, "iso-8859-5"},
	{charmap.CodePage866, "ibm866"},
}

// guessCyrillic picks the Cyrillic encoding that reads raw as words:
// read in another one, the same bytes give capitals inside words (KOI8-R
// read as windows-1251 is mostly capitals) or no letters at all.
func guessCyrillic(raw []byte) (encoding.Encoding, string) {
	best, bestScore := 0, 0
	for i, c := range cyrillic {
		out, err := c.enc.NewDecoder().Bytes(raw)
		if err != nil {
			continue
		}
		if score := wordScore(out); i == 0 || score > bestScore {
			best, bestScore = i, score
		}
	}
	return cyrillic[best].enc, cyrillic[best].name
}

// wordScore counts the Cyrillic letters of text that follow another
// letter in lower case, less those that follow one in upper case.
func wordScore(text []byte) int {
	score, prevLetter := 0, false
	for _, r := range string(text) {
		isCyr := unicode.Is(unicode.Cyrillic, r)
		switch {
		case isCyr && prevLetter && unicode.IsLower(r):
			score++
		case isCyr && prevLetter && unicode.IsUpper(r):
			score--
		}
		prevLetter = unicode.IsLetter(r)
	}
	return score
}

// normalize returns raw's text in one canonical shape: NFC, LF line ends,
// single spaces, no space at either end of a line, no zero-width, control
// or XML-invalid characters. The text is written once, into the string
// it returns: a space is held until a visible character follows it on
// the same line, so no line is trimmed afterwards.
func normalize(raw []byte) string {
	raw = norm.NFC.Bytes(raw) // raw itself when it is NFC already
	var b strings.Builder
	b.Grow(len(raw))
	// space: a space to write before the next visible character; start:
	// nothing visible on this line yet.
	space, start := false, true
	for i := 0; i < len(raw); {
		c := raw[i]
		if c > ' ' && c < 0x7F {
			// Printable ASCII is most of any text: copy each run of it at once.
			j := i + 1
			for j < len(raw) && raw[j] > ' ' && raw[j] < 0x7F {
				j++
			}
			if space && !start {
				b.WriteByte(' ')
			}
			space, start = false, false
			b.Write(raw[i:j])
			i = j
			continue
		}
		if c == ' ' { // the commonest byte after those, between words
			space = true
			i++
			continue
		}
		r, size := utf8.DecodeRune(raw[i:])
		i += size
		switch {
		case r == '\n', r == '\r', r == '\u2028', r == '\u2029':
			if r == '\r' && i < len(raw) && raw[i] == '\n' {
				i++ // CRLF is one line end
			}
			b.WriteByte('\n')
			space, start = false, true
		case isSpace(r):
			space = true
		case isInvisible(r):
		default:
			if space && !start {
				b.WriteByte(' ')
			}
			space, start = false, false
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isSpace reports the characters that become one space: tabs, form and
// line feeds other than the line end, and every Unicode space separator.
func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || r == '\t' || r == '\f' || r == '\v'
	}
	return unicode.Is(unicode.Zs, r)
}

// isInvisible reports characters dropped from the text: controls (C0 other
// than line ends, C1), zero-width and bidi formatting characters, and
// non-characters that XML 1.0 does not allow.
func isInvisible(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7F && r <= 0x9F:
		return true
	case r == '\u200B', r == '\u200C', r == '\u200D', r == '\u2060', r == '\uFEFF', r == '\u00AD':
		return true
	case r >= '\u200E' && r <= '\u200F', r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
		return true
	case r == '\uFFFE', r == '\uFFFF', r >= 0xD800 && r <= 0xDFFF:
		return true
	case r >= 0xFDD0 && r <= 0xFDEF:
		return true
	}
	return false
}

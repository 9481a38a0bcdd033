package article

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
)

const badInputText = "Armenia and Azerbaijan agree on new border talks\n\nPublished: 2022-10-31 10:31\n\n" +
	"The foreign ministers of Armenia and Azerbaijan met in Moscow on Monday to discuss the demarcation of their border, officials said.\n\n" +
	"The talks lasted four hours and ended with a joint statement that both sides described as constructive and useful for the region.\n\n" +
	"Further meetings are planned for next month in Brussels, according to the statement released by the ministry.\n"

func badInputPage(body string) string {
	return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Armenia and Azerbaijan agree on border talks | Example News</title>
<link rel="canonical" href="https://example.org/news/border-talks">
<meta property="og:site_name" content="Example News">
</head><body><article><h1>Armenia and Azerbaijan agree on border talks</h1>
<p>The foreign ministers of Armenia and Azerbaijan met in Moscow on Monday ` + body + ` to discuss the demarcation of their border, officials said on Monday evening.</p>
<p>The talks lasted four hours and ended with a joint statement that both sides described as constructive and useful for the whole region.</p>
<p>Further meetings are planned for next month in Brussels, according to the statement released by the foreign ministry in Yerevan.</p>
<p>Analysts said the agreement could open the way to a broader peace treaty, though many issues remain unresolved between the two countries.</p>
</article></body></html>
`
}

var r8Ev = Evidence{Now: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)}

func bodyText(a *Article) string { return strings.Join(a.Body, "\n") }

// TestHTMLUTF16WithBOM checks that a UTF-16 .html page with its byte-order
// mark is read (it was refused as "not a text file").
func TestHTMLUTF16WithBOM(t *testing.T) {
	raw, _ := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewEncoder().Bytes([]byte(badInputPage("and")))
	a, err := Parse("page.html", raw, r8Ev)
	if err != nil {
		t.Fatalf("UTF-16 page with a BOM: %v", err)
	}
	if !strings.Contains(bodyText(a), "met in Moscow on Monday") {
		t.Errorf("body %q", bodyText(a))
	}
}

// TestHTMLInvalidByteReplaced checks that one invalid byte in a UTF-8 page
// that declares utf-8 is replaced, with a warning, instead of the whole
// page being read as Windows-1252.
func TestHTMLInvalidByteReplaced(t *testing.T) {
	raw := []byte(badInputPage("— café été \xff"))
	a, err := Parse("page.html", raw, r8Ev)
	if err != nil {
		t.Fatal(err)
	}
	if b := bodyText(a); !strings.Contains(b, "— café été") {
		t.Errorf("valid UTF-8 turned into mojibake: %q", b[:140])
	}
	if !strings.Contains(strings.Join(a.Warnings, "|"), "invalid") {
		t.Errorf("no warning about the invalid byte: %q", a.Warnings)
	}
}

// TestHTMLDeclaredCharset checks that a Windows-1251 page that declares its
// charset is decoded as Cyrillic, not Latin.
func TestHTMLDeclaredCharset(t *testing.T) {
	page := strings.Replace(badInputPage("в Москве"), "utf-8", "windows-1251", 1)
	raw, _ := charmap.Windows1251.NewEncoder().Bytes([]byte(page))
	a, err := Parse("page.html", raw, r8Ev)
	if err != nil {
		t.Fatal(err)
	}
	if b := bodyText(a); !strings.Contains(b, "в Москве") {
		t.Errorf("declared windows-1251 not honoured: %q", b[:120])
	}
}

// TestURLRejectsXMLInvalid checks that characters XML 1.0 forbids never
// reach the article's URL (from a canonical link or a sidecar).
func TestURLRejectsXMLInvalid(t *testing.T) {
	page := strings.Replace(badInputPage("and"), `border-talks"`, `border-talks/&#xFFFE;&#xFDD0;"`, 1)
	a, err := Parse("page.html", []byte(page), r8Ev)
	if err != nil {
		t.Fatal(err)
	}
	sc := Evidence{Now: r8Ev.Now, Sidecar: []byte(`{"url":"https://example.org/a\ufffe\uffff"}`)}
	b, err := Parse("page.txt", []byte(badInputText), sc)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{a.URL, b.URL} {
		if strings.ContainsAny(u, "\uFFFE\uFFFF\uFDD0") {
			t.Errorf("URL %q holds characters XML 1.0 does not allow", u)
		}
	}
}

// TestInvalidBytesWarned checks that invalid bytes get the warning: an
// encoded surrogate (ED A0 80) or a cut multi-byte sequence in an
// otherwise ASCII file (it was read as Windows-1252), and a lone surrogate
// in UTF-16 (it was replaced silently).
func TestInvalidBytesWarned(t *testing.T) {
	u16, _ := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewEncoder().Bytes([]byte(strings.Replace(badInputText, "Monday", "MonXXday", 1)))
	i := strings.Index(string(u16), "X\x00X\x00")
	u16[i], u16[i+1], u16[i+2], u16[i+3] = 0x00, 0xD8, 0x20, 0x00 // lone high surrogate, then a space
	for name, raw := range map[string][]byte{
		"utf-8 surrogate":  []byte(strings.Replace(badInputText, "Monday", "Mon\xed\xa0\x80day", 1)),
		"cut sequence":     []byte(strings.Replace(badInputText, "Monday", "Monday \xe2\x80", 1)),
		"utf-16 surrogate": u16,
	} {
		a, err := Parse("x.txt", raw, r8Ev)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !strings.Contains(strings.Join(a.Warnings, "|"), "invalid") {
			t.Errorf("%s: no warning about invalid bytes: %q; body %q", name, a.Warnings, a.Body[0][:80])
		}
	}
}

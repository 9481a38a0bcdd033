// Package article extracts one clean, dated, attributed news article from
// the raw text of a scraped web page. It owns decoding, cleaning and every
// extraction heuristic, and touches neither the file system nor the clock.
package article

import (
	"errors"
	"time"
)

// MaxSize is the largest raw file Parse accepts, in bytes.
const MaxSize = 2 << 20

// Sentinel errors callers branch on with errors.Is.
var (
	// ErrEmpty reports a file with no text at all.
	ErrEmpty = errors.New("empty file")
	// ErrBinary reports a file that is not text.
	ErrBinary = errors.New("not a text file")
	// ErrTooLarge reports a file over MaxSize.
	ErrTooLarge = errors.New("file too large")
	// ErrNoText reports a file with text but no article in it.
	ErrNoText = errors.New("no article text found")
)

// Precision says how much of a published time the source text stated.
type Precision string

// Precisions of a published time, coarsest first.
const (
	PrecisionNone   Precision = ""
	PrecisionDate   Precision = "date"
	PrecisionMinute Precision = "minute"
	PrecisionSecond Precision = "second"
)

// Article is one parsed seed file.
type Article struct {
	// ID is the file name without its extension; stable across edits.
	ID string
	// Title is the headline, or one made from the lede when the text has none.
	Title string
	// TitleSynthesized is true when Title was made from the lede.
	TitleSynthesized bool
	// Published is when the text says the article was published; zero when
	// it states no date.
	Published time.Time
	// PublishedPrecision is how much of Published the text gave.
	PublishedPrecision Precision
	// Source is the outlet whose page this is, or "".
	Source string
	// Agency is a wire credit such as AP or RFE/RL, or "".
	Agency string
	// URL is the address of the original page, when the page or its
	// sidecar states one, or "".
	URL string
	// Dateline is the place the story was filed from, e.g. MOSCOW, or "".
	Dateline string
	// Summary is the lede, at most about 300 characters.
	Summary string
	// Body is the clean article text, one paragraph per element, in order.
	Body []string
	// Words is the number of words in Body.
	Words int
	// Warnings lists what looked odd while parsing.
	Warnings []string
}

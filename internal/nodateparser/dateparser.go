// Package dateparser stands in for github.com/markusmobius/go-dateparser,
// which go-htmldate imports for its "extensive search" alone: parsing free
// text in 200 languages. kdigest turns that search off (feed/article's
// htmlDateOptions; TestHTMLDateSkipsExtensiveSearch holds it), yet the real
// package's init still built its locale tables in every process: 283 ms and
// 78 MB allocated before main, 25 MB of them kept for good, and a WebAssembly
// regexp engine in the binary. go.mod replaces it with this package, which
// declares the names go-htmldate uses and parses nothing.
package dateparser

import (
	"errors"
	"time"
)

// ParserType names one of go-dateparser's parsers.
type ParserType uint8

// The parsers go-htmldate asks for.
const (
	Timestamp ParserType = iota
	NegativeTimestamp
	RelativeTime
	CustomFormat
	AbsoluteTime
	NoSpacesTime
)

// PreferredDateSource says which way an incomplete date is completed.
type PreferredDateSource uint8

// The directions.
const (
	DefaultSource PreferredDateSource = iota
	Past
	Future
)

// Configuration holds the settings go-htmldate passes.
type Configuration struct {
	PreferredDateSource PreferredDateSource
	StrictParsing       bool
}

// Date is a parse's result.
type Date struct {
	Time time.Time
}

// Parser is go-dateparser's parser.
type Parser struct {
	ParserTypes []ParserType
}

// ErrNotLinked is every Parse's error: the real parser is not in kdigest.
var ErrNotLinked = errors.New("go-dateparser is not linked into kdigest (htmldate's extensive search is off)")

// Parse finds no date.
func (p *Parser) Parse(cfg *Configuration, s string, formats ...string) (Date, error) {
	return Date{}, ErrNotLinked
}

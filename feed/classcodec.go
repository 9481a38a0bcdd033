package feed

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// A cached classification is stored in a small binary form: decoding
// 10,000 of them from JSON took a fifth of a warm restart. It holds the
// verdict only (themes and relevance): the corpus does not keep the scores
// and matched terms behind it (see Entry.Class). The first byte is the
// form's version; a blob of another version (or the JSON of older
// releases) is not decoded, and the article is classified again.
const classVersion = 2

var errClassVersion = errors.New("cached classification has another version")

// encodeClass returns the binary form of cc's verdict.
func encodeClass(cc *cachedClass) []byte {
	r := cc.Result
	b := append(make([]byte, 0, 256), classVersion)
	b = appendLen(b, cc.Taxonomy)
	b = appendLen(b, r.Theme)
	b = appendStrings(b, r.Themes)
	b = binary.AppendUvarint(b, uint64(boolInt(r.Relevant)))
	return binary.AppendUvarint(b, math.Float64bits(r.Relevance))
}

// decodeClass reverses encodeClass.
func decodeClass(b []byte) (*cachedClass, error) {
	if len(b) == 0 || b[0] != classVersion {
		return nil, errClassVersion
	}
	d := decoder{b: bytes.Clone(b[1:])} // b may be the database's memory
	cc := &cachedClass{Taxonomy: d.text()}
	r := &cc.Result
	r.Theme = d.text()
	r.Themes = d.strings()
	r.Relevant = d.uvarint() == 1
	r.Relevance = math.Float64frombits(d.uvarint())
	if d.err != nil {
		return nil, fmt.Errorf("decode classification: %w", d.err)
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("decode classification: %d bytes left over", len(d.b))
	}
	return cc, nil
}

func appendStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendLen(b, s)
	}
	return b
}

// strings reads what appendStrings wrote; none gives an empty, non-nil
// slice, as the classifier makes.
func (d *decoder) strings() []string {
	n := d.count()
	out := make([]string, n)
	for i := range out {
		out[i] = d.text()
	}
	return out
}

package feed

import (
	"context"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/feed/article"
	"github.com/kdigest/kdigest/feed/theme"
)

func TestCodecRoundTrip(t *testing.T) {
	gmt := time.FixedZone("GMT", 0)
	tests := []struct {
		name string
		a    *article.Article
	}{
		{"zero", &article.Article{}},
		{"full", &article.Article{
			ID: "003", Title: "Putin: Talks ‘constructive’", TitleSynthesized: true,
			Published: time.Date(2021, 11, 27, 3, 14, 0, 0, gmt), PublishedPrecision: article.PrecisionMinute,
			Source: "Tehran Times", Agency: "AP", Dateline: "SOCHI", Summary: "Lede.",
			Body: []string{"One.", "", "Three \x00 with a NUL."}, Words: 42, Warnings: []string{"odd"},
		}},
	}
	cd := newCodec()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := cd.encode(tt.a)
			if err != nil {
				t.Fatal(err)
			}
			got, err := cd.decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Published.Equal(tt.a.Published) {
				t.Errorf("Published = %v, want %v", got.Published, tt.a.Published)
			}
			got.Published, tt.a.Published = time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, tt.a) {
				t.Errorf("decode(encode(a)) = %+v, want %+v", got, tt.a)
			}
		})
	}
}

func TestCodecRejectsBadBlobs(t *testing.T) {
	cd := newCodec()
	good, err := cd.encode(&article.Article{ID: "x", Title: "A title", Body: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		blob []byte
	}{
		{"empty", nil},
		{"json", []byte(`{"ID":"x","Title":"A title"}`)},
		{"other layout", append([]byte("12345678"), good[8:]...)},
		{"truncated", good[:len(good)-3]},
		{"trailing bytes", append(append([]byte{}, good...), 1, 2)},
		{"huge length", append(append([]byte{}, good[:8]...), 0xff, 0xff, 0xff, 0xff, 0x0f)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := cd.decode(tt.blob); err == nil {
				t.Error("decode succeeded, want an error")
			}
		})
	}
	if _, err := cd.decode(nil); !errors.Is(err, errLayout) {
		t.Errorf("decode(nil) = %v, want errLayout", err)
	}
}

func TestPrintRoundTrip(t *testing.T) {
	a := &article.Article{Body: []string{"Armenian and Azerbaijani leaders met in Brussels for talks on the peace treaty and border delimitation."}}
	want := theme.Fingerprint(a)
	got, ok := decodePrint(encodePrint(want))
	if !ok || !reflect.DeepEqual(got, want) {
		t.Errorf("decodePrint(encodePrint(p)) = %v %v, want %v", got, ok, want)
	}
	for _, bad := range [][]byte{nil, {1, 2, 3}, make([]byte, 4*len(want.Sig)+3)} {
		if _, ok := decodePrint(bad); ok {
			t.Errorf("decodePrint(%d bytes) ok, want not ok", len(bad))
		}
	}
}

// TestMigrateOlderTables checks that tables of earlier releases are
// upgraded: one without the class column, and one that kept fingerprints
// in a column, which move to their own table.
func TestMigrateOlderTables(t *testing.T) {
	withPrint := strings.Replace(schema, "article    BLOB NOT NULL,", "article    BLOB NOT NULL,\n\tprint      BLOB,", 1)
	tests := []struct {
		name   string
		schema string
		rows   []string
	}{
		{"without class", strings.Replace(schema, ",\n\tclass      BLOB", "", 1), nil},
		{"fingerprints in a column", withPrint, []string{
			`INSERT INTO articles (id, file, hash, size, mtime, first_seen, updated, removed, parser, article, print)
				VALUES ('gone', 'gone.txt', 'h', 1, 1, 1, 1, 1, 'old', x'00', x'01020304')`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.schema == schema {
				t.Fatal("could not make the old schema")
			}
			f := newFixture(t, seedFiles(t)...)
			db := openDB(t, f.dbPath)
			for _, q := range append([]string{tt.schema}, tt.rows...) {
				if _, err := db.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			c := f.open(t)
			c.Close() // its caches written
			if got, want := len(c.Snapshot().Entries), 5; got != want {
				t.Errorf("entries after migrating an old table = %d, want %d", got, want)
			}
			ctx := context.Background()
			if !hasColumn(ctx, db, "class") || hasColumn(ctx, db, "print") {
				t.Error("articles table not upgraded: want a class column and no print column")
			}
			var n int
			if err := db.QueryRow(`SELECT count(*) FROM prints`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if want := 5 + len(tt.rows); n != want {
				t.Errorf("saved fingerprints = %d, want %d", n, want)
			}
		})
	}
}

// FuzzCodecDecode feeds decode arbitrary blobs: it never panics, an
// article it accepts survives another encode and decode, and its varints
// read as encoding/binary's do.
func FuzzCodecDecode(f *testing.F) {
	cd := newCodec()
	full, err := cd.encode(&article.Article{Title: "T", Body: []string{"a", "b"}, Words: -3, Published: time.Unix(1e9, 0).UTC()})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	f.Add(full[:len(full)-1])
	f.Add(append(append([]byte{}, cd.sig[:]...), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01))
	f.Fuzz(func(t *testing.T, b []byte) {
		d := decoder{b: b}
		v := d.uvarint()
		if w, n := binary.Uvarint(b); n > 0 {
			if d.err != nil || v != w || len(d.b) != len(b)-n {
				t.Fatalf("uvarint(%x) = %d, %v, %d left; encoding/binary reads %d, %d bytes", b, v, d.err, len(d.b), w, n)
			}
		} else if d.err == nil {
			t.Fatalf("uvarint(%x) = %d, want an error as encoding/binary gives", b, v)
		}

		blob := append(append([]byte{}, cd.sig[:]...), b...)
		a, err := cd.decode(blob)
		if err != nil {
			return
		}
		again, err := cd.encode(a)
		if err != nil {
			t.Fatalf("encode of a decoded article: %v", err)
		}
		b2, err := cd.decode(again)
		if err != nil || !reflect.DeepEqual(a, b2) {
			t.Fatalf("decode(encode(decode(blob))) = %+v, %v; want %+v", b2, err, a)
		}
	})
}

package web

import (
	"net/http"
	"strings"
	"testing"
)

// TestSubscribeFormThemes checks that the front page and every theme page
// carry the sign-up form with one ticked box per theme when the digest's
// subscribe route is mounted, and no form when it is not.
func TestSubscribeFormThemes(t *testing.T) {
	tests := []struct {
		name     string
		routes   map[string]http.Handler
		wantForm bool
	}{
		{"digest mounted", map[string]http.Handler{"POST /subscribe": http.NotFoundHandler()}, true},
		{"no digest", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, snap := newHandler(t, Options{Routes: tc.routes})
			pages := []string{"/"}
			for _, th := range snap.Taxonomy.Themes {
				pages = append(pages, "/themes/"+th.ID)
			}
			for _, p := range pages {
				resp, body := do(t, h, "GET", p, nil)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("GET %s = %d", p, resp.StatusCode)
				}
				page := string(body)
				if got := strings.Contains(page, `action="`+snap.BaseURL+`/subscribe"`); got != tc.wantForm {
					t.Errorf("GET %s: subscribe form = %v, want %v", p, got, tc.wantForm)
				}
				if !tc.wantForm {
					continue
				}
				for _, th := range snap.Taxonomy.Themes {
					box := `<input type="checkbox" name="themes" value="` + th.ID + `" checked>`
					if !strings.Contains(page, box) {
						t.Errorf("GET %s lacks the ticked box %s", p, box)
					}
				}
			}
		})
	}
}

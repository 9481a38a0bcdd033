package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// PingHub tells a WebSub hub that the topics (feed URLs) changed, so it can
// push them to subscribers.
func PingHub(ctx context.Context, client *http.Client, hub string, topics []string) error {
	form := url.Values{"hub.mode": {"publish"}}
	for _, t := range topics {
		form.Add("hub.url", t)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hub, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("websub ping %s: %w", hub, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("websub ping %s: %w", hub, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("websub ping %s: %s: %s", hub, resp.Status, strings.TrimSpace(string(msg)))
	}
	return nil
}

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

func healthcheckCommand() *command {
	var target string
	return &command{
		name:    "healthcheck",
		args:    "[--url URL]",
		summary: "call /healthz of a running service; exit 0 when healthy, 1 otherwise",
		help: `Healthcheck asks a running kdigest for /healthz and exits 0 on 200, 1 on
anything else. It is the container HEALTHCHECK, since the image has no curl.
By default it calls the service at --addr (an unspecified host such as 0.0.0.0
is reached on the loopback interface).`,
		settings: groupAddr,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&target, "url", "", "`URL` of /healthz (default http://ADDR/healthz)")
		},
		run: func(ctx context.Context, e env, c *config, args []string) int {
			if len(args) > 0 {
				fmt.Fprintf(e.stderr, "kdigest healthcheck: unexpected argument %q\n", args[0])
				return exitUsage
			}
			u := target
			if u == "" {
				u = "http://" + loopbackAddr(c.Addr) + "/healthz"
			}
			if err := checkHealth(ctx, u); err != nil {
				fmt.Fprintf(e.stderr, "kdigest healthcheck: %v\n", err)
				return exitFailure
			}
			fmt.Fprintln(e.stdout, "ok")
			return exitOK
		},
	}
}

// loopbackAddr turns a listen address into one a client on the same host can
// dial: an empty or unspecified host becomes 127.0.0.1.
func loopbackAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func checkHealth(ctx context.Context, u string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("health url: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("get %s: %w", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("get %s: %s: %s", u, resp.Status, body)
	}
	return nil
}

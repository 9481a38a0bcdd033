package main

import (
	"context"
	"fmt"
	"text/tabwriter"
)

func configCommand() *command {
	return &command{
		name:    "config",
		args:    "[settings]",
		summary: "print the effective configuration, secrets masked",
		help: `Config prints every setting's effective value and where it came from
(flag, environment, config file or default), then where digests go: an SMTP
relay, or the outbox folder when no --smtp is set. Passwords are masked.`,
		settings: groupService,
		run: func(ctx context.Context, e env, c *config, args []string) int {
			if len(args) > 0 {
				fmt.Fprintf(e.stderr, "kdigest config: unexpected argument %q\n", args[0])
				return exitUsage
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SETTING\tVALUE\tSOURCE")
			for _, s := range settingsFor(groupService) {
				v := masked(s, c.values[s.name])
				if s.name == "base-url" && v == "" {
					v = c.BaseURL
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", s.name, quoteEmpty(v), c.sources[s.name])
			}
			if err := tw.Flush(); err != nil {
				fmt.Fprintf(e.stderr, "kdigest config: %v\n", err)
				return exitFailure
			}
			fmt.Fprintf(e.stdout, "\nmail: %s\n", mailModeOf(c))
			return exitOK
		},
	}
}

func quoteEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

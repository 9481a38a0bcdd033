package main

import (
	"context"
	"fmt"
	"text/tabwriter"
)

func themesCommand() *command {
	return &command{
		name:    "themes",
		args:    "[--themes FILE]",
		summary: "print the taxonomy in use",
		help: `Themes prints the taxonomy in use (the embedded default, or --themes FILE):
each theme's id, name, description and number of terms. A malformed file is
reported with its line and problem, and the command exits 1.`,
		settings: groupThemes,
		run: func(ctx context.Context, e env, c *config, args []string) int {
			if len(args) > 0 {
				fmt.Fprintf(e.stderr, "kdigest themes: unexpected argument %q\n", args[0])
				return exitUsage
			}
			tax, err := loadTaxonomy(c.Themes)
			if err != nil {
				fmt.Fprintf(e.stderr, "kdigest themes: %v\n", err)
				return exitFailure
			}
			src := "embedded default"
			if c.Themes != "" {
				src = c.Themes
			}
			fmt.Fprintf(e.stdout, "%s (%s)\n\n", tax.Name, src)
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tTERMS\tDESCRIPTION")
			for _, t := range tax.Themes {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", t.ID, t.Name, t.Terms, t.Description)
			}
			if err := tw.Flush(); err != nil {
				fmt.Fprintf(e.stderr, "kdigest themes: %v\n", err)
				return exitFailure
			}
			return exitOK
		},
	}
}

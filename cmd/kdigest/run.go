package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// Exit codes shared by every subcommand.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// env is everything a subcommand may read from the outside world; only main
// builds one.
type env struct {
	getenv func(string) string
	// environ lists the environment ("KEY=value"), to warn about unknown
	// KDIGEST_ variables; nil skips the check.
	environ func() []string
	stdout  io.Writer
	stderr  io.Writer
}

// command is one subcommand.
type command struct {
	name    string
	args    string // synopsis after the name
	summary string
	// help is the long description printed by "kdigest help NAME".
	help string
	// settings says which settings the command accepts.
	settings settingGroup
	// run executes the command with its flags already parsed.
	run func(ctx context.Context, e env, c *config, args []string) int
	// flags registers the command's own flags (beyond settings), if any.
	flags func(fs *flag.FlagSet)
	// ownFlags names settings whose flag the command defines itself with
	// another meaning ("subscribers add --themes IDS"); those settings
	// come from the environment or the config file only.
	ownFlags []string
}

func commands() []*command {
	return []*command{
		serveCommand(),
		digestCommand(),
		digestsCommand(),
		subscribersCommand(),
		inspectCommand(),
		themesCommand(),
		buildCommand(),
		backupCommand(),
		configCommand(),
		healthcheckCommand(),
	}
}

// run is the whole program behind main, with its inputs (the arguments
// and env: the environment and the output streams) made explicit so tests
// can call it.
func run(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		printUsage(e.stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		return runHelp(e, rest)
	case "version", "-version", "--version":
		fmt.Fprintln(e.stdout, versionLine())
		return exitOK
	}
	cmd := lookup(name)
	if cmd == nil {
		fmt.Fprintf(e.stderr, "kdigest: unknown command %q\nRun 'kdigest help' for the commands.\n", name)
		return exitUsage
	}
	return runCommand(ctx, e, cmd, rest)
}

func lookup(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

// runCommand parses the command's flags and settings, then runs it. A
// usage error (exit 2) is one line and a pointer to the command's help.
func runCommand(ctx context.Context, e env, cmd *command, args []string) int {
	fs := flag.NewFlagSet("kdigest "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	flags := registerSettings(fs, cmd.settings, cmd.ownFlags...)
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	// Flags may follow arguments ("subscribers list --json"): parse, take
	// one argument, and parse again.
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printCommandHelp(e.stdout, cmd)
				return exitOK
			}
			fmt.Fprintf(e.stderr, "kdigest %s: %v\n", cmd.name, err)
			printHelpHint(e.stderr, cmd)
			return exitUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	if e.environ != nil {
		for _, w := range unknownEnv(e.environ()) {
			fmt.Fprintf(e.stderr, "kdigest %s: warning: %s\n", cmd.name, w)
		}
	}
	cfg, err := loadConfig(fs, flags, cmd.settings, e.getenv)
	if err != nil {
		fmt.Fprintf(e.stderr, "kdigest %s: %v\n", cmd.name, err)
		printHelpHint(e.stderr, cmd)
		return exitUsage
	}
	code := cmd.run(ctx, e, cfg, positional)
	if code == exitUsage {
		printHelpHint(e.stderr, cmd)
	}
	return code
}

// printHelpHint follows a usage error's one line.
func printHelpHint(w io.Writer, cmd *command) {
	fmt.Fprintf(w, "Run 'kdigest help %s' for usage.\n", cmd.name)
}

func runHelp(e env, args []string) int {
	if len(args) == 0 {
		printUsage(e.stdout)
		return exitOK
	}
	switch args[0] {
	case "version", "-version", "--version":
		fmt.Fprint(e.stdout, "Usage: kdigest version (also kdigest --version)\n\nVersion prints the version, the VCS revision it was built from and the Go version.\n")
		return exitOK
	case "help":
		printUsage(e.stdout)
		return exitOK
	}
	cmd := lookup(args[0])
	if cmd == nil {
		fmt.Fprintf(e.stderr, "kdigest help: unknown command %q\nRun 'kdigest help' for the commands.\n", args[0])
		return exitUsage
	}
	printCommandHelp(e.stdout, cmd)
	return exitOK
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `kdigest turns a folder of scraped news articles into feeds and a weekly email digest.

Usage:
  kdigest <command> [flags] [arguments]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `  version      print the version (also --version)
  help         show help for a command

Every setting is a flag with an environment twin (KDIGEST_...); see "kdigest help serve".
`)
}

func printCommandHelp(w io.Writer, cmd *command) {
	fmt.Fprintf(w, "Usage: kdigest %s %s\n\n%s\n", cmd.name, cmd.args, strings.TrimSpace(cmd.help))
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	var own []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) { own = append(own, f) })
	if len(own) > 0 {
		fmt.Fprintln(w, "\nFlags:")
		sort.Slice(own, func(i, j int) bool { return own[i].Name < own[j].Name })
		for _, f := range own {
			// As flag.PrintDefaults: the value's name (a `NAME` in the usage, or its type), none for a boolean.
			name, usage := flag.UnquoteUsage(f)
			fmt.Fprintf(w, "  --%-20s %s\n", strings.TrimSpace(f.Name+" "+name), usage)
		}
	}
	if ss := settingsFor(cmd.settings); len(ss) > 0 {
		fmt.Fprintln(w, "\nSettings (flag, environment variable, default):")
		for _, s := range ss {
			def := s.def
			if def == "" {
				def = `""`
			}
			name := "--" + s.name
			if slices.Contains(cmd.ownFlags, s.name) {
				name = "(no flag)" // the command's own flag of that name means something else
			}
			fmt.Fprintf(w, "  %-20s %-26s %s\n      %s\n", name, s.env, def, s.usage)
		}
		fmt.Fprintln(w, "\nPrecedence: flag > environment > config file (--config) > default.")
	}
}

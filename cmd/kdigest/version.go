package main

import (
	"runtime/debug"
	"strings"
)

// revision is the VCS revision given at link time (-ldflags "-X
// main.revision=..."), for builds without .git such as the Docker image's;
// the build information's own vcs.revision wins when there is one.
var revision string

// versionLine is what "kdigest version" prints: the module version, the
// VCS revision and time the binary was built from (with "modified" when
// the tree had uncommitted changes) and the Go version.
func versionLine() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "kdigest (no build information)"
	}
	return formatVersion(bi, revision)
}

// formatVersion formats the build information of a binary; rev is the
// revision to show when the build information has none.
func formatVersion(bi *debug.BuildInfo, rev string) string {
	var at, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	var b strings.Builder
	b.WriteString("kdigest")
	if v := bi.Main.Version; v != "" {
		b.WriteString(" " + v)
	}
	if rev != "" {
		b.WriteString(" revision " + rev)
		if at != "" {
			b.WriteString(" of " + at)
		}
		if modified == "true" {
			b.WriteString(" (modified)")
		}
	} else {
		b.WriteString(" (no VCS revision)")
	}
	b.WriteString(" " + bi.GoVersion)
	return b.String()
}

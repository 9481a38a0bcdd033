package atomcheck

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// grammar is RFC 4287's RELAX NG grammar of Atom.
//
//go:embed atom.rnc
var grammar []byte

// ErrNoJing reports that the jing RELAX NG validator is not installed
// (Debian package jing; .ci/run installs it).
var ErrNoJing = errors.New("atomcheck: jing is not installed")

// Schema validates Atom documents against RFC 4287's RELAX NG grammar with
// jing, in one run: nil when all are valid, else jing's report, each line
// naming the document by its index ("doc1.atom:5:31: error: ...").
func Schema(docs ...[]byte) error {
	bin, err := exec.LookPath("jing")
	if err != nil {
		return ErrNoJing
	}
	dir, err := os.MkdirTemp("", "atomcheck")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	rnc := filepath.Join(dir, "atom.rnc")
	if err := os.WriteFile(rnc, grammar, 0o644); err != nil {
		return err
	}
	args := []string{"-c", rnc}
	for i, d := range docs {
		name := filepath.Join(dir, fmt.Sprintf("doc%d.atom", i))
		if err := os.WriteFile(name, d, 0o644); err != nil {
			return err
		}
		args = append(args, name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout = &stdout // errors; stderr carries the Debian wrapper's warnings
	if err := cmd.Run(); err != nil {
		report := strings.ReplaceAll(strings.TrimSpace(stdout.String()), dir+string(filepath.Separator), "")
		return fmt.Errorf("jing: %w\n%s", err, report)
	}
	return nil
}

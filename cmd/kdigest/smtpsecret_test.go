package main

import (
	"strings"
	"testing"
)

// A password holding one of / ? # (common in generated passwords) that
// was not percent-encoded makes the URL fail to parse, and the parse error
// quoted the part of the password before that character, which every
// command printed (and serve's stderr goes to the journal or docker logs):
// no command may show it.
func TestSMTPPasswordWithSlashNotShown(t *testing.T) {
	for _, pw := range []string{"s3cret/x9", "s3cret?x9", "s3cret#x9", "s3cret%zz"} {
		url := "smtp://ann:" + pw + "@mail.example.org:587"
		for _, cmd := range []string{"config", "digest", "serve"} {
			code, stdout, stderr := runKdigest(t, map[string]string{"KDIGEST_SMTP": url}, cmd, "--data", t.TempDir(), "--seeds", "../../seeds")
			if code != exitUsage {
				t.Errorf("%s with %s: exit %d, want 2", cmd, pw, code)
			}
			if strings.Contains(stdout+stderr, "s3cret") {
				t.Errorf("%s with password %q: the password is shown: %s", cmd, pw, strings.TrimSpace(stderr))
			}
		}
	}
}

package digest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/digest"
)

// Environment of the child process that TestKilledRun kills.
const (
	childEnv     = "KDIGEST_DIGEST_TEST_CHILD"
	childDBEnv   = "KDIGEST_DIGEST_TEST_DB"
	childSeedEnv = "KDIGEST_DIGEST_TEST_SEEDS"
	childSMTPEnv = "KDIGEST_DIGEST_TEST_SMTP"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		if err := childRun(); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// childRun is a digest run in its own process, as `kdigest digest` does it.
func childRun() error {
	ctx := context.Background()
	db, err := openSQLite(os.Getenv(childDBEnv))
	if err != nil {
		return err
	}
	defer db.Close()
	now := func() time.Time { return t0 }
	c, err := openCorpus(ctx, db, os.Getenv(childSeedEnv), now)
	if err != nil {
		return err
	}
	cfg, err := digest.ParseSMTPURL("smtp://" + os.Getenv(childSMTPEnv) + "?tls=none&timeout=5s")
	if err != nil {
		return err
	}
	d, err := digest.New(ctx, db, c.Snapshot, func() (digest.Sender, error) { return digest.NewSMTPSender(cfg) },
		digest.Options{BaseURL: baseURL, From: fromAddr, Secret: secret, Now: now,
			LockFile: filepath.Join(filepath.Dir(os.Getenv(childDBEnv)), "digest.lock")})
	if err != nil {
		return err
	}
	_, err = d.Run(ctx, digest.RunOptions{Kind: "scheduled"})
	return err
}

// TestKilledRun kills a digest process (SIGKILL) while the server holds
// its fourth message. While it lives, another run is refused, naming its
// pid; once it is dead, a rerun resumes at once, and only the message in
// flight is sent twice.
func TestKilledRun(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	addrs := addresses(10)
	subscribe(t, d, addrs...)
	started, release := e.smtp.blockData("r03@example.org")
	defer release()

	var out bytes.Buffer
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", childDBEnv+"="+e.dbPath, childSeedEnv+"="+e.seeds, childSMTPEnv+"="+e.smtp.Addr)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-started:
	case err := <-exited:
		t.Fatalf("child exited before the fourth message: %v\n%s", err, out.String())
	}
	_, err := d.Run(context.Background(), digest.RunOptions{})
	if !errors.Is(err, digest.ErrBusy) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", cmd.Process.Pid)) {
		t.Errorf("run beside a live one = %v, want ErrBusy naming pid %d", err, cmd.Process.Pid)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited
	release()
	if got := e.smtp.accepted(); got != 4 {
		t.Fatalf("server accepted %d before the kill, want 4", got)
	}

	// The kernel freed the dead process's lock: the rerun goes at once.
	rep, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Resumed) != 1 || rep.Resumed[0].Sent != 7 || !rep.OK() {
		t.Errorf("rerun = %+v, want the killed digest resumed with 7 sent", rep)
	}
	rep = &rep.Resumed[0]
	got := e.smtp.byRecipient()
	for _, a := range addrs {
		want := 1
		if a == "r03@example.org" { // in flight when killed: the server had it, the ledger did not
			want = 2
		}
		if got[a] != want {
			t.Errorf("%s got %d messages, want %d", a, got[a], want)
		}
	}
	// The repeated copy carries the first one's Message-ID, so the
	// recipient's mail system can tell it is the same message.
	var ids []string
	for _, m := range e.smtp.messages() {
		if m.To[0] == "r03@example.org" {
			ids = append(ids, parseMessage(t, m.Data).Header.Get("Message-ID"))
		}
	}
	if len(ids) != 2 || ids[0] != ids[1] || ids[0] == "" {
		t.Errorf("r03's Message-IDs = %q, want the same twice", ids)
	}
	for a, row := range deliveries(t, e.db, rep.DigestID) {
		if row.Status != "sent" {
			t.Errorf("%s: %+v, want sent", a, row)
		}
	}
	list, err := d.Digests(context.Background(), 10)
	if err != nil || len(list) != 1 || list[0].Status != "done" || list[0].Kind != "scheduled" {
		t.Errorf("digests = %+v, %v, want one scheduled digest, done", list, err)
	}
}

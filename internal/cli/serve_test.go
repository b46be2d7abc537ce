package cli_test

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"
)

const serveWait = 20 * time.Second

func serveKey(t *testing.T) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func keyLine(k gossh.Signer, before, after string) string {
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(k.PublicKey())))
	if before != "" {
		line = before + " " + line
	}
	if after != "" {
		line += " " + after
	}
	return line
}

// TestServeRefusesBadInput: every file or flag serve cannot use is one
// line naming it (with its line number), exit non-zero, nothing served,
// and nothing from the file reaches the terminal as a control sequence.
func TestServeRefusesBadInput(t *testing.T) {
	h := newHarness(t)
	alice := serveKey(t)
	good := h.write("keys/good", []byte(keyLine(alice, "", "alice")+"\n"))
	broken := h.write("keys/broken", []byte(keyLine(alice, "", "alice")+"\n# a comment\nssh-ed25519 AAAA-this-is-not-base64 bob\n"))
	hostile := h.write("keys/hostile", []byte(keyLine(alice, "", "ev\x1b]0;pwned\x07il")+"\n"))
	noName := h.write("keys/noname", []byte("\n"+keyLine(alice, "", "")+"\n"))
	fifo := filepath.Join(h.dir, "keys.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"missing file", []string{"--authorized-keys", filepath.Join(h.dir, "nope")}, 1, "no such file"},
		{"missing default file", nil, 1, "annotate.db.authorized_keys: no such file: write one line per annotator"},
		{"FIFO", []string{"--authorized-keys", fifo}, 1, "named pipe"},
		{"folder", []string{"--authorized-keys", h.dir}, 1, "a folder"},
		{"broken line", []string{"--authorized-keys", broken}, 1, broken + ":3: not an OpenSSH public key line"},
		{"control characters in a name", []string{"--authorized-keys", hostile}, 1, hostile + ":1: annotator name (the key's comment)"},
		{"no name", []string{"--authorized-keys", noName}, 1, noName + ":2: no annotator name"},
		{"blank guest", []string{"--authorized-keys", good, "--allow-keyless", " "}, 2, "--allow-keyless name is blank"},
		{"guest named as an annotator", []string{"--authorized-keys", good, "--allow-keyless", "alice"}, 1, `guest name "alice" is an annotator in ` + good},
		{"guest named gold", []string{"--authorized-keys", good, "--allow-keyless", "gold"}, 2, `cannot be "gold"`},
		{"negative timeout", []string{"--authorized-keys", good, "--idle-timeout", "-1m"}, 2, "take a duration"},
		{"an argument", []string{"--authorized-keys", good, "extra"}, 2, "serve takes no arguments"},
		{"an address it cannot listen on", []string{"--authorized-keys", good, "--listen", "256.0.0.1:2222"}, 1, "serve: listen tcp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan result, 1)
			go func() { done <- h.run(append([]string{"serve"}, tt.args...)...) }()
			var res result
			select {
			case res = <-done:
			case <-time.After(serveWait):
				t.Fatalf("annotate serve %q still runs after %v", tt.args, serveWait)
			}
			if res.code != tt.code || !strings.Contains(res.stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", res.code, res.stderr, tt.code, tt.want)
			}
			if n := len(lines(res.stderr)); n != 1 {
				t.Errorf("stderr has %d lines, want one: %q", n, res.stderr)
			}
			if strings.ContainsAny(res.stderr, "\x1b\x07") {
				t.Errorf("stderr carries control characters: %q", res.stderr)
			}
			if res.stdout != "" {
				t.Errorf("stdout %q, want nothing (no listening line)", res.stdout)
			}
		})
	}
}

// serveScreen is an SSH session with a pty, read as a terminal would be.
type serveScreen struct {
	mu   sync.Mutex
	out  bytes.Buffer
	errs bytes.Buffer
	done chan error
}

func (s *serveScreen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.Write(p)
}

func (s *serveScreen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ansi.Strip(s.out.String())
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (s *serveScreen) stderr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.errs.String()
}

func (s *serveScreen) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(serveWait)
	for !strings.Contains(s.text(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the screen never showed %q; it shows:\n%s\nstderr: %s", want, s.text(), s.stderr())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestServeCommandServesUntilSIGTERM runs annotate serve as its own
// process: it prints where it listens and its host key, an annotator's key
// gets her screen (the host key the client sees is the one printed), and
// SIGTERM tells the open screen, stops the server and exits 0.
func TestServeCommandServesUntilSIGTERM(t *testing.T) {
	h := newHarness(t)
	h.mustRun("import", filepath.Join(corpusDir, "harbour.txt"))
	alice := serveKey(t)
	keys := h.write("authorized_keys", []byte(keyLine(alice, `annotator="Alice Ames"`, "alice@laptop")+"\n"))

	raw, err := json.Marshal([]string{"serve", "--listen", "127.0.0.1:0", "--authorized-keys", keys})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = []string{childArgsVar + "=" + string(raw), "PATH=" + os.Getenv("PATH"), "TMPDIR=" + h.dir}
	for k, v := range h.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// exited is closed when the process has ended, with its error in
	// waitErr.
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})

	first := make(chan string, 1)
	rest := &bytes.Buffer{}
	var restMu sync.Mutex
	go func() {
		sc := bufio.NewScanner(stdout)
		for n := 0; sc.Scan(); n++ {
			if n == 0 {
				first <- sc.Text()
				continue
			}
			restMu.Lock()
			rest.WriteString(sc.Text() + "\n")
			restMu.Unlock()
		}
		close(first)
	}()
	var line string
	select {
	case line = <-first:
	case <-time.After(serveWait):
		t.Fatalf("no listening line within %v; stderr: %s", serveWait, stderr.String())
	}
	m := regexp.MustCompile(`^annotate serve: listening on (127\.0\.0\.1:\d+) \(host key (SHA256:\S+), new, in (.+?)\); 1 authorized key for 1 annotator from `).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("listening line %q does not say where, the host key and the keys", line)
	}
	addr, hostFP, hostKeyPath := m[1], m[2], m[3]
	if hostKeyPath != h.dbPath()+".hostkey" {
		t.Errorf("host key at %s, want beside the database", hostKeyPath)
	}
	if fi, err := os.Stat(hostKeyPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("host key file: %v; want mode 0600", err)
	}

	seen := ""
	client, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "alice", Auth: []gossh.AuthMethod{gossh.PublicKeys(alice)},
		HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error { seen = gossh.FingerprintSHA256(k); return nil },
		Timeout:         serveWait})
	if err != nil {
		t.Fatalf("alice logs in: %v", err)
	}
	defer client.Close()
	if seen != hostFP {
		t.Errorf("the client saw host key %s; serve printed %s", seen, hostFP)
	}
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	scr := &serveScreen{done: make(chan error, 1)}
	sess.Stdout, sess.Stderr = scr, lockedWriter{&scr.mu, &scr.errs}
	if _, err := sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 24, 100, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() { scr.done <- sess.Wait() }()
	scr.waitFor(t, "annotate · Alice Ames")
	scr.waitFor(t, "Harbour board approves") // the queue, from the shared database

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-scr.done:
		var exit *gossh.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Errorf("session end: %v", err)
		}
	case <-time.After(serveWait):
		t.Fatalf("the session did not end after SIGTERM")
	}
	if !strings.Contains(scr.stderr(), "the server is stopping") {
		t.Errorf("the client was not told the server stops: %q", scr.stderr())
	}
	client.Close()
	select {
	case <-exited:
		if waitErr != nil {
			t.Errorf("annotate serve after SIGTERM: %v; stderr: %s", waitErr, stderr.String())
		}
	case <-time.After(serveWait):
		t.Fatal("annotate serve still runs after SIGTERM")
	}
	restMu.Lock()
	tail := rest.String()
	restMu.Unlock()
	if !strings.Contains(tail, "annotate serve: stopped") {
		t.Errorf("no closing line on stdout: %q", tail)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr %q, want nothing", stderr.String())
	}
	logged, err := os.ReadFile(filepath.Join(h.env["HOME"], ".local", "state", "annotate", "annotate.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"serve started", `annotator="Alice Ames"`, "fingerprint=" + gossh.FingerprintSHA256(alice.PublicKey()), `ended="server shutdown"`, "serve stopped"} {
		if !strings.Contains(string(logged), want) {
			t.Errorf("the log lacks %q:\n%s", want, logged)
		}
	}
}

// TestServeOnPostgresKeepsItsFilesInTheConfigFolder: serve on a PostgreSQL
// URL takes its host key and authorized keys from the config folder by
// default (it made paths of the URL and printed its password).
func TestServeOnPostgresKeepsItsFilesInTheConfigFolder(t *testing.T) {
	h := newHarness(t)
	h.env["XDG_CONFIG_HOME"] = filepath.Join(h.dir, "config")
	res := h.run("serve", "--db", "postgres://pwuser:rightpass@127.0.0.1:1/x?connect_timeout=1")
	if strings.Contains(res.stdout+res.stderr, "rightpass") {
		t.Errorf("serve printed the URL's password: %q", res.stderr)
	}
	if want := filepath.Join(h.dir, "config", "annotate", "serve.authorized_keys"); res.code == 0 || !strings.Contains(res.stderr, want) {
		t.Errorf("serve on a URL without its keys file: exit %d, stderr %q; want the keys file looked for at %s", res.code, res.stderr, want)
	}
}

package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/tui"
)

// waitLimit bounds every wait for the server: generous, since the machine
// may be busy; a pass never waits this long.
const waitLimit = 20 * time.Second

// team is a server with authorized annotators, on a loopback port.
type team struct {
	t    *testing.T
	srv  *Server
	addr string
	keys map[string]gossh.Signer
	log  *syncBuffer
	opts Options
}

// startTeam serves a fresh database to the named annotators (one key
// each); change adjusts the options before the server is made.
func startTeam(t *testing.T, names []string, change func(*Options, *Server)) *team {
	t.Helper()
	dir := t.TempDir()
	tm := &team{t: t, keys: map[string]gossh.Signer{}, log: &syncBuffer{}}
	var lines []string
	for _, name := range names {
		k := newKey(t)
		tm.keys[name] = k
		lines = append(lines, authorizedLine(k, fmt.Sprintf("annotator=%q", name), name+"@test"))
	}
	keysPath := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(keysPath, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	keys, err := LoadAuthorizedKeys(keysPath)
	if err != nil {
		t.Fatal(err)
	}
	tm.opts = Options{Store: openStore(t), HostKeyPath: filepath.Join(dir, "annotate.db.hostkey"), Keys: keys,
		Logger: slog.New(slog.NewTextHandler(tm.log, nil)), NoColor: true}
	tm.start(change)
	return tm
}

// start makes and starts a server with tm.opts.
func (tm *team) start(change func(*Options, *Server)) {
	t := tm.t
	t.Helper()
	opts := tm.opts
	if change != nil {
		change(&opts, nil)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(nil, srv)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(waitLimit):
			t.Errorf("Serve still running %v after Close", waitLimit)
		}
	})
	tm.srv, tm.addr = srv, l.Addr().String()
}

// dial logs in with the given methods.
func (tm *team) dial(methods ...gossh.AuthMethod) (*gossh.Client, error) {
	return tm.dialHost(gossh.InsecureIgnoreHostKey(), methods...)
}

func (tm *team) dialHost(hostKey gossh.HostKeyCallback, methods ...gossh.AuthMethod) (*gossh.Client, error) {
	c, err := gossh.Dial("tcp", tm.addr, &gossh.ClientConfig{User: "someone", Auth: methods,
		HostKeyCallback: hostKey, Timeout: waitLimit})
	if err == nil {
		tm.t.Cleanup(func() { c.Close() })
	}
	return c, err
}

// login logs in with an annotator's key.
func (tm *team) login(name string) *gossh.Client {
	tm.t.Helper()
	c, err := tm.dial(gossh.PublicKeys(tm.keys[name]))
	if err != nil {
		tm.t.Fatalf("%s logs in: %v", name, err)
	}
	return c
}

// waitLog waits for the log to contain every one of parts on one line.
func (tm *team) waitLog(parts ...string) string {
	tm.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		for _, line := range strings.Split(tm.log.String(), "\n") {
			ok := true
			for _, p := range parts {
				ok = ok && strings.Contains(line, p)
			}
			if ok {
				return line
			}
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("no log line with %q; the log:\n%s", parts, tm.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// terminal is one SSH session with a pty, as a person's terminal.
type terminal struct {
	t      *testing.T
	sess   *gossh.Session
	stdin  io.WriteCloser
	out    *syncBuffer
	errOut *syncBuffer
	done   chan error
}

// openTerminal asks for a pty of the given size and type and starts the
// shell (the screen).
func openTerminal(t *testing.T, c *gossh.Client, width, height int, term string) *terminal {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	tm := &terminal{t: t, sess: sess, out: &syncBuffer{}, errOut: &syncBuffer{}, done: make(chan error, 1)}
	sess.Stdout, sess.Stderr = tm.out, tm.errOut
	if tm.stdin, err = sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if term != "" {
		if err := sess.RequestPty(term, height, width, gossh.TerminalModes{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() { tm.done <- sess.Wait() }()
	t.Cleanup(func() { sess.Close() })
	return tm
}

// screen is what the terminal received, without escape sequences.
func (tm *terminal) screen() string { return ansi.Strip(tm.out.String()) }

// waitFor waits until the terminal shows want.
func (tm *terminal) waitFor(want string) {
	tm.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !strings.Contains(tm.screen(), want) {
		if time.Now().After(deadline) {
			s := tm.screen()
			tm.t.Fatalf("the terminal never showed %q; it shows (last 1500 bytes):\n%s\nstderr: %s", want, s[max(0, len(s)-1500):], tm.errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (tm *terminal) send(keys string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.stdin, keys); err != nil {
		tm.t.Fatalf("send %q: %v", keys, err)
	}
}

// end waits for the session to end and returns its exit status (-1: it
// ended without one).
func (tm *terminal) end() int {
	tm.t.Helper()
	select {
	case err := <-tm.done:
		var exit *gossh.ExitError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &exit):
			return exit.ExitStatus()
		}
		return -1
	case <-time.After(waitLimit):
		tm.t.Fatalf("the session did not end within %v; stderr: %s", waitLimit, tm.errOut.String())
	}
	return -1
}

// endOrShow waits for the session to end (ended true, with its exit
// status) or for the terminal to show want, whichever comes first.
func (tm *terminal) endOrShow(want string) (code int, ended bool) {
	tm.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !strings.Contains(tm.screen(), want) {
		select {
		case err := <-tm.done:
			tm.done <- err
			return tm.end(), true
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the session neither ended nor showed %q within %v", want, waitLimit)
		}
	}
	return -1, false
}

// TestServeTwoAnnotatorsGetTheirOwnScreens: each key logs in as its
// annotator, on one shared store, and the log names who came and went.
func TestServeTwoAnnotatorsGetTheirOwnScreens(t *testing.T) {
	tm := startTeam(t, []string{"alice", "bob"}, nil)
	alice := openTerminal(t, tm.login("alice"), 80, 24, "xterm-256color")
	bob := openTerminal(t, tm.login("bob"), 80, 24, "xterm-256color")
	alice.waitFor("annotate · alice")
	bob.waitFor("annotate · bob")
	alice.waitFor("annotate serve " + tm.addr)
	if strings.Contains(alice.screen(), "· bob") || strings.Contains(bob.screen(), "· alice") {
		t.Errorf("a screen shows the other annotator:\nalice's: %s\nbob's: %s", alice.screen(), bob.screen())
	}
	alice.send("q")
	if code := alice.end(); code != 0 {
		t.Errorf("alice quits: exit %d, want 0 (stderr %q)", code, alice.errOut.String())
	}
	fp := gossh.FingerprintSHA256(tm.keys["alice"].PublicKey())
	tm.waitLog("session started", "annotator=alice", "fingerprint="+fp)
	line := tm.waitLog("session ended", "annotator=alice", "ended=quit")
	for _, want := range []string{"remote=127.0.0.1:", "fingerprint=" + fp, "duration=", "start="} {
		if !strings.Contains(line, want) {
			t.Errorf("log line %q lacks %q", line, want)
		}
	}
	// Bob's screen goes on after alice left.
	bob.send("q")
	if code := bob.end(); code != 0 {
		t.Errorf("bob quits after alice left: exit %d, want 0 (stderr %q)", code, bob.errOut.String())
	}
}

// TestServeRefusesAKeyNotInTheFile: an unknown key gets no further than
// authentication, and the log has its fingerprint.
func TestServeRefusesAKeyNotInTheFile(t *testing.T) {
	tm := startTeam(t, []string{"alice"}, nil)
	mallory := newKey(t)
	if _, err := tm.dial(gossh.PublicKeys(mallory)); err == nil {
		t.Fatal("a key not in the authorized keys logged in")
	}
	tm.waitLog("key offered, not authorized", "fingerprint="+gossh.FingerprintSHA256(mallory.PublicKey()))
	tm.waitLog("connection refused", "remote=127.0.0.1:")
}

// TestServeKeylessOnlyAsGuest: without a key a client gets in only when
// the server allows guests, and then as the guest, read-only.
func TestServeKeylessOnlyAsGuest(t *testing.T) {
	keyless := gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil })
	password := gossh.Password("secret")

	closed := startTeam(t, []string{"alice"}, nil)
	for name, m := range map[string]gossh.AuthMethod{"keyboard-interactive": keyless, "password": password} {
		if _, err := closed.dial(m); err == nil {
			t.Errorf("%s logged in to a server without guests", name)
		}
	}
	if _, err := closed.dial(); err == nil {
		t.Error(`"none" logged in to a server without guests`)
	}

	open := startTeam(t, []string{"alice"}, func(o *Options, _ *Server) {
		if o != nil {
			o.Guest = "visitor"
		}
	})
	if _, err := open.dial(password); err == nil {
		t.Error("password logged in: guests come in by keyboard-interactive only")
	}
	if _, err := open.dial(); err == nil {
		t.Error(`"none" logged in: OpenSSH tries it first, so accepting it would make a guest of everyone`)
	}
	c, err := open.dial(keyless)
	if err != nil {
		t.Fatalf("keyless login with guests allowed: %v", err)
	}
	guest := openTerminal(t, c, 80, 24, "xterm-256color")
	guest.waitFor("annotate · visitor")
	guest.waitFor("read-only guest")
	open.waitLog("session started", "annotator=visitor", "guest=true")

	// An annotator with a key still logs in as herself.
	alice := openTerminal(t, open.login("alice"), 80, 24, "xterm-256color")
	alice.waitFor("annotate · alice")
}

// TestServeGuestCannotSave: on the real screen, a guest's tag is refused
// (the screen logs the store's refusal) and nothing reaches the
// database, while the same keys from an annotator save.
func TestServeGuestCannotSave(t *testing.T) {
	tm := startTeam(t, []string{"alice"}, func(o *Options, _ *Server) {
		if o != nil {
			o.Guest = "visitor"
		}
	})
	text := "Police said two gunmen attacked the market on Friday."
	art := model.Article{ID: model.ArticleID(text), Title: "Market attack", Text: text}
	if _, err := tm.opts.Store.AddArticles([]model.Article{art}); err != nil {
		t.Fatal(err)
	}
	keyless := gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil })
	tag := func(term *terminal) {
		term.waitFor("Market attack")
		term.send("\r")
		term.waitFor("gunmen attacked")
		term.send("1")
	}

	c, err := tm.dial(keyless)
	if err != nil {
		t.Fatal(err)
	}
	guest := openTerminal(t, c, 100, 30, "xterm-256color")
	tag(guest)
	tm.waitLog("annotator=visitor", "guests cannot change anything")
	if a, err := tm.opts.Store.Annotation(art.ID, "visitor"); err != nil || a.Rev != 0 {
		t.Errorf("the guest's annotation is at rev %d (%v); want none stored", a.Rev, err)
	}

	alice := openTerminal(t, tm.login("alice"), 100, 30, "xterm-256color")
	tag(alice)
	deadline := time.Now().Add(waitLimit)
	for {
		a, err := tm.opts.Store.Annotation(art.ID, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if a.Rev > 0 && len(a.Entities) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("alice's tag was not saved: %+v", a)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// offerOnly offers a public key whose private half it does not have, as
// anyone can offer anyone's public key (it is no secret). The server
// accepts the offer; signing then fails, as a security key that is not
// touched fails, and the client goes on to its next method.
type offerOnly struct{ offered gossh.PublicKey }

func (o offerOnly) PublicKey() gossh.PublicKey { return o.offered }

func (o offerOnly) Sign(io.Reader, []byte) (*gossh.Signature, error) {
	return nil, errors.New("the private half is not here")
}

// TestServeTrustsOnlyTheKeyAuthenticatedWith is the regression test for
// soft-serve's GHSA-pchf-49fh-w34r: the client offers alice's public key,
// which the public-key handler accepts, and then logs in without a key
// (keyboard-interactive, open for guests). A server that took the
// session's identity from what the public-key handler accepted would open
// alice's screen, with her rights, to someone holding only her public key.
func TestServeTrustsOnlyTheKeyAuthenticatedWith(t *testing.T) {
	keyless := gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil })
	alicePub := func(tm *team) gossh.AuthMethod {
		return gossh.PublicKeys(offerOnly{tm.keys["alice"].PublicKey()})
	}

	t.Run("guests allowed", func(t *testing.T) {
		tm := startTeam(t, []string{"alice"}, func(o *Options, _ *Server) {
			if o != nil {
				o.Guest = "visitor"
			}
		})
		c, err := tm.dial(alicePub(tm), keyless)
		if err != nil {
			t.Fatalf("the keyless login after the offer should get as far as the session (where it is refused): %v", err)
		}
		fp := gossh.FingerprintSHA256(tm.keys["alice"].PublicKey())
		term := openTerminal(t, c, 80, 24, "xterm-256color")
		code, ended := term.endOrShow("annotate · ")
		if !ended {
			term.waitFor("annotate · alice")
			t.Fatalf("a client holding only alice's public key got alice's screen")
		}
		if strings.Contains(term.screen(), "annotate · alice") {
			t.Fatalf("a client holding only alice's public key got alice's screen")
		}
		if strings.Contains(term.screen(), "annotate · ") {
			t.Errorf("the session got a screen; want it refused:\n%s", term.screen())
		}
		if code != 1 || !strings.Contains(term.errOut.String(), "key "+fp+" was accepted, but the login went on without it") {
			t.Errorf("exit %d, stderr %q; want 1 and a line saying the accepted key was not used", code, term.errOut.String())
		}
		tm.waitLog("session ended", "ended=\"refused: key "+fp)
	})

	t.Run("public keys only", func(t *testing.T) {
		tm := startTeam(t, []string{"alice"}, nil)
		if _, err := tm.dial(alicePub(tm), keyless); err == nil {
			t.Error("logged in holding only alice's public key")
		}
	})
}

// TestAuthorizeComparesFingerprints checks authorize's rule directly,
// for each way the recorded and the authenticated key can disagree.
func TestAuthorizeComparesFingerprints(t *testing.T) {
	alice, bob := newKey(t), newKey(t)
	keys, err := ParseAuthorizedKeys([]byte(authorizedLine(alice, "", "alice")+"\n"+authorizedLine(bob, "", "bob")+"\n"), "keys")
	if err != nil {
		t.Fatal(err)
	}
	fp := func(s gossh.Signer) string { return gossh.FingerprintSHA256(s.PublicKey()) }
	tests := []struct {
		name     string
		accepted string
		key      gossh.PublicKey
		guest    string
		want     string // annotator, or "" for refused
	}{
		{"the accepted key", fp(alice), alice.PublicKey(), "", "alice"},
		{"another key than the accepted one", fp(alice), bob.PublicKey(), "", ""},
		{"a key but none accepted", "", alice.PublicKey(), "", ""},
		{"accepted, then keyless", fp(alice), nil, "visitor", ""},
		{"keyless guest", "", nil, "visitor", "visitor"},
		{"keyless without guests", "", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Server{opts: Options{Keys: keys, Guest: tt.guest}}
			id, err := s.authorize(tt.accepted, tt.key)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("authorized as %q, want refused", id.annotator)
				}
				return
			}
			if err != nil || id.annotator != tt.want {
				t.Fatalf("got %q, %v; want %q", id.annotator, err, tt.want)
			}
		})
	}
}

// TestServeHostKeyKeptAcrossRestarts: a restarted server shows clients
// the same host key, so their known_hosts entries stay good.
func TestServeHostKeyKeptAcrossRestarts(t *testing.T) {
	tm := startTeam(t, []string{"alice"}, nil)
	if !tm.srv.HostKeyCreated() {
		t.Error("first start did not report a new host key")
	}
	var seen []string
	record := func(_ string, _ net.Addr, key gossh.PublicKey) error {
		seen = append(seen, gossh.FingerprintSHA256(key))
		return nil
	}
	if _, err := tm.dialHost(record, gossh.PublicKeys(tm.keys["alice"])); err != nil {
		t.Fatal(err)
	}
	tm.srv.Close()
	tm.start(nil)
	if tm.srv.HostKeyCreated() {
		t.Error("restart made a new host key")
	}
	if _, err := tm.dialHost(record, gossh.PublicKeys(tm.keys["alice"])); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[0] != seen[1] || seen[0] != tm.srv.HostKeyFingerprint() {
		t.Errorf("host keys seen: %v, server says %s; want the same one twice", seen, tm.srv.HostKeyFingerprint())
	}
	fi, err := os.Stat(tm.opts.HostKeyPath)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("host key file: %v, %v; want mode 0600", fi, err)
	}
}

// probe is a stand-in screen for tests of the session's plumbing: it
// shows its annotator, size and colour profile, echoes keys, and panics on
// cue: p in Update, c in a command, v in View.
type probe struct {
	who           string
	width, height int
	profile       string
	typed         string
	panicView     bool
}

func (p *probe) Init() tea.Cmd { return nil }

func (p *probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		p.width, p.height = msg.Width, msg.Height
	case tea.ColorProfileMsg:
		p.profile = msg.Profile.String()
	case tea.KeyPressMsg:
		switch msg.String() {
		case "p":
			panic("probe: panic in Update")
		case "c":
			return p, tea.Batch(nil, func() tea.Msg { panic("probe: panic in a command") })
		case "v":
			p.panicView = true
		case "q":
			return p, tea.Quit
		default:
			p.typed += msg.String()
			// A full redraw, so the terminal's stream holds the whole
			// line rather than the cells that changed.
			return p, tea.ClearScreen
		}
	}
	return p, nil
}

func (p *probe) View() tea.View {
	if p.panicView {
		panic("probe: panic in View")
	}
	return tea.NewView(fmt.Sprintf("annotate · %s | size %dx%d | profile %s | typed %s.", p.who, p.width, p.height, p.profile, p.typed))
}

func useProbe(_ *Options, s *Server) {
	if s != nil {
		s.newModel = func(o tui.Options) tea.Model { return &probe{who: o.Annotator} }
	}
}

// TestServeWindowAndTerminal: the program starts at the client's size,
// follows its resizes, and draws for its terminal type.
func TestServeWindowAndTerminal(t *testing.T) {
	tm := startTeam(t, []string{"alice"}, useProbe)
	term := openTerminal(t, tm.login("alice"), 80, 24, "xterm-256color")
	term.waitFor("size 80x24")
	term.waitFor("profile ANSI256")
	if err := term.sess.WindowChange(30, 100); err != nil {
		t.Fatal(err)
	}
	term.waitFor("size 100x30")

	dumb := openTerminal(t, tm.login("alice"), 60, 20, "dumb")
	dumb.waitFor("size 60x20")
	dumb.waitFor("profile NoTTY")
}

// TestServeNeedsATerminalAndNoCommand: a session without a pty, or with a
// command, gets one line and no screen.
func TestServeNeedsATerminalAndNoCommand(t *testing.T) {
	tm := startTeam(t, []string{"alice"}, nil)
	noPty := openTerminal(t, tm.login("alice"), 0, 0, "")
	if code := noPty.end(); code != 1 || !strings.Contains(noPty.errOut.String(), "needs a terminal: connect with ssh -t") {
		t.Errorf("no pty: exit %d, stderr %q", code, noPty.errOut.String())
	}
	sess, err := tm.login("alice").NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.CombinedOutput("cat /etc/passwd")
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 || !strings.Contains(string(out), "runs no command") {
		t.Errorf("command: %v, output %q; want exit 1 and a refusal", err, out)
	}
}

// TestServePanicEndsOneSession: a panic in one session's screen, wherever
// it happens, ends that session with one line to its client and a log
// entry with the stack; the server and the other sessions go on.
func TestServePanicEndsOneSession(t *testing.T) {
	tm := startTeam(t, []string{"alice", "bob"}, useProbe)
	bob := openTerminal(t, tm.login("bob"), 80, 24, "xterm-256color")
	bob.waitFor("annotate · bob")
	typed := ""
	for _, tt := range []struct{ key, where, key2 string }{
		{"p", "panic in Update", "1"}, {"c", "panic in a command", "2"}, {"v", "panic in View", "3"},
	} {
		t.Run(tt.where, func(t *testing.T) {
			alice := openTerminal(t, tm.login("alice"), 80, 24, "xterm-256color")
			alice.waitFor("annotate · alice")
			alice.send(tt.key)
			code := alice.end()
			if code != 1 || !strings.Contains(alice.errOut.String(), "the screen stopped on a bug (logged on the server") {
				t.Errorf("exit %d, stderr %q; want 1 and one line", code, alice.errOut.String())
			}
			if strings.Contains(alice.out.String()+alice.errOut.String(), "goroutine ") {
				t.Errorf("the client was shown a stack trace")
			}
			line := tm.waitLog("session panicked", "probe: "+tt.where)
			if !strings.Contains(line, "stack=") || !strings.Contains(line, "serve.(*probe)") {
				t.Errorf("log line lacks the stack: %s", line)
			}
			tm.waitLog("session ended", "annotator=alice", "ended=panic")
			// Bob's screen still answers.
			bob.send(tt.key2)
			bob.waitFor("typed " + typed + tt.key2 + ".")
			typed += tt.key2
		})
	}
	// The server takes new logins.
	again := openTerminal(t, tm.login("alice"), 80, 24, "xterm-256color")
	again.waitFor("annotate · alice")
}

// TestServePanicBuildingTheScreen: a panic before the program runs (in
// building the screen) is caught by the handler the same way.
func TestServePanicBuildingTheScreen(t *testing.T) {
	tm := startTeam(t, []string{"alice"}, func(_ *Options, s *Server) {
		if s != nil {
			s.newModel = func(tui.Options) tea.Model { panic("probe: cannot build") }
		}
	})
	term := openTerminal(t, tm.login("alice"), 80, 24, "xterm-256color")
	if code := term.end(); code != 1 || !strings.Contains(term.errOut.String(), "stopped on a bug") {
		t.Errorf("exit %d, stderr %q", code, term.errOut.String())
	}
	tm.waitLog("session panicked", "probe: cannot build", "stack=")
	if _, err := tm.dial(gossh.PublicKeys(tm.keys["alice"])); err != nil {
		t.Errorf("the server no longer takes logins: %v", err)
	}
}

// TestServeShutdownEndsScreens: Shutdown tells every open screen and
// returns once the clients have gone.
func TestServeShutdownEndsScreens(t *testing.T) {
	tm := startTeam(t, []string{"alice"}, useProbe)
	client := tm.login("alice")
	term := openTerminal(t, client, 80, 24, "xterm-256color")
	term.waitFor("annotate · alice")
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		shut <- tm.srv.Shutdown(ctx)
	}()
	if code := term.end(); code != 0 || !strings.Contains(term.errOut.String(), "the server is stopping") {
		t.Errorf("exit %d, stderr %q; want 0 and a line saying the server stops", code, term.errOut.String())
	}
	client.Close()
	select {
	case err := <-shut:
		if err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("Shutdown did not return after the client left")
	}
	tm.waitLog("session ended", "ended=\"server shutdown\"")
	if _, err := tm.dial(gossh.PublicKeys(tm.keys["alice"])); err == nil {
		t.Error("a login succeeded after Shutdown")
	}
}

// TestServeIdleTimeout: a session that does nothing is closed, and the
// log says why.
func TestServeIdleTimeout(t *testing.T) {
	tm := startTeam(t, []string{"alice"}, func(o *Options, s *Server) {
		if o != nil {
			o.IdleTimeout = 400 * time.Millisecond
		}
		useProbe(o, s)
	})
	term := openTerminal(t, tm.login("alice"), 80, 24, "xterm-256color")
	term.waitFor("annotate · alice")
	term.end()
	tm.waitLog("session ended", "annotator=alice", "ended=\"idle timeout\"")
}

// TestSessionOptions: what each session's screen is given.
func TestSessionOptions(t *testing.T) {
	st := openStore(t)
	s := &Server{opts: Options{Store: st, Hub: store.NewHub()}, log: slog.New(slog.DiscardHandler)}
	s.addr.Store("127.0.0.1:2222")
	o, done := s.sessionOptions(identity{annotator: "alice", fingerprint: "SHA256:x"}, "xterm-256color", []string{"LANG=C"})
	defer done()
	if o.Store != store.Store(st) || o.Annotator != "alice" || o.Location != "annotate serve 127.0.0.1:2222" || o.NoColor {
		t.Errorf("annotator's options: store %T, annotator %q, location %q, no colour %v", o.Store, o.Annotator, o.Location, o.NoColor)
	}
	if o.Suggest == nil || o.Logger == nil || o.Updates == nil {
		t.Error("annotator's options lack suggestions, a logger or the hub's updates")
	}
	if o.Overlap != nil {
		t.Error("overlap without --overlap")
	}
	g, gdone := s.sessionOptions(identity{annotator: "visitor", guest: true}, "xterm", []string{"NO_COLOR=1"})
	defer gdone()
	if _, ok := g.Store.(guestStore); !ok || g.Annotator != "visitor" || !g.NoColor {
		t.Errorf("guest's options: store %T, annotator %q, no colour %v; want the read-only store", g.Store, g.Annotator, g.NoColor)
	}
	if d, ddone := s.sessionOptions(identity{annotator: "alice"}, "dumb", nil); !d.NoColor {
		t.Error("TERM=dumb gets colour")
	} else {
		ddone()
	}
	s.opts.Overlap, s.opts.ClaimTimeout = 2, time.Minute
	s.opts.Store = store.Watch(st, s.opts.Hub)
	ov, odone := s.sessionOptions(identity{annotator: "alice"}, "xterm", nil)
	defer odone()
	if ov.Overlap == nil || ov.Overlap.K != 2 || ov.Overlap.TTL != time.Minute {
		t.Errorf("overlap options %+v", ov.Overlap)
	}
	gv, gvdone := s.sessionOptions(identity{annotator: "visitor", guest: true}, "xterm", nil)
	defer gvdone()
	if gv.Overlap != nil {
		t.Error("a guest is handed articles")
	}
}

// TestServeBoundsTheWindow: a client asking for a terminal past the bound
// (3000x1000 took the server from 20 MB to 691 MB) is refused with one
// line; a resize past it is drawn at the bound.
func TestServeBoundsTheWindow(t *testing.T) {
	tm := startTeam(t, []string{"alice"}, useProbe)
	big := openTerminal(t, tm.login("alice"), 3000, 1000, "xterm-256color")
	if code := big.end(); code != 1 || !strings.Contains(big.errOut.String(), "the terminal is 3000x1000; this server draws at most 1000x500") {
		t.Errorf("a 3000x1000 terminal: exit %d, stderr %q", code, big.errOut.String())
	}
	term := openTerminal(t, tm.login("alice"), 80, 24, "xterm-256color")
	term.waitFor("size 80x24")
	if err := term.sess.WindowChange(65535, 65535); err != nil {
		t.Fatal(err)
	}
	term.waitFor(fmt.Sprintf("size %dx%d", MaxWidth, MaxHeight))
}

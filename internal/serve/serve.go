// Package serve runs the annotation screen for a team over SSH (annotate
// serve): one screen per session, every session on the one store the
// server process owns. Annotators are known by their public keys, listed in
// an authorized_keys file; without a key, and only when the server allows
// it, a session is a read-only guest.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/suggest"
	"github.com/annotate-tool/annotate/internal/termtext"
	"github.com/annotate-tool/annotate/internal/tui"
)

// Defaults for the command line.
const (
	DefaultAddr        = "127.0.0.1:2222"
	DefaultIdleTimeout = 30 * time.Minute
	DefaultMaxTimeout  = 12 * time.Hour
	// handshakeTimeout bounds the time from connecting to being logged
	// in; as sshd's LoginGraceTime, it leaves room to type a key's
	// passphrase.
	handshakeTimeout = 2 * time.Minute
)

// Options configure a Server.
type Options struct {
	// Store is shared by every session. The server never closes it: its
	// owner does, after Shutdown or Close.
	Store store.Store
	// Schema is the schema every screen uses (default model.DefaultSchema).
	Schema *model.Schema
	// HostKeyPath is the server's private host key, generated there on
	// first start (see LoadHostKey).
	HostKeyPath string
	// Keys are the annotators allowed in. Nil or empty lets only guests
	// in, and then Guest is needed.
	Keys *AuthorizedKeys
	// Guest, when set, lets a client without an authorized key in
	// (keyboard-interactive authentication, asking nothing) as a read-only
	// guest of that name. Empty: public keys only.
	Guest string
	// IdleTimeout ends a connection that sends and receives nothing for
	// that long; MaxTimeout ends any connection after that long. Zero: no
	// limit.
	IdleTimeout, MaxTimeout time.Duration
	// NoColor draws every screen without colour, whatever the client's
	// terminal says.
	NoColor bool
	// Logger gets a line for every connection (default: none).
	Logger *slog.Logger
	// Hub carries every write of a session to the others (their queues
	// are reread); whoever else writes the store can publish on it too
	// (the command line: what other processes wrote to the file). Nil: a
	// hub of the server's own.
	Hub *store.Hub
	// Overlap, when above 0, has the server hand the articles out, each
	// to that many annotators (the store must be a store.Assigner);
	// ClaimTimeout is how long a claim lasts without work on the article.
	Overlap      int
	ClaimTimeout time.Duration
	// KeyMap is every screen's key bindings (nil: the defaults).
	KeyMap *tui.KeyMap
}

// DefaultClaimTimeout is how long an assigned article stays an
// annotator's without a save.
const DefaultClaimTimeout = 30 * time.Minute

// Server serves the screen over SSH.
type Server struct {
	opts    Options
	ssh     *ssh.Server
	signer  gossh.Signer
	created bool
	log     *slog.Logger
	// addr is the address Serve listens on, for the screens' title bar.
	addr atomic.Value

	// newModel builds a session's screen; tests swap it for one that
	// panics on cue.
	newModel func(tui.Options) tea.Model

	mu       sync.Mutex
	closing  bool
	sessions map[*tea.Program]struct{}
	// handlers counts the session handlers running, under mu: Shutdown
	// waits for them, so each session's last log line is written.
	handlers int
}

// identity is who a session is, as its authentication proves.
type identity struct {
	annotator   string
	fingerprint string // SHA256 of the key it authenticated with; "" for a guest
	guest       bool
}

// ctxKeyAccepted is where the public-key handler records the fingerprint
// of the last key it accepted in the connection's context.
type ctxKey struct{ name string }

var ctxKeyAccepted = &ctxKey{"annotate-accepted-key"}

// New checks the options, loads (or makes) the host key and returns a
// server ready to Serve.
func New(o Options) (*Server, error) {
	if o.Store == nil {
		return nil, errors.New("serve: no store")
	}
	if o.Schema == nil {
		o.Schema = model.DefaultSchema()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Hub == nil {
		o.Hub = store.NewHub()
	}
	if o.ClaimTimeout <= 0 {
		o.ClaimTimeout = DefaultClaimTimeout
	}
	if o.Overlap > 0 {
		if _, ok := o.Store.(store.Assigner); !ok {
			return nil, fmt.Errorf("--overlap: %w", store.ErrNoAssigner)
		}
	}
	// Every session writes through one watched store, so each write is
	// published to the other sessions.
	o.Store = store.Watch(o.Store, o.Hub)
	if o.Guest != "" {
		if err := CheckAnnotator("guest name", o.Guest); err != nil {
			return nil, err
		}
		if o.Keys.HasAnnotator(o.Guest) {
			return nil, fmt.Errorf("guest name %q is an annotator in %s: give guests a name of their own", o.Guest, o.Keys.Path)
		}
	}
	if o.Keys.Len() == 0 && o.Guest == "" {
		where := "no authorized keys"
		if o.Keys != nil {
			where = o.Keys.Path + " holds no key"
		}
		return nil, fmt.Errorf("%s, and guests are not allowed: nobody could log in", where)
	}
	if o.HostKeyPath == "" {
		return nil, errors.New("serve: no host key path")
	}
	signer, created, err := LoadHostKey(o.HostKeyPath)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: o, signer: signer, created: created, log: o.Logger,
		newModel: func(opts tui.Options) tea.Model { return tui.New(opts) },
		sessions: map[*tea.Program]struct{}{}}
	s.addr.Store("")
	options := []ssh.Option{
		wish.WithVersion("annotate"),
		func(srv *ssh.Server) error { srv.AddHostKey(signer); return nil },
		wish.WithPublicKeyAuth(s.checkKey),
		wish.WithIdleTimeout(o.IdleTimeout),
		wish.WithMaxTimeout(o.MaxTimeout),
		wish.WithMiddleware(func(ssh.Handler) ssh.Handler { return s.handle }),
	}
	if o.Guest != "" {
		// Keyboard-interactive, not "none": OpenSSH tries none first, and
		// a server accepting it would make everyone a guest before their
		// key is offered. Keyboard-interactive comes after publickey.
		options = append(options, wish.WithKeyboardInteractiveAuth(
			func(ssh.Context, gossh.KeyboardInteractiveChallenge) bool { return true }))
	}
	srv, err := wish.NewServer(options...)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	srv.HandshakeTimeout = handshakeTimeout
	srv.ConnectionFailedCallback = func(c net.Conn, err error) {
		s.log.Info("connection refused", "remote", c.RemoteAddr().String(), "error", err.Error())
	}
	s.ssh = srv
	return s, nil
}

// HostKeyFingerprint is the SHA256 fingerprint of the server's host key,
// for annotators to check on their first connection.
func (s *Server) HostKeyFingerprint() string { return gossh.FingerprintSHA256(s.signer.PublicKey()) }

// HostKeyCreated reports whether New generated the host key.
func (s *Server) HostKeyCreated() bool { return s.created }

// Serve accepts connections on l until Shutdown or Close, after which it
// returns nil.
func (s *Server) Serve(l net.Listener) error {
	s.addr.Store(l.Addr().String())
	err := s.ssh.Serve(l)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting connections, asks every screen to end and waits
// for the connections to close, or for ctx to end, when it closes what is
// left.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	var progs []*tea.Program
	for p := range s.sessions {
		progs = append(progs, p)
	}
	s.mu.Unlock()
	done := make(chan error, 1)
	go func() { done <- s.ssh.Shutdown(ctx) }()
	for _, p := range progs {
		go p.Send(shutdownMsg{})
	}
	err := <-done
	if err != nil {
		s.ssh.Close()
	}
	// A connection is gone before its handler has logged how it ended.
	for s.running() > 0 && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return fmt.Errorf("serve: sessions still open at shutdown were closed: %w", err)
	}
	return err
}

// Close closes the listeners and every connection at once.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	return s.ssh.Close()
}

// checkKey is the public-key handler. It may be called for keys the
// client only offers and never proves it holds (and is called again for
// each key offered), so it decides nothing about who the session is: it
// records the accepted key's fingerprint, for authorize to compare with
// the key the connection really authenticated with.
func (s *Server) checkKey(ctx ssh.Context, key ssh.PublicKey) bool {
	fp := gossh.FingerprintSHA256(key)
	if _, ok := s.opts.Keys.Lookup(key); !ok {
		s.log.Info("key offered, not authorized", "remote", remote(ctx.RemoteAddr()), "fingerprint", fp, "user", ctx.User())
		return false
	}
	ctx.SetValue(ctxKeyAccepted, fp)
	return true
}

// authorize says who a session is, from the key the connection
// authenticated with (s.PublicKey(), which the SSH library takes from the
// signature it verified), never from what the public-key handler saw
// last: a client may offer an authorized key it does not hold, have it
// accepted, and then log in by other means (soft-serve's
// GHSA-pchf-49fh-w34r). accepted is the fingerprint checkKey recorded.
// When a key was accepted, the session must have authenticated with
// exactly that key; when none was, it is a guest or nothing.
func (s *Server) authorize(accepted string, key ssh.PublicKey) (identity, error) {
	if key == nil {
		if accepted != "" {
			return identity{}, fmt.Errorf("key %s was accepted, but the login went on without it (a key needing a touch or a passphrase that failed?): log in with the key, or without offering it as a guest", accepted)
		}
		if s.opts.Guest == "" {
			return identity{}, errors.New("this server lets in authorized keys only")
		}
		return identity{annotator: s.opts.Guest, guest: true}, nil
	}
	fp := gossh.FingerprintSHA256(key)
	if accepted == "" || accepted != fp {
		return identity{}, fmt.Errorf("the key this session authenticated with (%s) is not the one accepted (%s)", fp, orNone(accepted))
	}
	name, ok := s.opts.Keys.Lookup(key)
	if !ok {
		return identity{}, fmt.Errorf("key %s is not authorized", fp)
	}
	return identity{annotator: name, fingerprint: fp}, nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// sessionRecord is what the log says of one session.
type sessionRecord struct {
	start    time.Time
	remote   string
	user     string
	id       identity
	activity activity
	ended    string
}

// handle runs one SSH session: it authorizes it, runs its screen, and
// logs who it was and how it ended. A panic ends this session only.
// running is how many session handlers have not returned.
func (s *Server) running() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.handlers
}

func (s *Server) handle(sess ssh.Session) {
	s.mu.Lock()
	s.handlers++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.handlers--
		s.mu.Unlock()
	}()
	rec := &sessionRecord{start: time.Now(), remote: remote(sess.RemoteAddr()), user: sess.User()}
	rec.activity.touch()
	defer func() {
		if r := recover(); r != nil {
			s.panicked(sess, rec, newPanicReport(r))
		}
		s.log.Info("session ended", "annotator", rec.id.annotator, "guest", rec.id.guest,
			"remote", rec.remote, "user", rec.user, "fingerprint", rec.id.fingerprint,
			"start", rec.start.Format(time.RFC3339), "duration", time.Since(rec.start).Round(time.Millisecond).String(),
			"ended", rec.ended)
	}()
	accepted, _ := sess.Context().Value(ctxKeyAccepted).(string)
	id, err := s.authorize(accepted, sess.PublicKey())
	if err != nil {
		s.refuse(sess, rec, "refused: "+err.Error(), err.Error())
		return
	}
	rec.id = id
	s.log.Info("session started", "annotator", id.annotator, "guest", id.guest, "remote", rec.remote,
		"user", rec.user, "fingerprint", id.fingerprint)
	if len(sess.Command()) > 0 || sess.Subsystem() != "" {
		s.refuse(sess, rec, "refused: a command", "this server shows the annotation screen and runs no command: connect without one")
		return
	}
	s.runScreen(sess, rec)
}

// refuse ends a session with one line to the client.
func (s *Server) refuse(sess ssh.Session, rec *sessionRecord, ended, msg string) {
	rec.ended = ended
	fmt.Fprintf(sess.Stderr(), "annotate serve: %s\n", termtext.Line(msg))
	_ = sess.Exit(1)
}

// panicked logs a session's panic with its stack and tells the client.
func (s *Server) panicked(sess ssh.Session, rec *sessionRecord, p *panicReport) {
	rec.ended = "panic"
	s.log.Error("session panicked", "annotator", rec.id.annotator, "remote", rec.remote,
		"panic", p.String(), "stack", string(p.stack))
	fmt.Fprintf(sess.Stderr(), "\r\nannotate serve: the screen stopped on a bug (logged on the server at %s); what you saved is kept: connect again to go on\n",
		time.Now().Format(time.DateTime))
	_ = sess.Exit(1)
}

// The largest window a session is drawn in: a frame costs memory with its
// cells, so a client's terminal size is bounded (larger at the start is
// refused with a message; a resize past it is drawn at the bound).
const (
	MaxWidth  = 1000
	MaxHeight = 500
)

// runScreen runs the session's program on its terminal until the
// annotator quits, the connection ends or the server stops.
func (s *Server) runScreen(sess ssh.Session, rec *sessionRecord) {
	pty, resizes, ok := sess.Pty()
	if !ok {
		s.refuse(sess, rec, "refused: no terminal", "this server shows the annotation screen and needs a terminal: connect with ssh -t")
		return
	}
	if w, h := pty.Window.Width, pty.Window.Height; w > MaxWidth || h > MaxHeight {
		// A frame takes memory with the window's cells: a client must not
		// make the server draw a 65535x65535 screen.
		s.refuse(sess, rec, "refused: window too large", fmt.Sprintf("the terminal is %dx%d; this server draws at most %dx%d: make the window smaller and connect again", w, h, MaxWidth, MaxHeight))
		return
	}
	opts, unsubscribe := s.sessionOptions(rec.id, pty.Term, sess.Environ())
	defer unsubscribe()
	g := newGuard(s.newModel(opts))
	// MakeOptions wires the session's terminal (its size, TERM and colour
	// profile); input and output are then wrapped to see activity, for
	// the log's "idle timeout".
	teaOpts := append(bubbletea.MakeOptions(sess),
		tea.WithInput(rec.activity.reader(sess)),
		tea.WithOutput(rec.activity.writer(sess)),
		tea.WithContext(sess.Context()),
		// The server handles the process's signals, not each screen.
		tea.WithoutSignalHandler(),
	)
	p := tea.NewProgram(g, teaOpts...)
	g.quit = p.Quit
	if !s.track(p) {
		s.refuse(sess, rec, "refused: shutting down", "the server is shutting down")
		return
	}
	defer s.untrack(p)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case <-done:
				return
			case w, ok := <-resizes:
				if !ok {
					return
				}
				// A window grown past the bound is drawn at the bound.
				p.Send(tea.WindowSizeMsg{Width: min(w.Width, MaxWidth), Height: min(w.Height, MaxHeight)})
			}
		}
	}()
	_, err := p.Run()
	switch {
	case g.report() != nil:
		s.panicked(sess, rec, g.report())
	case errors.Is(err, tea.ErrProgramPanic):
		// A panic guard could not see (Bubble Tea caught it and printed
		// it to the server's standard error).
		s.panicked(sess, rec, &panicReport{value: err, stack: []byte("(printed by Bubble Tea to the server's standard error)")})
	case g.stopping():
		rec.ended = "server shutdown"
		fmt.Fprintf(sess.Stderr(), "annotate serve: the server is stopping; what you saved is kept\n")
		_ = sess.Exit(0)
	case sess.Context().Err() != nil:
		rec.ended = s.whyClosed(rec)
	case errors.Is(err, io.EOF):
		// The client closed the session but not the connection (a
		// multiplexed OpenSSH connection does this).
		rec.ended = "session closed"
	case err == nil || errors.Is(err, tea.ErrInterrupted):
		rec.ended = "quit"
		_ = sess.Exit(0)
	default:
		rec.ended = "error: " + err.Error()
		fmt.Fprintf(sess.Stderr(), "annotate serve: %s\n", termtext.Line(err.Error()))
		_ = sess.Exit(1)
	}
}

// whyClosed names why a connection closed under a running screen: one of
// the timeouts, else the client went away.
func (s *Server) whyClosed(rec *sessionRecord) string {
	near := func(elapsed, limit time.Duration) bool { return limit > 0 && elapsed >= limit*9/10 }
	switch {
	case near(time.Since(rec.start), s.opts.MaxTimeout):
		return "max timeout"
	case near(rec.activity.since(), s.opts.IdleTimeout):
		return "idle timeout"
	}
	return "connection closed"
}

func (s *Server) track(p *tea.Program) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.sessions[p] = struct{}{}
	return true
}

func (s *Server) untrack(p *tea.Program) {
	s.mu.Lock()
	delete(s.sessions, p)
	s.mu.Unlock()
}

// sessionOptions builds the screen's options for one session. Every field
// a session's screen gets is set here, so what later work adds (a change
// hub, claims) goes in one place.
func (s *Server) sessionOptions(id identity, term string, environ []string) (tui.Options, func()) {
	var st store.Store = s.opts.Store
	location := "annotate serve " + s.addr.Load().(string)
	if id.guest {
		st = guestStore{st}
		location += " (read-only guest)"
	}
	updates, unsubscribe := s.opts.Hub.Subscribe()
	opts := tui.Options{
		Store: st, Schema: s.opts.Schema, Annotator: id.annotator, Location: location,
		NoColor: s.opts.NoColor || term == "dumb" || hasEnv(environ, "NO_COLOR"),
		Logger:  s.log.With("annotator", id.annotator, "guest", id.guest),
		Suggest: func(text string, reg []model.RegistryEntry, a *model.Annotation) []suggest.Suggestion {
			return suggest.Suggest(text, reg, nil, a)
		},
		Updates: updates,
		Keys:    s.opts.KeyMap,
	}
	if s.opts.Overlap > 0 && !id.guest {
		// (New checked the store hands out claims; Watch passes them on.)
		opts.Overlap = &tui.OverlapOptions{Assigner: s.opts.Store.(store.Assigner), K: s.opts.Overlap, TTL: s.opts.ClaimTimeout}
	}
	return opts, unsubscribe
}

// hasEnv reports whether the session's environment sets name to
// something not empty.
func hasEnv(environ []string, name string) bool {
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name && v != "" {
			return true
		}
	}
	return false
}

func remote(a net.Addr) string {
	if a == nil {
		return "unknown"
	}
	return a.String()
}

// activity is when a session's screen last read or wrote.
type activity struct{ last atomic.Int64 }

func (a *activity) touch()               { a.last.Store(time.Now().UnixNano()) }
func (a *activity) since() time.Duration { return time.Since(time.Unix(0, a.last.Load())) }

func (a *activity) reader(r io.Reader) io.Reader { return activityReader{r, a} }
func (a *activity) writer(w io.Writer) io.Writer { return activityWriter{w, a} }

type activityReader struct {
	r io.Reader
	a *activity
}

func (r activityReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.a.touch()
	}
	return n, err
}

type activityWriter struct {
	w io.Writer
	a *activity
}

func (w activityWriter) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	if n > 0 {
		w.a.touch()
	}
	return n, err
}

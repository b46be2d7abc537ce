package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/serve"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/store/bolt"
	"github.com/annotate-tool/annotate/internal/termtext"
)

const serveUsage = "annotate serve [--listen ADDR] [--authorized-keys FILE] [--host-key FILE] [--idle-timeout D] [--max-timeout D] [--allow-keyless NAME] [--overlap K] [--claim-timeout D]"

// shutdownGrace is how long a stopping server waits for its sessions to
// leave before it closes them.
const shutdownGrace = 10 * time.Second

// runServe serves the screen over SSH until SIGINT or SIGTERM: one screen
// per session, every session on this process's one open database.
func runServe(e *env, args []string) error {
	fs := e.newFlags("serve")
	listen := fs.String("listen", serve.DefaultAddr, "the address (`ADDR`) to listen on, host:port (another host than 127.0.0.1 opens the server to the network)")
	keysPath := fs.String("authorized-keys", "", "the `FILE` of the annotators' public keys, in OpenSSH authorized_keys format, the name as annotator=\"NAME\" or the key's comment (default: the database's path + .authorized_keys; for PostgreSQL, serve.authorized_keys in the config folder)")
	hostKey := fs.String("host-key", "", "the `FILE` of the server's private host key, made on first start (default: the database's path + .hostkey; for PostgreSQL, serve.hostkey in the config folder)")
	idle := fs.Duration("idle-timeout", serve.DefaultIdleTimeout, "close a connection that sends and receives nothing this long (0: never)")
	maxTime := fs.Duration("max-timeout", serve.DefaultMaxTimeout, "close any connection after this long (0: never)")
	guest := fs.String("allow-keyless", "", "let clients without an authorized key in, read-only, as the guest `NAME`")
	overlap := fs.Int("overlap", 0, "hand the articles out, each to `K` annotators (0: everyone picks from the queue)")
	claimTimeout := fs.Duration("claim-timeout", serve.DefaultClaimTimeout, "how long an article handed out stays an annotator's without a save")
	rest, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return errUsage{"serve takes no arguments: " + serveUsage}
	}
	if *overlap < 0 || *claimTimeout <= 0 {
		return errUsage{"--overlap takes a number of annotators (1 or more; 0: no assignment) and --claim-timeout a duration such as 30m"}
	}
	if *idle < 0 || *maxTime < 0 {
		return errUsage{"--idle-timeout and --max-timeout take a duration such as 30m or 12h (0: no limit)"}
	}
	if flagSet(fs, "allow-keyless") {
		if err := serve.CheckAnnotator("--allow-keyless name", *guest); err != nil {
			return errUsage{err.Error()}
		}
	}
	base := e.serveFilesBase()
	keys, keysFrom, err := loadServeKeys(*keysPath, base+".authorized_keys", *guest != "")
	if err != nil {
		return err
	}
	// The screens served use the keys file of the account serving, like
	// the screen run here; one that cannot be used stops the server.
	keymap, keymapPath, err := e.keymap()
	if err != nil {
		return err
	}
	hostKeyPath := *hostKey
	if hostKeyPath == "" {
		hostKeyPath = base + ".hostkey"
	}

	db, schema, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	if err := checkServedNames(db, keys, keysFrom, *guest); err != nil {
		return err
	}
	log, closeLog := e.logger()
	defer closeLog()
	// The SSH library logs its own troubles (a panic in a connection)
	// through the default logger: into the log file too, not over the
	// operator's terminal.
	prev := slog.Default()
	slog.SetDefault(log)
	defer slog.SetDefault(prev)

	hub := store.NewHub()
	srv, err := serve.New(serve.Options{Store: db, Schema: schema, HostKeyPath: hostKeyPath, Keys: keys,
		Guest: *guest, IdleTimeout: *idle, MaxTimeout: *maxTime, Logger: log,
		Hub: hub, Overlap: *overlap, ClaimTimeout: *claimTimeout, KeyMap: keymap})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Commands in other terminals write the file directly (the file is
	// opened per transaction, so they keep working while the server
	// runs): the server looks for their writes every second and the
	// screens reread.
	// (PostgreSQL: every writer is another connection to the server;
	// the screens see their changes when they reread.)
	if f, ok := db.(*bolt.DB); ok {
		go f.WatchFile(ctx, time.Second, func() { hub.Publish(store.Event{}) })
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	addr := ln.Addr().String()

	out := termtext.Writer(e.stdout)
	made := ""
	if srv.HostKeyCreated() {
		made = ", new"
	}
	who := fmt.Sprintf("%d authorized %s for %d %s from %s", keys.Len(), plural(keys.Len(), "key", "keys"),
		keys.Annotators(), plural(keys.Annotators(), "annotator", "annotators"), keysFrom)
	if keys == nil {
		who = "no authorized keys"
	}
	guests := "no guests"
	if *guest != "" {
		guests = fmt.Sprintf("keyless guests read-only as %q", *guest)
	}
	assign := "annotators pick from the queue"
	if *overlap > 0 {
		assign = fmt.Sprintf("each article handed to %d %s (claims lapse after %v idle)", *overlap, plural(*overlap, "annotator", "annotators"), *claimTimeout)
	}
	keyFile := "default keys"
	if keymap != nil {
		keyFile = "keys from " + keymapPath
	}
	fmt.Fprintf(out, "annotate serve: listening on %s (host key %s%s, in %s); %s; %s; %s; %s; database %s; Ctrl-C stops\n",
		addr, srv.HostKeyFingerprint(), made, hostKeyPath, who, guests, assign, keyFile, e.location())
	log.Info("serve started", "listen", addr, "host_key", srv.HostKeyFingerprint(), "keys", keys.Len(),
		"guest", *guest, "database", e.location(), "idle_timeout", idle.String(), "max_timeout", maxTime.String(), "overlap", *overlap, "claim_timeout", claimTimeout.String())

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		log.Error("serve stopped", "error", fmt.Sprint(err))
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	stop()
	fmt.Fprintln(out, "annotate serve: stopping; telling every open screen")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	shutErr := srv.Shutdown(sctx)
	if err := <-served; err != nil && shutErr == nil {
		shutErr = err
	}
	if errors.Is(shutErr, context.DeadlineExceeded) {
		// Clients that stay connected after being told are closed: that
		// is the end of a normal stop, not a failure.
		fmt.Fprintf(out, "annotate serve: closed the connections still open after %v\n", shutdownGrace)
		log.Info("serve stopped", "closed_after", shutdownGrace.String())
		shutErr = nil
	} else if shutErr == nil {
		log.Info("serve stopped")
	}
	if shutErr != nil {
		log.Error("serve stopped", "error", shutErr.Error())
		return shutErr
	}
	fmt.Fprintln(out, "annotate serve: stopped")
	return nil
}

// loadServeKeys reads the authorized keys: the file given, else the one
// beside the database. Without either, only guests may come, if allowed.
func loadServeKeys(given, beside string, guests bool) (*serve.AuthorizedKeys, string, error) {
	path := given
	if path == "" {
		path = beside
	}
	keys, err := serve.LoadAuthorizedKeys(path)
	switch {
	case err == nil:
		return keys, path, nil
	case errors.Is(err, fs.ErrNotExist) && given == "" && guests:
		return nil, "", nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, "", fmt.Errorf("authorized keys %s: no such file: write one line per annotator, as annotator=\"NAME\" ssh-ed25519 AAAA..., or pass --authorized-keys FILE", path)
	}
	return nil, "", err
}

// checkServedNames refuses keys (and a guest name) naming an annotator
// that looks like one of the database's but is not it: such a session
// would start a new annotator for good.
func checkServedNames(db store.Store, keys *serve.AuthorizedKeys, keysFrom, guest string) error {
	r, ok := db.(store.Roster)
	if !ok {
		return nil
	}
	all, err := r.Annotators()
	if err != nil {
		return err
	}
	names := store.Names(all)
	var sim *model.SimilarNameError
	for _, n := range keys.Names() {
		if errors.As(model.SimilarAnnotator(n, names), &sim) {
			return fmt.Errorf("authorized keys %s: %w: did you mean %s? (correct the name in the file)", keysFrom, sim, sim.Existing)
		}
	}
	if guest != "" && errors.As(model.SimilarAnnotator(guest, names), &sim) {
		return errUsage{fmt.Sprintf("--allow-keyless: %v: did you mean %s?", sim, sim.Existing)}
	}
	return nil
}

// serveFilesBase is where serve's own files (host key, authorized keys)
// are by default: beside a database file; for a PostgreSQL URL, which is
// no path (and may hold a password), in the user's config folder
// (`$XDG_CONFIG_HOME/annotate/serve`, else ~/.config/annotate/serve).
func (e *env) serveFilesBase() string {
	if e.onPostgres() {
		return filepath.Join(filepath.Dir(e.keymapPath()), "serve")
	}
	return e.dbPath
}

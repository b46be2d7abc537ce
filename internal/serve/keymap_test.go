package serve

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/tui"
)

// TestSessionsGetTheKeyMap: every session's screen gets the server's key
// bindings (the keys file of the account serving).
func TestSessionsGetTheKeyMap(t *testing.T) {
	km, err := tui.ParseKeymap(strings.NewReader("queue.search = s\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{opts: Options{Store: openStore(t), Hub: store.NewHub(), KeyMap: &km}, log: slog.New(slog.DiscardHandler)}
	s.addr.Store("127.0.0.1:2222")
	for _, id := range []identity{{annotator: "alice"}, {annotator: "visitor", guest: true}} {
		o, done := s.sessionOptions(id, "xterm", nil)
		if o.Keys != &km {
			t.Errorf("%s's screen: keys %p, want the server's %p", id.annotator, o.Keys, &km)
		}
		done()
	}
	s.opts.KeyMap = nil
	o, done := s.sessionOptions(identity{annotator: "alice"}, "xterm", nil)
	defer done()
	if o.Keys != nil {
		t.Errorf("no key map: the screen gets %p", o.Keys)
	}
}

package serve

import (
	"fmt"
	"runtime/debug"
	"sync"

	tea "charm.land/bubbletea/v2"
)

// panicReport is a panic caught in one session: its value and the stack
// where it happened.
type panicReport struct {
	value any
	stack []byte
}

func (p *panicReport) String() string { return fmt.Sprint(p.value) }

// newPanicReport is called in the deferred function that recovered r, so
// the stack still shows where the panic happened.
func newPanicReport(r any) *panicReport { return &panicReport{value: r, stack: debug.Stack()} }

// guard runs a session's screen so that a panic in it ends that session
// only. Bubble Tea catches panics itself, but prints them to the server
// process's standard error and loses them for the log; guard catches them
// first, in Init, Update, View and in every command the screen returns
// (commands run on goroutines of their own, where a panic would otherwise
// end the whole process), keeps the first with its stack, and quits.
type guard struct {
	inner tea.Model

	mu      sync.Mutex
	crashed *panicReport
	// shutdown is set when the server asked the screen to end.
	shutdown bool
	// quit ends the program from outside its loop (after a panic in View,
	// which cannot return a command).
	quit func()
}

// sessionPanicMsg carries a panic caught in a command back to Update.
type sessionPanicMsg struct{ report *panicReport }

// shutdownMsg asks the screen to end because the server is stopping.
type shutdownMsg struct{}

func newGuard(m tea.Model) *guard { return &guard{inner: m} }

// report returns the first panic caught, if any.
func (g *guard) report() *panicReport {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.crashed
}

func (g *guard) stopping() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.shutdown
}

func (g *guard) dead() bool { return g.report() != nil }

// catch records a recovered panic (the first one wins).
func (g *guard) catch(r any) {
	rep := newPanicReport(r)
	g.mu.Lock()
	if g.crashed == nil {
		g.crashed = rep
	}
	g.mu.Unlock()
}

func (g *guard) Init() (cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			g.catch(r)
			cmd = tea.Quit
		}
	}()
	return g.wrap(g.inner.Init())
}

func (g *guard) Update(msg tea.Msg) (next tea.Model, cmd tea.Cmd) {
	if g.dead() {
		// The screen's state is whatever the panic left: never touch it
		// again, only leave.
		return g, tea.Quit
	}
	switch msg := msg.(type) {
	case sessionPanicMsg:
		g.mu.Lock()
		if g.crashed == nil {
			g.crashed = msg.report
		}
		g.mu.Unlock()
		return g, tea.Quit
	case shutdownMsg:
		g.mu.Lock()
		g.shutdown = true
		g.mu.Unlock()
		return g, tea.Quit
	}
	defer func() {
		if r := recover(); r != nil {
			g.catch(r)
			next, cmd = g, tea.Quit
		}
	}()
	inner, c := g.inner.Update(msg)
	if inner != nil {
		g.inner = inner
	}
	return g, g.wrap(c)
}

func (g *guard) View() (v tea.View) {
	if g.dead() {
		return tea.View{}
	}
	defer func() {
		if r := recover(); r != nil {
			g.catch(r)
			v = tea.View{}
			if g.quit != nil {
				// View runs inside the program's loop: asking it to quit
				// from here would wait on itself.
				go g.quit()
			}
		}
	}()
	return g.inner.View()
}

// wrap returns cmd running under a recover: a panic becomes a message
// that ends the session. A batch's commands are wrapped in turn when the
// batch is unpacked.
func (g *guard) wrap(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = sessionPanicMsg{newPanicReport(r)}
			}
		}()
		msg = cmd()
		if batch, ok := msg.(tea.BatchMsg); ok {
			wrapped := make(tea.BatchMsg, len(batch))
			for i, c := range batch {
				wrapped[i] = g.wrap(c)
			}
			return wrapped
		}
		return msg
	}
}

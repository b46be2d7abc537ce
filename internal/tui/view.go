package tui

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/termtext"
)

// View draws the screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "annotate"
	return v
}

// Render returns the screen's content: exactly height lines of width cells.
func (m *Model) Render() string {
	if m.width < 20 || m.height < 6 {
		// Too small to lay out: say so in what room there is.
		lines := make([]string, max(1, m.height))
		lines[0] = "window too small"
		return block(lines, max(1, m.width), max(1, m.height))
	}
	if m.gate != nil {
		return safeFrame(m.gate.render(m.styles, m.opts.Location, m.width, m.height))
	}
	var body string
	switch {
	case m.showHelp:
		body = m.renderHelp(m.height - 2)
	case m.screen == screenQueue:
		body = m.renderQueue(m.height - 3)
	default:
		body = m.renderArticleScreen()
	}
	lines := []string{m.renderTitle(), body, m.renderStatus(), m.renderHelpLine()}
	if m.showHelp {
		lines = []string{m.renderTitle(), body, m.renderStatus()}
	}
	return safeFrame(strings.Join(lines, "\n"))
}

// safeFrame is the last guard on what reaches the terminal: the styling
// sequences the screen writes (SGR: ESC [ … m) pass, and any other escape
// sequence or control character that got into a frame from outside is
// drawn as its placeholder. Every piece of outside text is already drawn
// through internal/termtext; this keeps a slip from becoming an attack.
func safeFrame(f string) string {
	// Find the first thing to replace; most frames have none.
	first := -1
	for i := 0; i < len(f); {
		c := f[i]
		if c == 0x1b {
			if j := sgrEnd(f, i); j > 0 {
				i = j
				continue
			}
		}
		if c < 0x80 {
			if (c < 0x20 && c != '\n') || c == 0x7f {
				first = i
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(f[i:])
		if model.UnsafeRune(r) || r == utf8.RuneError {
			first = i
			break
		}
		i += n
	}
	if first < 0 {
		return f
	}
	var b strings.Builder
	b.Grow(len(f) + 64)
	b.WriteString(f[:first])
	for i := first; i < len(f); {
		if f[i] == 0x1b {
			if j := sgrEnd(f, i); j > 0 {
				b.WriteString(f[i:j])
				i = j
				continue
			}
		}
		r, n := utf8.DecodeRuneInString(f[i:])
		switch {
		case r == '\n':
			b.WriteByte('\n')
		case r == utf8.RuneError && n <= 1:
			b.WriteRune('�')
		default:
			p, _ := termtext.Placeholder(r)
			b.WriteRune(p)
		}
		i += n
	}
	return b.String()
}

// sgrEnd returns the end of the SGR sequence (ESC [ digits ; : m) at i, or
// 0 when there is none.
func sgrEnd(f string, i int) int {
	if i+1 >= len(f) || f[i+1] != '[' {
		return 0
	}
	for j := i + 2; j < len(f); j++ {
		switch c := f[j]; {
		case c >= '0' && c <= '9', c == ';', c == ':':
		case c == 'm':
			return j + 1
		default:
			return 0
		}
	}
	return 0
}

// fit cuts or pads s (which may hold styles) to exactly w cells.
func fit(s string, w int) string {
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		// A cut before a two-cell character leaves one cell over.
		sw = ansi.StringWidth(s)
	}
	return s + spaces(max(0, w-sw))
}

// block pads a list of lines to h lines of w cells.
func block(lines []string, w, h int) string {
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = fit(lines[i], w)
		} else {
			out[i] = spaces(w)
		}
	}
	return strings.Join(out, "\n")
}

func (m *Model) renderTitle() string {
	who := m.styles.Title.Render("annotate") + m.styles.Subtle.Render(" · "+termtext.Line(m.opts.Annotator))
	where := termtext.Line(m.opts.Location)
	right := ""
	if m.screen == screenArticle && m.doc != nil {
		// What must stay: the status and where the view is; the title and
		// the database's path give way first.
		_, h, _ := m.paneSizes()
		n := len(m.lay.starts)
		pos := fmt.Sprintf("lines %d-%d of %d", m.top+1, min(m.top+h, n), n)
		info := m.styles.Subtle.Render(fmt.Sprintf("  %s · %s", strings.ReplaceAll(string(m.ann.Status), "_", " "), pos))
		room := m.width - ansi.StringWidth(who) - ansi.StringWidth(info) - 2
		title := termtext.Line(m.doc.article.Title)
		right = m.styles.Accent.Render(ansi.Truncate(title, max(0, min(room, m.width/2)), "…")) + info
		where = ""
	}
	left := who
	if where != "" {
		room := m.width - ansi.StringWidth(who) - ansi.StringWidth(right) - 4
		if ansi.StringWidth(where) > room {
			where = ansi.TruncateLeft(where, ansi.StringWidth(where)-max(0, room-1), "…")
		}
		if room > 4 {
			left += m.styles.Subtle.Render(" · " + where)
		}
	}
	gap := m.width - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 1 {
		return fit(left+" "+right, m.width)
	}
	return left + spaces(gap) + right
}

func (m *Model) renderStatus() string {
	if m.prompt != nil && (m.prompt.kind == promptFind || m.prompt.kind == promptQueueSearch) {
		return fit(m.styles.Accent.Render(m.prompt.title+": ")+m.prompt.view(), m.width)
	}
	var parts []string
	if m.saving {
		parts = append(parts, m.styles.Accent.Render("saving…"))
	}
	info := ""
	if m.screen == screenArticle && m.doc != nil && !m.showHelp {
		info = "sel " + m.selectionInfo()
		if m.extend {
			info = "extending " + info
		}
		if s, ok := m.spanUnderCursor(); ok {
			info += " · on " + m.styles.Chip(s.Label).Render(termtext.Line(s.Label)) + " " + s.ID
		}
	}
	if m.message != "" {
		st := m.styles.Subtle
		if m.isError {
			st = m.styles.Error
		}
		// A message too long for the line is cut between words, not
		// inside one.
		room := m.width - 3 - ansi.StringWidth(info) - 2*len(parts)
		if m.isError || info == "" {
			room = m.width - 3
		}
		parts = append(parts, st.Render(cutWords(termtext.Line(m.message), room)))
	}
	if info != "" {
		if m.isError {
			// A warning comes first, so a narrow window still shows it.
			parts = append(parts, info)
		} else {
			parts = append([]string{info}, parts...)
		}
	}
	return fit(" "+strings.Join(parts, "  "), m.width)
}

// selectionInfo describes the selection for the status line: its text in
// quotes, both ends of a long one (start … end), and its length in
// characters when it is more than one word.
func (m *Model) selectionInfo() string {
	words := strings.Fields(termtext.Line(m.selectedText()))
	text := strings.Join(words, " ")
	n := utf8.RuneCountInString(m.selectedText())
	const keep = 24 // characters shown of each end, in whole words
	if utf8.RuneCountInString(text) > 2*keep+3 {
		head, tail := 0, len(words)
		for w := 0; head < len(words) && w+utf8.RuneCountInString(words[head]) <= keep; head++ {
			w += utf8.RuneCountInString(words[head]) + 1
		}
		for w := 0; tail > head+1 && w+utf8.RuneCountInString(words[tail-1]) <= keep; tail-- {
			w += utf8.RuneCountInString(words[tail-1]) + 1
		}
		first, last := strings.Join(words[:max(head, 1)], " "), strings.Join(words[min(tail, len(words)-1):], " ")
		text = ansi.Truncate(first, keep, "…") + " … " + ansi.TruncateLeft(last, max(0, ansi.StringWidth(last)-keep), "…")
	}
	if text == "" && n > 0 {
		return fmt.Sprintf("white space (%d chars)", n)
	}
	if m.extend || strings.ContainsAny(m.selectedText(), " \t\n") {
		return fmt.Sprintf("“%s” (%d chars)", text, n)
	}
	return "“" + text + "”"
}

// renderHelpLine shows the keys that matter where the focus is: the
// ShortHelp of the focus's key groups.
func (m *Model) renderHelpLine() string {
	f := m.keyFocus()
	// The line changes only with where the focus is and the width.
	ck := helpLineKey{focus: f, width: m.width, dark: m.styles.Dark}
	if line, ok := m.helpLines[ck]; ok {
		return line
	}
	if m.helpLines == nil {
		m.helpLines = map[helpLineKey]string{}
	}
	line := m.drawHelpLine(f, focusSpecs[f].hint(m.keys))
	m.helpLines[ck] = line
	return line
}

// helpLineKey is what the key hint line depends on.
type helpLineKey struct {
	focus keyFocus
	width int
	dark  bool
}

// drawHelpLine lays the key hint out: as many keys as fit, always ending
// with the key that shows the others.
func (m *Model) drawHelpLine(f keyFocus, bs []key.Binding) string {
	sep := m.styles.Help.Render(" · ")
	tail := m.styles.HelpKey.Render(termtext.Line(m.keys.helpKey(f))) + " " + m.styles.Help.Render(m.keys.Global.Help.Help().Desc)
	// The way out of where you are (q quit, q queue, esc) is always on
	// the line, however narrow: it used to be the first key dropped.
	out := m.exitKey(f)
	if h := out.Help(); out.Enabled() && len(out.Keys()) > 0 && h.Key != "" {
		tail = m.styles.HelpKey.Render(termtext.Line(h.Key)) + " " + m.styles.Help.Render(h.Desc) + sep + tail
	}
	line := ""
	for _, b := range bs {
		h := b.Help()
		if h == m.keys.Global.Help.Help() || h == out.Help() || !b.Enabled() || len(b.Keys()) == 0 {
			continue
		}
		part := m.styles.HelpKey.Render(termtext.Line(h.Key)) + " " + m.styles.Help.Render(h.Desc)
		if ansi.StringWidth(" "+line+part+sep+tail) > m.width {
			break
		}
		line += part + sep
	}
	return fit(" "+line+tail, m.width)
}

// renderHelp draws the key list, scrolled to helpTop.
func (m *Model) renderHelp(h int) string {
	lines := m.helpContent()
	top := min(m.helpTop, max(0, len(lines)-h))
	return block(lines[top:], m.width, h)
}

// helpContent lists the keys in force, laid out for the window's width:
// first those of the focus the overlay was opened from (FullHelp of its
// groups), then the others, each binding with all its keys.
func (m *Model) helpContent() []string {
	k := m.keys
	f := m.keyFocus()
	here := focusSpecs[f].sections(k)
	var elsewhere []keySection
	if m.opts.Review != nil && f != focusReview {
		elsewhere = append(elsewhere, k.Review.sections()...)
	}
	if m.opts.Review != nil && f == focusQueue {
		here = append(here, keySection{"Review (queue)", []key.Binding{k.Review.AcceptAgreed}})
	}
	for _, g := range []keyFocus{focusQueue, focusArticleText, focusEntities, focusLists, focusForm, focusPrompt} {
		if g == f {
			continue
		}
		for _, s := range focusSpecs[g].sections(k) {
			if !slices.ContainsFunc(here, func(h keySection) bool { return h.title == s.title }) &&
				!slices.ContainsFunc(elsewhere, func(h keySection) bool { return h.title == s.title }) {
				elsewhere = append(elsewhere, s)
			}
		}
	}
	if m.hasComments() && f != focusComments {
		elsewhere = append(elsewhere, k.Review.commentSections()...)
	}
	keysOf := func(b key.Binding) string { return m.styles.HelpKey.Render(termtext.Line(fullLabel(b))) }
	a := k.Article
	var lines []string
	lines = append(lines, m.styles.Title.Render("Keys")+"  "+keysOf(k.Global.Help)+" this help · "+keysOf(k.Global.Quit)+" quit"+
		m.styles.Subtle.Render(" · "+termtext.Line(pair(a.LineDown, a.LineUp, "").Help().Key)+" scroll · any other key closes"))
	var labels []string
	for _, l := range m.opts.Schema.Labels {
		if l.Key != "" {
			labels = append(labels, termtext.Line(l.Key)+" "+m.styles.Chip(l.Name).Render(termtext.Line(l.Name)))
		}
	}
	lines = append(lines, m.styles.Accent.Render("Labels:")+" "+strings.Join(labels, " "))
	section := func(s keySection) {
		var items []string
		for _, b := range s.keys {
			if len(b.Keys()) == 0 {
				continue
			}
			items = append(items, keysOf(b)+" "+b.Help().Desc)
		}
		lines = append(lines, flow(m.styles.Accent.Render(s.title+":"), items, m.width)...)
	}
	lines = append(lines, m.styles.Title.Render("Here, in "+focusSpecs[f].name))
	for _, s := range here {
		section(s)
	}
	lines = append(lines, m.styles.Title.Render("Elsewhere"))
	for _, s := range elsewhere {
		section(s)
	}
	return lines
}

// flow lays items out after a heading, as many to a line as fit.
func flow(heading string, items []string, w int) []string {
	var lines []string
	line := heading
	sep := " "
	for _, it := range items {
		if ansi.StringWidth(line)+len(sep)+ansi.StringWidth(it) > w-1 && line != heading {
			lines = append(lines, line)
			line, sep = "   ", ""
		}
		line += sep + it
		sep = " · "
	}
	return append(lines, line)
}

// The queue.

func (m *Model) renderQueue(h int) string {
	var lines []string
	// The counts are the store's, over every article (the queue holds a
	// page); review counts the articles it lists.
	counts := m.qt.counts
	total := 0
	if m.opts.Review != nil || counts == nil {
		counts = map[model.Status]int{}
		for _, s := range m.qt.page {
			if m.opts.Review != nil && !m.reviewable(s) {
				continue
			}
			counts[m.status(s)]++
		}
	}
	for _, n := range counts {
		total += n
	}
	finished := counts[model.StatusDone] + counts[model.StatusSkipped]
	if !m.qt.ready {
		return block([]string{" loading…"}, m.width, h)
	}
	if total == 0 {
		lines = append(lines, "", m.styles.Title.Render(" No articles yet."), "",
			" Import some from another terminal, then press R here to reload:", "",
			m.styles.Accent.Render("   annotate import path/to/articles/"),
			m.styles.Subtle.Render("   (.txt and .md: one article per file; .jsonl: one {\"text\": ...} per line; .csv with a text column)"),
			"", " Or try the built-in samples:  "+m.styles.Accent.Render("annotate demo"))
		return block(lines, m.width, h)
	}
	barW := min(40, max(10, m.width-60))
	filled := 0
	if total > 0 {
		filled = finished * barW / total
	}
	bar := m.styles.Bar.Render(strings.Repeat("█", filled)) + m.styles.BarEmpty.Render(strings.Repeat("░", barW-filled))
	lines = append(lines, fmt.Sprintf(" %s %d/%d finished   %s", bar, finished, total,
		m.styles.Subtle.Render(fmt.Sprintf("todo %d · in progress %d · done %d · skipped %d",
			counts[model.StatusTodo], counts[model.StatusInProgress], counts[model.StatusDone], counts[model.StatusSkipped]))))
	// Filter tabs.
	tabs := []string{"all"}
	for _, s := range model.Statuses {
		tabs = append(tabs, strings.ReplaceAll(string(s), "_", " "))
	}
	var tl []string
	for i, t := range tabs {
		if i == m.qt.filter {
			// Named in words and marked, not only by colour.
			tl = append(tl, m.styles.TabActive.Render("["+t+"]"))
		} else {
			tl = append(tl, m.styles.Tab.Render(" "+t+" "))
		}
	}
	filterLine := " " + strings.Join(tl, " ")
	if m.qt.results != nil {
		filterLine += m.styles.Accent.Render(fmt.Sprintf("   search %s: %d matches (esc clears)", quote(m.qt.search), len(m.qt.results)))
	}
	// The columns, named (the counts are the annotator's mentions, claims
	// and incidents in each article).
	header := ""
	if m.opts.Review == nil {
		header = m.styles.Subtle.Render(fit(fmt.Sprintf("%s %-11s %7s %9s  %s", "  ", "status", "chars", "men cl in", "title"), m.width))
	}
	lines = append(lines, filterLine, header)
	items := m.visibleQueue()
	listH := h - len(lines)
	first, last := m.qt.window(len(items), listH)
	if len(items) == 0 {
		lines = append(lines, m.styles.Subtle.Render(" no articles here"))
	}
	// Other annotators' statuses, when any article shown has some: a
	// team sees each other's progress (names and glyphs, one column).
	othersW, othersMax := 0, min(24, max(8, (m.width-40)/4))
	others := map[int]string{}
	if m.opts.Review == nil {
		for i := first; i < last; i++ {
			others[i] = m.others(items[i], othersMax)
			if w := ansi.StringWidth(others[i]); w > othersW {
				othersW = w
			}
		}
	}
	for i := first; i < last; i++ {
		s := items[i]
		st := m.status(s)
		glyph := statusGlyph[st]
		title := termtext.Line(s.Title)
		// A review state goes before the title, in words: "↩ returned"
		// in the annotator's queue, hers in the reviewer's.
		reviewOf := m.opts.Annotator
		if m.single() {
			reviewOf = m.opts.Review.Annotators[0]
		}
		if mark := reviewStateMark(s.Reviews[reviewOf]); mark != "" && (m.opts.Review == nil || m.single()) {
			title = mark + " · " + title
		}
		row := fmt.Sprintf("%s%s %-11s %7d %s  %s", m.assignedMark(s), glyph, strings.ReplaceAll(string(st), "_", " "), s.Length, m.rowCounts(s), title)
		if othersW > 0 {
			row = fmt.Sprintf("%s%s %-11s %7d %s  %s  %s", m.assignedMark(s), glyph, strings.ReplaceAll(string(st), "_", " "), s.Length, m.rowCounts(s), padRight(others[i], othersW), title)
		}
		if m.opts.Review != nil {
			// What is left to adjudicate: "≠ 3/12" items to decide.
			count := "  …  "
			if c, ok := m.reviewCounts[s.ID]; ok {
				count = fmt.Sprintf("≠%3d/%-3d", c[0], c[1])
			}
			row = fmt.Sprintf(" %s %-11s %s  %s", glyph, strings.ReplaceAll(string(st), "_", " "), count, title)
		}
		lines = append(lines, m.qt.drawRow(i, row, m.styles, m.width))
	}
	return block(lines, m.width, h)
}

// The article screen.

func (m *Model) renderArticleScreen() string {
	textW, textH, sideW := m.paneSizes()
	showPicker := m.prompt != nil && m.prompt.kind != promptFind && m.prompt.kind != promptQueueSearch
	innerW := sideW - 4
	leftFocused := m.focus == focusArticle && !showPicker
	rightFocused := m.focus == focusSide || showPicker
	var left, right []string
	if m.wide() || leftFocused {
		left = m.renderText(textW, textH)
	}
	if m.wide() || rightFocused {
		var side string
		if showPicker {
			side = m.renderPicker(innerW, textH)
		} else {
			side = m.renderSide(innerW, textH)
		}
		right = strings.Split(side, "\n")
	}
	// One builder for the whole body: each line's width is known, so
	// nothing is measured again, and lines are not copied twice.
	var b strings.Builder
	b.Grow((textW+innerW+12)*(textH+2)*3 + 64)
	lf := m.frame(textW, leftFocused)
	rf := m.frame(innerW, rightFocused)
	row := func(i int) {
		if i > 0 {
			b.WriteByte('\n')
		}
		if left != nil {
			writeBoxLine(&b, lf, left, i, textH)
		}
		if right != nil {
			writeBoxLine(&b, rf, right, i, textH)
		}
	}
	switch {
	case m.wide():
	case rightFocused:
		left = nil
	default:
		right = nil
	}
	for i := 0; i < textH+2; i++ {
		row(i)
	}
	return b.String()
}

// writeBoxLine writes row i of a framed pane of h lines: the top rule, a
// line between the sides, or the bottom rule.
func writeBoxLine(b *strings.Builder, f [4]string, lines []string, i, h int) {
	switch {
	case i == 0:
		b.WriteString(f[0])
	case i == h+1:
		b.WriteString(f[3])
	default:
		b.WriteString(f[1])
		if i-1 < len(lines) {
			b.WriteString(lines[i-1])
		}
		b.WriteString(f[2])
	}
}

// frame returns a pane's frame pieces for an inner width: top rule, left
// side, right side, bottom rule (padding included), drawn once per width.
func (m *Model) frame(w int, focused bool) [4]string {
	fk := frameKey{w: w, focused: focused, dark: m.styles.Dark}
	if f, ok := m.frames[fk]; ok {
		return f
	}
	st, g := m.styles.BorderLine, m.styles.BorderGlyphs
	if focused {
		st, g = m.styles.FocusedLine, m.styles.FocusedGlyphs
	}
	f := [4]string{st.Render(g.TopLeft + strings.Repeat(g.Top, w+2) + g.TopRight),
		st.Render(g.Left) + " ", " " + st.Render(g.Right),
		st.Render(g.BottomLeft + strings.Repeat(g.Bottom, w+2) + g.BottomRight)}
	if m.frames == nil {
		m.frames = map[frameKey][4]string{}
	}
	m.frames[fk] = f
	return f
}

// frameKey is what a pane's frame depends on.
type frameKey struct {
	w       int
	focused bool
	dark    bool
}

// styleKey identifies how one cell of article text is drawn.
type styleKey struct {
	label    string
	nested   bool
	selected bool
	head     bool
	match    bool
	suggest  string // the label of a suggestion here
}

// renderText draws the visible lines of the article, and only those: the
// cost of a frame depends on the pane's size, not the article's length.
func (m *Model) renderText(w, h int) []string {
	d := m.doc
	if d == nil {
		return strings.Split(block(nil, w, h), "\n")
	}
	end := min(m.top+h, len(m.lay.starts))
	if m.top >= end {
		return strings.Split(block(nil, w, h), "\n")
	}
	winStart, winEnd := m.lay.starts[m.top], m.lay.ends[end-1]
	// The spans that touch the window.
	var visible []model.Span
	for _, s := range m.spans {
		if s.Start >= winEnd {
			break
		}
		if s.End > winStart {
			visible = append(visible, s)
		}
	}
	sel := m.selection()
	// The open suggestions that touch the window.
	var sugg []Suggestion
	for _, s := range m.live {
		if s.Start >= winEnd {
			break
		}
		if s.End > winStart {
			sugg = append(sugg, s)
		}
	}
	lines := make([]string, 0, h)
	var onLine []model.Span
	for line := m.top; line < end; line++ {
		// Only the spans on this line are looked at for its characters.
		ls, le := m.lay.starts[line], m.lay.ends[line]
		onLine = onLine[:0]
		for _, s := range visible {
			if s.Start < le && s.End > ls {
				onLine = append(onLine, s)
			}
		}
		var b strings.Builder
		b.Grow(2*(le-ls) + w + 64)
		cur := styleKey{}
		open := false // a style's prefix is written and not yet closed
		flush := func() {
			if open {
				b.WriteString(m.sgr(cur)[1])
				open = false
			}
		}
		col := 0
		for off := m.lay.starts[line]; off < m.lay.ends[line]; {
			c := clusterAt(d.text, off, col)
			k := styleKey{}
			inner := -1
			covering := 0
			for i, s := range onLine {
				if s.Start <= off && off < s.End {
					covering++
					if inner < 0 || s.End-s.Start < onLine[inner].End-onLine[inner].Start {
						inner = i
					}
				}
			}
			if inner >= 0 {
				k.label = onLine[inner].Label
				k.nested = covering > 1
			} else {
				for _, sg := range sugg {
					if sg.Start <= off && off < sg.End {
						k.suggest = sg.Label
						break
					}
				}
			}
			k.selected = sel.Start <= off && off < sel.End
			for _, r := range m.highlights {
				if r.Start <= off && off < r.End {
					k.match = true
					break
				}
			}
			k.head = m.extend && m.head.Start <= off && off < m.head.End
			if k != cur || !open {
				flush()
				cur = k
				b.WriteString(m.sgr(cur)[0])
				open = true
			}
			b.WriteString(c.show)
			col += c.width
			off = c.end
		}
		flush()
		b.WriteString(spaces(max(0, w-col)))
		lines = append(lines, b.String())
	}
	for len(lines) < h {
		lines = append(lines, spaces(w))
	}
	return lines
}

// sgr returns the escape sequences that open and close a cell style, made
// once per style: drawing a line then costs no width measurement.
func (m *Model) sgr(k styleKey) [2]string {
	if v, ok := m.sgrCache[k]; ok {
		return v
	}
	const mark = "\x01"
	r := m.cellStyle(k).Render(mark)
	i := strings.Index(r, mark)
	v := [2]string{}
	if i >= 0 {
		v = [2]string{r[:i], r[i+len(mark):]}
	}
	if m.sgrCache == nil {
		m.sgrCache = map[styleKey][2]string{}
	}
	m.sgrCache[k] = v
	return v
}

func (m *Model) cellStyle(k styleKey) lipgloss.Style {
	var st lipgloss.Style
	switch {
	case k.head:
		st = m.styles.Cursor
	case k.selected:
		st = m.styles.Selection
		if k.label != "" {
			st = st.Underline(true)
		}
	case k.label != "":
		st = m.styles.Label(k.label)
	case k.suggest != "":
		st = m.styles.Suggestion(k.suggest)
	case k.match:
		st = m.styles.Highlight
	default:
		st = m.styles.App
	}
	if k.match && k.label != "" {
		st = st.Underline(true)
	}
	if k.nested {
		st = st.Underline(true).Bold(true)
	}
	return st
}

// renderSide draws the right-hand pane: tabs and the current tab's list.
func (m *Model) renderSide(w, h int) string {
	var tl []string
	for i, t := range tabNames[:m.tabCount()] {
		// The active tab is marked, not only coloured (NO_COLOR).
		if i == m.sideTab {
			tl = append(tl, m.styles.TabActive.Render("["+t+"]"))
		} else {
			tl = append(tl, m.styles.Tab.Render(" "+t+" "))
		}
	}
	lines := []string{strings.Join(tl, " "), m.styles.Subtle.Render(strings.Repeat("─", w))}
	listH := h - len(lines)
	switch m.sideTab {
	case tabEntities:
		if m.form != nil {
			lines = append(lines, m.renderForm(w, listH)...)
			break
		}
		lines = append(lines, m.renderEntities(w, listH)...)
	case tabReview:
		lines = append(lines, m.renderReview(w, listH)...)
	default:
		if m.form != nil {
			lines = append(lines, m.renderForm(w, listH)...)
		} else {
			lines = append(lines, m.renderList(w, listH)...)
		}
	}
	return block(lines, w, h)
}

// renderPicker draws a picker: what was typed and the matching choices,
// the highlighted one marked (highlightMark) and coloured.
func (m *Model) renderPicker(w, h int) string {
	p := m.prompt
	lines := []string{m.styles.Title.Render(termtext.Line(p.title)), m.styles.Accent.Render("› ") + p.view(), ""}
	for i, c := range p.matches {
		l, isLabel := m.opts.Schema.Label(c)
		row := fmt.Sprintf("%-6s %s", termtext.Line(c), termtext.Line(l.Description))
		if !isLabel {
			row = termtext.Line(c)
		}
		switch {
		case i == p.cursor:
			lines = append(lines, m.styles.RowActive.Render(fit(highlightMark+row, w)))
		case isLabel:
			lines = append(lines, noMark+m.styles.Chip(c).Render(fmt.Sprintf("%-6s", termtext.Line(c)))+" "+m.styles.Subtle.Render(termtext.Line(l.Description)))
		default:
			lines = append(lines, noMark+row)
		}
	}
	if len(p.matches) == 0 {
		lines = append(lines, m.styles.Subtle.Render("no label matches"))
	}
	return block(lines, w, h)
}

// statusGlyph is a status's mark in the queue.
var statusGlyph = map[model.Status]string{model.StatusTodo: "○", model.StatusInProgress: "◐", model.StatusDone: "●", model.StatusSkipped: "⊘"}

// others is the other annotators' statuses of an article ("bob● carol◐"),
// by name, cut to w columns (gold and the annotator left out).
func (m *Model) others(s store.ArticleSummary, w int) string {
	var names []string
	for who := range s.Statuses {
		if who != m.owner() && who != model.GoldAnnotator {
			names = append(names, who)
		}
	}
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	var b strings.Builder
	for i, who := range names {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(termtext.Line(who))
		b.WriteString(statusGlyph[s.Statuses[who]])
	}
	return ansi.Truncate(b.String(), w, "…")
}

// padRight pads s with spaces to w columns.
func padRight(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// cutWords shortens s to w columns at a word boundary, marking the cut
// with "…" (a single word longer than w is cut inside).
func cutWords(s string, w int) string {
	if w <= 1 || ansi.StringWidth(s) <= w {
		return s
	}
	cut := ansi.Truncate(s, w-1, "")
	if i := strings.LastIndex(cut, " "); i > 0 && ansi.StringWidth(cut[:i]) > w/2 {
		cut = strings.TrimRight(cut[:i], " ·:,")
	}
	return cut + "…"
}

// exitKey is the binding that leaves a focus: the queue quits, the article
// goes back to the queue, the side pane to the article, a form or a prompt
// closes.
func (m *Model) exitKey(f keyFocus) key.Binding {
	k := m.keys
	switch f {
	case focusQueue:
		return k.Queue.Quit
	case focusArticleText:
		return k.Article.Back
	case focusEntities, focusLists, focusReview, focusComments:
		return k.Side.FocusArticle
	case focusForm:
		return k.Form.Back
	case focusPrompt, focusCommentInput:
		return k.Prompt.Cancel
	}
	return key.Binding{}
}

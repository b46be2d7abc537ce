package tui

import (
	"image/color"

	"charm.land/lipgloss/v2"

	"github.com/annotate-tool/annotate/internal/model"
)

// Styles is every style the screen draws with, built from a few semantic
// colours for a dark or light background, or none at all under NO_COLOR.
// It is built once and passed down, never global.
type Styles struct {
	Dark    bool
	NoColor bool

	App     lipgloss.Style
	Title   lipgloss.Style
	Subtle  lipgloss.Style
	Accent  lipgloss.Style
	Error   lipgloss.Style
	Status  lipgloss.Style
	Help    lipgloss.Style
	HelpKey lipgloss.Style
	Border  lipgloss.Style
	Focused lipgloss.Style
	// BorderLine and FocusedLine colour the glyphs of a pane's frame, drawn
	// by box; BorderGlyphs and FocusedGlyphs are the glyphs.
	BorderLine, FocusedLine     lipgloss.Style
	BorderGlyphs, FocusedGlyphs lipgloss.Border
	TabActive                   lipgloss.Style
	Tab                         lipgloss.Style
	Row                         lipgloss.Style
	RowActive                   lipgloss.Style
	Selection                   lipgloss.Style
	Cursor                      lipgloss.Style
	Highlight                   lipgloss.Style
	Bar                         lipgloss.Style
	BarEmpty                    lipgloss.Style
	Invalid                     lipgloss.Style

	labels      map[string]lipgloss.Style
	chips       map[string]lipgloss.Style
	suggestions map[string]lipgloss.Style
}

// NewStyles builds the styles for a dark or light terminal.
func NewStyles(schema *model.Schema, dark, noColor bool) Styles {
	s := Styles{Dark: dark, NoColor: noColor, labels: map[string]lipgloss.Style{}, chips: map[string]lipgloss.Style{},
		suggestions: map[string]lipgloss.Style{}}
	base := lipgloss.NewStyle()
	if noColor {
		s.Title = base.Bold(true)
		s.Subtle = base.Faint(true)
		s.Accent = base.Bold(true)
		s.Error = base.Bold(true)
		s.Status = base
		s.Help = base.Faint(true)
		s.HelpKey = base.Bold(true)
		s.Border = base.Border(lipgloss.NormalBorder())
		s.Focused = base.Border(lipgloss.ThickBorder())
		s.BorderLine, s.FocusedLine = base, base
		s.BorderGlyphs, s.FocusedGlyphs = lipgloss.NormalBorder(), lipgloss.ThickBorder()
		s.TabActive = base.Bold(true).Underline(true)
		s.Tab = base.Faint(true)
		s.Row = base
		s.RowActive = base.Reverse(true)
		s.Selection = base.Reverse(true)
		s.Cursor = base.Reverse(true).Bold(true)
		s.Highlight = base.Underline(true).Bold(true)
		s.Bar = base
		s.BarEmpty = base.Faint(true)
		s.Invalid = base.Bold(true).Underline(true)
		for _, l := range schema.Labels {
			s.labels[l.Name] = base.Underline(true)
			s.chips[l.Name] = base.Bold(true)
			// A suggestion is faint, italic and dashed: never an
			// annotation's plain underline.
			s.suggestions[l.Name] = base.Faint(true).Italic(true).UnderlineStyle(lipgloss.UnderlineDashed)
		}
		return s
	}
	pick := func(darkHex, lightHex string) color.Color {
		if dark {
			return lipgloss.Color(darkHex)
		}
		return lipgloss.Color(lightHex)
	}
	fg := pick("#E6E6E6", "#1A1A1A")
	subtle := pick("#8A8F98", "#6B6F76")
	accent := pick("#7AB8FF", "#0B5FB3")
	errC := pick("#FF7A7A", "#B3261E")
	border := pick("#4A4F57", "#B8BCC2")
	selBg := pick("#F2F2F2", "#202020")
	selFg := pick("#101010", "#FFFFFF")
	rowBg := pick("#2E3440", "#DDE3EA")

	s.App = base.Foreground(fg)
	s.Title = base.Bold(true).Foreground(accent)
	s.Subtle = base.Foreground(subtle)
	s.Accent = base.Foreground(accent).Bold(true)
	s.Error = base.Foreground(errC).Bold(true)
	s.Status = base.Foreground(fg)
	s.Help = base.Foreground(subtle)
	s.HelpKey = base.Foreground(accent)
	s.Border = base.Border(lipgloss.RoundedBorder()).BorderForeground(border)
	s.Focused = base.Border(lipgloss.RoundedBorder()).BorderForeground(accent)
	s.BorderLine, s.FocusedLine = base.Foreground(border), base.Foreground(accent)
	s.BorderGlyphs, s.FocusedGlyphs = lipgloss.RoundedBorder(), lipgloss.RoundedBorder()
	s.TabActive = base.Bold(true).Foreground(accent).Underline(true)
	s.Tab = base.Foreground(subtle)
	s.Row = base.Foreground(fg)
	s.RowActive = base.Background(rowBg).Foreground(fg).Bold(true)
	s.Selection = base.Background(selBg).Foreground(selFg)
	s.Cursor = base.Background(accent).Foreground(selFg).Bold(true)
	s.Highlight = base.Underline(true).Bold(true).Foreground(accent)
	s.Bar = base.Foreground(accent)
	s.BarEmpty = base.Foreground(border)
	s.Invalid = base.Foreground(errC).Underline(true)
	// Label colours are mid-tone backgrounds with near-black text: legible
	// on dark and light terminals alike.
	for _, l := range schema.Labels {
		c := l.Color
		if c == "" {
			c = "#9AA5B1"
		}
		s.labels[l.Name] = base.Background(lipgloss.Color(c)).Foreground(lipgloss.Color("#101010"))
		s.chips[l.Name] = base.Foreground(lipgloss.Color(c)).Bold(true)
		// A suggestion has its label's colour as text, not as background,
		// dashed: it never looks like an annotation.
		s.suggestions[l.Name] = base.Foreground(lipgloss.Color(c)).Italic(true).UnderlineStyle(lipgloss.UnderlineDashed).UnderlineColor(lipgloss.Color(c))
	}
	return s
}

// Label returns the style of spans with the given label.
func (s Styles) Label(name string) lipgloss.Style {
	if st, ok := s.labels[name]; ok {
		return st
	}
	return lipgloss.NewStyle().Underline(true)
}

// Suggestion returns the style of a suggested mention with the given label.
func (s Styles) Suggestion(name string) lipgloss.Style {
	if st, ok := s.suggestions[name]; ok {
		return st
	}
	return lipgloss.NewStyle().Faint(true).Italic(true).UnderlineStyle(lipgloss.UnderlineDashed)
}

// Chip returns the style of a label's name in lists.
func (s Styles) Chip(name string) lipgloss.Style {
	if st, ok := s.chips[name]; ok {
		return st
	}
	return lipgloss.NewStyle().Bold(true)
}

package tui

import (
	"reflect"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// KeyMap is every key of the screen, in one place. Each group is a
// help.KeyMap: the hint line and the ? overlay are drawn from the groups
// of the focus (keyFocus), and the keymap file (keymapfile.go) rebinds
// their bindings by name (actions).
type KeyMap struct {
	Global  GlobalKeys
	Queue   QueueKeys
	Article ArticleKeys
	Side    SideKeys
	List    ListKeys
	Form    FormKeys
	Prompt  PromptKeys
	Review  ReviewKeys
}

// GlobalKeys work everywhere. In a form or a prompt, where printable keys
// type text, help answers only to its other keys (f1).
type GlobalKeys struct {
	Help key.Binding
	Quit key.Binding
}

// QueueKeys act on the article queue.
type QueueKeys struct {
	Up, Down, Top, Bottom key.Binding
	Open                  key.Binding
	Filter, PrevFilter    key.Binding
	Search                key.Binding
	Reload                key.Binding
	Quit                  key.Binding
}

// ArticleKeys act on the article text: motions, selection, tagging.
type ArticleKeys struct {
	NextWord, PrevWord         key.Binding
	NextChar, PrevChar         key.Binding
	LineDown, LineUp           key.Binding
	NextSentence, PrevSentence key.Binding
	NextPara, PrevPara         key.Binding
	PageDown, PageUp           key.Binding
	Top, Bottom                key.Binding
	NextSpan, PrevSpan         key.Binding
	Extend                     key.Binding
	SwapEnds                   key.Binding
	Collapse                   key.Binding
	Search, SearchNext         key.Binding
	SearchPrev                 key.Binding
	Label                      key.Binding // 1-9, 0: the schema's label keys
	Picker                     key.Binding
	Relabel                    key.Binding
	Delete                     key.Binding
	TagAll                     key.Binding
	TagAllWords                key.Binding
	Split                      key.Binding
	NextSuggestion             key.Binding
	PrevSuggestion             key.Binding
	Accept                     key.Binding
	AcceptAll                  key.Binding
	Reject                     key.Binding
	Link                       key.Binding
	Affiliate                  key.Binding
	Claim                      key.Binding
	Undo, Redo                 key.Binding
	Done, Skip                 key.Binding
	FocusSide                  key.Binding
	Back                       key.Binding
}

// SideKeys act on the right-hand pane: the tab keys (NextTab, PrevTab,
// FocusArticle) on every tab, the others on the Entities tab's list.
type SideKeys struct {
	Up, Down         key.Binding
	NextTab, PrevTab key.Binding
	Jump             key.Binding
	Expand           key.Binding
	Delete           key.Binding
	Relabel          key.Binding
	FocusArticle     key.Binding
}

// ListKeys act on the Claims, Sources and Incidents tabs.
type ListKeys struct {
	Up, Down key.Binding
	Open     key.Binding
	New      key.Binding
	Delete   key.Binding
	Accept   key.Binding
}

// FormKeys act in a claim, source or incident form. Printable keys type
// into the current field, so every action has a key that types nothing.
type FormKeys struct {
	NextField, PrevField   key.Binding
	NextChoice, PrevChoice key.Binding
	Confirm                key.Binding
	Back                   key.Binding
	Article                key.Binding
	Evidence               key.Binding
	Figure                 key.Binding
	ClearDraft             key.Binding
	ClearValue             key.Binding
}

// PromptKeys act in a text prompt (search, label picker) and, confirm and
// cancel, in a review comment being typed.
type PromptKeys struct {
	Confirm, Cancel key.Binding
	Up, Down        key.Binding
	Clear           key.Binding
}

// DefaultKeyMap is familiar to vim users (hjkl, w/b, v, u, ctrl+r, /) and
// to Prodigy users (one key per label, one key to finish an article).
// Every ctrl key has another that is not one: terminal multiplexers take
// some (Zellij's modes: ctrl+o, ctrl+p, ctrl+n, ctrl+h …).
func DefaultKeyMap() KeyMap {
	k := key.NewBinding
	keys := key.WithKeys
	help := key.WithHelp
	km := KeyMap{
		Global: GlobalKeys{
			Help: k(keys("?", "f1"), help("?", "all keys")),
			Quit: k(keys("ctrl+c"), help("ctrl+c", "quit")),
		},
		Queue: QueueKeys{
			Up:         k(keys("k", "up"), help("k/↑", "up")),
			Down:       k(keys("j", "down"), help("j/↓", "down")),
			Top:        k(keys("g", "home"), help("g", "first")),
			Bottom:     k(keys("G", "end"), help("G", "last")),
			Open:       k(keys("enter", "l", "right"), help("enter", "open")),
			Filter:     k(keys("tab", "f"), help("tab", "filter by status")),
			PrevFilter: k(keys("shift+tab", "F"), help("shift+tab", "filter back")),
			Search:     k(keys("/"), help("/", "search")),
			Reload:     k(keys("R", "ctrl+l"), help("R", "reload")),
			Quit:       k(keys("q", "esc"), help("q", "quit")),
		},
		Article: ArticleKeys{
			NextWord:       k(keys("w", "right"), help("w/→", "next word")),
			PrevWord:       k(keys("b", "left"), help("b/←", "word back")),
			NextChar:       k(keys("l"), help("l", "char →")),
			PrevChar:       k(keys("h"), help("h", "char ←")),
			LineDown:       k(keys("j", "down"), help("j/↓", "line ↓")),
			LineUp:         k(keys("k", "up"), help("k/↑", "line ↑")),
			NextSentence:   k(keys(")"), help(")", "sentence →")),
			PrevSentence:   k(keys("("), help("(", "sentence ←")),
			NextPara:       k(keys("}"), help("}", "paragraph →")),
			PrevPara:       k(keys("{"), help("{", "paragraph ←")),
			PageDown:       k(keys("ctrl+d", "pgdown", "space"), help("ctrl+d", "page ↓")),
			PageUp:         k(keys("ctrl+u", "pgup"), help("ctrl+u", "page ↑")),
			Top:            k(keys("g", "home"), help("g", "top")),
			Bottom:         k(keys("G", "end"), help("G", "bottom")),
			NextSpan:       k(keys("]"), help("]", "span →")),
			PrevSpan:       k(keys("["), help("[", "span ←")),
			Extend:         k(keys("v"), help("v", "extend")),
			SwapEnds:       k(keys("o"), help("o", "other end")),
			Collapse:       k(keys("esc"), help("esc", "end")),
			Search:         k(keys("/"), help("/", "find")),
			SearchNext:     k(keys("n"), help("n", "match →")),
			SearchPrev:     k(keys("N"), help("N", "match ←")),
			Label:          k(keys("1", "2", "3", "4", "5", "6", "7", "8", "9", "0"), help("1-0", "tag")),
			Picker:         k(keys("t", "enter"), help("t", "pick label")),
			Relabel:        k(keys("r"), help("r", "relabel span")),
			Delete:         k(keys("x", "delete"), help("x", "delete span")),
			TagAll:         k(keys("a"), help("a a", "tag all")),
			TagAllWords:    k(keys("A"), help("A A", "…in words too")),
			Split:          k(keys("E"), help("E", "split off")),
			NextSuggestion: k(keys(">"), help(">", "suggestion →")),
			PrevSuggestion: k(keys("<"), help("<", "suggestion ←")),
			Accept:         k(keys("y"), help("y", "accept")),
			AcceptAll:      k(keys("Y"), help("Y", "accept all")),
			Reject:         k(keys("z"), help("z", "reject")),
			Link:           k(keys("e"), help("e", "link entity")),
			Affiliate:      k(keys("p"), help("p", "affiliation")),
			Claim:          k(keys("c"), help("c", "claim")),
			Undo:           k(keys("u"), help("u", "undo")),
			Redo:           k(keys("ctrl+r", "U"), help("ctrl+r", "redo")),
			Done:           k(keys("D"), help("D", "done, next")),
			Skip:           k(keys("S"), help("S", "skip, next")),
			FocusSide:      k(keys("tab", "ctrl+o"), help("tab", "spans pane")),
			Back:           k(keys("q"), help("q", "queue")),
		},
		Side: SideKeys{
			Up:           k(keys("k", "up"), help("k/↑", "up")),
			Down:         k(keys("j", "down"), help("j/↓", "down")),
			NextTab:      k(keys("l", "right"), help("l/→", "next tab")),
			PrevTab:      k(keys("h", "left"), help("h/←", "previous tab")),
			Jump:         k(keys("enter"), help("enter", "next mention")),
			Expand:       k(keys("o", "space"), help("o", "mentions")),
			Delete:       k(keys("x", "delete"), help("x", "delete")),
			Relabel:      k(keys("r"), help("r", "relabel")),
			FocusArticle: k(keys("tab", "esc", "q"), help("tab", "article")),
		},
		List: ListKeys{
			Up:     k(keys("k", "up"), help("k/↑", "up")),
			Down:   k(keys("j", "down"), help("j/↓", "down")),
			Open:   k(keys("enter"), help("enter", "edit")),
			New:    k(keys("n"), help("n", "new incident")),
			Delete: k(keys("x", "delete"), help("x", "delete")),
			Accept: k(keys("y"), help("y", "earlier grade")),
		},
		Form: FormKeys{
			NextField:  k(keys("tab"), help("tab", "next field")),
			PrevField:  k(keys("shift+tab"), help("shift+tab", "field back")),
			NextChoice: k(keys("down", "ctrl+n"), help("↓", "next choice")),
			PrevChoice: k(keys("up", "ctrl+p"), help("↑", "choice back")),
			Confirm:    k(keys("enter"), help("enter", "confirm")),
			Back:       k(keys("esc"), help("esc", "list (drafts kept)")),
			Article:    k(keys("ctrl+o", "alt+o"), help("ctrl+o", "article")),
			Evidence:   k(keys("ctrl+e", "alt+e"), help("ctrl+e", "evidence")),
			// alt+f is a text input's word forward: alt+c, "count".
			Figure:     k(keys("ctrl+f", "alt+c"), help("ctrl+f", "count from figure")),
			ClearDraft: k(keys("ctrl+u", "alt+u"), help("ctrl+u", "drop the draft")),
			ClearValue: k(keys("delete"), help("del", "clear the value")),
		},
		Review: DefaultReviewKeys(),
		Prompt: PromptKeys{
			Confirm: k(keys("enter"), help("enter", "confirm")),
			Cancel:  k(keys("esc"), help("esc", "cancel")),
			Up:      k(keys("up", "ctrl+p"), help("↑", "up")),
			Down:    k(keys("down", "tab", "ctrl+n"), help("↓", "down")),
			Clear:   k(keys("ctrl+u", "alt+u"), help("ctrl+u", "clear")),
		},
	}
	km.mirror()
	return km
}

// mirror copies the bindings that one action shows in two groups (the
// Review tab's help is the global help; its comment input confirms and
// cancels as a prompt does), so a rebinding reaches both.
func (km *KeyMap) mirror() {
	km.Review.Help = km.Global.Help
	km.Review.Save = km.Prompt.Confirm
	km.Review.Cancel = km.Prompt.Cancel
}

// fixedActions cannot be rebound by the keymap file, and why.
var fixedActions = map[string]string{
	"article.label": "the label keys are the schema's (each label's \"key\")",
	"review.take":   "1-9 take the version of annotator 1-9",
}

// The help.KeyMap of each group: ShortHelp is the hint line's keys,
// FullHelp every key, for ? (sections adds the columns' titles).

func (k GlobalKeys) ShortHelp() []key.Binding  { return []key.Binding{k.Help, k.Quit} }
func (k GlobalKeys) FullHelp() [][]key.Binding { return columns(k.sections()) }
func (k GlobalKeys) sections() []keySection {
	return []keySection{{"Everywhere", []key.Binding{k.Help, k.Quit}}}
}

func (k QueueKeys) ShortHelp() []key.Binding {
	return []key.Binding{pair(k.Down, k.Up, "down/up"), k.Open, k.Filter, k.Search, k.Quit}
}
func (k QueueKeys) FullHelp() [][]key.Binding { return columns(k.sections()) }
func (k QueueKeys) sections() []keySection {
	return []keySection{{"Queue", []key.Binding{k.Down, k.Up, k.Top, k.Bottom, k.Open, k.Filter, k.PrevFilter, k.Search, k.Reload, k.Quit}}}
}

func (k ArticleKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.NextWord, k.Extend, k.Label, k.Picker, k.Delete, k.TagAll, k.Claim, k.Undo, k.Done, k.FocusSide, k.Back}
}
func (k ArticleKeys) FullHelp() [][]key.Binding { return columns(k.sections()) }
func (k ArticleKeys) sections() []keySection {
	return []keySection{
		{"Move and select", []key.Binding{k.NextWord, k.PrevWord, k.NextChar, k.PrevChar, k.LineDown, k.LineUp,
			k.NextSentence, k.PrevSentence, k.NextPara, k.PrevPara, k.PageDown, k.PageUp,
			k.Top, k.Bottom, k.NextSpan, k.PrevSpan, k.Extend, k.SwapEnds, k.Collapse,
			k.Search, k.SearchNext, k.SearchPrev}},
		{"Tag", []key.Binding{k.Label, k.Picker, k.Relabel, k.Delete, k.TagAll, k.TagAllWords,
			k.Claim, k.Undo, k.Redo, k.Done, k.Skip, k.FocusSide, k.Back}},
		{"Entities and suggestions", []key.Binding{k.Link, k.Split, k.Affiliate,
			k.NextSuggestion, k.PrevSuggestion, k.Accept, k.AcceptAll, k.Reject}},
	}
}

func (k SideKeys) ShortHelp() []key.Binding {
	return []key.Binding{pair(k.Down, k.Up, "down/up"), k.tabs(), k.Jump, k.Delete, k.Relabel, k.FocusArticle}
}
func (k SideKeys) FullHelp() [][]key.Binding { return columns(k.sections()) }
func (k SideKeys) sections() []keySection {
	return []keySection{
		{"Entities tab", []key.Binding{k.Down, k.Up, k.Jump, k.Expand, k.Delete, k.Relabel}},
		k.tabSection(),
	}
}

// tabs is the hint for switching tabs.
func (k SideKeys) tabs() key.Binding { return pair(k.PrevTab, k.NextTab, "switch tab") }

// tabSection is the keys every side tab has.
func (k SideKeys) tabSection() keySection {
	return keySection{"Side pane, every tab", []key.Binding{k.NextTab, k.PrevTab, k.FocusArticle}}
}

func (k ListKeys) ShortHelp() []key.Binding {
	return []key.Binding{pair(k.Down, k.Up, "down/up"), k.Open, k.New, k.Delete}
}
func (k ListKeys) FullHelp() [][]key.Binding { return columns(k.sections()) }
func (k ListKeys) sections() []keySection {
	return []keySection{{"Claims, Sources, Incidents", []key.Binding{k.Down, k.Up, k.Open, k.New, k.Delete, k.Accept}}}
}

func (k FormKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.NextField, k.Confirm, k.NextChoice, k.Back, k.Article, k.Evidence, k.Figure, k.ClearValue}
}
func (k FormKeys) FullHelp() [][]key.Binding { return columns(k.sections()) }
func (k FormKeys) sections() []keySection {
	return []keySection{{"Forms (type to fill a field)", []key.Binding{k.NextField, k.PrevField, k.NextChoice, k.PrevChoice, k.Confirm, k.Back,
		k.Article, k.Evidence, k.Figure, k.ClearDraft, k.ClearValue}}}
}

func (k PromptKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Confirm, k.Cancel, pair(k.Down, k.Up, "choices")}
}
func (k PromptKeys) FullHelp() [][]key.Binding { return columns(k.sections()) }
func (k PromptKeys) sections() []keySection {
	return []keySection{{"Prompts (type to search or filter)", []key.Binding{k.Confirm, k.Cancel, k.Down, k.Up, k.Clear}}}
}

// sections are the Review tab's columns, titled.
func (k ReviewKeys) sections() []keySection {
	var bs []key.Binding
	for _, col := range k.FullHelp() {
		bs = append(bs, col...)
	}
	return []keySection{{"Review tab", bs}}
}

// commentSections are the annotator's side of the Review tab.
func (k ReviewKeys) commentSections() []keySection {
	return []keySection{{"Review comments (Review tab)", k.CommentsHelp()}}
}

// keySection is a titled column of a group's keys, as ? shows it.
type keySection struct {
	title string
	keys  []key.Binding
}

func columns(ss []keySection) [][]key.Binding {
	out := make([][]key.Binding, len(ss))
	for i, s := range ss {
		out[i] = s.keys
	}
	return out
}

// pair is one hint for two bindings that go together ("j/k down/up"),
// named by the first key of each.
func pair(a, b key.Binding, desc string) key.Binding {
	if len(a.Keys()) == 0 || len(b.Keys()) == 0 {
		return key.NewBinding(key.WithDisabled())
	}
	return key.NewBinding(key.WithKeys(slices.Concat(a.Keys(), b.Keys())...),
		key.WithHelp(keyLabel(a.Keys()[0])+"/"+keyLabel(b.Keys()[0]), desc))
}

// keyLabel is how a key is shown: the arrows as arrows.
func keyLabel(k string) string {
	switch k {
	case "up":
		return "↑"
	case "down":
		return "↓"
	case "left":
		return "←"
	case "right":
		return "→"
	}
	return k
}

// helpLabel is the short name of a binding's keys, for the hint line: its
// first key, with its arrow when it has one ("w/→"); "1-0" for a run of
// digits; said twice ("a a") for an action that asks before it acts.
func helpLabel(keys []string, twice bool) string {
	if len(keys) == 0 {
		return ""
	}
	if digitRun(keys) {
		return keys[0] + "-" + keys[len(keys)-1]
	}
	first := keyLabel(keys[0])
	if twice {
		return first + " " + first
	}
	if utf8.RuneCountInString(keys[0]) == 1 {
		for _, k := range keys[1:] {
			if l := keyLabel(k); l != k {
				return first + "/" + l
			}
		}
	}
	return first
}

// digitRun reports whether keys are digits in the order 1-9 then 0.
func digitRun(keys []string) bool {
	if len(keys) < 3 {
		return false
	}
	for i, k := range keys {
		if k != string(rune('0'+(i+1)%10)) {
			return false
		}
	}
	return true
}

// fullLabel is every key of a binding, for ?: "ctrl+d/pgdown/space";
// "1-0" for a run of digits, "a a" for an action said twice.
func fullLabel(b key.Binding) string {
	keys := b.Keys()
	if len(keys) == 0 || digitRun(keys) {
		return helpLabel(keys, false)
	}
	if saidTwice(b.Help().Key) {
		return helpLabel(keys, true)
	}
	labels := make([]string, len(keys))
	for i, k := range keys {
		labels[i] = keyLabel(k)
	}
	return strings.Join(labels, "/")
}

// saidTwice reports whether a hint label is a key said twice ("a a"):
// the action asks before it acts.
func saidTwice(label string) bool {
	f := strings.Fields(label)
	return len(f) == 2 && f[0] == f[1]
}

// isText reports whether a key types text where text is typed: one
// printable character, or space.
func isText(k string) bool {
	if k == "space" {
		return true
	}
	r, size := utf8.DecodeRuneInString(k)
	return size == len(k) && r != utf8.RuneError && unicode.IsPrint(r)
}

// action is one binding with its name in the keymap file.
type action struct {
	name string // "article.tag_all"
	b    *key.Binding
}

// actions are every binding of km by name, in the groups' order: the
// group's field name and the binding's, in snake case. Reflection keeps
// the list whole: a binding added to a group is an action at once.
func (km *KeyMap) actions() []action {
	var out []action
	v := reflect.ValueOf(km).Elem()
	for i := range v.NumField() {
		group := snake(v.Type().Field(i).Name)
		g := v.Field(i)
		for j := range g.NumField() {
			f := g.Field(j)
			if f.Type() != reflect.TypeFor[key.Binding]() {
				continue
			}
			name := group + "." + snake(g.Type().Field(j).Name)
			if _, ok := mirrorOf[name]; ok {
				continue
			}
			out = append(out, action{name: name, b: f.Addr().Interface().(*key.Binding)})
		}
	}
	return out
}

// action returns the binding named name.
func (km *KeyMap) action(name string) (*key.Binding, bool) {
	for _, a := range km.actions() {
		if a.name == name {
			return a.b, true
		}
	}
	return nil, false
}

// snake spells a Go name in snake case: TagAllWords -> tag_all_words.
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// keyFocus is where a key goes: each focus has its own bindings, hint line
// and ? overlay.
type keyFocus int

const (
	focusQueue keyFocus = iota
	focusArticleText
	focusEntities
	focusLists
	focusReview
	focusComments
	focusForm
	focusPrompt
	focusCommentInput
	focusCount
)

// focusSpec is what one focus reads of the key map.
type focusSpec struct {
	// name is the focus as messages name it.
	name string
	// actions are the bindings the screen consults there, by name: two of
	// them must not share a key.
	actions []string
	// typing: printable keys type text there, so no action may take one
	// (but help, which yields to the text).
	typing bool
	// hint and sections draw the hint line and the overlay.
	hint     func(KeyMap) []key.Binding
	sections func(KeyMap) []keySection
}

// sideTabs are the side pane's keys on every tab.
var sideTabs = []string{"side.next_tab", "side.prev_tab", "side.focus_article"}

// globals are the keys of every focus.
var globals = []string{"global.help", "global.quit"}

// reviewerKeys and commentKeys are the Review tab's two sides.
var (
	reviewerKeys = []string{"review.down", "review.up", "review.next", "review.prev", "review.take", "review.both", "review.reject",
		"review.accept_agreed", "review.edit", "review.undo", "review.done", "review.return", "review.comment"}
	commentKeys = []string{"review.down", "review.up", "review.show", "review.answer", "review.finish"}
)

// typingKeys edit the text where text is typed; no action may take them.
var typingKeys = []string{"backspace", "ctrl+h"}

var focusSpecs = [focusCount]focusSpec{
	focusQueue: {name: "the queue", actions: slices.Concat([]string{"queue.*", "review.accept_agreed"}, globals),
		hint:     func(k KeyMap) []key.Binding { return k.Queue.ShortHelp() },
		sections: func(k KeyMap) []keySection { return k.Queue.sections() }},
	focusArticleText: {name: "the article", actions: slices.Concat([]string{"article.*"}, globals),
		hint:     func(k KeyMap) []key.Binding { return k.Article.ShortHelp() },
		sections: func(k KeyMap) []keySection { return k.Article.sections() }},
	focusEntities: {name: "the Entities tab", actions: slices.Concat([]string{"side.*"}, globals),
		hint:     func(k KeyMap) []key.Binding { return k.Side.ShortHelp() },
		sections: func(k KeyMap) []keySection { return k.Side.sections() }},
	focusLists: {name: "the Claims, Sources and Incidents tabs", actions: slices.Concat([]string{"list.*"}, sideTabs, globals),
		hint: func(k KeyMap) []key.Binding {
			return append(k.List.ShortHelp(), k.Side.tabs(), k.Side.FocusArticle)
		},
		sections: func(k KeyMap) []keySection { return append(k.List.sections(), k.Side.tabSection()) }},
	focusReview: {name: "the Review tab", actions: slices.Concat(reviewerKeys, sideTabs, globals),
		hint:     func(k KeyMap) []key.Binding { return k.Review.ShortHelp() },
		sections: func(k KeyMap) []keySection { return append(k.Review.sections(), k.Side.tabSection()) }},
	focusComments: {name: "the Review tab's comments", actions: slices.Concat(commentKeys, sideTabs, globals),
		hint:     func(k KeyMap) []key.Binding { return k.Review.CommentsHelp() },
		sections: func(k KeyMap) []keySection { return append(k.Review.commentSections(), k.Side.tabSection()) }},
	focusForm: {name: "a form", actions: slices.Concat([]string{"form.*"}, globals), typing: true,
		hint:     func(k KeyMap) []key.Binding { return k.Form.ShortHelp() },
		sections: func(k KeyMap) []keySection { return k.Form.sections() }},
	focusPrompt: {name: "a prompt", actions: slices.Concat([]string{"prompt.*"}, globals), typing: true,
		hint:     func(k KeyMap) []key.Binding { return k.Prompt.ShortHelp() },
		sections: func(k KeyMap) []keySection { return k.Prompt.sections() }},
	focusCommentInput: {name: "a review comment being typed", actions: slices.Concat([]string{"prompt.confirm", "prompt.cancel"}, globals), typing: true,
		hint: func(k KeyMap) []key.Binding { return []key.Binding{k.Prompt.Confirm, k.Prompt.Cancel} },
		sections: func(k KeyMap) []keySection {
			return []keySection{{"Review comment (type it)", []key.Binding{k.Prompt.Confirm, k.Prompt.Cancel}}}
		}},
}

// focusActions are the actions a focus consults, patterns ("queue.*")
// spelled out.
func (km *KeyMap) focusActions(f keyFocus) []action {
	all := km.actions()
	var out []action
	for _, pat := range focusSpecs[f].actions {
		for _, a := range all {
			if a.name == pat || (strings.HasSuffix(pat, ".*") && strings.HasPrefix(a.name, strings.TrimSuffix(pat, "*"))) {
				out = append(out, a)
			}
		}
	}
	return out
}

// clash is two actions of one focus on one key; second is "" when the key
// types text there (or edits it) instead.
type clash struct {
	focus         keyFocus
	key           string
	first, second string
}

// clashes finds every key two actions of one focus share, and every
// action key that types text where text is typed.
func (km *KeyMap) clashes() []clash {
	var out []clash
	for f := range focusCount {
		spec := focusSpecs[f]
		owner := map[string]string{}
		for _, a := range km.focusActions(f) {
			for _, k := range a.b.Keys() {
				if spec.typing && (isText(k) || slices.Contains(typingKeys, k)) {
					if a.name != "global.help" || !isText(k) {
						out = append(out, clash{focus: f, key: k, first: a.name})
					}
					continue
				}
				if o, ok := owner[k]; ok && o != a.name {
					out = append(out, clash{focus: f, key: k, first: o, second: a.name})
					continue
				}
				owner[k] = a.name
			}
		}
	}
	return out
}

// keyFocus is where the next key goes, in the order handleKey asks.
func (m *Model) keyFocus() keyFocus {
	switch {
	case m.prompt != nil:
		return focusPrompt
	case m.screen == screenQueue:
		return focusQueue
	case m.focus == focusSide && m.form != nil:
		return focusForm
	case m.rv.capturing() && m.screen == screenArticle:
		return focusCommentInput
	case m.focus == focusSide && m.sideTab == tabReview && m.opts.Review == nil:
		return focusComments
	case m.focus == focusSide && m.sideTab == tabReview:
		return focusReview
	case m.focus == focusSide && m.sideTab != tabEntities:
		return focusLists
	case m.focus == focusSide:
		return focusEntities
	}
	return focusArticleText
}

// helpKey is the key that opens help in a focus: in one where text is
// typed, the first that types none.
func (km *KeyMap) helpKey(f keyFocus) string {
	keys := km.Global.Help.Keys()
	for _, k := range keys {
		if !focusSpecs[f].typing || !isText(k) {
			return keyLabel(k)
		}
	}
	return ""
}

// opensHelp reports whether msg opens the ? overlay where the focus is:
// where text is typed, only help's keys that type none do.
func (m *Model) opensHelp(msg tea.KeyPressMsg) bool {
	if !key.Matches(msg, m.keys.Global.Help) {
		return false
	}
	return !focusSpecs[m.keyFocus()].typing || !isText(msg.String())
}

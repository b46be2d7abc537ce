package tui

import "charm.land/bubbles/v2/key"

// KeyMap is every key of the screen, in one place. README.md lists them;
// the help line and the ? overlay are generated from here.
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

// ListKeys act on the Claims, Sources and Incidents tabs.
type ListKeys struct {
	Up, Down key.Binding
	Open     key.Binding
	New      key.Binding
	Delete   key.Binding
	Accept   key.Binding
}

// FormKeys act in a claim, source or incident form. Printable keys type
// into the current field.
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

// GlobalKeys work everywhere outside a text prompt.
type GlobalKeys struct {
	Help key.Binding
	Quit key.Binding
}

// QueueKeys act on the article queue.
type QueueKeys struct {
	Up, Down, Top, Bottom key.Binding
	Open                  key.Binding
	Filter                key.Binding
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

// SideKeys act on the right-hand pane (the list of spans).
type SideKeys struct {
	Up, Down         key.Binding
	NextTab, PrevTab key.Binding
	Jump             key.Binding
	Expand           key.Binding
	Delete           key.Binding
	Relabel          key.Binding
	FocusArticle     key.Binding
}

// PromptKeys act in a text prompt (search, label picker).
type PromptKeys struct {
	Confirm, Cancel key.Binding
	Up, Down        key.Binding
}

// DefaultKeyMap is familiar to vim users (hjkl, w/b, v, u, ctrl+r, /) and
// to Prodigy users (one key per label, one key to finish an article).
func DefaultKeyMap() KeyMap {
	k := key.NewBinding
	keys := key.WithKeys
	help := key.WithHelp
	return KeyMap{
		Global: GlobalKeys{
			Help: k(keys("?"), help("?", "all keys")),
			Quit: k(keys("ctrl+c"), help("ctrl+c", "quit")),
		},
		Queue: QueueKeys{
			Up:     k(keys("k", "up"), help("k/↑", "up")),
			Down:   k(keys("j", "down"), help("j/k", "down/up")),
			Top:    k(keys("g", "home"), help("g", "first")),
			Bottom: k(keys("G", "end"), help("G", "last")),
			Open:   k(keys("enter", "l", "right"), help("enter", "open")),
			Filter: k(keys("tab", "f"), help("tab", "filter by status")),
			Search: k(keys("/"), help("/", "search")),
			Reload: k(keys("R", "ctrl+l"), help("R", "reload")),
			Quit:   k(keys("q", "esc"), help("q", "quit")),
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
			FocusSide:      k(keys("tab"), help("tab", "spans pane")),
			Back:           k(keys("q"), help("q", "queue")),
		},
		Side: SideKeys{
			Up:           k(keys("k", "up"), help("k/↑", "up")),
			Down:         k(keys("j", "down"), help("j/k", "down/up")),
			NextTab:      k(keys("l", "right"), help("h/l", "switch tab")),
			PrevTab:      k(keys("h", "left"), help("h/←", "previous tab")),
			Jump:         k(keys("enter"), help("enter", "next mention")),
			Expand:       k(keys("o", "space"), help("o", "mentions")),
			Delete:       k(keys("x", "delete"), help("x", "delete")),
			Relabel:      k(keys("r"), help("r", "relabel")),
			FocusArticle: k(keys("tab", "esc", "q"), help("tab", "article")),
		},
		List: ListKeys{
			Up:     k(keys("k", "up"), help("k/↑", "up")),
			Down:   k(keys("j", "down"), help("j/k", "down/up")),
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
			Article:    k(keys("ctrl+o"), help("ctrl+o", "article")),
			Evidence:   k(keys("ctrl+e"), help("ctrl+e", "evidence")),
			Figure:     k(keys("ctrl+f"), help("ctrl+f", "count from figure")),
			ClearDraft: k(keys("ctrl+u"), help("ctrl+u", "drop the draft")),
			ClearValue: k(keys("delete"), help("del", "clear the value")),
		},
		Review: DefaultReviewKeys(),
		Prompt: PromptKeys{
			Confirm: k(keys("enter"), help("enter", "confirm")),
			Cancel:  k(keys("esc"), help("esc", "cancel")),
			Up:      k(keys("up", "ctrl+p"), help("↑", "up")),
			Down:    k(keys("down", "ctrl+n"), help("↓", "down")),
		},
	}
}

package i18n

// Text is a piece of content in the visitor's language or, where it has no
// translation, in the default language. Fallback is kept per field (a German
// title can sit over an English description), so a view can mark just that
// field with the default language's code and screen readers pronounce it
// right.
type Text struct {
	Value    string
	Fallback bool // Value is the default language's text, not the visitor's
}

// String is the text itself, so templates print a Text as they would a string.
func (t Text) String() string { return t.Value }

// MarshalText encodes a Text as its value, so JSON shows text, not a struct.
func (t Text) MarshalText() ([]byte, error) { return []byte(t.Value), nil }

package i18n

import (
	"slices"
	"strconv"
	"strings"
	"sync"
)

// A message with arguments ("Page {{.Page}} of {{.Pages}}", the plural
// forms of "{{.Count}} events") costs a go-i18n localization and a
// text/template execution each time: a tenth of a programme page's render.
// The arguments pages pass are few numbers and short strings that repeat,
// so the result is kept by language, message, count and arguments. Only
// arguments of plain types are keys; anything else is translated afresh.

// maxArgMemo bounds the kept results; when full, the memo starts over.
const maxArgMemo = 4096

type argMemo struct {
	mu sync.Mutex
	m  map[string]string
}

func (m *argMemo) get(key string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.m[key]
	return s, ok
}

func (m *argMemo) put(key, s string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil || len(m.m) >= maxArgMemo {
		m.m = make(map[string]string, 256)
	}
	m.m[key] = s
}

// argKey is the memo key for a translation, or false when an argument is
// of a type whose printed form is not a sure key (a struct, a pointer).
func argKey(lang, id string, plural bool, count int, data map[string]any) (string, bool) {
	var b strings.Builder
	b.Grow(len(lang) + len(id) + 16 + 16*len(data))
	b.WriteString(lang)
	b.WriteByte(0)
	b.WriteString(id)
	b.WriteByte(0)
	if plural {
		b.WriteString(strconv.Itoa(count))
	}
	var keys [4]string
	names := keys[:0]
	for k := range data {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		b.WriteByte(0)
		b.WriteString(k)
		b.WriteByte(1)
		switch v := data[k].(type) {
		case string:
			b.WriteByte('s')
			b.WriteString(v)
		case int:
			b.WriteByte('i')
			b.WriteString(strconv.Itoa(v))
		case int64:
			b.WriteByte('l')
			b.WriteString(strconv.FormatInt(v, 10))
		default:
			return "", false
		}
	}
	return b.String(), true
}

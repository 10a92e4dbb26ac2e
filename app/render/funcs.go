package render

import (
	"fmt"
	"html/template"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/i18n"
)

var (
	hexColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	cssName   = regexp.MustCompile(`^--[a-z][a-z0-9-]*$`)
)

// Funcs are the template functions, bound to one language so templates say
// {{ t "events.list.title" }} and no localizer travels in the data.
func Funcs(b *i18n.Bundle, lang string, asset func(string) string) template.FuncMap {
	list := newListWriter(b, lang, newCardWriter(b, lang))
	return template.FuncMap{
		// programme writes the programme's list; eventday, eventgrid and
		// pager its parts, for the other lists that show them
		// (programme.go, with the cards of cards.go).
		"programme": list.programme,
		"eventday":  list.day,
		"eventgrid": list.grid,
		"pager":     list.pager,
		// options writes a select's options; kindoptions those of event
		// kinds, labelled in the language (options.go).
		"options":     options,
		"kindoptions": newKindLabels(b, lang).options,
		// t translates; extra arguments are key/value pairs for the message.
		"t": func(id string, kv ...any) string { return b.T(lang, id, pairs(kv)) },
		// tn translates with plural forms chosen by n.
		"tn": func(id string, n int, kv ...any) string { return b.N(lang, id, n, pairs(kv)) },
		// tk translates the message prefix+key, for IDs made of a fixed
		// part and a value such as a kind ({{ tk "event.kind." .Kind }}),
		// without printf's reflection.
		"tk": func(prefix string, key any) string {
			var k string
			switch v := key.(type) {
			case string:
				k = v
			case fmt.Stringer:
				k = v.String()
			default:
				if rv := reflect.ValueOf(key); rv.Kind() == reflect.String {
					k = rv.String()
				} else {
					k = fmt.Sprint(key)
				}
			}
			return b.T(lang, prefix+k, nil)
		},
		"lang": func() string { return lang },
		// langattr marks content that fell back to the default language
		// (an i18n.Text, or a bool saying so) with lang="en" on its element,
		// so it is read in the right language; it is empty otherwise.
		"langattr": func(v any) (template.HTMLAttr, error) {
			var fallback bool
			switch v := v.(type) {
			case i18n.Text:
				fallback = v.Fallback
			case bool:
				fallback = v
			default:
				return "", fmt.Errorf("langattr: want i18n.Text or bool, got %T", v)
			}
			if !fallback || lang == b.Default() {
				return "", nil
			}
			// A language tag validated by config: letters, digits and '-'.
			return template.HTMLAttr(`lang="` + b.Default() + `"`), nil //nolint:gosec // see above
		},
		"asset":    asset,
		"date":     func(t time.Time, z i18n.Zone) string { return b.Date(lang, t, z) },
		"datelong": func(t time.Time, z i18n.Zone) string { return b.DateLong(lang, t, z) },
		"clock":    func(t time.Time, z i18n.Zone) string { return b.Clock(lang, t, z) },
		"when":     func(t time.Time, z i18n.Zone) string { return b.When(lang, t, z) },
		"span":     func(s, e time.Time, z i18n.Zone) string { return b.Span(lang, s, e, z) },
		"zone":     func(t time.Time, z i18n.Zone) string { return z.Abbrev(t) },
		"iso":      i18n.ISO,
		"daykey":   i18n.DayKey,
		"add":      func(a, b int) int { return a + b },
		// initial is the first letter of a name, for monogram avatars.
		"initial": func(s string) string {
			for _, r := range s {
				return strings.ToUpper(string(r))
			}
			return ""
		},
		"dict": dict,
		// msg translates a message a service returned (a field error).
		"msg": func(m apperr.Message) string { return b.T(lang, m.ID, m.Args) },
		// teleport allows the in-world links html/template would refuse
		// (secondlife:// is not one of its safe schemes) and web links.
		"teleport": func(u string) template.URL {
			for _, scheme := range []string{"secondlife://", "https://", "http://"} {
				if strings.HasPrefix(strings.ToLower(u), scheme) && !strings.ContainsAny(u, "\"'<> \t\r\n") {
					return template.URL(u) //nolint:gosec // scheme checked above
				}
			}
			return ""
		},
		// cssvar sets one custom property to a validated #rrggbb colour.
		"cssvar": func(name, colour string) template.CSS {
			if !hexColour.MatchString(colour) || !cssName.MatchString(name) {
				return ""
			}
			return template.CSS(name + ":" + colour) //nolint:gosec // validated above
		},
		// theme turns validated #rrggbb colours into CSS custom properties;
		// anything else is dropped rather than escaped into the page.
		"theme": func(bg, surface, text, accent string) template.CSS {
			css := ""
			for _, p := range [][2]string{{"--bg", bg}, {"--surface", surface}, {"--text", text}, {"--accent", accent}} {
				if hexColour.MatchString(p[1]) {
					css += p[0] + ":" + p[1] + ";"
				}
			}
			return template.CSS(css) //nolint:gosec // only validated hex colours reach here
		},
	}
}

func pairs(kv []any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}

// dict builds a map for passing several values to a partial.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	return pairs(kv), nil
}

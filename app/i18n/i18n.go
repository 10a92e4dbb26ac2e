// Package i18n loads the UI strings from locales/, picks a visitor's language,
// and formats dates and times in a language and a time zone.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Bundle holds every language's messages and one localizer per language,
// built once: localizers are safe for concurrent use.
type Bundle struct {
	bundle     *goi18n.Bundle
	def        string
	langs      []string
	matcher    language.Matcher
	localizers map[string]*goi18n.Localizer
	ids        map[string][]string
	// source is each language's own message text (the "other" form), by
	// ID; plain and calendars are built from it at start (see fast.go).
	source    map[string]map[string]string
	plain     map[string]map[string]string
	calendars map[string]*calendar
	args      argMemo // results of messages with arguments, see argmemo.go
}

// New loads, for each of langs, <lang>.json and every <area>.<lang>.json from
// fsys (one file per area of the site, so each area owns its strings);
// langs[0] is the default.
func New(fsys fs.FS, langs []string) (*Bundle, error) {
	if len(langs) == 0 {
		return nil, fmt.Errorf("i18n: no languages")
	}
	def := language.Make(langs[0])
	b := &Bundle{
		bundle:     goi18n.NewBundle(def),
		def:        langs[0],
		langs:      slices.Clone(langs),
		localizers: map[string]*goi18n.Localizer{},
		ids:        map[string][]string{},
		source:     map[string]map[string]string{},
	}
	own := map[string]map[string]string{}
	b.bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	tags := make([]language.Tag, 0, len(langs))
	for _, l := range langs {
		names, err := messageFiles(fsys, l)
		if err != nil {
			return nil, err
		}
		seen := map[string]string{}
		b.source[l], own[l] = map[string]string{}, map[string]string{}
		for _, name := range names {
			buf, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("i18n: read %s: %w", name, err)
			}
			mf, err := b.bundle.ParseMessageFileBytes(buf, path.Base(name))
			if err != nil {
				return nil, fmt.Errorf("i18n: parse %s: %w", name, err)
			}
			for _, m := range mf.Messages {
				// go-i18n lets a later file silently replace a message; two
				// areas claiming one ID is a mistake to catch at start-up.
				if prev, dup := seen[m.ID]; dup {
					return nil, fmt.Errorf("i18n: %s defined in both %s and %s", m.ID, prev, name)
				}
				seen[m.ID] = name
				b.ids[l] = append(b.ids[l], m.ID)
				b.source[l][m.ID] = m.Other
				if p := plainText(m); p != "" {
					own[l][m.ID] = p
				}
			}
		}
		slices.Sort(b.ids[l])
		// A localizer asked for German falls back to the default language
		// message by message.
		b.localizers[l] = goi18n.NewLocalizer(b.bundle, l, b.def)
		tags = append(tags, language.Make(l))
	}
	b.matcher = language.NewMatcher(tags)
	b.fillPlain(own)
	b.fillCalendars()
	return b, nil
}

// Default is the default language.
func (b *Bundle) Default() string { return b.def }

// Languages lists the offered languages, default first.
func (b *Bundle) Languages() []string { return slices.Clone(b.langs) }

// Supported reports whether lang is offered.
func (b *Bundle) Supported(lang string) bool { return slices.Contains(b.langs, lang) }

// MessageIDs lists the IDs defined in lang's own file (not the fallbacks).
func (b *Bundle) MessageIDs(lang string) []string { return slices.Clone(b.ids[lang]) }

// Negotiate picks the language from an explicit choice (?lang=), then the
// cookie, then Accept-Language, then the default. Unknown values are ignored.
func (b *Bundle) Negotiate(query, cookie, acceptLanguage string) string {
	for _, l := range []string{query, cookie} {
		if l = strings.ToLower(strings.TrimSpace(l)); b.Supported(l) {
			return l
		}
	}
	if acceptLanguage != "" && len(acceptLanguage) <= 512 {
		if tags, _, err := language.ParseAcceptLanguage(acceptLanguage); err == nil && len(tags) > 0 {
			_, i, conf := b.matcher.Match(tags...)
			if conf != language.No {
				return b.langs[i]
			}
		}
	}
	return b.def
}

// T translates id into lang with optional template data. A missing message
// returns the ID itself, so a gap shows up in the page rather than blanking
// it; tests make sure no ID is missing from the default language.
func (b *Bundle) T(lang, id string, data map[string]any) string {
	if len(data) == 0 {
		if s, ok := b.plainOf(lang)[id]; ok {
			return s
		}
	}
	key, keep := argKey(lang, id, false, 0, data)
	if keep {
		if s, ok := b.args.get(key); ok {
			return s
		}
	}
	s, err := b.localizer(lang).Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		s = id
	}
	if keep {
		b.args.put(key, s)
	}
	return s
}

// N translates a message with plural forms chosen by count; data may add
// more template values, and .Count is always set.
func (b *Bundle) N(lang, id string, count int, data map[string]any) string {
	key, keep := argKey(lang, id, true, count, data)
	if keep {
		if s, ok := b.args.get(key); ok {
			return s
		}
	}
	td := map[string]any{"Count": count}
	for k, v := range data {
		td[k] = v
	}
	s, err := b.localizer(lang).Localize(&goi18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: td})
	if err != nil {
		s = id
	}
	if keep {
		b.args.put(key, s)
	}
	return s
}

// Has reports whether id resolves in lang (itself or via the default).
func (b *Bundle) Has(lang, id string) bool {
	_, err := b.localizer(lang).Localize(&goi18n.LocalizeConfig{MessageID: id})
	return err == nil
}

func (b *Bundle) plainOf(lang string) map[string]string {
	if m, ok := b.plain[lang]; ok {
		return m
	}
	return b.plain[b.def]
}

func (b *Bundle) localizer(lang string) *goi18n.Localizer {
	if l, ok := b.localizers[lang]; ok {
		return l
	}
	return b.localizers[b.def]
}

// messageFiles lists lang's message files: <lang>.json, which must exist,
// then <area>.<lang>.json in name order.
func messageFiles(fsys fs.FS, lang string) ([]string, error) {
	main := lang + ".json"
	if _, err := fs.Stat(fsys, main); err != nil {
		return nil, fmt.Errorf("i18n: read %s: %w", main, err)
	}
	areas, err := fs.Glob(fsys, "*."+lang+".json")
	if err != nil {
		return nil, fmt.Errorf("i18n: list %s files: %w", lang, err)
	}
	return append([]string{main}, areas...), nil
}

package locations

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/content"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/live"
)

// The panels a venue screen can show.
const (
	PanelNowPlaying    = "now-playing"
	PanelCurrent       = "current"
	PanelNext          = "next"
	PanelClock         = "clock"
	PanelQR            = "qr"
	PanelAnnouncements = "announcements"
)

// Limits of a screen's announcements: a short list of short lines, so
// they fit the screen and rotate in reasonable time.
const (
	MaxAnnouncements    = 8
	MaxAnnouncementLine = 160
)

// Message IDs of the screen settings.
const (
	MsgUnknownPanel      = "error.location.unknown_screen_panel"
	MsgTooManyLines      = "error.location.too_many_announcements"
	MsgAnnouncementLong  = "error.location.announcement_too_long"
	ActionSetScreenKey   = "set_screen_key"
	ActionClearScreenKey = "clear_screen_key"
)

// Panels lists every panel in the order a screen shows them.
func Panels() []string {
	return []string{PanelNowPlaying, PanelCurrent, PanelNext, PanelClock, PanelQR, PanelAnnouncements}
}

// parsePanels reads the stored panel list, keeping known names in order.
func parsePanels(v string) []string {
	var out []string
	for _, p := range Panels() {
		if slices.Contains(strings.Split(v, ","), p) {
			out = append(out, p)
		}
	}
	return out
}

// panels checks a comma-separated panel list (as the editor's checkboxes
// send it, possibly repeated) and returns it in display order.
func panels(inv *apperr.Invalid, field, v string) []string {
	known := Panels()
	var got []string
	for p := range strings.SplitSeq(v, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !slices.Contains(known, p) {
			inv.Add(field, MsgUnknownPanel, nil)
			return nil
		}
		got = append(got, p)
	}
	out := []string{}
	for _, p := range known {
		if slices.Contains(got, p) {
			out = append(out, p)
		}
	}
	return out
}

// announcements checks one language's announcements: one per line, blank
// lines dropped, at most MaxAnnouncements of at most MaxAnnouncementLine
// characters each. They are stored as the lines joined by "\n".
func announcements(inv *apperr.Invalid, field, v string) string {
	// Bound the work before splitting: a megabyte of text is refused whole.
	if len(v) > 4*MaxAnnouncements*(MaxAnnouncementLine+2) {
		inv.Add(field, MsgTooManyLines, map[string]any{"Max": MaxAnnouncements})
		return ""
	}
	v = content.Clean(inv, field, v, content.Text{Max: MaxAnnouncements * (MaxAnnouncementLine + 1), Multiline: true})
	if inv.Has(field) {
		return ""
	}
	var lines []string
	for l := range strings.SplitSeq(v, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		l = strings.ReplaceAll(l, "\t", " ")
		if utf8.RuneCountInString(l) > MaxAnnouncementLine {
			inv.Add(field, MsgAnnouncementLong, map[string]any{"Max": MaxAnnouncementLine})
			return ""
		}
		lines = append(lines, l)
	}
	if len(lines) > MaxAnnouncements {
		inv.Add(field, MsgTooManyLines, map[string]any{"Max": MaxAnnouncements})
		return ""
	}
	return strings.Join(lines, "\n")
}

// loadScreen fills the screen settings kept beside the venue row.
func loadScreen(ctx context.Context, q *db.Queries, d *Draft) error {
	r, err := q.LocationScreenGet(ctx, d.ID)
	if err != nil {
		return fmt.Errorf("locations: screen of %d: %w", d.ID, err)
	}
	d.Screen.Panels = parsePanels(r.ScreenPanels)
	d.Screen.HasKey = r.ScreenKeySha256.Valid
	rows, err := q.LocationScreenAnnouncementList(ctx, d.ID)
	if err != nil {
		return fmt.Errorf("locations: announcements of %d: %w", d.ID, err)
	}
	d.Screen.Announcements = map[string]string{}
	for _, a := range rows {
		d.Screen.Announcements[a.Lang] = a.Body
	}
	return nil
}

// writeScreen stores the panels and announcements that differ.
func writeScreen(ctx context.Context, q *db.Queries, cur, next Draft) error {
	if !slices.Equal(cur.Screen.Panels, next.Screen.Panels) {
		if _, err := q.LocationScreenSetPanels(ctx, db.LocationScreenSetPanelsParams{
			ScreenPanels: strings.Join(next.Screen.Panels, ","), ID: next.ID,
		}); err != nil {
			return fmt.Errorf("locations: screen panels of %d: %w", next.ID, err)
		}
	}
	langs := maps.Clone(cur.Screen.Announcements)
	if langs == nil {
		langs = map[string]string{}
	}
	maps.Copy(langs, next.Screen.Announcements)
	for _, lang := range slices.Sorted(maps.Keys(langs)) {
		c, n := cur.Screen.Announcements[lang], next.Screen.Announcements[lang]
		switch {
		case c == n:
		case n == "":
			if err := q.LocationScreenAnnouncementDelete(ctx, db.LocationScreenAnnouncementDeleteParams{LocationID: next.ID, Lang: lang}); err != nil {
				return fmt.Errorf("locations: delete %s announcements of %d: %w", lang, next.ID, err)
			}
		default:
			if err := q.LocationScreenAnnouncementUpsert(ctx, db.LocationScreenAnnouncementUpsertParams{LocationID: next.ID, Lang: lang, Body: n}); err != nil {
				return fmt.Errorf("locations: write %s announcements of %d: %w", lang, next.ID, err)
			}
		}
	}
	return nil
}

// ScreenInfo is what a public screen needs of its venue's screen settings.
type ScreenInfo struct {
	ID     int64
	Panels []string
	// Announcements are lang's lines, else the default language's.
	Announcements []string
	// keyHash is the stored sha256 of the key, "" for a public screen.
	keyHash string
}

// Keyed reports whether the screen needs a key.
func (i ScreenInfo) Keyed() bool { return i.keyHash != "" }

// Shows reports whether the screen shows panel.
func (i ScreenInfo) Shows(panel string) bool { return slices.Contains(i.Panels, panel) }

// Admits reports whether key opens the screen: any key opens a public one.
// The comparison of hashes takes the same time wherever they differ.
func (i ScreenInfo) Admits(key string) bool {
	if i.keyHash == "" {
		return true
	}
	return subtle.ConstantTimeCompare([]byte(ScreenKeyHash(key)), []byte(i.keyHash)) == 1
}

// TopicPart is the part of the venue's topic its screen subscribes to:
// "screen" for a public screen; for a keyed one "screen-" and a value
// derived from the key's hash, so only a holder of the key (who got the
// page) learns it, and a new key makes the old value useless.
func (i ScreenInfo) TopicPart() string { return ScreenTopicPart(i.keyHash) }

// ScreenTopicPart is TopicPart for a stored key hash ("" for none).
func ScreenTopicPart(keyHash string) string {
	if keyHash == "" {
		return "screen"
	}
	sum := sha256.Sum256([]byte("tdc screen topic\x00" + keyHash))
	return "screen-" + hex.EncodeToString(sum[:12])
}

// Screen returns the screen settings of the venue with slug, the
// announcements in lang, or apperr.ErrNotFound.
func (s *Service) Screen(ctx context.Context, lang, slug string) (ScreenInfo, error) {
	r, err := s.q.LocationScreenBySlug(ctx, slug)
	if errors.Is(err, sql.ErrNoRows) {
		return ScreenInfo{}, fmt.Errorf("locations: screen %q: %w", slug, apperr.ErrNotFound)
	}
	if err != nil {
		return ScreenInfo{}, fmt.Errorf("locations: screen %q: %w", slug, err)
	}
	info := ScreenInfo{ID: r.ID, Panels: parsePanels(r.ScreenPanels), keyHash: r.ScreenKeySha256.String}
	rows, err := s.q.LocationScreenAnnouncementList(ctx, r.ID)
	if err != nil {
		return ScreenInfo{}, fmt.Errorf("locations: announcements of %q: %w", slug, err)
	}
	body := map[string]string{}
	for _, a := range rows {
		body[a.Lang] = a.Body
	}
	text := body[lang]
	if text == "" {
		text = body[s.defLang]
	}
	if text != "" {
		info.Announcements = strings.Split(text, "\n")
	}
	return info, nil
}

// ScreenKeyHash is how a screen key is stored: its sha256 in hex.
func ScreenKeyHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// SetScreenKey gives venue id's screen a new random key, replacing any
// old one at once, and returns it this once; only its hash is stored.
// Staff only.
func (s *Service) SetScreenKey(ctx context.Context, a actor.Actor, id int64) (string, error) {
	buf := make([]byte, 18)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("locations: screen key: %w", err)
	}
	key := base64.RawURLEncoding.EncodeToString(buf)
	return key, s.setScreenKey(ctx, a, id, key)
}

// ClearScreenKey makes venue id's screen public again. Staff only.
func (s *Service) ClearScreenKey(ctx context.Context, a actor.Actor, id int64) error {
	return s.setScreenKey(ctx, a, id, "")
}

func (s *Service) setScreenKey(ctx context.Context, a actor.Actor, id int64, key string) error {
	if err := staffOnly(a, "screen key"); err != nil {
		return err
	}
	var cur Draft
	err := db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		var err error
		if cur, err = s.lockLoad(ctx, q, id, "screen key"); err != nil {
			return err
		}
		hash := sql.NullString{}
		action, old, next := ActionClearScreenKey, "none", "none"
		if cur.Screen.HasKey {
			old = "set"
		}
		if key != "" {
			hash = sql.NullString{String: ScreenKeyHash(key), Valid: true}
			action, next = ActionSetScreenKey, "replaced"
		}
		if _, err := q.LocationScreenSetKey(ctx, db.LocationScreenSetKeyParams{ScreenKeySha256: hash, ID: id}); err != nil {
			return fmt.Errorf("locations: set screen key %d: %w", id, err)
		}
		// The log says that the key changed, never what it is.
		return audit.Record(ctx, q, a, s.now().UTC(), audit.Entry{
			Action: action, Kind: audit.KindLocation, EntityID: id, Summary: cur.Slug,
			Changes: []audit.Change{{Field: "screen_key", Old: old, New: next}},
		})
	})
	if err != nil {
		return err
	}
	// Open screens drop to the new state: a screen with the old key gets a
	// 404 on its next reload, and its old topic renders nothing.
	live.Publish(ctx, s.pub, s.log, id, live.LocationTopic(cur.Slug, "screen"), live.LocationTopic(cur.Slug, ""))
	return nil
}

// Package settings is the club's settings and feature flags: stored in the
// database, edited by admins, and read on every request from an
// in-process cache. A change reaches every instance without a restart: the
// writer publishes live.TopicSettings, each instance's Follow drops its
// cache on that message, and a short TTL bounds staleness if a message is
// ever lost.
package settings

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
	"golang.org/x/sync/singleflight"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/live"
)

// DefaultTTL is how long a cached copy is used without a change message.
const DefaultTTL = 30 * time.Second

// loadTimeout bounds one load: it is shared by every request waiting for
// it, so it does not end with the first caller's request.
const loadTimeout = 5 * time.Second

// Audit actions.
const (
	ActionSet  = "set"
	ActionFlag = "flag"
)

// SocialLink is one of the club's profiles elsewhere.
type SocialLink struct {
	Network string // one of Networks()
	URL     string
}

// Settings is every setting with its value in force: the stored one, or
// the default. It is a copy; changing it changes nothing stored.
type Settings struct {
	// ClubName and ClubTagline hold the text per language; the default
	// language's name is always set.
	ClubName    map[string]string
	ClubTagline map[string]string
	// ZoneLabel is the short name shown after club times, e.g. "SLT".
	ZoneLabel string
	// ReminderLead is how long before an event a reminder goes out when
	// the member has not chosen.
	ReminderLead time.Duration
	// Social holds the links that are set, in Networks() order.
	Social []SocialLink
	// Flags holds every feature flag, known or stored.
	Flags map[string]bool

	defLang string
}

// Name is the club's name in lang, or the default language's.
func (s Settings) Name(lang string) i18n.Text { return s.text(s.ClubName, lang) }

// Tagline is the club's tagline in lang, or the default language's (which
// may be empty).
func (s Settings) Tagline(lang string) i18n.Text { return s.text(s.ClubTagline, lang) }

func (s Settings) text(m map[string]string, lang string) i18n.Text {
	if v := m[lang]; v != "" {
		return i18n.Text{Value: v}
	}
	return i18n.Text{Value: m[s.defLang], Fallback: lang != s.defLang}
}

// Enabled reports whether flag is on; an unknown flag is off.
func (s Settings) Enabled(flag string) bool { return s.Flags[flag] }

func (s Settings) clone() Settings {
	c := s
	c.ClubName = maps.Clone(s.ClubName)
	c.ClubTagline = maps.Clone(s.ClubTagline)
	c.Social = slices.Clone(s.Social)
	c.Flags = maps.Clone(s.Flags)
	return c
}

// Entry is one setting as the admin page shows it.
type Entry struct {
	Name string
	Kind Kind
	// Lang is the language of a per-language setting, else "".
	Lang string
	// Value is the stored value, or Default when none is stored.
	Value    string
	Default  string
	Required bool
	// Label and Help are translatable texts naming and explaining it.
	Label, Help apperr.Message
	// Version is 0 while nothing is stored; pass it back to Set.
	Version       int
	UpdatedBy     int64 // 0: never set, the system, or a deleted user
	UpdatedByName string
	UpdatedAt     time.Time // zero while nothing is stored
}

// Flag is one feature flag as the admin page shows it.
type Flag struct {
	Name        string
	Enabled     bool
	Description string
	// Version is 0 while the flag has only its default; pass it back to SetFlag.
	Version       int
	UpdatedBy     int64
	UpdatedByName string
	UpdatedAt     time.Time
}

// Options configure a Service.
type Options struct {
	// Languages are the offered languages, the default first.
	Languages []string
	// ZoneLabel is the club zone's label until an admin sets one
	// (TDC_CLUB_TIMEZONE_LABEL).
	ZoneLabel string
	// TTL is how long a cached copy lives without a change message;
	// DefaultTTL when zero.
	TTL time.Duration
	// Flags are the feature flags the code reads, with their defaults.
	Flags []FlagDef
}

// Service reads and writes the settings.
type Service struct {
	sqlDB   *sql.DB
	q       *db.Queries
	defs    []def
	flags   []FlagDef
	defLang string
	ttl     time.Duration
	pub     live.Publisher
	log     *slog.Logger
	now     func() time.Time

	loads singleflight.Group
	mu    sync.Mutex
	cur   Settings  // the cached copy, valid while ok
	at    time.Time // when cur was loaded
	ok    bool
	gen   uint64 // bumped by Invalidate, so a load begun before it is not kept
	last  Settings
	seen  bool // last holds a copy loaded once, for Enabled when a load fails
}

// New returns the settings service. Writes publish live.TopicSettings
// through pub after commit; now is the clock for the TTL and the audit log.
func New(sqlDB *sql.DB, opts Options, pub live.Publisher, log *slog.Logger, now func() time.Time) *Service {
	if len(opts.Languages) == 0 {
		// A programming error in main, caught at start-up.
		panic("settings: New needs at least the default language")
	}
	ttl := opts.TTL
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	return &Service{
		sqlDB: sqlDB, q: db.New(sqlDB), defs: defs(opts.Languages, opts.ZoneLabel), flags: slices.Clone(opts.Flags), defLang: opts.Languages[0],
		ttl: ttl, pub: pub, log: log, now: now,
	}
}

// Get returns the settings in force, from the cache when it is fresh.
func (s *Service) Get(ctx context.Context) (Settings, error) {
	s.mu.Lock()
	if s.ok && s.now().Sub(s.at) < s.ttl {
		v := s.cur
		s.mu.Unlock()
		return v.clone(), nil
	}
	gen := s.gen
	s.mu.Unlock()
	// Callers that miss together share one load; a caller arriving after
	// an Invalidate starts its own, since the shared one may predate the
	// change.
	res, err, _ := s.loads.Do(strconv.FormatUint(gen, 10), func() (any, error) {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loadTimeout)
		defer cancel()
		v, err := s.load(lctx)
		if err != nil {
			return Settings{}, err
		}
		s.mu.Lock()
		if s.gen == gen {
			s.cur, s.at, s.ok = v, s.now(), true
		}
		s.last, s.seen = v, true
		s.mu.Unlock()
		return v, nil
	})
	if err != nil {
		return Settings{}, err
	}
	return res.(Settings).clone(), nil
}

// Current is Get for readers that must answer anyway, such as a page's
// header or a feature check: when the settings cannot be loaded it logs
// that and returns the last copy it had, or the defaults. A database
// hiccup should neither fail every page nor switch features on or off.
func (s *Service) Current(ctx context.Context) Settings {
	v, err := s.Get(ctx)
	if err == nil {
		return v
	}
	s.log.Warn("settings: load failed, using the last known settings", slog.Any("error", err))
	s.mu.Lock()
	last, seen := s.last, s.seen
	s.mu.Unlock()
	if seen {
		return last.clone()
	}
	return s.build(nil, nil)
}

// Enabled reports whether flag is on, as Current has it.
func (s *Service) Enabled(ctx context.Context, flag string) bool {
	return s.Current(ctx).Enabled(flag)
}

// Invalidate drops the cached copy; the next Get loads afresh.
func (s *Service) Invalidate() {
	s.mu.Lock()
	s.ok = false
	s.gen++
	s.mu.Unlock()
}

// Changed drops the cache when topic says the settings changed (or
// everything did, or the subscription restarted). Every instance's change
// listener calls it (web.Server.Changed).
func (s *Service) Changed(topic string) {
	if topic == live.TopicSettings || topic == live.TopicAll {
		s.Invalidate()
	}
}

func (s *Service) load(ctx context.Context) (Settings, error) {
	rows, err := s.q.SettingList(ctx)
	if err != nil {
		return Settings{}, fmt.Errorf("settings: load: %w", err)
	}
	flags, err := s.q.FeatureFlagList(ctx)
	if err != nil {
		return Settings{}, fmt.Errorf("settings: load flags: %w", err)
	}
	stored := make(map[string]string, len(rows))
	for _, r := range rows {
		stored[r.Name] = r.Value
	}
	set := make(map[string]bool, len(flags))
	for _, f := range flags {
		set[f.Name] = f.Enabled
	}
	return s.build(stored, set), nil
}

// build makes the settings in force from the stored values and flags; with
// none stored, the defaults.
func (s *Service) build(stored map[string]string, flags map[string]bool) Settings {
	out := Settings{ClubName: map[string]string{}, ClubTagline: map[string]string{}, Flags: map[string]bool{}, defLang: s.defLang}
	for _, d := range s.defs {
		value := d.dflt
		if v, ok := stored[d.name]; ok {
			// A value written around the service (by hand, or by an older
			// version with other rules) is not trusted; the default is.
			inv := apperr.NewInvalid()
			if d.clean(inv, v) == v && inv.Err() == nil {
				value = v
			} else {
				s.log.Warn("settings: stored value breaks its rule, using the default", slog.String("name", d.name))
			}
		}
		switch {
		case strings.HasPrefix(d.name, ClubName):
			if value != "" {
				out.ClubName[d.lang] = value
			}
		case strings.HasPrefix(d.name, ClubTagline):
			if value != "" {
				out.ClubTagline[d.lang] = value
			}
		case d.name == ZoneLabel:
			out.ZoneLabel = value
		case d.name == ReminderLead:
			n, _ := strconv.Atoi(value)
			out.ReminderLead = time.Duration(n) * time.Minute
		case strings.HasPrefix(d.name, SocialPrefix) && value != "":
			out.Social = append(out.Social, SocialLink{Network: strings.TrimPrefix(d.name, SocialPrefix), URL: value})
		}
	}
	for _, f := range s.flags {
		out.Flags[f.Name] = f.Default
	}
	maps.Copy(out.Flags, flags)
	return out
}

// List returns every setting for the admin page, in its order.
func (s *Service) List(ctx context.Context) ([]Entry, error) {
	rows, err := s.q.SettingListAdmin(ctx)
	if err != nil {
		return nil, fmt.Errorf("settings: list: %w", err)
	}
	byName := make(map[string]db.SettingListAdminRow, len(rows))
	for _, r := range rows {
		byName[r.Name] = r
	}
	out := make([]Entry, len(s.defs))
	for i, d := range s.defs {
		e := Entry{
			Name: d.name, Kind: d.kind, Lang: d.lang, Value: d.dflt, Default: d.dflt, Required: d.required,
			Label: d.label, Help: d.help,
		}
		if r, ok := byName[d.name]; ok {
			e.Value, e.Version = r.Value, int(r.Version)
			e.UpdatedBy, e.UpdatedByName, e.UpdatedAt = r.UpdatedBy.Int64, r.UpdatedByName, r.UpdatedAt
		}
		out[i] = e
	}
	return out, nil
}

// Flags returns every feature flag for the admin page: the known ones
// (with their defaults until set) and any other stored one, by name.
func (s *Service) Flags(ctx context.Context) ([]Flag, error) {
	rows, err := s.q.FeatureFlagListAdmin(ctx)
	if err != nil {
		return nil, fmt.Errorf("settings: list flags: %w", err)
	}
	byName := map[string]Flag{}
	for _, f := range s.flags {
		byName[f.Name] = Flag{Name: f.Name, Enabled: f.Default, Description: f.Description}
	}
	for _, r := range rows {
		byName[r.Name] = Flag{
			Name: r.Name, Enabled: r.Enabled, Description: r.Description, Version: int(r.Version),
			UpdatedBy: r.UpdatedBy.Int64, UpdatedByName: r.UpdatedByName, UpdatedAt: r.UpdatedAt,
		}
	}
	return slices.SortedFunc(maps.Values(byName), func(a, b Flag) int { return strings.Compare(a.Name, b.Name) }), nil
}

func admin(a actor.Actor, what string) error {
	if !a.IsAdmin() {
		return fmt.Errorf("settings: %s: %w", what, apperr.ErrForbidden)
	}
	return nil
}

func (s *Service) lookup(name string) (def, bool) {
	for _, d := range s.defs {
		if d.name == name {
			return d, true
		}
	}
	return def{}, false
}

// Set stores value for setting name, if the setting is still at version
// (0 while nothing is stored; List says). Only admins may. An unknown name
// is apperr.ErrNotFound; a value that breaks the setting's rule is a field
// error keyed by name; an empty value clears an optional setting. Every
// instance sees the change on its next read.
func (s *Service) Set(ctx context.Context, a actor.Actor, name string, version int, value string) (Entry, error) {
	if err := admin(a, "set "+name); err != nil {
		return Entry{}, err
	}
	d, ok := s.lookup(name)
	if !ok {
		return Entry{}, fmt.Errorf("settings: set %q: %w", name, apperr.ErrNotFound)
	}
	v := apperr.NewInvalid()
	value = d.clean(v, value)
	if err := v.Err(); err != nil {
		return Entry{}, err
	}
	changed := false
	err := db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		now := s.now().UTC().Truncate(time.Second)
		by := sql.NullInt64{Int64: a.UserID, Valid: a.UserID != 0}
		cur, err := q.SettingGet(ctx, name)
		exists := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("settings: get %s: %w", name, err)
		}
		old := d.dflt
		if exists {
			old = cur.Value
		}
		if int(cur.Version) != version {
			return fmt.Errorf("settings: set %s at version %d (now %d): %w", name, version, cur.Version, apperr.ErrConflict)
		}
		if old == value {
			return nil // nothing changes; a default is not pinned by saving it
		}
		if exists {
			n, err := q.SettingUpdate(ctx, db.SettingUpdateParams{Value: value, UpdatedBy: by, UpdatedAt: now, Name: name, Version: int32(version)})
			if err != nil {
				return fmt.Errorf("settings: set %s: %w", name, err)
			}
			if n == 0 {
				return fmt.Errorf("settings: set %s at version %d: %w", name, version, apperr.ErrConflict)
			}
		} else {
			err := q.SettingInsert(ctx, db.SettingInsertParams{Name: name, Value: value, UpdatedBy: by, UpdatedAt: now})
			if isDuplicate(err) {
				return fmt.Errorf("settings: set %s: stored meanwhile: %w", name, apperr.ErrConflict)
			}
			if err != nil {
				return fmt.Errorf("settings: set %s: %w", name, err)
			}
		}
		changed = true
		return audit.Record(ctx, q, a, now, audit.Entry{
			Action: ActionSet, Kind: audit.KindSetting, Summary: name,
			Changes: []audit.Change{{Field: name, Old: old, New: value}},
		})
	})
	if err != nil {
		return Entry{}, err
	}
	if changed {
		s.changed(ctx)
	}
	return s.entry(ctx, name)
}

// SetFlag switches flag name on or off, if it is still at version (0
// while it has only its default; Flags says). Only admins may. A flag that
// is neither known nor stored is apperr.ErrNotFound.
func (s *Service) SetFlag(ctx context.Context, a actor.Actor, name string, version int, enabled bool) (Flag, error) {
	if err := admin(a, "set flag "+name); err != nil {
		return Flag{}, err
	}
	var known *FlagDef
	for _, f := range s.flags {
		if f.Name == name {
			known = &f
		}
	}
	changed := false
	err := db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		now := s.now().UTC().Truncate(time.Second)
		by := sql.NullInt64{Int64: a.UserID, Valid: a.UserID != 0}
		cur, err := q.FeatureFlagGet(ctx, name)
		exists := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("settings: get flag %s: %w", name, err)
		}
		if !exists && known == nil {
			return fmt.Errorf("settings: set flag %q: %w", name, apperr.ErrNotFound)
		}
		old := cur.Enabled
		if !exists {
			old = known.Default
		}
		if int(cur.Version) != version {
			return fmt.Errorf("settings: set flag %s at version %d (now %d): %w", name, version, cur.Version, apperr.ErrConflict)
		}
		if old == enabled {
			return nil
		}
		if exists {
			n, err := q.FeatureFlagUpdate(ctx, db.FeatureFlagUpdateParams{Enabled: enabled, UpdatedBy: by, UpdatedAt: now, Name: name, Version: int32(version)})
			if err != nil {
				return fmt.Errorf("settings: set flag %s: %w", name, err)
			}
			if n == 0 {
				return fmt.Errorf("settings: set flag %s at version %d: %w", name, version, apperr.ErrConflict)
			}
		} else {
			err := q.FeatureFlagInsert(ctx, db.FeatureFlagInsertParams{
				Name: name, Enabled: enabled, Description: known.Description, UpdatedBy: by, UpdatedAt: now,
			})
			if isDuplicate(err) {
				return fmt.Errorf("settings: set flag %s: stored meanwhile: %w", name, apperr.ErrConflict)
			}
			if err != nil {
				return fmt.Errorf("settings: set flag %s: %w", name, err)
			}
		}
		changed = true
		return audit.Record(ctx, q, a, now, audit.Entry{
			Action: ActionFlag, Kind: audit.KindSetting, Summary: name,
			Changes: []audit.Change{{Field: name, Old: strconv.FormatBool(old), New: strconv.FormatBool(enabled)}},
		})
	})
	if err != nil {
		return Flag{}, err
	}
	if changed {
		s.changed(ctx)
	}
	flags, err := s.Flags(ctx)
	if err != nil {
		return Flag{}, err
	}
	for _, f := range flags {
		if f.Name == name {
			return f, nil
		}
	}
	return Flag{}, fmt.Errorf("settings: flag %q gone after set: %w", name, apperr.ErrNotFound)
}

// changed makes this instance see a committed change at once and tells the
// others.
func (s *Service) changed(ctx context.Context) {
	s.Invalidate()
	live.Publish(ctx, s.pub, s.log, 0, live.TopicSettings)
}

func (s *Service) entry(ctx context.Context, name string) (Entry, error) {
	all, err := s.List(ctx)
	if err != nil {
		return Entry{}, err
	}
	for _, e := range all {
		if e.Name == name {
			return e, nil
		}
	}
	return Entry{}, fmt.Errorf("settings: %q: %w", name, apperr.ErrNotFound)
}

// isDuplicate reports a unique key violation: another admin stored the
// same setting first.
func isDuplicate(err error) bool {
	me, ok := errors.AsType[*mysql.MySQLError](err)
	return ok && me.Number == 1062
}

// Package media is the library of pictures: uploads checked by their
// content, stored once per content (the sha256 of the bytes is the key),
// resized into a thumbnail and responsive widths, with alt text per
// language, shown by events, artists, venues and posts.
package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/live"
)

const (
	// MaxAlt is the longest alt text, in characters (the column's size).
	MaxAlt = 500
	// maxName is the longest original name kept, in characters.
	maxName = 255
	// DefaultPerPage and MaxPerPage size the library's pages.
	DefaultPerPage = 48
	MaxPerPage     = 200
	// lockWait is how long an upload or delete waits for another to finish
	// storing or removing files.
	lockWait = 30 * time.Second
)

// Media is a file in the library with everything the back office shows.
type Media struct {
	ID           int64
	SHA256       string
	ContentType  string
	Size         int64
	Width        int // as displayed, after EXIF orientation
	Height       int
	OriginalName string
	UploadedBy   int64 // 0: the system, or a user since deleted
	CreatedAt    time.Time
	Alt          map[string]string // language → alt text
	Variants     []Variant         // smallest first, thumbnail included
}

// URL is the address of the original file.
func (m Media) URL() string { return URL(m.SHA256, m.ContentType) }

// Variant returns the variant called name.
func (m Media) Variant(name string) (Variant, bool) {
	for _, v := range m.Variants {
		if v.Name == name {
			return v, true
		}
	}
	return Variant{}, false
}

// Variant is a resized rendition of a file.
type Variant struct {
	Name        string // VariantThumb or "w<width>"
	SHA256      string
	ContentType string
	Size        int64
	Width       int
	Height      int
}

// URL is the address of the variant.
func (v Variant) URL() string { return URL(v.SHA256, v.ContentType) }

// Filter narrows the library: Q matches the original name or an alt text.
type Filter struct {
	Q       string
	Page    int
	PerPage int
}

// Page is one page of the library, newest first.
type Page struct {
	Items                       []Media
	Total, Page, PerPage, Pages int
}

// Use is one thing that shows a file.
type Use struct {
	Kind string // audit.KindEvent, KindArtist, KindLocation or KindPost
	ID   int64
	Slug string
}

// Config is what New needs besides its connections.
type Config struct {
	MaxBytes        int64 // largest upload
	MaxPixels       int64 // largest width × height
	DefaultLanguage string
	Languages       []string // alt text may be given in these
}

// Service keeps the library.
type Service struct {
	sqlDB *sql.DB
	q     *db.Queries
	store Storage
	cfg   Config
	pub   live.Publisher
	log   *slog.Logger
	now   func() time.Time
	// work bounds the uploads decoding at once: a large photo takes a
	// core and, decoded, up to 4 bytes a pixel.
	work chan struct{}
}

// New returns the media service over store.
func New(sqlDB *sql.DB, store Storage, cfg Config, pub live.Publisher, log *slog.Logger, now func() time.Time) *Service {
	return &Service{
		sqlDB: sqlDB, q: db.New(sqlDB), store: store, cfg: cfg, pub: pub, log: log, now: now,
		work: make(chan struct{}, 2),
	}
}

// Storage is where the service keeps its files.
func (s *Service) Storage() Storage { return s.store }

// mayUpload: staff, and artists for their own pictures.
func mayUpload(a actor.Actor) bool { return a.IsStaff() || a.Role == actor.RoleArtist }

// mayChange: staff, and the artist who uploaded the file.
func mayChange(a actor.Actor, m Media) bool {
	return a.IsStaff() || (a.Role == actor.RoleArtist && a.UserID != 0 && m.UploadedBy == a.UserID)
}

// Upload reads a picture from r, checks it and stores it with its variants.
// The type comes from the bytes alone, never from name, which is kept only
// to be shown. The same bytes uploaded twice give the same file (and row).
// Refusals are *apperr.Invalid on the field "file"; a visitor or member
// gets apperr.ErrForbidden. Files are stored before the rows are written;
// if writing the rows fails, the files this upload added are removed again.
func (s *Service) Upload(ctx context.Context, a actor.Actor, name string, r io.Reader) (Media, error) {
	if !mayUpload(a) {
		return Media{}, fmt.Errorf("media: upload: %w", apperr.ErrForbidden)
	}
	data, err := s.read(r)
	if err != nil {
		return Media{}, err
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	// A double submit finds the first one's row and skips the work.
	if m, err := s.getBySHA(ctx, sha); !errors.Is(err, apperr.ErrNotFound) {
		return m, err
	}

	select {
	case s.work <- struct{}{}:
	case <-ctx.Done():
		return Media{}, fmt.Errorf("media: upload: %w", ctx.Err())
	}
	p, err := process(data, limits{maxBytes: s.cfg.MaxBytes, maxPixels: s.cfg.MaxPixels})
	<-s.work
	if err != nil {
		return Media{}, err
	}

	unlock, err := s.lock(ctx)
	if err != nil {
		return Media{}, err
	}
	defer unlock()
	// Another instance may have stored the same bytes meanwhile.
	if m, err := s.getBySHA(ctx, sha); !errors.Is(err, apperr.ErrNotFound) {
		return m, err
	}
	added, err := s.storeFiles(ctx, p)
	if err != nil {
		s.removeFiles(ctx, added)
		return Media{}, err
	}
	var id int64
	err = db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		id, err = insert(ctx, q, a, s.now().UTC(), cleanName(name), p)
		return err
	})
	if err != nil {
		// Under the lock no other row can have come to use the files this
		// upload added, so removing them leaves nothing behind.
		s.removeFiles(ctx, added)
		return Media{}, err
	}
	return s.Get(ctx, id)
}

// read takes at most MaxBytes from r, and one byte more to tell a file
// that is too large.
func (s *Service) read(r io.Reader) ([]byte, error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, s.cfg.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("media: read upload: %w", err)
	}
	inv := apperr.NewInvalid()
	switch {
	case n == 0:
		inv.Add("file", "error.media.empty", nil)
	case n > s.cfg.MaxBytes:
		inv.Add("file", "error.media.too_large", map[string]any{"MaxMB": s.cfg.MaxBytes >> 20})
	}
	if err := inv.Err(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// storeFiles puts the original and each variant, and returns the keys it
// added: those that were not stored before.
func (s *Service) storeFiles(ctx context.Context, p processed) ([]string, error) {
	var added []string
	for _, f := range append([]file{p.original}, p.variants...) {
		if slices.Contains(added, f.sha) {
			continue
		}
		_, err := s.store.Stat(ctx, f.sha)
		if err == nil {
			continue
		}
		if !errors.Is(err, ErrNotFound) {
			return added, err
		}
		if err := s.store.Put(ctx, f.sha, bytes.NewReader(f.data), int64(len(f.data)), f.contentType); err != nil {
			return added, err
		}
		added = append(added, f.sha)
	}
	return added, nil
}

// removeFiles deletes keys, also when ctx has ended (a cancelled upload
// must still clean up); a failure is logged, as the upload's own error is
// the one to report.
func (s *Service) removeFiles(ctx context.Context, keys []string) {
	ctx = context.WithoutCancel(ctx)
	for _, k := range keys {
		if err := s.store.Delete(ctx, k); err != nil {
			s.log.Error("media: remove file", slog.String("sha256", k), slog.Any("error", err))
		}
	}
}

func insert(ctx context.Context, q *db.Queries, a actor.Actor, now time.Time, name string, p processed) (int64, error) {
	o := p.original
	id, err := q.MediaInsert(ctx, db.MediaInsertParams{
		Sha256: o.sha, ContentType: o.contentType, SizeBytes: int64(len(o.data)),
		Width:        sql.NullInt32{Int32: int32(o.width), Valid: true},
		Height:       sql.NullInt32{Int32: int32(o.height), Valid: true},
		OriginalName: name,
		UploadedBy:   sql.NullInt64{Int64: a.UserID, Valid: a.UserID != 0},
		CreatedAt:    now,
	})
	if err != nil {
		return 0, fmt.Errorf("media: insert %s: %w", o.sha, err)
	}
	for _, v := range p.variants {
		err := q.MediaVariantInsert(ctx, db.MediaVariantInsertParams{
			MediaID: id, Variant: v.name, Sha256: v.sha, ContentType: v.contentType,
			SizeBytes: int64(len(v.data)), Width: int32(v.width), Height: int32(v.height),
		})
		if err != nil {
			return 0, fmt.Errorf("media: insert variant %s of %d: %w", v.name, id, err)
		}
	}
	err = audit.Record(ctx, q, a, now, audit.Entry{
		Action: "create", Kind: audit.KindMedia, EntityID: id, Summary: name,
		Changes: []audit.Change{{Field: "file", New: fmt.Sprintf("%s %d×%d %s", o.contentType, o.width, o.height, o.sha)}},
	})
	return id, err
}

// cleanName keeps the last element of a name as a browser sent it (some
// send a whole path), valid UTF-8 without control characters, cut to
// maxName characters. It is only ever shown, escaped.
func cleanName(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > maxName {
		name = string([]rune(name)[:maxName])
	}
	return name
}

// lock takes the server-wide named lock that file writes and deletes hold
// (see MediaLock), on a connection of its own, and returns its release.
func (s *Service) lock(ctx context.Context) (func(), error) {
	conn, err := s.sqlDB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("media: lock: %w", err)
	}
	wait := lockWait
	if d, ok := ctx.Deadline(); ok {
		wait = min(wait, time.Until(d))
	}
	got, err := db.New(conn).MediaLock(ctx, int32(max(wait.Seconds(), 0)))
	if err == nil && got != 1 {
		err = fmt.Errorf("another upload or delete holds the lock: %w", context.DeadlineExceeded)
	}
	if err != nil {
		discard(conn)
		return nil, fmt.Errorf("media: lock: %w", err)
	}
	return func() {
		released, err := db.New(conn).MediaUnlock(context.WithoutCancel(ctx))
		if err == nil && released != 1 {
			err = errors.New("the lock was not held")
		}
		if err != nil {
			s.log.Error("media: unlock", slog.Any("error", err))
			discard(conn)
			return
		}
		conn.Close()
	}, nil
}

// discard closes conn for good rather than returning it to the pool: a
// named lock belongs to its session, and a pooled session still holding it
// would block every upload after.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}

// Get returns the file with id, its alt texts and variants, or
// apperr.ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (Media, error) {
	r, err := s.q.MediaGet(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Media{}, fmt.Errorf("media: get %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return Media{}, fmt.Errorf("media: get %d: %w", id, err)
	}
	one := []Media{fromRow(db.MediaListRow(r))}
	if err := s.attach(ctx, one); err != nil {
		return Media{}, err
	}
	return one[0], nil
}

func (s *Service) getBySHA(ctx context.Context, sha string) (Media, error) {
	r, err := s.q.MediaGetBySHA(ctx, sha)
	if errors.Is(err, sql.ErrNoRows) {
		return Media{}, fmt.Errorf("media: get %s: %w", sha, apperr.ErrNotFound)
	}
	if err != nil {
		return Media{}, fmt.Errorf("media: get %s: %w", sha, err)
	}
	one := []Media{fromRow(db.MediaListRow(r))}
	if err := s.attach(ctx, one); err != nil {
		return Media{}, err
	}
	return one[0], nil
}

func fromRow(r db.MediaListRow) Media {
	return Media{
		ID: r.ID, SHA256: r.Sha256, ContentType: r.ContentType, Size: r.SizeBytes,
		Width: int(r.Width.Int32), Height: int(r.Height.Int32), OriginalName: r.OriginalName,
		UploadedBy: r.UploadedBy.Int64, CreatedAt: r.CreatedAt, Alt: map[string]string{},
	}
}

// attach loads the alt texts and variants of ms, two queries for any number.
func (s *Service) attach(ctx context.Context, ms []Media) error {
	if len(ms) == 0 {
		return nil // sqlc.slice must not be empty
	}
	ids := make([]int64, len(ms))
	at := make(map[int64]int, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
		at[m.ID] = i
	}
	vs, err := s.q.MediaVariantListByMedia(ctx, ids)
	if err != nil {
		return fmt.Errorf("media: variants: %w", err)
	}
	for _, v := range vs {
		m := &ms[at[v.MediaID]]
		m.Variants = append(m.Variants, Variant{
			Name: v.Variant, SHA256: v.Sha256, ContentType: v.ContentType, Size: v.SizeBytes,
			Width: int(v.Width), Height: int(v.Height),
		})
	}
	ts, err := s.q.MediaTranslationListByMedia(ctx, ids)
	if err != nil {
		return fmt.Errorf("media: alt texts: %w", err)
	}
	for _, t := range ts {
		ms[at[t.MediaID]].Alt[t.Lang] = t.AltText
	}
	return nil
}

// List returns a page of the library, newest first. Pages past the end are
// clamped to the last page.
func (s *Service) List(ctx context.Context, f Filter) (Page, error) {
	if f.PerPage <= 0 {
		f.PerPage = DefaultPerPage
	}
	f.PerPage = min(f.PerPage, MaxPerPage)
	pattern := sql.NullString{}
	if q := strings.TrimSpace(strings.ToValidUTF8(f.Q, "")); q != "" {
		pattern = sql.NullString{String: "%" + likeEscaper.Replace(q) + "%", Valid: true}
	}
	total, err := s.q.MediaCount(ctx, db.MediaCountParams{Pattern: pattern})
	if err != nil {
		return Page{}, fmt.Errorf("media: count: %w", err)
	}
	p := Page{Total: int(total), PerPage: f.PerPage, Pages: max(1, (int(total)+f.PerPage-1)/f.PerPage)}
	p.Page = min(max(f.Page, 1), p.Pages)
	rows, err := s.q.MediaList(ctx, db.MediaListParams{
		Pattern: pattern, Limit: int32(f.PerPage), Offset: int32((p.Page - 1) * f.PerPage),
	})
	if err != nil {
		return Page{}, fmt.Errorf("media: list: %w", err)
	}
	p.Items = make([]Media, len(rows))
	for i, r := range rows {
		p.Items[i] = fromRow(r)
	}
	if err := s.attach(ctx, p.Items); err != nil {
		return Page{}, err
	}
	return p, nil
}

// likeEscaper makes a search term match itself in LIKE, wildcards included.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// SetAlt sets the alt text of file id in lang, as typed (trimmed of
// surrounding space); an empty text removes it, so the default language's
// shows. Pages showing the file are told of the change.
func (s *Service) SetAlt(ctx context.Context, a actor.Actor, id int64, lang, text string) error {
	if !a.SignedIn() {
		return fmt.Errorf("media: set alt of %d: %w", id, apperr.ErrForbidden)
	}
	inv := apperr.NewInvalid()
	if !slices.Contains(s.cfg.Languages, lang) {
		inv.Add("lang", "error.media.unknown_language", nil)
	}
	text = strings.TrimSpace(text)
	switch {
	case !utf8.ValidString(text) || strings.ContainsFunc(text, unicode.IsControl):
		inv.Add("alt", "error.media.alt_invalid", nil)
	case utf8.RuneCountInString(text) > MaxAlt:
		inv.Add("alt", "error.media.alt_too_long", map[string]any{"Max": MaxAlt})
	}
	if err := inv.Err(); err != nil {
		return err
	}
	m, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if !mayChange(a, m) {
		return fmt.Errorf("media: set alt of %d: %w", id, apperr.ErrForbidden)
	}
	var uses []Use
	err = db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		old, err := q.MediaTranslationGet(ctx, db.MediaTranslationGetParams{MediaID: id, Lang: lang})
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("media: read alt of %d: %w", id, err)
		}
		if old == text {
			return nil
		}
		if text == "" {
			err = q.MediaTranslationDelete(ctx, db.MediaTranslationDeleteParams{MediaID: id, Lang: lang})
		} else {
			err = q.MediaTranslationUpsert(ctx, db.MediaTranslationUpsertParams{MediaID: id, Lang: lang, AltText: text})
		}
		if err != nil {
			return fmt.Errorf("media: set alt of %d: %w", id, err)
		}
		if uses, err = usage(ctx, q, id); err != nil {
			return err
		}
		return audit.Record(ctx, q, a, s.now().UTC(), audit.Entry{
			Action: "update", Kind: audit.KindMedia, EntityID: id, Summary: m.OriginalName,
			Changes: []audit.Change{{Field: "alt." + lang, Old: old, New: text}},
		})
	})
	if err != nil {
		return err
	}
	for _, c := range changes(uses) {
		live.Publish(ctx, s.pub, s.log, c.ID, c.Topic)
	}
	return nil
}

// changes are what pages showing a file listen to. Each row's topic
// carries that row's id, which its back-office page is followed by (see
// live.AdminTwin).
func changes(uses []Use) []live.Change {
	var out []live.Change
	add := func(t string, id int64) {
		if !slices.ContainsFunc(out, func(c live.Change) bool { return c.Topic == t }) {
			out = append(out, live.Change{Topic: t, ID: id})
		}
	}
	for _, u := range uses {
		switch u.Kind {
		case audit.KindEvent:
			// Not the event's id: the programme drops its index, since
			// other events may show the same picture.
			add(live.TopicEvents, 0)
			add(live.EventTopic(u.ID), u.ID)
		case audit.KindArtist:
			add(live.TopicArtists, 0)
			add(live.ArtistTopic(u.Slug), u.ID)
		case audit.KindLocation:
			add(live.TopicLocations, 0)
			add(live.LocationTopic(u.Slug, ""), u.ID)
		case audit.KindPost:
			add(live.TopicPosts, 0)
			add(live.PostTopic(u.Slug), u.ID)
		}
	}
	return out
}

// Usage lists what shows file id: events, artists, venues and posts.
func (s *Service) Usage(ctx context.Context, id int64) ([]Use, error) {
	return usage(ctx, s.q, id)
}

func usage(ctx context.Context, q *db.Queries, id int64) ([]Use, error) {
	rows, err := q.MediaUsage(ctx, db.MediaUsageParams{ID: sql.NullInt64{Int64: id, Valid: true}})
	if err != nil {
		return nil, fmt.Errorf("media: usage of %d: %w", id, err)
	}
	out := make([]Use, len(rows))
	for i, r := range rows {
		out[i] = Use{Kind: r.Kind, ID: r.ID, Slug: r.Slug}
	}
	return out, nil
}

// Delete removes file id and its variants. It refuses with *apperr.Invalid
// (field "file", saying where) while an event, artist, venue or post shows
// it. Stored files go only when no other row names them: different
// uploads can share a variant's bytes.
func (s *Service) Delete(ctx context.Context, a actor.Actor, id int64) error {
	m, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if !mayChange(a, m) {
		return fmt.Errorf("media: delete %d: %w", id, apperr.ErrForbidden)
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	err = db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		uses, err := usage(ctx, q, id)
		if err != nil {
			return err
		}
		if len(uses) > 0 {
			return inUse(uses)
		}
		n, err := q.MediaDelete(ctx, id)
		if err != nil {
			return fmt.Errorf("media: delete %d: %w", id, err)
		}
		if n == 0 {
			return fmt.Errorf("media: delete %d: %w", id, apperr.ErrNotFound)
		}
		return audit.Record(ctx, q, a, s.now().UTC(), audit.Entry{
			Action: "delete", Kind: audit.KindMedia, EntityID: id, Summary: m.OriginalName,
			Changes: []audit.Change{{Field: "file", Old: m.SHA256}},
		})
	})
	if err != nil {
		return err
	}
	keys := []string{m.SHA256}
	for _, v := range m.Variants {
		if !slices.Contains(keys, v.SHA256) {
			keys = append(keys, v.SHA256)
		}
	}
	// The rows are gone; a file that cannot be removed now is only an
	// orphan on disk, so it is logged rather than failing the delete.
	ctx = context.WithoutCancel(ctx)
	for _, k := range keys {
		used, err := s.q.MediaFileUsed(ctx, db.MediaFileUsedParams{Sha: k})
		if err != nil {
			s.log.Error("media: check file use", slog.String("sha256", k), slog.Any("error", err))
			continue
		}
		if used.Bool {
			continue
		}
		if err := s.store.Delete(ctx, k); err != nil {
			s.log.Error("media: remove file", slog.String("sha256", k), slog.Any("error", err))
		}
	}
	return nil
}

// inUse is the refusal to delete a file that is shown somewhere; its
// arguments count each kind of use and list them for the back office.
func inUse(uses []Use) *apperr.Invalid {
	counts := map[string]any{"Events": 0, "Artists": 0, "Locations": 0, "Posts": 0}
	keys := map[string]string{audit.KindEvent: "Events", audit.KindArtist: "Artists", audit.KindLocation: "Locations", audit.KindPost: "Posts"}
	var where []string
	for _, u := range uses {
		k := keys[u.Kind]
		counts[k] = counts[k].(int) + 1
		where = append(where, path.Join(u.Kind, u.Slug))
	}
	counts["Where"] = strings.Join(where, ", ")
	counts["Uses"] = uses
	inv := apperr.NewInvalid()
	inv.Add("file", "error.media.in_use", counts)
	return inv
}

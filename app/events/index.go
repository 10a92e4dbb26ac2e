package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/media"
)

// index is the published programme in memory: what List shows of every
// event it can list, in each offered language, so a page of the programme
// is a binary search and a scan instead of two or three queries. A flood of
// distinct filters misses the page cache every time; with the index those
// misses never reach the database. HappeningNow and Next answer from it
// too. An index is never changed once made: it is built whole (loadIndex),
// or made from another by re-reading the few events a change named
// (patchIndex); index_cache.go says when each happens.
//
// Memory grows with the published events, past ones included (a filter may
// start in the past), and not with the filters asked. Per event it holds an
// entry (80 bytes) and, per offered language, a Summary (296 bytes) and its
// acts (104 bytes each); the texts that differ from the default language's;
// and per language one media.Image (112 bytes and its URLs) per cover,
// shared by the events that show it. Per language it also holds every
// venue and artist by id, so a patch needs no query for them. Measured on
// the demo programme (TestIndexMemory: 365 events, en and de): about
// 1.2 KiB per event, so a few thousand events cost a few MB.
//
// Its Summaries are shared: List copies each into the page it returns, but
// a Lineup's acts and a Cover belong to the index. Callers must not change
// them (app/web and app/render only read them); the Lineup slices are
// capped, so an append copies rather than overwriting the next event's.
type index struct {
	built   time.Time             // by the service's clock, for indexMaxAge; a patch keeps its base's
	entries []entry               // in the programme's order: by start, then id
	langs   map[string]*langIndex // by offered language
	// locations and artists hold every stored slug, for the "unknown venue"
	// and "unknown artist" errors.
	locations, artists map[string]bool
	// plainSlugs says that every stored slug is plain, so a plain filter
	// matches it exactly when the database's collation would.
	plainSlugs bool
}

// langIndex is the index in one language.
type langIndex struct {
	summaries []Summary // parallel to index.entries
	// venues (those with a default-language name, as EventList joins
	// them) and artists (all of them) by id, as a Summary shows them.
	// A patch builds its events' Summaries from these; a change to any
	// venue or artist drops the whole index, so they stay true.
	venues  map[int64]Location
	artists map[int64]indexArtist
}

// indexArtist is an artist as a lineup shows them.
type indexArtist struct {
	slug, name string
	genre      i18n.Text
	shown      bool // has a default-language text, as EventArtistListByEvents needs
}

// entry is what the filters look at, packed so a scan stays in cache.
type entry struct {
	// starts and ends are Unix microseconds: the database truncates a
	// bound to microseconds before comparing (its DATETIME columns hold
	// whole seconds).
	starts, ends int64
	id           int64 // with starts, the programme's order
	kind         Kind
	location     string
	// artists are the slugs of every act, those the lineup leaves out for
	// want of a default-language text too: the artist filter of EventList
	// matches them.
	artists []string
}

// before reports whether e comes before o in the programme (EventList's
// ORDER BY e.starts_at, e.id).
func (e *entry) before(o *entry) bool {
	return e.starts < o.starts || e.starts == o.starts && e.id < o.id
}

// week is the longest an event lasts (a CHECK says so); EventList bounds its
// scan with it, and so does the index, to the same effect.
const week = 7 * 24 * time.Hour

// span is where EventList's range [from, to) may find its events:
// starts_at > range_start - 7 days AND starts_at < range_end. Whether each
// also ends after from is the caller's to check.
func (x *index) span(from, to time.Time) (lo, hi int) {
	since, until := from.Add(-week).UnixMicro(), to.UnixMicro()
	lo = sort.Search(len(x.entries), func(i int) bool { return x.entries[i].starts > since })
	hi = lo + sort.Search(len(x.entries)-lo, func(i int) bool { return x.entries[lo+i].starts >= until })
	return lo, hi
}

// list answers a normalized filter in lang, which the index holds, as
// listSQL would.
func (x *index) list(lang string, f Filter) (Page, error) {
	lo, hi := x.span(f.From, f.To)
	from := f.From.UnixMicro()
	match := func(e *entry) bool {
		return e.ends > from &&
			(f.Location == "" || e.location == f.Location) &&
			(f.Kind == "" || e.kind == f.Kind) &&
			(f.Artist == "" || slices.Contains(e.artists, f.Artist))
	}
	total := 0
	for i := lo; i < hi; i++ {
		if match(&x.entries[i]) {
			total++
		}
	}
	if total == 0 {
		// A match would have shown that the venue and artist exist.
		if err := checkExists(f, x.hasLocation, x.hasArtist); err != nil {
			return Page{}, err
		}
	}
	p := Page{Total: total, PerPage: f.PerPage, Pages: max(1, (total+f.PerPage-1)/f.PerPage)}
	p.Page = min(max(f.Page, 1), p.Pages)
	skip := (p.Page - 1) * f.PerPage
	n := min(f.PerPage, total-skip)
	p.Events = make([]Summary, 0, n)
	summaries := x.langs[lang].summaries
	for i := lo; i < hi && len(p.Events) < n; i++ {
		if !match(&x.entries[i]) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		p.Events = append(p.Events, summaries[i])
	}
	return p, nil
}

// window answers w in lang, which the index holds, as windowSQL would.
func (x *index) window(lang string, w window) []Summary {
	lo, hi := x.span(w.from, w.to)
	if !w.startsFrom.IsZero() {
		// EventList: starts_from IS NULL OR starts_at >= starts_from.
		first := w.startsFrom.UnixMicro()
		lo += sort.Search(hi-lo, func(i int) bool { return x.entries[lo+i].starts >= first })
	}
	from := w.from.UnixMicro()
	out := make([]Summary, 0, min(w.limit, hi-lo))
	summaries := x.langs[lang].summaries
	for i := lo; i < hi && len(out) < w.limit; i++ {
		if x.entries[i].ends > from {
			out = append(out, summaries[i])
		}
	}
	return out
}

func (x *index) hasLocation(slug string) (bool, error) {
	return x.locations[slug], nil
}

func (x *index) hasArtist(slug string) (bool, error) {
	return x.artists[slug], nil
}

// answers reports whether the index answers f in lang exactly as the
// database would. It does not for a language it does not hold, a slug
// filter that the database's collation may match to another spelling, or
// bounds outside what DATETIME holds; none of those comes from the
// programme page, which only asks in offered languages, for plain slugs
// (it redirects the others to their stored spelling) and for dates in
// 2000–2100.
func (x *index) answers(lang string, f Filter) bool {
	if _, ok := x.langs[lang]; !ok {
		return false
	}
	if (f.Location != "" || f.Artist != "") && (!x.plainSlugs || !plainSlug(f.Location) || !plainSlug(f.Artist)) {
		return false
	}
	return f.From.Year() > 1000 && f.To.Year() < 9999
}

// plainSlug reports whether s is spelled as content.Slug spells slugs (a-z,
// 0-9 and '-'): under the database's collation two such strings are equal
// only when they are the same bytes.
func plainSlug(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-') {
			return false
		}
	}
	return true
}

// errNotIndexed is a patch finding a venue or an artist its base does not
// hold: a change to them has not reached this process yet (or was lost),
// and only a full build reads them.
var errNotIndexed = errors.New("events: index: venue or artist not indexed")

// loadIndex builds the index from one snapshot of the database (a
// transaction), so its events, lineups and venues agree.
func (s *Service) loadIndex(ctx context.Context) (*index, error) {
	x := &index{built: s.now(), langs: make(map[string]*langIndex, len(s.langs)), plainSlugs: true}
	var b batch
	err := db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		for i, lang := range s.langs {
			l, err := s.loadLookups(ctx, q, x, lang, i == 0)
			if err != nil {
				return err
			}
			x.langs[lang] = l
		}
		var err error
		b, err = s.readBatch(ctx, q, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	entries, summaries, err := x.fromBatch(b, s.defLang)
	if err != nil {
		// The snapshot that listed an event holds its venue and artists.
		return nil, err
	}
	x.entries = entries
	for lang, l := range x.langs {
		l.summaries = summaries[lang]
	}
	return x, nil
}

// patchIndex makes the index that base would be if it were built now,
// given that only the events ids name may have changed since: it re-reads
// those (one snapshot), takes their old entries out and puts in the new
// ones that are still listed. It fails with errNotIndexed when they show a
// venue or artist that base does not hold.
func (s *Service) patchIndex(ctx context.Context, base *index, ids []int64) (*index, error) {
	var b batch
	err := db.InTx(ctx, s.sqlDB, func(q *db.Queries) (err error) {
		b, err = s.readBatch(ctx, q, ids)
		return err
	})
	if err != nil {
		return nil, err
	}
	entries, summaries, err := base.fromBatch(b, s.defLang)
	if err != nil {
		return nil, err
	}
	return base.replace(ids, entries, summaries), nil
}

// replace returns a copy of x without the events ids name and with
// entries and their summaries (by language, parallel to entries, in the
// programme's order), each at its place in the programme's order. The
// venues, artists and slugs are x's.
func (x *index) replace(ids []int64, entries []entry, summaries map[string][]Summary) *index {
	// from says where each entry of the result comes from: x.entries[i]
	// for i >= 0, entries[-i-1] for i < 0.
	from := make([]int, 0, len(x.entries)+len(entries))
	j := 0
	for i := range x.entries {
		if slices.Contains(ids, x.entries[i].id) {
			continue
		}
		for ; j < len(entries) && entries[j].before(&x.entries[i]); j++ {
			from = append(from, -j-1)
		}
		from = append(from, i)
	}
	for ; j < len(entries); j++ {
		from = append(from, -j-1)
	}

	y := &index{
		built: x.built, entries: pick(from, x.entries, entries), langs: make(map[string]*langIndex, len(x.langs)),
		locations: x.locations, artists: x.artists, plainSlugs: x.plainSlugs,
	}
	for lang, l := range x.langs {
		y.langs[lang] = &langIndex{summaries: pick(from, l.summaries, summaries[lang]), venues: l.venues, artists: l.artists}
	}
	return y
}

// pick lays out kept and added as from says (see replace).
func pick[T any](from []int, kept, added []T) []T {
	out := make([]T, len(from))
	for k, i := range from {
		if i >= 0 {
			out[k] = kept[i]
		} else {
			out[k] = added[-i-1]
		}
	}
	return out
}

// batch is what the index shows of some published events, read in one
// snapshot: every event for a build, the changed ones for a patch.
type batch struct {
	rows []db.EventIndexListRow    // in the programme's order
	acts []db.EventIndexLineupsRow // by event, in lineup order
	// texts are the events' texts by language other than the default
	// (whose texts the rows hold), then by event; covers are the
	// pictures by language, then by media id.
	texts  map[string]map[int64]db.EventIndexTranslationsRow
	covers map[string]map[int64]*media.Image
}

// readBatch reads the published events ids names, or every one for nil
// ids: those EventList can list, with their lineups, texts and covers.
func (s *Service) readBatch(ctx context.Context, q *db.Queries, ids []int64) (batch, error) {
	b := batch{texts: make(map[string]map[int64]db.EventIndexTranslationsRow, len(s.langs)),
		covers: make(map[string]map[int64]*media.Image, len(s.langs))}
	every := int64(0)
	if ids == nil {
		every = 1
	}
	var err error
	b.rows, err = q.EventIndexList(ctx, db.EventIndexListParams{DefaultLang: s.defLang, EveryEvent: every, EventIds: ids})
	if err != nil {
		return batch{}, fmt.Errorf("events: index: list: %w", err)
	}
	if ids != nil {
		// What is no longer listed needs nothing more.
		ids = ids[:0:0]
		for _, r := range b.rows {
			ids = append(ids, r.ID)
		}
		if len(ids) == 0 {
			return b, nil
		}
	}
	if b.acts, err = q.EventIndexLineups(ctx, db.EventIndexLineupsParams{EveryEvent: every, EventIds: ids}); err != nil {
		return batch{}, fmt.Errorf("events: index: lineups: %w", err)
	}
	var coverIDs []int64
	for _, r := range b.rows {
		if r.CoverMediaID.Valid {
			coverIDs = append(coverIDs, r.CoverMediaID.Int64)
		}
	}
	for _, lang := range s.langs {
		if lang != s.defLang {
			trs, err := q.EventIndexTranslations(ctx, db.EventIndexTranslationsParams{Lang: lang, EveryEvent: every, EventIds: ids})
			if err != nil {
				return batch{}, fmt.Errorf("events: index: texts in %s: %w", lang, err)
			}
			texts := make(map[int64]db.EventIndexTranslationsRow, len(trs))
			for _, t := range trs {
				texts[t.EventID] = t
			}
			b.texts[lang] = texts
		}
		imgs, err := media.LoadImages(ctx, q, s.defLang, lang, coverIDs)
		if err != nil {
			return batch{}, fmt.Errorf("events: index: covers in %s: %w", lang, err)
		}
		covers := make(map[int64]*media.Image, len(imgs))
		for id, img := range imgs {
			covers[id] = &img
		}
		b.covers[lang] = covers
	}
	return b, nil
}

// loadLookups reads every venue and artist in lang, for a build. The first
// language's pass also fills in the slugs, which do not depend on it.
func (s *Service) loadLookups(ctx context.Context, q *db.Queries, x *index, lang string, first bool) (*langIndex, error) {
	locs, err := q.EventIndexLocations(ctx, db.EventIndexLocationsParams{DefaultLang: s.defLang, Lang: lang})
	if err != nil {
		return nil, fmt.Errorf("events: index: venues in %s: %w", lang, err)
	}
	arts, err := q.EventIndexArtists(ctx, db.EventIndexArtistsParams{DefaultLang: s.defLang, Lang: lang})
	if err != nil {
		return nil, fmt.Errorf("events: index: artists in %s: %w", lang, err)
	}
	if first {
		x.locations = make(map[string]bool, len(locs))
		x.artists = make(map[string]bool, len(arts))
	}
	l := &langIndex{venues: make(map[int64]Location, len(locs)), artists: make(map[int64]indexArtist, len(arts))}
	for _, r := range locs {
		if first {
			x.locations[r.Slug] = true
			x.plainSlugs = x.plainSlugs && plainSlug(r.Slug)
		}
		if r.Name.Valid { // as EventList's join on the default name
			l.venues[r.ID] = Location{Slug: r.Slug, Name: db.Text(r.NameTr, r.Name.String), Accent: r.ThemeAccent}
		}
	}
	for _, a := range arts {
		if first {
			x.artists[a.Slug] = true
			x.plainSlugs = x.plainSlugs && plainSlug(a.Slug)
		}
		l.artists[a.ID] = indexArtist{slug: a.Slug, name: a.Name, genre: db.Text(a.GenreTr, a.Genre.String), shown: a.Genre.Valid}
	}
	return l, nil
}

// fromBatch turns b into entries and, by language, the Summaries parallel to
// them, in b's order, with x's venues and artists. It fails with
// errNotIndexed for a venue or an artist that x does not hold.
func (x *index) fromBatch(b batch, defLang string) ([]entry, map[string][]Summary, error) {
	entries := make([]entry, len(b.rows))
	at := make(map[int64]int, len(b.rows))
	for i, r := range b.rows {
		at[r.ID] = i
		entries[i] = entry{starts: r.StartsAt.UnixMicro(), ends: r.EndsAt.UnixMicro(), id: r.ID, kind: Kind(r.Kind)}
	}
	summaries := make(map[string][]Summary, len(x.langs))
	first := true
	for lang, l := range x.langs {
		out, err := l.summarize(b, lang, lang == defLang, entries, at, first)
		if err != nil {
			return nil, nil, err
		}
		summaries[lang] = out
		first = false
	}
	return entries, summaries, nil
}

// summarize makes the Summaries of b's events in lang (def says whether it is
// the default language). The first language's pass also fills in what
// does not depend on the language: each entry's venue and artists.
func (l *langIndex) summarize(b batch, lang string, def bool, entries []entry, at map[int64]int, first bool) ([]Summary, error) {
	texts, covers := b.texts[lang], b.covers[lang]
	out := make([]Summary, len(b.rows))
	for i, r := range b.rows {
		venue, ok := l.venues[r.LocationID]
		if !ok {
			return nil, fmt.Errorf("events: index: venue %d of event %d in %s: %w", r.LocationID, r.ID, lang, errNotIndexed)
		}
		t, ok := texts[r.ID]
		if def {
			// EventList's translation is then the default text's row.
			t, ok = db.EventIndexTranslationsRow{Title: r.Title, Summary: r.Summary}, true
		}
		out[i] = Summary{
			ID: r.ID, Slug: r.Slug, Kind: Kind(r.Kind),
			Title:    db.Text(sql.NullString{String: t.Title, Valid: ok}, r.Title),
			Summary:  db.Text(sql.NullString{String: t.Summary, Valid: ok}, r.Summary),
			StartsAt: r.StartsAt, EndsAt: r.EndsAt, UpdatedAt: r.UpdatedAt,
			Location: venue, CoverID: r.CoverMediaID.Int64, Cancelled: r.Cancelled,
		}
		if r.CoverMediaID.Valid {
			out[i].Cover = covers[r.CoverMediaID.Int64]
		}
		if first {
			entries[i].location = venue.Slug
		}
	}

	// The acts come by event, so each event's are a run of one backing
	// array: one allocation per language, and a lineup capped at its end.
	acts := b.acts
	lineup := make([]Act, 0, len(acts))
	var slugs []string
	if first {
		slugs = make([]string, 0, len(acts))
	}
	for j := 0; j < len(acts); {
		id := acts[j].EventID
		k := j
		for k < len(acts) && acts[k].EventID == id {
			k++
		}
		i, listed := at[id]
		start, slugStart := len(lineup), len(slugs)
		for _, r := range acts[j:k] {
			a, ok := l.artists[r.ArtistID]
			if !ok {
				return nil, fmt.Errorf("events: index: artist %d of event %d in %s: %w", r.ArtistID, id, lang, errNotIndexed)
			}
			if first {
				slugs = append(slugs, a.slug)
			}
			if a.shown {
				lineup = append(lineup, Act{
					ArtistSlug: a.slug, ArtistName: a.name, Genre: a.genre,
					SetStartsAt: r.SetStartsAt.Time, SetEndsAt: r.SetEndsAt.Time,
				})
			}
		}
		j = k
		if !listed {
			// Published but not listed (no default-language text).
			lineup, slugs = lineup[:start], slugs[:slugStart]
			continue
		}
		if len(lineup) > start {
			out[i].Lineup = lineup[start:len(lineup):len(lineup)]
		}
		if first {
			entries[i].artists = slugs[slugStart:len(slugs):len(slugs)]
		}
	}
	return out, nil
}

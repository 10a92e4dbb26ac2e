package events

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/media"
)

// index is the published programme in memory: what List shows of every
// event it can list, in each offered language, so a page of the programme
// is a binary search and a scan instead of two or three queries. A flood of
// distinct filters misses the page cache every time; with the index those
// misses never reach the database. An index is built whole (loadIndex) and
// never changed: a change drops it and the next List builds another.
//
// Memory grows with the published events, past ones included (a filter may
// start in the past), and not with the filters asked. Per event it holds an
// entry (72 bytes) and, per offered language, a Summary (296 bytes) and its
// acts (104 bytes each); the texts that differ from the default language's;
// and per language one media.Image (112 bytes and its URLs) per cover,
// shared by the events that show it. Measured on the demo programme
// (TestIndexMemory: 365 events, en and de): 417 KB, about 1.1 KiB per
// event, so a few thousand events cost a few MB.
//
// Its Summaries are shared: List copies each into the page it returns, but
// a Lineup's acts and a Cover belong to the index. Callers must not change
// them (app/web and app/render only read them); the Lineup slices are
// capped, so an append copies rather than overwriting the next event's.
type index struct {
	built   time.Time            // by the service's clock, for indexMaxAge
	entries []entry              // in the programme's order: by start, then id
	langs   map[string][]Summary // by language, each parallel to entries
	// locations and artists hold every stored slug, for the "unknown venue"
	// and "unknown artist" errors.
	locations, artists map[string]bool
	// plainSlugs says that every stored slug is plain, so a plain filter
	// matches it exactly when the database's collation would.
	plainSlugs bool
}

// entry is what the filters look at, packed so a scan stays in cache.
type entry struct {
	// starts and ends are Unix microseconds: the database truncates a
	// bound to microseconds before comparing (its DATETIME columns hold
	// whole seconds).
	starts, ends int64
	kind         Kind
	location     string
	// artists are the slugs of every act, those the lineup leaves out for
	// want of a default-language text too: the artist filter of EventList
	// matches them.
	artists []string
}

// week is the longest an event lasts (a CHECK says so); EventList bounds its
// scan with it, and so does the index, to the same effect.
const week = 7 * 24 * time.Hour

// list answers a normalized filter in lang, which the index holds, as
// listSQL would.
func (x *index) list(lang string, f Filter) (Page, error) {
	from, to := f.From.UnixMicro(), f.To.UnixMicro()
	since := f.From.Add(-week).UnixMicro()
	// EventList: starts_at > range_start - 7 days AND starts_at < range_end
	// AND ends_at > range_start.
	lo := sort.Search(len(x.entries), func(i int) bool { return x.entries[i].starts > since })
	hi := lo + sort.Search(len(x.entries)-lo, func(i int) bool { return x.entries[lo+i].starts >= to })
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
	summaries := x.langs[lang]
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

// indexCache holds the current index, or none after a change.
type indexCache struct {
	// cur is read on every List without a lock; it is set (under mu, and
	// only by a build no drop has overtaken) and cleared under mu.
	cur   atomic.Pointer[index]
	loads singleflight.Group
	mu    sync.Mutex
	gen   uint64 // bumped by each drop, so a build begun before it is not kept
}

// indexTimeout bounds one build that no caller's deadline bounds sooner.
const indexTimeout = 10 * time.Second

// indexMaxAge is how long an index serves before it is built again even
// though no change dropped it. The topics keep it fresh; this bounds what a
// lost change costs: a publish that Redis refused reaches only its own
// process, and a fix made in the database by hand is published by no one.
// A rebuild a minute is a handful of queries.
const indexMaxAge = time.Minute

// programme returns the current index, building it when there is none.
// Lists that miss together share one build; a List arriving after a drop
// starts its own, since the shared one may predate the change (as the
// settings service does). Each caller waits only until its own context
// ends, so a locked table costs a request its deadline, not more.
func (s *Service) programme(ctx context.Context) (*index, error) {
	if x := s.idx.cur.Load(); x != nil && s.now().Sub(x.built) < indexMaxAge {
		return x, nil
	}
	s.idx.mu.Lock()
	gen := s.idx.gen
	s.idx.mu.Unlock()
	ch := s.idx.loads.DoChan(strconv.FormatUint(gen, 10), func() (any, error) {
		// Not cut short when the caller that started it goes away: the
		// others wait for it too. It ends by the starter's deadline,
		// though, so a database that does not answer holds no
		// connection for longer than a request would.
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), indexTimeout)
		defer cancel()
		if d, ok := ctx.Deadline(); ok {
			var cancelAt context.CancelFunc
			bctx, cancelAt = context.WithDeadline(bctx, d)
			defer cancelAt()
		}
		x, err := s.loadIndex(bctx)
		if err != nil {
			return nil, err
		}
		s.idx.mu.Lock()
		if s.idx.gen == gen {
			s.idx.cur.Store(x)
		}
		s.idx.mu.Unlock()
		return x, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*index), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("events: wait for the index: %w", ctx.Err())
	}
}

// dropIndex forgets the index; the next List builds a new one.
func (s *Service) dropIndex() {
	s.idx.mu.Lock()
	s.idx.gen++
	s.idx.cur.Store(nil)
	s.idx.mu.Unlock()
}

// Changed drops the programme index when topic may change what List shows:
// an event's write publishes the programme (live.TopicEvents) whenever the
// event is or was public, and so does a change to a picture an event shows;
// every write of a venue or an artist publishes their lists (a rename, a
// genre, a new or deleted slug, which the filter's errors depend on); and
// live.TopicAll says anything may have changed. Every instance's change
// listener calls it (web.Server.Changed); this service's own writes, and
// through services.New the other services' writes, call it before they
// publish, so a process sees its own write at once.
func (s *Service) Changed(topic string) {
	switch topic {
	case live.TopicAll, live.TopicEvents, live.TopicLocations, live.TopicArtists:
		s.dropIndex()
	}
}

// loadIndex builds the index from one snapshot of the database (a
// transaction), so its events, lineups and venues agree.
func (s *Service) loadIndex(ctx context.Context) (*index, error) {
	x := &index{built: s.now(), langs: make(map[string][]Summary, len(s.langs)), plainSlugs: true}
	err := db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		rows, err := q.EventIndexList(ctx, db.EventIndexListParams{DefaultLang: s.defLang})
		if err != nil {
			return fmt.Errorf("events: index: list: %w", err)
		}
		acts, err := q.EventIndexLineups(ctx)
		if err != nil {
			return fmt.Errorf("events: index: lineups: %w", err)
		}
		at := make(map[int64]int, len(rows))
		x.entries = make([]entry, len(rows))
		for i, r := range rows {
			at[r.ID] = i
			x.entries[i] = entry{starts: r.StartsAt.UnixMicro(), ends: r.EndsAt.UnixMicro(), kind: Kind(r.Kind)}
		}
		for i, lang := range s.langs {
			if x.langs[lang], err = s.indexLang(ctx, q, x, lang, i == 0, rows, acts, at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return x, nil
}

// indexLang makes the Summaries of rows in lang. The first language's pass
// also fills in what does not depend on the language: each entry's venue
// and artists, and the slugs.
func (s *Service) indexLang(ctx context.Context, q *db.Queries, x *index, lang string, first bool,
	rows []db.EventIndexListRow, acts []db.EventIndexLineupsRow, at map[int64]int) ([]Summary, error) {
	var trs []db.EventIndexTranslationsRow
	if lang != s.defLang { // in the default language, rows hold the texts
		var err error
		if trs, err = q.EventIndexTranslations(ctx, lang); err != nil {
			return nil, fmt.Errorf("events: index: texts in %s: %w", lang, err)
		}
	}
	locs, err := q.EventIndexLocations(ctx, db.EventIndexLocationsParams{DefaultLang: s.defLang, Lang: lang})
	if err != nil {
		return nil, fmt.Errorf("events: index: venues in %s: %w", lang, err)
	}
	arts, err := q.EventIndexArtists(ctx, db.EventIndexArtistsParams{DefaultLang: s.defLang, Lang: lang})
	if err != nil {
		return nil, fmt.Errorf("events: index: artists in %s: %w", lang, err)
	}
	coverIDs := make([]int64, 0, len(rows))
	for _, r := range rows {
		if r.CoverMediaID.Valid {
			coverIDs = append(coverIDs, r.CoverMediaID.Int64)
		}
	}
	imgs, err := media.LoadImages(ctx, q, s.defLang, lang, coverIDs)
	if err != nil {
		return nil, fmt.Errorf("events: index: covers in %s: %w", lang, err)
	}

	if first {
		x.locations = make(map[string]bool, len(locs))
		x.artists = make(map[string]bool, len(arts))
	}
	venues := make(map[int64]Location, len(locs))
	for _, l := range locs {
		if first {
			x.locations[l.Slug] = true
			x.plainSlugs = x.plainSlugs && plainSlug(l.Slug)
		}
		if l.Name.Valid { // as EventList's join on the default name
			venues[l.ID] = Location{Slug: l.Slug, Name: db.Text(l.NameTr, l.Name.String), Accent: l.ThemeAccent}
		}
	}
	type artist struct {
		slug, name string
		genre      i18n.Text
		shown      bool // has a default-language text, as EventArtistListByEvents needs
	}
	byID := make(map[int64]artist, len(arts))
	for _, a := range arts {
		if first {
			x.artists[a.Slug] = true
			x.plainSlugs = x.plainSlugs && plainSlug(a.Slug)
		}
		byID[a.ID] = artist{slug: a.Slug, name: a.Name, genre: db.Text(a.GenreTr, a.Genre.String), shown: a.Genre.Valid}
	}
	texts := make(map[int64]db.EventIndexTranslationsRow, len(trs))
	for _, t := range trs {
		texts[t.EventID] = t
	}
	covers := make(map[int64]*media.Image, len(imgs))
	for id, img := range imgs {
		covers[id] = &img
	}

	out := make([]Summary, len(rows))
	for i, r := range rows {
		venue, ok := venues[r.LocationID]
		if !ok {
			// The snapshot that listed the event holds its venue's name.
			return nil, fmt.Errorf("events: index: venue %d of event %d has no name in %s", r.LocationID, r.ID, s.defLang)
		}
		t, ok := texts[r.ID]
		if lang == s.defLang {
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
			x.entries[i].location = venue.Slug
		}
	}

	// The acts come by event, so each event's are a run of one backing
	// array: one allocation per language, and a lineup capped at its end.
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
			a := byID[r.ArtistID]
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
			x.entries[i].artists = slugs[slugStart:len(slugs):len(slugs)]
		}
	}
	return out, nil
}

package loadtest_test

import (
	"bufio"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/testenv"
)

// missURLs is the length of the cache-miss list: far more URLs than a run
// sends at rendering speed (hundreds to a few thousand a second), so that
// practically no request asks for one a request before it asked for.
const missURLs = 200_000

// missList is the cache-miss mix's URLs, in the file loadgen reads, and how
// far the runs have taken them.
type missList struct {
	file  string
	n     int // URLs in the file
	paged int // of them, those asking for page 2 or 3
	next  int // index of the next URL to take; the runs took this many
}

// wrapped says the runs took more URLs than the list holds, so that some
// were asked for twice (and the second time served from the cache).
func (m *missList) wrapped() bool { return m.next > m.n }

func (m *missList) note() string {
	s := fmt.Sprintf("The cache-miss mix (with its warm-up) took %d URLs, one per request, from a list of %d distinct programme URLs "+
		"(filters by venue, type, artist and from/to dates within a year of the seed's now; %d ask for page 2 or 3)", m.next, m.n, m.paged)
	if m.wrapped() {
		return s + ": the list ran out and started over, so some requests hit the cache."
	}
	return s + ": none was asked for twice."
}

// writeMissPaths writes n distinct /events URLs of the package's seeded
// database to a file, each a filter that answers 200 with a page of its
// own: combinations of venue, type, artist, first and last day, and for a
// few broad filters page 2 or 3. The list is the same on every run (a fixed
// seed over the same demo content), so runs compare.
//
// Every URL must answer 200, so combinations the programme refuses are
// never made: the last day is never before the first, a range never spans
// more than 366 days, and a page past the last (which redirects) is never
// asked for. The event service says how many pages a filter has.
func writeMissPaths(b *testing.B, n int) *missList {
	b.Helper()
	now := testenv.Seeded(b)
	cfg := testenv.Config(b)
	sqlDB := testenv.DB(b)
	zone := cfg.ClubZone
	local := now.In(zone)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, zone)
	// Half the dates fall where the demo programme has events, so most
	// renders list some; the rest anywhere within the year.
	busy := programmeDays(b, sqlDB, today)
	kinds := events.Kinds()
	locs := slugs(b, sqlDB, "SELECT slug FROM locations ORDER BY slug")
	arts := slugs(b, sqlDB, "SELECT slug FROM artists ORDER BY slug")
	svc := events.New(sqlDB, cfg.Languages, func() time.Time { return now }, live.Discard{}, testenv.Logger(b))

	// total is the number of events the unfiltered programme lists for a
	// range, which the service knows: a one-event page is the cheapest
	// way to ask it. Pages hold DefaultPerPage, as the URLs set none.
	totals := map[[2]time.Time]int{}
	total := func(first, last time.Time) int {
		if n, ok := totals[[2]time.Time{first, last}]; ok {
			return n
		}
		var ef events.Filter
		ef.From, ef.To = svc.DayRange(first, last)
		ef.PerPage = 1
		p, err := svc.List(b.Context(), cfg.DefaultLanguage, ef)
		if err != nil {
			b.Fatalf("miss list: %v", err)
		}
		totals[[2]time.Time{first, last}] = p.Total
		return p.Total
	}

	r := rand.New(rand.NewPCG(2026, 1129))
	day := func() int {
		if r.IntN(2) == 0 {
			return r.IntN(busy)
		}
		return r.IntN(366)
	}
	date := func(d int) (string, time.Time) {
		t := today.AddDate(0, 0, d)
		return t.Format(time.DateOnly), t
	}
	list := &missList{file: filepath.Join(b.TempDir(), "programme-urls"), n: n}
	seen := make(map[string]bool, n)
	f, err := os.Create(list.file)
	if err != nil {
		b.Fatalf("miss list: %v", err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	for len(seen) < n {
		q := url.Values{}
		if r.IntN(2) == 0 {
			q.Set("location", locs[r.IntN(len(locs))])
		}
		if r.IntN(2) == 0 {
			q.Set("type", string(kinds[r.IntN(len(kinds))]))
		}
		if r.IntN(4) == 0 {
			q.Set("artist", arts[r.IntN(len(arts))])
		}
		broad := len(q) == 0
		// Days are offsets from today, 0 to 365: a last day alone is
		// never before today, and with a first day never before it.
		var first, last time.Time
		switch r.IntN(4) {
		case 1:
			var from string
			from, first = date(day())
			q.Set("from", from)
		case 2:
			var to string
			to, last = date(day())
			q.Set("to", to)
		case 3:
			d := day()
			var from, to string
			from, first = date(d)
			to, last = date(d + r.IntN(366-d))
			q.Set("from", from)
			q.Set("to", to)
		}
		// Encode sorts the keys, as the app's canonical query does, so
		// distinct strings are distinct cache entries.
		path := "/events"
		if len(q) > 0 {
			path += "?" + q.Encode()
		}
		// Later pages only for filters broad enough to have them, and
		// rarely: few visitors page through, and each new range costs a
		// query here.
		paged := false
		if broad && r.IntN(64) == 0 {
			page := 2 + r.IntN(2)
			q.Set("page", strconv.Itoa(page))
			if p := "/events?" + q.Encode(); !seen[p] && (page-1)*events.DefaultPerPage < total(first, last) {
				path, paged = p, true
			}
		}
		if seen[path] {
			continue
		}
		seen[path] = true
		if paged {
			list.paged++
		}
		w.WriteString(path)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		b.Fatalf("miss list: %v", err)
	}
	if err := f.Close(); err != nil {
		b.Fatalf("miss list: %v", err)
	}
	return list
}

// programmeDays is how many days from today the seeded programme reaches,
// at least one and at most a year.
func programmeDays(b *testing.B, sqlDB *sql.DB, today time.Time) int {
	b.Helper()
	var last sql.NullTime
	if err := sqlDB.QueryRowContext(b.Context(), "SELECT MAX(starts_at) FROM events WHERE published").Scan(&last); err != nil {
		b.Fatalf("programme end: %v", err)
	}
	if !last.Valid {
		return 1
	}
	return min(max(int(last.Time.Sub(today).Hours()/24)+1, 1), 366)
}

func slugs(b *testing.B, sqlDB *sql.DB, query string) []string {
	b.Helper()
	rows, err := sqlDB.QueryContext(b.Context(), query)
	if err != nil {
		b.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			b.Fatalf("%s: %v", query, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		b.Fatalf("%s: %v", query, err)
	}
	if len(out) == 0 {
		b.Fatalf("%s: no rows; is the database seeded?", query)
	}
	return out
}

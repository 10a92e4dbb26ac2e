package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v3"
)

// Back-office lists keep their whole state (search, filters, sort, page)
// in the URL, so a reload, a shared link and the back button all show the
// same list. htmx swaps just the list and pushes the address.

// maxSearch bounds a list's search text.
const maxSearch = 100

// listSpec says what one list accepts: its sort keys (the first is the
// default) and its filters with their allowed values ("" is "any").
type listSpec struct {
	sorts   []string
	filters []listFilterSpec
}

type listFilterSpec struct {
	name    string
	labelID string
	options []fieldOption // the allowed values; the first is the default
}

// listQuery is a list's state as read from the URL. Unknown values fall
// back to the defaults rather than failing: it is a list, not a form.
type listQuery struct {
	Q       string
	Sort    string
	Page    int
	Filters map[string]string
}

// parseList reads the list's state from the query string.
func parseList(c fiber.Ctx, spec listSpec) listQuery {
	q := listQuery{Filters: map[string]string{}, Page: 1}
	q.Q = strings.TrimSpace(c.Query("q"))
	if !utf8.ValidString(q.Q) {
		q.Q = ""
	}
	if utf8.RuneCountInString(q.Q) > maxSearch {
		q.Q = string([]rune(q.Q)[:maxSearch])
	}
	q.Sort = spec.sorts[0]
	if s := c.Query("sort"); slices.Contains(spec.sorts, s) {
		q.Sort = s
	}
	if p, err := strconv.Atoi(c.Query("page")); err == nil && p > 1 && p < 1_000_000 {
		q.Page = p
	}
	for _, f := range spec.filters {
		v := c.Query(f.name)
		q.Filters[f.name] = f.options[0].Value
		for _, o := range f.options {
			if o.Value == v {
				q.Filters[f.name] = v
			}
		}
	}
	return q
}

// values is the canonical query of the list: defaults left out.
func (q listQuery) values(spec listSpec) url.Values {
	v := url.Values{}
	if q.Q != "" {
		v.Set("q", q.Q)
	}
	if q.Sort != spec.sorts[0] {
		v.Set("sort", q.Sort)
	}
	for _, f := range spec.filters {
		if val := q.Filters[f.name]; val != f.options[0].Value {
			v.Set(f.name, val)
		}
	}
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	return v
}

// adminList is the data of the admin-list fragment.
type adminList struct {
	ID       string // the list element's id
	Path     string
	TitleID  string
	Q        string
	Filters  []listFilter
	Columns  []listColumn
	Rows     []listRow
	Total    int
	EmptyID  string
	Pager    pager
	NewURL   string // "create" link, when the viewer may create
	NewLabel string
}

type listFilter struct {
	Name, LabelID, Value string
	Options              []fieldOption
}

// listColumn is a column header; a sortable one links to its sort.
type listColumn struct {
	LabelID string
	SortURL string
	// Sorted is "ascending" or "descending" when the list is sorted by it.
	Sorted string
}

type listRow struct {
	Cells []listCell
}

// listCell is a cell: text, optionally a link, optionally a badge class.
type listCell struct {
	Text, Href, Badge string
}

// newAdminList lays out a list: columns are (label, sort key or "") pairs;
// a key "x" sorts ascending, "-x" descending, and its header toggles.
func newAdminList(id, path, titleID string, spec listSpec, q listQuery, total, perPage int, columns [][2]string) adminList {
	l := adminList{ID: id, Path: path, TitleID: titleID, Q: q.Q, Total: total}
	for _, f := range spec.filters {
		l.Filters = append(l.Filters, listFilter{Name: f.name, LabelID: f.labelID, Value: q.Filters[f.name], Options: f.options})
	}
	for _, col := range columns {
		h := listColumn{LabelID: col[0]}
		if key := col[1]; key != "" {
			next := key
			switch q.Sort {
			case key:
				h.Sorted = "ascending"
				next = "-" + key
			case "-" + key:
				h.Sorted = "descending"
			}
			sq := q
			sq.Sort, sq.Page = next, 1
			if !slices.Contains(spec.sorts, next) {
				sq.Sort = key
			}
			h.SortURL = withQuery(path, sq.values(spec))
		}
		l.Columns = append(l.Columns, h)
	}
	pages := max(1, (total+perPage-1)/perPage)
	l.Pager = pager{Page: min(q.Page, pages), Pages: pages, Target: id}
	link := func(n int) string {
		pq := q
		pq.Page = n
		return withQuery(path, pq.values(spec))
	}
	if l.Pager.Page > 1 {
		l.Pager.PrevURL = link(l.Pager.Page - 1)
	}
	if l.Pager.Page < pages {
		l.Pager.NextURL = link(l.Pager.Page + 1)
	}
	return l
}

// listPage sends a page whose main part is a list, or for htmx the list
// alone: the admin-list fragment takes the list's data, not the page's.
func (s *Server) listPage(c fiber.Ctx, page string, data any, l adminList) error {
	if isPartial(c) {
		return s.adminFragment(c, fiber.StatusOK, "admin-list", l)
	}
	return s.adminPage(c, fiber.StatusOK, page, "", data)
}

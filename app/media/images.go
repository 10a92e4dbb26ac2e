package media

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/i18n"
)

// srcWidth is the widest variant an <img src> names: browsers that read
// srcset pick their own, and the rest get a picture that suits a page.
const srcWidth = 960

// Image is a picture as a public page shows it: an <img> with src and
// srcset, the width and height of src (so the browser keeps the space
// before the file arrives), and the alt text in the visitor's language.
type Image struct {
	ID     int64
	Src    string
	SrcSet string // "url 480w, url 960w, …"
	Width  int
	Height int
	// Alt is the visitor's language's text, else the default language's
	// with Fallback set (so the view marks its language), else empty: the
	// picture is then decorative, beside a title that says what it is.
	Alt                     i18n.Text
	Thumb                   string
	ThumbWidth, ThumbHeight int
}

// Images returns the pictures of ids for a page in lang, by id, in one
// query; ids without a file are left out.
func (s *Service) Images(ctx context.Context, lang string, ids []int64) (map[int64]Image, error) {
	return LoadImages(ctx, s.q, s.cfg.DefaultLanguage, lang, ids)
}

// LoadImages is Images for the services that show pictures: they pass
// their own queries, so a page's pictures come with the rest of its data
// (and the page cache holds them together).
func LoadImages(ctx context.Context, q *db.Queries, defLang, lang string, ids []int64) (map[int64]Image, error) {
	var want []int64
	for _, id := range ids {
		if id != 0 {
			want = append(want, id)
		}
	}
	out := map[int64]Image{}
	if len(want) == 0 {
		return out, nil // sqlc.slice must not be empty
	}
	rows, err := q.MediaImageList(ctx, db.MediaImageListParams{DefaultLang: defLang, Lang: lang, Ids: want})
	if err != nil {
		return nil, fmt.Errorf("media: images: %w", err)
	}
	// Rows come by media id, then width, smallest first.
	var set []string
	flush := func(img Image) {
		if img.Src != "" {
			img.SrcSet = strings.Join(set, ", ")
			out[img.ID] = img
		}
		set = set[:0]
	}
	var cur Image
	for i, r := range rows {
		if i == 0 || r.ID != cur.ID {
			if i > 0 {
				flush(cur)
			}
			cur = Image{ID: r.ID}
			switch {
			case r.AltDefault.Valid:
				cur.Alt = db.Text(r.AltTr, r.AltDefault.String)
			case r.AltTr.Valid:
				cur.Alt = i18n.Text{Value: r.AltTr.String}
			}
		}
		url := URL(r.Sha256, r.ContentType)
		w, h := int(r.VariantWidth), int(r.VariantHeight)
		if r.Variant == VariantThumb {
			cur.Thumb, cur.ThumbWidth, cur.ThumbHeight = url, w, h
			continue
		}
		set = append(set, url+" "+strconv.Itoa(w)+"w")
		// src: the widest up to srcWidth, or the narrowest there is.
		if cur.Src == "" || w <= srcWidth {
			cur.Src, cur.Width, cur.Height = url, w, h
		}
	}
	if len(rows) > 0 {
		flush(cur)
	}
	return out, nil
}

// Attach gives each of items its picture: id says which file an item
// shows (0 for none) and set stores it. One query for all of them.
func Attach[T any](ctx context.Context, q *db.Queries, defLang, lang string, items []T, id func(*T) int64, set func(*T, Image)) error {
	ids := make([]int64, 0, len(items))
	for i := range items {
		if v := id(&items[i]); v != 0 {
			ids = append(ids, v)
		}
	}
	imgs, err := LoadImages(ctx, q, defLang, lang, ids)
	if err != nil {
		return err
	}
	for i := range items {
		if img, ok := imgs[id(&items[i])]; ok {
			set(&items[i], img)
		}
	}
	return nil
}

package patreon

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/dreamerscave/tdc/app/db"
)

// Member is a Patreon member as the back office shows it.
type Member struct {
	MemberID         string
	Name, Email      string
	Status           string // patron_status; "" when never pledged
	Former           bool   // a delete event ended the membership
	Tiers            string // the entitled tiers' titles
	EntitledCents    int
	WillPayCents     int
	LastChargeStatus string
	LastChargeDate   time.Time
	UserID           int64 // the linked user, 0 for none
	UserEmail        string
	LastEvent        string
	LastEventAt      time.Time
	Supporter        bool
}

// Filter selects members for List.
type Filter struct {
	Q         string // part of the name or address
	Supporter *bool  // nil: everyone
	Page      int    // from 1
	PerPage   int    // 1..200, default 50
}

// Page is one page of members: supporters first, latest event first.
type Page struct {
	Members            []Member
	Total, Page, Pages int
	PerPage            int
}

// List returns the members matching f.
func (s *Service) List(ctx context.Context, f Filter) (Page, error) {
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	f.PerPage = min(f.PerPage, 200)
	f.Page = max(f.Page, 1)
	q := db.Contains(f.Q)
	sup := sql.NullBool{}
	if f.Supporter != nil {
		sup = sql.NullBool{Bool: *f.Supporter, Valid: true}
	}
	total, err := s.q.PatreonMemberCount(ctx, db.PatreonMemberCountParams{Q: q, Supporter: sup})
	if err != nil {
		return Page{}, fmt.Errorf("patreon: count members: %w", err)
	}
	p := Page{Members: []Member{}, Total: int(total), Page: f.Page, PerPage: f.PerPage, Pages: max(1, (int(total)+f.PerPage-1)/f.PerPage)}
	rows, err := s.q.PatreonMemberList(ctx, db.PatreonMemberListParams{
		Q: q, Supporter: sup, Limit: int32(f.PerPage), Offset: int32((f.Page - 1) * f.PerPage),
	})
	if err != nil {
		return Page{}, fmt.Errorf("patreon: list members: %w", err)
	}
	for _, r := range rows {
		p.Members = append(p.Members, Member{
			MemberID: r.PatreonMemberID, Name: r.FullName, Email: r.Email, Status: r.PatronStatus.String,
			Former: r.FormerAt.Valid, Tiers: r.TierTitles, EntitledCents: int(r.CurrentlyEntitledCents),
			WillPayCents: int(r.WillPayCents), LastChargeStatus: r.LastChargeStatus.String, LastChargeDate: r.LastChargeDate.Time,
			UserID: r.UserID.Int64, UserEmail: r.UserEmail, LastEvent: r.LastEvent, LastEventAt: r.LastEventAt.Time,
			Supporter: r.Supporter,
		})
	}
	return p, nil
}

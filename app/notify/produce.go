package notify

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/dreamerscave/tdc/app/blog"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/events"
)

// maxLead is the longest reminder lead a user may choose (7 days, the
// notification_preferences check); it bounds the events a run looks at.
const maxLead = 10080 * time.Minute

// EnqueueReminders queues a reminder for every follower of an artist in
// the lineup, or of the venue, of each published, not cancelled event that
// starts within the follower's lead time. Run it every minute: the dedupe
// key (reminder:event:E:user:U) makes a second run add nothing.
func (s *Service) EnqueueReminders(ctx context.Context) (int64, error) {
	defaultLang := s.defLang
	now := s.now().UTC().Truncate(time.Second)
	n, err := s.q.NotifyEnqueueReminders(ctx, db.NotifyEnqueueRemindersParams{
		Now: now, Horizon: now.Add(maxLead), DefaultLang: defaultLang,
	})
	if err != nil {
		return 0, fmt.Errorf("notify: enqueue reminders: %w", err)
	}
	return n, nil
}

// EventHook is the events write hook (events.Service.OnWrite): the first
// publish of an event announces it to the followers of its artists and
// venue; unpublishing, cancelling or deleting it cancels announcements and
// reminders not yet sent.
func (s *Service) EventHook() events.Hook {
	defaultLang := s.defLang
	return func(ctx context.Context, q *db.Queries, cur, next events.Draft) error {
		id := max(cur.ID, next.ID)
		now := s.now().UTC().Truncate(time.Second)
		switch {
		case !cur.Visible() && next.Visible() && !next.Cancelled && cur.FirstPublishedAt.IsZero() && next.StartsAt.After(now):
			_, err := q.NotifyEnqueueAnnouncements(ctx, db.NotifyEnqueueAnnouncementsParams{
				Now: now, Later: now.Add(s.o.AnnounceDelay), EventID: id, DefaultLang: defaultLang,
			})
			if err != nil {
				return fmt.Errorf("notify: announce event %d: %w", id, err)
			}
		case cur.Visible() && !cur.Cancelled && (!next.Visible() || next.Cancelled):
			for _, prefix := range []string{"announce:event:", "reminder:event:"} {
				if _, err := q.NotifyCancelPending(ctx, prefix+strconv.FormatInt(id, 10)+":"); err != nil {
					return fmt.Errorf("notify: cancel mail about event %d: %w", id, err)
				}
			}
		}
		return nil
	}
}

// PostHook is the blog write hook (blog.Service.OnWrite): a post that
// becomes public (published now, or a scheduled post the blog-publish job
// flips) is mailed to those who asked for new posts; one taken back before
// the mail went out cancels it.
func (s *Service) PostHook() blog.Hook {
	defaultLang := s.defLang
	return func(ctx context.Context, q *db.Queries, old, next blog.PostDraft, now time.Time) error {
		id := max(old.ID, next.ID)
		switch {
		case next.Visible(now) && old.Status != blog.StatusPublished:
			if _, err := q.NotifyEnqueuePost(ctx, db.NotifyEnqueuePostParams{Now: now, DefaultLang: defaultLang, PostID: id}); err != nil {
				return fmt.Errorf("notify: announce post %d: %w", id, err)
			}
		case old.Visible(now) && !next.Visible(now):
			if _, err := q.NotifyCancelPending(ctx, "post:"+strconv.FormatInt(id, 10)+":"); err != nil {
				return fmt.Errorf("notify: cancel mail about post %d: %w", id, err)
			}
		}
		return nil
	}
}

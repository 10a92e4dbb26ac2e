-- Notifications: the mail queue, its producers and the preferences that
-- decide who gets what. Producers enqueue with INSERT … SELECT inside the
-- transaction of the change that causes them; the dedupe key makes a second
-- enqueue of the same notification a no-op.

-- NotifyEnqueueReminders queues a reminder for each (event, follower)
-- pair: followers of an artist in the lineup or of the venue, of published,
-- not cancelled events starting before horizon (the longest lead) and
-- within the follower's own lead. UNION makes one pair of someone who
-- follows both.
-- name: NotifyEnqueueReminders :execrows
INSERT INTO notification_queue (kind, dedupe_key, user_id, to_address, lang, payload, next_attempt_at, created_at)
SELECT 'reminder', CONCAT('reminder:event:', e.id, ':user:', u.id), u.id, u.email, u.language,
       JSON_OBJECT('event_id', e.id, 'slug', e.slug, 'title', COALESCE(t.title, d.title, e.slug),
                   'starts_at', DATE_FORMAT(e.starts_at, '%Y-%m-%dT%H:%i:%sZ'), 'zone', u.time_zone, 'name', u.display_name),
       sqlc.arg(now), sqlc.arg(now)
FROM (SELECT ea.event_id, af.user_id
      FROM events ae JOIN event_artists ea ON ea.event_id = ae.id JOIN artist_follows af ON af.artist_id = ea.artist_id
      WHERE ae.published AND ae.cancelled_at IS NULL AND ae.starts_at > sqlc.arg(now) AND ae.starts_at <= sqlc.arg(horizon)
      UNION
      SELECT le.id, lf.user_id
      FROM events le JOIN location_follows lf ON lf.location_id = le.location_id
      WHERE le.published AND le.cancelled_at IS NULL AND le.starts_at > sqlc.arg(now) AND le.starts_at <= sqlc.arg(horizon)) f
JOIN events e ON e.id = f.event_id
JOIN users u ON u.id = f.user_id
LEFT JOIN notification_preferences p ON p.user_id = u.id
LEFT JOIN event_translations t ON t.event_id = e.id AND t.lang = u.language
LEFT JOIN event_translations d ON d.event_id = e.id AND d.lang = sqlc.arg(default_lang)
WHERE e.starts_at <= DATE_ADD(sqlc.arg(now), INTERVAL COALESCE(p.reminder_lead_minutes, 60) MINUTE)
  AND COALESCE(p.event_reminders, TRUE)
  AND u.email_verified_at IS NOT NULL AND u.disabled_at IS NULL
ON DUPLICATE KEY UPDATE id = notification_queue.id;

-- NotifyEnqueueAnnouncements enqueues "new event" mail for everyone who
-- follows an artist of the lineup or the venue. Supporters get it at once,
-- everybody else at later, but no later than an hour before the event.
-- name: NotifyEnqueueAnnouncements :execrows
INSERT INTO notification_queue (kind, dedupe_key, user_id, to_address, lang, payload, next_attempt_at, created_at)
SELECT 'announce', CONCAT('announce:event:', e.id, ':user:', u.id), u.id, u.email, u.language,
       JSON_OBJECT('event_id', e.id, 'slug', e.slug, 'title', COALESCE(t.title, d.title, e.slug),
                   'starts_at', DATE_FORMAT(e.starts_at, '%Y-%m-%dT%H:%i:%sZ'), 'zone', u.time_zone, 'name', u.display_name),
       IF(EXISTS (SELECT 1 FROM patreon_members pm WHERE pm.user_id = u.id AND pm.supporter), sqlc.arg(now),
          GREATEST(sqlc.arg(now), LEAST(sqlc.arg(later), DATE_SUB(e.starts_at, INTERVAL 1 HOUR)))),
       sqlc.arg(now)
FROM events e
JOIN (SELECT af.user_id FROM event_artists ea JOIN artist_follows af ON af.artist_id = ea.artist_id WHERE ea.event_id = sqlc.arg(event_id)
      UNION
      SELECT lf.user_id FROM events le JOIN location_follows lf ON lf.location_id = le.location_id WHERE le.id = sqlc.arg(event_id)) f
JOIN users u ON u.id = f.user_id
LEFT JOIN notification_preferences p ON p.user_id = u.id
LEFT JOIN event_translations t ON t.event_id = e.id AND t.lang = u.language
LEFT JOIN event_translations d ON d.event_id = e.id AND d.lang = sqlc.arg(default_lang)
WHERE e.id = sqlc.arg(event_id)
  AND COALESCE(p.followed_announcements, TRUE)
  AND u.email_verified_at IS NOT NULL AND u.disabled_at IS NULL
ON DUPLICATE KEY UPDATE id = notification_queue.id;

-- NotifyEnqueuePost enqueues "new post" mail for everyone who opted in
-- (the newsletter preference).
-- name: NotifyEnqueuePost :execrows
INSERT INTO notification_queue (kind, dedupe_key, user_id, to_address, lang, payload, next_attempt_at, created_at)
SELECT 'post', CONCAT('post:', b.id, ':user:', u.id), u.id, u.email, u.language,
       JSON_OBJECT('post_id', b.id, 'slug', b.slug, 'title', COALESCE(t.title, d.title, b.slug),
                   'summary', COALESCE(t.summary, d.summary, ''), 'name', u.display_name),
       sqlc.arg(now), sqlc.arg(now)
FROM blog_posts b
JOIN notification_preferences p ON p.newsletter
JOIN users u ON u.id = p.user_id
LEFT JOIN blog_post_translations t ON t.post_id = b.id AND t.lang = u.language
LEFT JOIN blog_post_translations d ON d.post_id = b.id AND d.lang = sqlc.arg(default_lang)
WHERE b.id = sqlc.arg(post_id)
  AND u.email_verified_at IS NOT NULL AND u.disabled_at IS NULL
ON DUPLICATE KEY UPDATE id = notification_queue.id;

-- NotifyCancelPending cancels the notifications not yet sent whose dedupe
-- key starts with prefix ("announce:event:42:").
-- name: NotifyCancelPending :execrows
UPDATE notification_queue SET status = 'cancelled', lease_owner = NULL, lease_until = NULL
WHERE dedupe_key LIKE CONCAT(sqlc.arg(prefix), '%') AND status = 'pending';

-- name: NotifyCancelUserKind :execrows
UPDATE notification_queue SET status = 'cancelled', lease_owner = NULL, lease_until = NULL
WHERE user_id = ? AND kind = ? AND status = 'pending';

-- NotifyClaim picks due rows: pending ones, and rows a worker leased but
-- did not finish before its lease ran out (it died). Rows another worker
-- holds right now are skipped, not waited for.
-- name: NotifyClaim :many
SELECT id, kind, user_id, to_address, lang, payload, attempts, max_attempts
FROM notification_queue
WHERE status IN ('pending', 'sending') AND next_attempt_at <= sqlc.arg(now)
LIMIT ?
FOR UPDATE SKIP LOCKED;

-- NotifyLease marks claimed rows as this worker's until lease_until; the
-- lease is also the time they become due again if the worker dies.
-- name: NotifyLease :exec
UPDATE notification_queue
SET status = 'sending', lease_owner = sqlc.arg(owner), next_attempt_at = sqlc.arg(lease_until),
    lease_until = next_attempt_at, attempts = attempts + 1
WHERE id IN (sqlc.slice(ids));

-- name: NotifyMarkSent :execrows
UPDATE notification_queue
SET status = 'sent', sent_at = sqlc.arg(now), lease_owner = NULL, lease_until = NULL, last_error = NULL
WHERE id = sqlc.arg(id) AND lease_owner = sqlc.arg(owner) AND status = 'sending';

-- name: NotifyMarkRetry :execrows
UPDATE notification_queue
SET status = 'pending', next_attempt_at = sqlc.arg(next_attempt_at), last_error = sqlc.arg(last_error),
    lease_owner = NULL, lease_until = NULL
WHERE id = sqlc.arg(id) AND lease_owner = sqlc.arg(owner) AND status = 'sending';

-- name: NotifyMarkFailed :execrows
UPDATE notification_queue
SET status = 'failed', last_error = sqlc.arg(last_error), lease_owner = NULL, lease_until = NULL
WHERE id = sqlc.arg(id) AND lease_owner = sqlc.arg(owner) AND status = 'sending';

-- NotifyRelease hands rows back untouched (the worker is stopping).
-- name: NotifyRelease :exec
UPDATE notification_queue
SET status = 'pending', next_attempt_at = sqlc.arg(now), attempts = GREATEST(attempts - 1, 0),
    lease_owner = NULL, lease_until = NULL
WHERE id IN (sqlc.slice(ids)) AND lease_owner = sqlc.arg(owner) AND status = 'sending';

-- name: NotifyCountByStatus :many
SELECT status, COUNT(*) AS n FROM notification_queue GROUP BY status;

-- name: NotifyListFailed :many
SELECT id, kind, to_address, attempts, max_attempts, last_error, created_at
FROM notification_queue WHERE status = 'failed'
ORDER BY id DESC LIMIT ?;

-- name: NotifyRetry :execrows
UPDATE notification_queue
SET status = 'pending', attempts = 0, next_attempt_at = sqlc.arg(now), last_error = NULL
WHERE id = sqlc.arg(id) AND status = 'failed';

-- name: NotifyPrefsGet :one
SELECT COALESCE(p.event_reminders, TRUE) AS event_reminders,
       COALESCE(p.reminder_lead_minutes, 60) AS reminder_lead_minutes,
       COALESCE(p.followed_announcements, TRUE) AS followed_announcements,
       COALESCE(p.newsletter, FALSE) AS newsletter
FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id
WHERE u.id = ?;

-- name: NotifyPrefsSave :exec
INSERT INTO notification_preferences (user_id, event_reminders, reminder_lead_minutes, followed_announcements, newsletter)
VALUES (?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE event_reminders = VALUES(event_reminders), reminder_lead_minutes = VALUES(reminder_lead_minutes),
    followed_announcements = VALUES(followed_announcements), newsletter = VALUES(newsletter);

-- NotifyPrefsEnsure gives the user a preferences row (the defaults) if
-- they have none. Not INSERT IGNORE: that would hide a deleted user's
-- foreign key error.
-- name: NotifyPrefsEnsure :exec
INSERT INTO notification_preferences (user_id) VALUES (?)
ON DUPLICATE KEY UPDATE user_id = user_id;

-- name: NotifyPrefsOffReminders :execrows
UPDATE notification_preferences SET event_reminders = FALSE WHERE user_id = ?;

-- name: NotifyPrefsOffAnnouncements :execrows
UPDATE notification_preferences SET followed_announcements = FALSE WHERE user_id = ?;

-- name: NotifyPrefsOffPosts :execrows
UPDATE notification_preferences SET newsletter = FALSE WHERE user_id = ?;

-- name: EventCalendarList :many
-- What a calendar feed carries: published events overlapping
-- [range_start, range_end), and those unpublished after being published
-- that ended after withdrawn_after, so subscribers learn they are off
-- (STATUS:CANCELLED); optionally for one venue or artist, in start order.
-- version and updated_at give each entry its SEQUENCE and DTSTAMP.
SELECT e.id, e.slug, e.kind, e.starts_at, e.ends_at, e.updated_at, e.version, e.published,
       d.title, d.summary, t.title AS title_tr, t.summary AS summary_tr,
       l.slug AS location_slug, l.theme_accent AS location_accent,
       ld.name AS location_name, lt.name AS location_name_tr,
       e.cancelled_at IS NOT NULL AS cancelled
FROM events e
JOIN event_translations d ON d.event_id = e.id AND d.lang = sqlc.arg(default_lang)
LEFT JOIN event_translations t ON t.event_id = e.id AND t.lang = sqlc.arg(lang)
JOIN locations l ON l.id = e.location_id
JOIN location_translations ld ON ld.location_id = l.id AND ld.lang = sqlc.arg(default_lang)
LEFT JOIN location_translations lt ON lt.location_id = l.id AND lt.lang = sqlc.arg(lang)
WHERE (e.published = TRUE OR (e.first_published_at IS NOT NULL AND e.ends_at > sqlc.arg(withdrawn_after)))
  AND e.ends_at > sqlc.arg(range_start) AND e.starts_at < sqlc.arg(range_end)
  -- No event lasts over a week: this bound lets the index on starts_at
  -- skip the whole past.
  AND e.starts_at > sqlc.arg(range_start) - INTERVAL 7 DAY
  AND (sqlc.narg(location_slug) IS NULL OR l.slug = sqlc.narg(location_slug))
  AND (sqlc.narg(artist_slug) IS NULL OR EXISTS (
        SELECT 1 FROM event_artists ea JOIN artists a ON a.id = ea.artist_id
        WHERE ea.event_id = e.id AND a.slug = sqlc.narg(artist_slug)))
ORDER BY e.starts_at, e.id
LIMIT ?;

-- name: EventCalendarRevised :many
-- When what a feed shows of each event last changed: the event's own row
-- is in the list query; its venue's name and its artists' names change in
-- their own rows.
SELECT e.id, l.updated_at AS location_updated_at,
       CAST(COALESCE(MAX(a.updated_at), l.updated_at) AS DATETIME) AS artists_updated_at
FROM events e
JOIN locations l ON l.id = e.location_id
LEFT JOIN event_artists ea ON ea.event_id = e.id
LEFT JOIN artists a ON a.id = ea.artist_id
WHERE e.id IN (sqlc.slice(event_ids))
GROUP BY e.id, l.updated_at;

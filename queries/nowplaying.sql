-- name: NowPlayingList :many
SELECT n.location_id, l.slug AS location_slug, n.artist, n.title, n.dj, n.source, n.started_at, n.updated_at
FROM now_playing n
JOIN locations l ON l.id = n.location_id
ORDER BY l.position, l.slug;

-- name: NowPlayingLocationLock :one
-- The venue a track is recorded for, locked so that two reports for one
-- venue (a poll and a push) are stored one after the other.
SELECT id, slug FROM locations WHERE slug = ? FOR UPDATE;

-- name: NowPlayingGet :one
SELECT artist, title, dj, source, started_at FROM now_playing WHERE location_id = ?;

-- name: NowPlayingUpsert :exec
INSERT INTO now_playing (location_id, artist, title, dj, source, started_at)
VALUES (?, ?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE artist = VALUES(artist), title = VALUES(title), dj = VALUES(dj),
                        source = VALUES(source), started_at = VALUES(started_at);

-- name: NowPlayingDelete :execrows
DELETE FROM now_playing WHERE location_id = ?;

-- name: NowPlayingHistoryInsert :exec
INSERT INTO now_playing_history (location_id, artist, title, dj, source, started_at, ended_at)
VALUES (?, ?, ?, ?, ?, ?, ?);

-- name: NowPlayingHistoryEnd :exec
-- Ends the track that was playing at a venue when another starts or the
-- stream goes off air.
UPDATE now_playing_history SET ended_at = ? WHERE location_id = ? AND ended_at IS NULL;

-- name: NowPlayingHistoryRecent :many
-- The tracks that played at a venue before the current one, latest first.
SELECT h.artist, h.title, h.dj, h.source, h.started_at, h.ended_at
FROM now_playing_history h
JOIN locations l ON l.id = h.location_id
WHERE l.slug = ? AND h.ended_at IS NOT NULL
ORDER BY h.started_at DESC, h.id DESC
LIMIT ?;

-- name: NowPlayingHistoryPrune :execrows
DELETE FROM now_playing_history WHERE started_at < ? LIMIT 10000;

-- name: NowPlayingAuth :one
-- What the ingest API checks a bearer token against.
SELECT id, now_playing_token_sha256 FROM locations WHERE slug = ?;

-- name: NowPlayingSources :many
-- The venues whose stream server is polled for what plays.
SELECT id, slug, stream_kind, stream_status_url, stream_listen_url
FROM locations
WHERE stream_kind IN ('icecast', 'shoutcast') AND stream_status_url <> ''
ORDER BY id;

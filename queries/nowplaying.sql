-- name: NowPlayingList :many
SELECT n.location_id, l.slug AS location_slug, n.artist, n.title, n.source, n.started_at, n.updated_at
FROM now_playing n
JOIN locations l ON l.id = n.location_id
ORDER BY l.position, l.slug;

-- name: NowPlayingUpsert :exec
INSERT INTO now_playing (location_id, artist, title, source, started_at)
VALUES (?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE artist = VALUES(artist), title = VALUES(title), source = VALUES(source), started_at = VALUES(started_at);

-- name: NowPlayingHistoryInsert :exec
INSERT INTO now_playing_history (location_id, artist, title, source, started_at, ended_at)
VALUES (?, ?, ?, ?, ?, ?);

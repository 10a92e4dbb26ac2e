-- +goose Up
-- Patreon's webhook: what it tells us beyond the first cut of
-- patreon_members, and the deliveries seen, by their body.
ALTER TABLE patreon_members
    ADD COLUMN will_pay_cents INT          NOT NULL DEFAULT 0 AFTER currently_entitled_cents,
    ADD COLUMN tier_titles    VARCHAR(500) NOT NULL DEFAULT '' AFTER tier_ids,
    -- When a members:delete or members:pledge:delete ended the membership;
    -- the row stays as history, and a newer pledge clears it.
    ADD COLUMN former_at      DATETIME     NULL AFTER supporter;

-- Patreon sends no delivery id and may resend what it queued: a body seen
-- before with the same trigger is a replay. body_sha256 is the SHA-256 of
-- the trigger, a NUL byte and the raw body. Rows older than Patreon's
-- retries are pruned.
CREATE TABLE patreon_deliveries (
    body_sha256       BINARY(32)   NOT NULL,
    event             VARCHAR(40)  NOT NULL,
    patreon_member_id VARCHAR(64)  NOT NULL,
    received_at       DATETIME     NOT NULL,
    PRIMARY KEY (body_sha256),
    KEY patreon_deliveries_received (received_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE patreon_deliveries;
ALTER TABLE patreon_members
    DROP COLUMN former_at,
    DROP COLUMN tier_titles,
    DROP COLUMN will_pay_cents;

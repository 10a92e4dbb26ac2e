-- +goose Up
-- Supporters as Patreon reports them through webhooks. The raw member JSON is
-- kept so a field we do not model yet is not lost.
CREATE TABLE patreon_members (
    id                        BIGINT        NOT NULL AUTO_INCREMENT,
    patreon_member_id         VARCHAR(64)   NOT NULL,
    patreon_user_id           VARCHAR(64)   NOT NULL DEFAULT '',
    campaign_id               VARCHAR(64)   NOT NULL DEFAULT '',
    user_id                   BIGINT        NULL,
    email                     VARCHAR(254)  NOT NULL DEFAULT '',
    full_name                 VARCHAR(200)  NOT NULL DEFAULT '',
    patron_status             VARCHAR(32)   NULL,
    currently_entitled_cents  INT           NOT NULL DEFAULT 0,
    lifetime_support_cents    INT           NOT NULL DEFAULT 0,
    pledge_relationship_start DATETIME      NULL,
    last_charge_date          DATETIME      NULL,
    last_charge_status        VARCHAR(32)   NULL,
    tier_ids                  JSON          NOT NULL,
    raw                       JSON          NOT NULL,
    last_event                VARCHAR(40)   NOT NULL DEFAULT '',
    last_event_at             DATETIME      NULL,
    created_at                DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at                DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY patreon_members_member (patreon_member_id),
    KEY patreon_members_email (email),
    CONSTRAINT patreon_members_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What each external calendar holds of each of our rows, so a sync pushes
-- only what changed and retries what failed.
CREATE TABLE sync_state (
    integration     ENUM('google','facebook') NOT NULL,
    entity_kind     ENUM('event')            NOT NULL,
    entity_id       BIGINT        NOT NULL,
    external_id     VARCHAR(255)  NULL,
    synced_version  INT           NOT NULL DEFAULT 0,
    status          ENUM('pending','synced','failed','deleted') NOT NULL DEFAULT 'pending',
    attempts        INT           NOT NULL DEFAULT 0,
    last_error      TEXT          NULL,
    last_synced_at  DATETIME      NULL,
    next_attempt_at DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (integration, entity_kind, entity_id),
    KEY sync_state_due (integration, status, next_attempt_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Per-integration cursors such as Google's syncToken.
CREATE TABLE integration_cursors (
    integration VARCHAR(20)  NOT NULL,
    name        VARCHAR(64)  NOT NULL,
    value       TEXT         NOT NULL,
    updated_at  DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (integration, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE integration_cursors;
DROP TABLE sync_state;
DROP TABLE patreon_members;

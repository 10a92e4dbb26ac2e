-- +goose Up
-- Outgoing mail. A sender leases a row (lease_owner, lease_until) so two
-- instances never send the same mail, and a crashed sender's lease expires.
-- dedupe_key makes enqueueing idempotent ("reminder:event:42:user:7").
CREATE TABLE notification_queue (
    id              BIGINT        NOT NULL AUTO_INCREMENT,
    kind            VARCHAR(40)   NOT NULL,
    dedupe_key      VARCHAR(191)  NULL,
    user_id         BIGINT        NULL,
    to_address      VARCHAR(254)  NOT NULL,
    lang            VARCHAR(8)    NOT NULL DEFAULT 'en',
    payload         JSON          NOT NULL,
    status          ENUM('pending','sending','sent','failed','cancelled') NOT NULL DEFAULT 'pending',
    attempts        INT           NOT NULL DEFAULT 0,
    max_attempts    INT           NOT NULL DEFAULT 8,
    next_attempt_at DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
    lease_owner     VARCHAR(64)   NULL,
    lease_until     DATETIME      NULL,
    last_error      TEXT          NULL,
    created_at      DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
    sent_at         DATETIME      NULL,
    PRIMARY KEY (id),
    UNIQUE KEY notification_queue_dedupe (dedupe_key),
    KEY notification_queue_due (status, next_attempt_at),
    CONSTRAINT notification_queue_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE notification_queue;
